"""The parsed catalog kept in .voicesync/: used only for the very file it was made from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import voicesync.catalog.yamlsource as yamlsource
from tests.conftest import Catalog
from voicesync.catalog.parsecache import parse_cache_path
from voicesync.workspace import load_catalog


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text parsed from YAML (not from the cache)."""
    seen: list[str] = []
    original = yamlsource.parse
    monkeypatch.setattr(yamlsource, "parse", lambda text: (seen.append(text), original(text))[1])
    return seen


def names(catalog_path: Path) -> list[str]:
    return [v.name for v in load_catalog(catalog_path).state.voices]


def test_an_unchanged_catalog_is_parsed_once(catalog: Catalog, parses: list[str]) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    assert names(catalog.path) == names(catalog.path) == ["Narrator"]
    assert len(parses) == 1
    catalog.write([{"name": "Guide", "sample": catalog.sample("n.wav")}])
    assert names(catalog.path) == ["Guide"]  # edited: parsed again
    assert len(parses) == 2


def test_an_entry_copied_elsewhere_is_never_used(
    catalog: Catalog, parses: list[str], tmp_path: Path
) -> None:
    """A .voicesync/ committed with 'git add -f' (or copied) must not make voicesync act on
    anything but what voices.yaml says: the entry holds the file's inode and mtime."""
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    names(catalog.path)
    cache = parse_cache_path(catalog.path)
    entry = json.loads(cache.read_text())
    entry["data"]["voices"][0]["name"] = "Forged"
    cache.write_text(json.dumps(entry))
    elsewhere = tmp_path / "checkout"
    shutil.copytree(catalog.root, elsewhere)
    assert names(elsewhere / "voices.yaml") == ["Narrator"]
    assert len(parses) == 2


def test_a_damaged_entry_only_costs_the_parse(catalog: Catalog, parses: list[str]) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    names(catalog.path)
    parse_cache_path(catalog.path).write_text("{not json")
    assert names(catalog.path) == ["Narrator"]
    assert len(parses) == 2


def test_a_damaged_position_in_an_entry_falls_back_to_the_parents(catalog: Catalog) -> None:
    """Positions are decoded when asked for, not when the entry is read: a damaged one is
    taken as absent (the enclosing item's position is used), never a crash."""
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    voice = load_catalog(catalog.path).state.voices[0]
    cache = parse_cache_path(catalog.path)
    entry = json.loads(cache.read_text())
    entry["values"][repr(("voices", 0))] = "damaged"
    cache.write_text(json.dumps(entry))
    again = load_catalog(catalog.path).state.voices[0]
    parent = yamlsource.parse(catalog.path.read_text()).values[("voices",)]
    assert again.name == voice.name
    assert (again.source.line, again.source.column) == (parent.line, parent.column)
    assert again.source != voice.source


def test_a_cached_parse_does_not_import_the_yaml_parser(catalog: Catalog) -> None:
    """What makes a warm plan start faster: with the parse cached, PyYAML is never imported."""
    import subprocess
    import sys

    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    names(catalog.path)  # parsed once, cached
    probe = (
        "import sys; from pathlib import Path; from voicesync.workspace import load_catalog; "
        f"voices = load_catalog(Path({str(catalog.path)!r})).state.voices; "
        "print([v.name for v in voices], 'yaml' in sys.modules)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert shown.stdout.split() == ["['Narrator']", "False"]
