"""The state file's write-ahead log: what a crash leaves is read back whole, and nothing else.

Runs that die are in test_crash.py, test_ownership.py and the soak; these pin the file's rules.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from voicesync.errors import StateError
from voicesync.model import Visibility
from voicesync.state.store import State, VoiceRecord, load_state, save_state
from voicesync.state.wal import log_path
from voicesync.state.writer import StateWriter

ENDPOINT = "http://127.0.0.1:9"


def record(voice_id: str, name: str = "Narrator") -> VoiceRecord:
    return VoiceRecord(voice_id, "ab" * 32, 1000, name, Visibility.PRIVATE, "en")


def crashed_run(path: Path, count: int) -> State:
    """A run that recorded ``count`` voices and died before folding its log."""
    journal = StateWriter(load_state(path, ENDPOINT), path)
    for i in range(count):
        journal.update(lambda s, i=i: s.with_record(f"Voice {i}", record(f"id-{i}", f"Voice {i}")))
    return journal.state  # no close(): the process is gone


def test_a_run_that_dies_is_read_back_from_its_log(tmp_path: Path) -> None:
    path = tmp_path / "voices.lock.json"
    save_state(path, State(ENDPOINT, {"Old": record("id-old", "Old")}))
    expected = crashed_run(path, 5)
    assert load_state(path, ENDPOINT) == expected
    assert json.loads(path.read_text())["voices"].keys() == {"Old"}  # not rewritten per op


def test_the_first_run_can_die_before_any_state_file_exists(tmp_path: Path) -> None:
    path = tmp_path / "voices.lock.json"
    expected = crashed_run(path, 3)
    assert not path.exists()
    assert load_state(path, ENDPOINT) == expected
    assert load_state(path, None) == expected  # commands that never call the API read it too


def test_closing_folds_the_log_into_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "voices.lock.json"
    with StateWriter(State(ENDPOINT), path) as journal:
        journal.update(lambda s: s.with_record("A", record("id-a", "A")))
        journal.update(lambda s: s.without("A").with_record("B", record("id-b", "B")))
        journal.update(lambda s: s.with_foreign("catalog-1"))
    assert not log_path(path).exists()
    state = load_state(path, ENDPOINT)
    assert set(state.records) == {"B"} and state.foreign == {"catalog-1"}


def test_a_line_cut_short_by_a_crash_is_dropped(tmp_path: Path) -> None:
    """The last line was never synced, so the operation it recorded never went ahead."""
    path = tmp_path / "voices.lock.json"
    expected = crashed_run(path, 2)
    with log_path(path).open("ab") as log:
        log.write(b'{"set":"Voice 9","record":{"voice_id":"id-')
    assert load_state(path, ENDPOINT) == expected


def test_a_damaged_line_inside_the_log_is_an_error_that_says_where(tmp_path: Path) -> None:
    path = tmp_path / "voices.lock.json"
    crashed_run(path, 3)
    lines = log_path(path).read_bytes().split(b"\n")
    lines[2] = b"{not json"
    log_path(path).write_bytes(b"\n".join(lines))
    with pytest.raises(StateError, match=r"write-ahead log .* damaged at line 3"):
        load_state(path, ENDPOINT)


def test_replaying_twice_changes_nothing(tmp_path: Path) -> None:
    """A crash between rewriting the state file and removing the log replays it again."""
    path = tmp_path / "voices.lock.json"
    expected = crashed_run(path, 4)
    kept = log_path(path).read_bytes()
    save_state(path, load_state(path, ENDPOINT))  # compacted
    log_path(path).write_bytes(kept)  # ... and the log was not removed yet
    assert load_state(path, ENDPOINT) == expected


def test_another_endpoints_log_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "voices.lock.json"
    save_state(path, State(ENDPOINT))
    crashed_run(path, 1)
    save_state(path, State("https://dev.voice.ai"))
    log_path(path).write_bytes(b'{"journal":1,"endpoint":"http://127.0.0.1:9"}\n')
    with pytest.raises(StateError, match=r"write-ahead log of .* belongs to http://127\.0\.0\.1:9"):
        load_state(path, None)


def test_a_log_record_that_breaks_the_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "voices.lock.json"
    crashed_run(path, 1)
    with log_path(path).open("ab") as log:
        log.write(b'{"set":"X","record":{"name":"X","voice_id":7}}\n')
    with pytest.raises(StateError, match="damaged at voices/X/voice_id"):
        load_state(path, ENDPOINT)


def test_threads_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "voices.lock.json"
    journal = StateWriter(State(ENDPOINT), path)

    def work(first: int) -> None:
        for i in range(first, first + 50):
            journal.update(lambda s, i=i: s.with_record(f"V{i}", record(f"id-{i}", f"V{i}")))

    threads = [threading.Thread(target=work, args=(n * 50,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(load_state(path, ENDPOINT).records) == 200  # from the log alone
    journal.close()
    assert len(load_state(path, ENDPOINT).records) == 200
    assert not log_path(path).exists()


def test_a_change_made_without_the_record_helpers_is_journalled_too(tmp_path: Path) -> None:
    """The journal compares only the keys a transition says it touched; one that builds the
    records itself says nothing, and must still be recorded in full."""
    from dataclasses import replace

    path = tmp_path / "voices.lock.json"
    journal = StateWriter(State(ENDPOINT, {"A": record("id-a", "A")}), path)
    journal.update(lambda s: replace(s, records={"B": record("id-b", "B")}))
    assert set(load_state(path, ENDPOINT).records) == {"B"}  # from the log alone


def test_a_log_left_by_voicesync_0_2_is_read_appended_to_and_folded(tmp_path: Path) -> None:
    """voicesync 0.2 named the log .journal: an upgrade between a killed run and the next
    loses nothing (the old log is read, the next run appends to it, the fold removes it)."""
    path = tmp_path / "voices.lock.json"
    legacy = path.with_name("voices.lock.json.journal")
    header = json.dumps({"journal": 1, "endpoint": ENDPOINT})
    legacy.write_text(header + "\n" + json.dumps({"foreign": "left-by-0-2"}) + "\n")
    assert load_state(path, ENDPOINT).foreign == {"left-by-0-2"}
    writer = StateWriter(load_state(path, ENDPOINT), path)
    writer.update(lambda s: s.with_foreign("new-run"))
    assert log_path(path) == legacy and not path.with_name("voices.lock.json.wal").exists()
    assert load_state(path, ENDPOINT).foreign == {"left-by-0-2", "new-run"}
    writer.close()
    assert not legacy.exists() and load_state(path, ENDPOINT).foreign == {"left-by-0-2", "new-run"}


def test_two_logs_beside_one_state_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "voices.lock.json"
    header = json.dumps({"journal": 1, "endpoint": ENDPOINT}) + "\n"
    for suffix in (".wal", ".journal"):
        path.with_name(path.name + suffix).write_text(header)
    with pytest.raises(StateError, match="two write-ahead logs"):
        load_state(path, ENDPOINT)
