"""A sample drawn as an SVG waveform: the decoded audio's lowest and highest value in each of a
few hundred columns, one filled path (no script, no external file)."""

from __future__ import annotations

COLUMNS = 300
HEIGHT = 60
RATE = 8000  # plenty for a drawing


def waveform_svg(path: str, label: str) -> str:
    """The waveform of the audio at ``path``; a plain note when it cannot be decoded."""
    import miniaudio

    from voicesync.quality import DecodeError, decodable

    try:
        decodable(path)  # a header claiming 1 Hz is not resampled into gigabytes
        samples = miniaudio.decode_file(path, nchannels=1, sample_rate=RATE).samples
    except (DecodeError, miniaudio.DecodeError, miniaudio.MiniaudioError, OSError):
        return '<p class="note">No waveform: the audio could not be decoded.</p>'
    step = max(1, len(samples) // COLUMNS)
    tops, bottoms = [], []
    for column in range(min(COLUMNS, max(1, len(samples) // step))):
        chunk = samples[column * step : (column + 1) * step]
        tops.append(max(chunk) if chunk else 0)
        bottoms.append(min(chunk) if chunk else 0)
    half = HEIGHT / 2
    scale = half / 32768
    upper = " ".join(f"L{x} {half - t * scale:.1f}" for x, t in enumerate(tops))
    lower = " ".join(f"L{x} {half - b * scale:.1f}" for x, b in reversed(list(enumerate(bottoms))))
    width = len(tops)
    return (
        f'<svg class="wave" viewBox="0 0 {width} {HEIGHT}" preserveAspectRatio="none" '
        f'role="img" aria-label="{label}"><path d="M0 {half} {upper} {lower} Z"/>'
        f'<line x1="0" y1="{half}" x2="{width}" y2="{half}"/></svg>'
    )
