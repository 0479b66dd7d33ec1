"""voices.yaml loading: a corpus of broken files, each with its exact FILE:LINE:COL."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult, speech_wav_bytes, tone_wav_bytes
from voicesync.catalog.loader import load_config
from voicesync.catalog.schema import voices_schema
from voicesync.errors import ConfigError, Severity
from voicesync.model import DesiredVoice, Visibility

Cli = Callable[..., CliResult]
GOOD = tone_wav_bytes(12)
HEAD = "version: 1\nvoices:\n"


def write_catalog(folder: Path, text: str, files: dict[str, bytes] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (files if files is not None else {"a.wav": GOOD}).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    path = folder / "voices.yaml"
    path.write_text(text)
    return path


# (id, yaml, extra files or None for the default a.wav, "LINE:COL", message fragment)
CASES: list[tuple[str, str, dict[str, bytes] | None, str, str]] = [
    ("empty", "", None, "1:1", "the file is empty"),
    ("only-comment", "# nothing\n", None, "1:1", "the file is empty"),
    ("scalar-top", "just text\n", None, "1:1", "expected a mapping"),
    ("list-top", "- a\n- b\n", None, "1:1", "expected a mapping"),
    ("syntax-unclosed", "version: 1\nvoices: [\n", None, "3:1", "YAML syntax error"),
    (
        "syntax-indent",
        "version: 1\nvoices:\n  - name: A\n   sample: a.wav\n",
        None,
        "4:4",
        "YAML syntax error",
    ),
    ("tab-indent", "version: 1\nvoices:\n\t- name: A\n", None, "3:1", "YAML syntax error"),
    (
        "two-documents",
        "version: 1\nvoices: []\n---\nversion: 1\n",
        None,
        "4:1",
        "one YAML document",
    ),
    (
        "duplicate-top-key",
        "version: 1\nvoices: []\nversion: 1\n",
        None,
        "3:1",
        "duplicate key 'version'",
    ),
    (
        "duplicate-voice-key",
        HEAD + "  - name: A\n    sample: a.wav\n    name: B\n",
        None,
        "5:5",
        "duplicate key 'name'",
    ),
    (
        "python-tag",
        "version: !!python/object/apply:os.system ['true']\nvoices: []\n",
        None,
        "1:10",
        "unsupported YAML tag !!python/object/apply:os.system",
    ),
    (
        "binary-tag",
        HEAD + "  - name: !!binary QQ==\n    sample: a.wav\n",
        None,
        "3:11",
        "unsupported YAML tag !!binary",
    ),
    (
        "alias-bomb",
        "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        None,
        "5:4",
        "alias bomb",
    ),
    ("undefined-alias", "version: 1\nvoices: *nothing\n", None, "2:9", "undefined alias"),
    ("missing-version", "voices: []\n", None, "1:1", "missing required key 'version'"),
    ("missing-voices", "version: 1\n", None, "1:1", "missing required key 'voices'"),
    ("bad-version", "version: 2\nvoices: []\n", None, "1:10", "version: 2 is not supported"),
    ("version-string", "version: '1'\nvoices: []\n", None, "1:10", "is not supported"),
    (
        "unknown-top-key",
        "version: 1\nvoices: []\nprun: true\n",
        None,
        "3:1",
        "unknown key 'prun' in the file — did you mean 'prune'?",
    ),
    (
        "unknown-voice-key",
        HEAD + "  - name: A\n    sample: a.wav\n    visibilty: PUBLIC\n",
        None,
        "5:5",
        "did you mean 'visibility'?",
    ),
    ("voices-not-list", "version: 1\nvoices: {name: A}\n", None, "2:9", "voices: expected a list"),
    ("voice-not-mapping", HEAD + "  - just a name\n", None, "3:5", "voices[0]: expected a mapping"),
    ("missing-name", HEAD + "  - sample: a.wav\n", None, "3:5", "missing required key 'name'"),
    ("missing-sample", HEAD + "  - name: A\n", None, "3:5", "missing required key 'sample'"),
    (
        "name-number",
        HEAD + "  - name: 42\n    sample: a.wav\n",
        None,
        "3:11",
        "voices[0].name: expected a string, got a number 42",
    ),
    ("name-empty", HEAD + "  - name: ''\n    sample: a.wav\n", None, "3:11", "must not be empty"),
    (
        "name-spaces",
        HEAD + "  - name: ' A'\n    sample: a.wav\n",
        None,
        "3:11",
        "without leading or trailing spaces",
    ),
    (
        "bad-visibility",
        HEAD + "  - name: A\n    sample: a.wav\n    visibility: public\n",
        None,
        "5:17",
        "did you mean PUBLIC?",
    ),
    (
        "bad-default-visibility",
        "version: 1\ndefaults:\n  visibility: Hidden\nvoices: []\n",
        None,
        "3:15",
        "is not one of PUBLIC, PRIVATE",
    ),
    (
        "bad-language",
        HEAD + "  - name: A\n    sample: a.wav\n    language: english\n",
        None,
        "5:15",
        "is not one of en, es",
    ),
    (
        "protected-yes",
        HEAD + "  - name: A\n    sample: a.wav\n    protected: yes\n",
        None,
        "5:16",
        "YAML 1.2 reads only true/false",
    ),
    (
        "prune-string",
        "version: 1\nprune: 'no'\nvoices: []\n",
        None,
        "2:8",
        "expected true or false",
    ),
    (
        "duplicate-name",
        HEAD + "  - name: A\n    sample: a.wav\n  - name: A\n    sample: a.wav\n",
        None,
        "5:11",
        "name 'A' is already used by another voice",
    ),
    (
        "duplicate-name-case",
        HEAD + "  - name: Anna\n    sample: a.wav\n  - name: ANNA\n    sample: a.wav\n",
        None,
        "5:11",
        "ignoring case",
    ),
    (
        "previous-collides",
        HEAD + "  - name: A\n    sample: a.wav\n  - name: B\n    sample: a.wav\n"
        "    previous_names: [A]\n",
        None,
        "7:22",
        "name 'A' is already used by voice 'A'",
    ),
    (
        "previous-self",
        HEAD + "  - name: A\n    sample: a.wav\n    previous_names: [A]\n",
        None,
        "5:22",
        "lists its own name",
    ),
    (
        "previous-not-list",
        HEAD + "  - name: A\n    sample: a.wav\n    previous_names: B\n",
        None,
        "5:21",
        "expected a list",
    ),
    (
        "sample-missing",
        HEAD + "  - name: A\n    sample: nope.wav\n",
        None,
        "4:13",
        "sample 'nope.wav' does not exist",
    ),
    (
        "sample-directory",
        HEAD + "  - name: A\n    sample: sub\n",
        {"sub/x.wav": GOOD},
        "4:13",
        "is not a regular file",
    ),
    (
        "sample-not-audio",
        HEAD + "  - name: A\n    sample: notes.wav\n",
        {"notes.wav": b"Dear diary, today I recorded nothing."},
        "4:13",
        "is not MP3, WAV or OGG",
    ),
    (
        "sample-m4a",
        HEAD + "  - name: A\n    sample: a.m4a\n",
        {"a.m4a": b"\x00\x00\x00\x20ftypM4A " + bytes(64)},
        "4:13",
        "ffmpeg -i a.m4a a.mp3",
    ),
    (
        "sample-raw-pcm",
        HEAD + "  - name: A\n    sample: a.pcm\n",
        {"a.pcm": bytes(range(1, 200))},
        "4:13",
        "wrap it in WAV",
    ),
    ("sample-empty", HEAD + "  - name: A\n    sample: e.wav\n", {"e.wav": b""}, "4:13", "is empty"),
    (
        "sample-oversized",
        HEAD + "  - name: A\n    sample: big.wav\n",
        {"big.wav": GOOD[:44] + bytes(7_500_001)},
        "4:13",
        "at most 7.5 MB",
    ),
    (
        "sample-truncated-wav",
        HEAD + "  - name: A\n    sample: t.wav\n",
        {"t.wav": GOOD[:20]},
        "4:13",
        "damaged WAV",
    ),
    (
        "sample-escape",
        HEAD + "  - name: A\n    sample: ../outside.wav\n",
        None,
        "4:13",
        "outside the catalog folder",
    ),
    (
        "sample-absolute",
        HEAD + "  - name: A\n    sample: /etc/passwd\n",
        None,
        "4:13",
        "outside the catalog folder",
    ),
    (
        "sample-empty-string",
        HEAD + "  - name: A\n    sample: ''\n",
        None,
        "4:13",
        "must not be empty",
    ),
    ("not-utf8", "version: 1\nvoices: []\n# caf\xe9\n", None, "3:1", "not UTF-8"),
]


@pytest.mark.parametrize(
    ("yaml_text", "files", "where", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_broken_catalogs(
    tmp_path: Path,
    cli: Cli,
    yaml_text: str,
    files: dict[str, bytes] | None,
    where: str,
    fragment: str,
) -> None:
    path = write_catalog(tmp_path / "cat", "", files)
    if "\xe9" in yaml_text:
        path.write_bytes(yaml_text.encode("latin-1"))
    else:
        path.write_text(yaml_text)
    (tmp_path / "outside.wav").write_bytes(GOOD)
    result = cli("validate", str(path))
    assert result.code == 1
    assert "Traceback" not in result.output
    expected_prefix = f"{path}:{where}: "
    lines = [line for line in result.stderr.splitlines() if line.startswith(expected_prefix)]
    assert any(fragment in line for line in lines), result.stderr
    assert result.stderr.splitlines()[-2].startswith("error: ")


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


def test_symlink_escaping_the_folder_is_refused(tmp_path: Path, cli: Cli) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("ssh key")
    path = write_catalog(tmp_path / "cat", HEAD + "  - name: A\n    sample: link.wav\n")
    os.symlink(secret, tmp_path / "cat" / "link.wav")
    result = cli("validate", str(path))
    assert result.code == 1 and f"{path}:4:13: sample 'link.wav' resolves to" in result.stderr


def test_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, HEAD + "  - name: A\n    sample: link.wav\n")
    os.symlink(tmp_path / "a.wav", tmp_path / "link.wav")
    voice = load_config(path).state.voices[0]
    assert voice.sample is not None and voice.sample.path == str((tmp_path / "a.wav").resolve())


def test_allow_outside(tmp_path: Path, cli: Cli) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "s.wav").write_bytes(GOOD)
    path = write_catalog(tmp_path / "cat", HEAD + "  - name: A\n    sample: ../shared/s.wav\n")
    assert cli("validate", str(path)).code == 1
    assert cli("validate", str(path), "--allow-outside", str(shared)).code == 0


def test_all_problems_at_once_sorted(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path,
        "version: 3\nvoices:\n  - name: A\n    sample: nope.wav\n    colour: red\n"
        "  - name: B\n    sample: a.wav\n    visibility: secret\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    positions = [(p.line, p.column) for p in caught.value.problems]
    assert positions == sorted(positions) and len(positions) == 4
    assert str(caught.value) == f"4 problems in {path}"


def test_valid_catalog_gives_frozen_typed_values(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path,
        "version: 1\ndefaults:\n  visibility: PUBLIC\n  language: fr\nprune: true\nvoices:\n"
        "  - name: No\n    sample: a.wav\n    previous_names: [Off]\n    protected: true\n"
        "  - name: B\n    sample: a.wav\n    visibility: PRIVATE\n    language: de\n",
    )
    loaded = load_config(path)
    first, second = loaded.state.voices
    assert isinstance(first, DesiredVoice) and loaded.state.prune is True
    assert (first.name, first.visibility, first.language, first.protected) == (
        "No",
        Visibility.PUBLIC,
        "fr",
        True,
    )
    assert first.previous_names == ("Off",) and isinstance(first.previous_names, tuple)
    assert (second.visibility, second.language, second.protected) == (
        Visibility.PRIVATE,
        "de",
        False,
    )
    assert first.sample is not None and len(first.sample.sha256) == 64
    assert first.sample.size == len(GOOD) and first.sample.duration_s == pytest.approx(12, abs=0.1)
    assert (first.source.line, first.source.column) == (7, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "x"  # type: ignore[misc]


def test_default_visibility_is_private(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, HEAD + "  - name: A\n    sample: a.wav\n")
    assert load_config(path).state.voices[0].visibility is Visibility.PRIVATE


def test_merge_keys_are_supported(tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path,
        "version: 1\nx-common: &common\n  sample: a.wav\n  language: de\n".replace(
            "x-common", "voices"
        )
        .replace("voices: &common", "voices:\n  - &common\n    name: A")
        .replace("\n  sample", "\n    sample")
        .replace("\n  language", "\n    language")
        + "  - <<: *common\n    name: B\n",
    )
    names = [(v.name, v.language) for v in load_config(path).state.voices]
    assert names == [("A", "de"), ("B", "de")]


def test_warnings_do_not_fail(tmp_path: Path, cli: Cli) -> None:
    path = write_catalog(
        tmp_path,
        HEAD + "  - name: A\n    sample: short.wav\n  - name: B\n    sample: quiet.wav\n",
        {"short.wav": speech_wav_bytes(3), "quiet.wav": tone_wav_bytes(12, amplitude=1)},
    )
    result = cli("validate", str(path))
    assert result.code == 0
    assert f"{path}:4:13: warning: sample 'short.wav' lasts 3.0 s" in result.stderr
    # ... and, measured, holds too little speech (the quiet one has nothing to measure)
    assert f"{path}:3:5: warning: sample 'short.wav' holds " in result.stderr
    assert "s of speech in 3.0 s: record 10-60 s" in result.stderr
    assert f"{path}:6:13: warning: sample 'quiet.wav' is silent or nearly" in result.stderr
    assert result.stdout == f"{path}: valid (2 voices, 3 warnings)\n"
    loaded = load_config(path)
    assert all(p.severity is Severity.WARNING for p in loaded.warnings)


def test_validate_json(tmp_path: Path, cli: Cli) -> None:
    path = write_catalog(tmp_path, HEAD + "  - name: A\n    sample: nope.wav\n")
    result = cli("validate", str(path), "--format", "json")
    assert result.code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["problems"][0] == {
        "file": str(path),
        "line": 4,
        "column": 13,
        "severity": "error",
        "message": "sample 'nope.wav' does not exist",
    }


def test_example_catalog_is_valid(cli: Cli) -> None:
    root = Path(__file__).resolve().parent.parent
    result = cli("validate", str(root / "examples" / "voices.yaml"))
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    loaded = load_config(root / "examples" / "voices.yaml")
    formats = sorted(v.sample.format.value for v in loaded.state.voices if v.sample)
    assert formats == ["mp3", "ogg", "wav"]
    assert all(v.sample and 12 <= (v.sample.duration_s or 0) <= 20 for v in loaded.state.voices)


def test_shipped_schema_is_the_published_one() -> None:
    root = Path(__file__).resolve().parent.parent
    published = json.loads((root / "schemas" / "voices.schema.json").read_text())
    assert published == voices_schema()
    for name in ("state.schema.json", "plan.schema.json"):  # the ones voicesync reads with
        shipped = (root / "voicesync" / "schemas" / name).read_text()
        assert shipped == (root / "schemas" / name).read_text(), name
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(published)
    jsonschema.Draft7Validator.check_schema(published)  # editors still lean on draft-07
    assert published["$id"]


def test_every_schema_property_has_a_description() -> None:
    def walk(node: object) -> list[str]:
        missing: list[str] = []
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub and "$ref" not in sub:
                    missing.append(name)
            for value in node.values():
                missing += walk(value)
        return missing

    assert walk(voices_schema()) == []


@pytest.mark.parametrize("command", [("plan",), ("apply", "--yes")], ids=["plan", "apply"])
@pytest.mark.parametrize(
    ("yaml_text", "files"), [case[1:3] for case in CASES], ids=[case[0] for case in CASES]
)
def test_broken_catalogs_send_no_request(
    tmp_path: Path,
    cli: Cli,
    emulator: object,
    command: tuple[str, ...],
    yaml_text: str,
    files: dict[str, bytes] | None,
) -> None:
    from voicesync.emulator import Emulator

    assert isinstance(emulator, Emulator)
    path = write_catalog(tmp_path / "cat", "", files)
    path.write_bytes(yaml_text.encode("latin-1" if "\xe9" in yaml_text else "utf-8"))
    env = {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": "vk_test"}
    result = cli(*command, str(path), env=env)
    assert result.code == 1 and "Traceback" not in result.output
    assert emulator.requests() == []


def test_unchanged_samples_are_not_read_again(tmp_path: Path) -> None:
    import dataclasses as dc

    path = write_catalog(tmp_path, HEAD + "  - name: A\n    sample: a.wav\n")
    sample = tmp_path / "a.wav"
    old = sample.stat().st_mtime_ns - 5_000_000_000
    os.utime(sample, ns=(old, old))
    fresh = load_config(path).state.voices[0].sample
    assert fresh is not None and fresh.checked_ns > 0
    remembered = dc.replace(fresh, sha256="f" * 64)  # proves the file was not hashed again
    known = {fresh.path: remembered}
    assert load_config(path, known_samples=known).state.voices[0].sample == remembered
    sample.write_bytes(tone_wav_bytes(13))  # new content, new size and mtime: read again
    again = load_config(path, known_samples=known).state.voices[0].sample
    assert again is not None and again.sha256 == fresh.sha256.__class__(again.sha256)
    assert again.sha256 != "f" * 64


def test_a_write_in_the_same_second_is_not_trusted(tmp_path: Path) -> None:
    import dataclasses as dc

    path = write_catalog(tmp_path, HEAD + "  - name: A\n    sample: a.wav\n")
    fresh = load_config(path).state.voices[0].sample
    assert fresh is not None
    remembered = dc.replace(fresh, sha256="f" * 64)
    reread = load_config(path, known_samples={fresh.path: remembered}).state.voices[0].sample
    assert reread is not None and reread.sha256 == fresh.sha256
