"""PURE: what audio a file is, by its first bytes. One sniffer for samples (validate), speech
answers (preview, apply --verify) and the files preview may replace."""

from __future__ import annotations

from voicesync.model import AudioFormat

M4A_BRANDS = (b"M4A ", b"M4B ", b"mp42", b"isom")  # an MP4 container of AAC audio
HEAD_BYTES = 12  # what sniff needs to see


def sniff(head: bytes) -> AudioFormat | None:
    """The format the bytes start as, or None."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return AudioFormat.WAV
    if head[:4] == b"OggS":
        return AudioFormat.OGG
    if head[:3] == b"ID3" or mpeg_frame(head[:4]):
        return AudioFormat.MP3
    if head[4:8] == b"ftyp" and head[8:12] in M4A_BRANDS:
        return AudioFormat.M4A
    return None


def mpeg_frame(head: bytes) -> bool:
    """Whether four bytes are a plausible MPEG audio frame header: the sync, and no reserved
    version, layer, bitrate or sample rate (two sync bytes alone let '<html>' after them pass)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate != 15 and rate != 3
