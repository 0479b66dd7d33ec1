"""Features combined the way a team uses them on one shared account (issue 23): prune with
environments, catalog-chosen URLs and keys, state files of several catalogs in one folder, name
formats, destroy. Every test runs the real CLI over HTTP against the emulator."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, Catalog, CliResult, live, writes
from voicesync.emulator import Emulator, account_of

Cli = Callable[..., CliResult]
OWNER = account_of(TEST_KEY)
README_ENVIRONMENTS = {
    "production": {},
    "staging": {"name_format": "{name} [staging]"},
    "pr-*": {"name_format": "{name} [{env}]", "visibility": "PRIVATE", "ephemeral": True},
}
EVERY = ("Narrator", "Announcer", "Old Man")


def env(emulator: Emulator) -> dict[str, str]:
    return {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY}


def readme_catalog(catalog: Catalog, **top: object) -> Path:
    return catalog.write(
        [
            {"name": "Narrator", "sample": catalog.sample("n.wav")},
            {"name": "Announcer", "sample": catalog.sample("a.wav", period=30)},
            {"name": "Old Man", "key": "elder", "sample": catalog.sample("o.wav", period=40)},
        ],
        environments=README_ENVIRONMENTS,
        **top,
    )


def deleted_ids(emulator: Emulator) -> set[str]:
    return {p.rsplit("/", 1)[1] for m, p in writes(emulator) if m == "DELETE"}


# -- 1. prune x environments ------------------------------------------------------------------
def test_prune_in_each_environment_in_turn_deletes_only_that_environments_voices(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    path = readme_catalog(catalog, prune=True)
    stray_pr = emulator.store.seed_voice(OWNER, name="Leftover [pr-3]", visibility="PRIVATE")
    stray = emulator.store.seed_voice(OWNER, name="Hand made", visibility="PRIVATE")
    order = ["pr-3", "production", "staging", "pr-1", "pr-2"]
    for name in order:
        done = cli("apply", str(path), "--yes", "--env", name, env=env(emulator))
        assert done.code == 0, done.output
    expected = {*EVERY, *(f"{n} [{e}]" for n in EVERY for e in ("staging", "pr-1", "pr-2"))}
    expected |= {f"{n} [pr-3]" for n in EVERY}
    assert set(live(emulator)) == expected
    # pr-3 pruned its own leftover; production pruned the voice no other environment can name.
    assert deleted_ids(emulator) == {stray_pr.voice_id, stray.voice_id}
    for name in order:  # and every environment is converged
        again = cli("plan", str(path), "--env", name, "--detailed-exitcode", env=env(emulator))
        assert again.code == 0, (name, again.output)


def test_prune_from_the_command_line_leaves_other_environments_alone(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    path = readme_catalog(catalog)
    for name in ("staging", "pr-2"):
        assert cli("apply", str(path), "--yes", "--env", name, env=env(emulator)).code == 0
    plan = cli("plan", str(path), "--env", "production", "--prune", "--format", "json",
               env=env(emulator))  # fmt: skip
    assert plan.code == 0, plan.output
    changes = json.loads(plan.stdout)["changes"]
    assert [c["action"] for c in changes] == ["clone"] * 3, changes
    emulator.clear_requests()
    done = cli("apply", str(path), "--yes", "--env", "production", "--prune", env=env(emulator))
    assert done.code == 0, done.output
    assert deleted_ids(emulator) == set()


def test_a_voice_another_environment_records_is_never_written_even_with_force(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    """A pull request edits staging's state file to claim production's Narrator."""
    path = readme_catalog(catalog)
    assert cli("apply", str(path), "--yes", "--env", "production", env=env(emulator)).code == 0
    production = json.loads((catalog.root / "voices.production.lock.json").read_text())
    record = production["voices"]["Narrator"] | {"name": "Narrator [staging]"}
    staging = {**production, "voices": {"Narrator [staging]": record}}
    (catalog.root / "voices.staging.lock.json").write_text(json.dumps(staging))
    emulator.clear_requests()
    for extra in ((), ("--force",)):
        refused = cli("apply", str(path), "--yes", "--env", "staging", *extra, env=env(emulator))
        assert refused.code == 1, refused.output
        assert "production" in refused.stderr and "Narrator" in refused.stderr
    assert writes(emulator) == []
    assert live(emulator)["Narrator"] == record["voice_id"]


def test_a_recorded_voice_renamed_into_another_environments_names_is_not_touched(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    path = readme_catalog(catalog)
    assert cli("apply", str(path), "--yes", "--env", "staging", env=env(emulator)).code == 0
    voice_id = live(emulator)["Narrator [staging]"]
    emulator.store.update(
        OWNER, voice_id, name="Narrator [pr-9]", visibility=None
    )  # renamed by hand
    emulator.clear_requests()
    refused = cli("apply", str(path), "--yes", "--env", "staging", env=env(emulator))
    assert refused.code == 1 and "pr-9" in refused.stderr, refused.output
    assert writes(emulator) == []


# -- 2 and 8. the runner decides where the key goes ---------------------------------------
class Listener:
    """A server on 127.0.0.1 that records the headers of every request it gets."""

    def __init__(self) -> None:
        seen: list[dict[str, str]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(dict(self.headers))
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.seen = seen
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_a_base_url_written_in_the_catalog_gets_no_key_unless_the_runner_allows_it(
    cli: Cli, catalog: Catalog, emulator: Emulator, listener: Listener
) -> None:
    environments = {"production": {}, "pr-*": {"name_format": "{name} [{env}]",
                                               "base_url": listener.url}}  # fmt: skip
    path = catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}],
                         environments=environments)  # fmt: skip
    refused = cli("plan", str(path), "--env", "pr-3", env=env(emulator))
    assert refused.code == 1, refused.output
    assert listener.seen == []
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "base_url" in t)
    assert f"voices.yaml:{line}:" in refused.stderr
    assert "VOICESYNC_ALLOWED_BASE_URLS" in refused.stderr
    assert TEST_KEY not in refused.output
    allowed = cli("plan", str(path), "--env", "pr-3",
                  env=env(emulator) | {"VOICESYNC_ALLOWED_BASE_URLS": listener.url})  # fmt: skip
    assert allowed.code == 1  # the listener answers 401, but it was allowed to be asked
    assert listener.seen and listener.seen[0]["Authorization"] == f"Bearer {TEST_KEY}"


def test_the_runners_base_url_wins_over_the_catalogs(
    cli: Cli, catalog: Catalog, emulator: Emulator, listener: Listener
) -> None:
    environments = {"production": {"base_url": listener.url}}
    path = catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}],
                         environments=environments)  # fmt: skip
    done = cli("plan", str(path), "--env", "production", "--base-url", emulator.url,
               env={"VOICEAI_API_KEY": TEST_KEY})  # fmt: skip
    assert done.code == 0, done.output
    assert listener.seen == []


def test_a_catalog_cannot_choose_which_variable_is_sent_as_the_key(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    environments = {"production": {}, "pr-*": {"name_format": "{name} [{env}]",
                                               "api_key_env": "GITHUB_TOKEN"}}  # fmt: skip
    path = catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}],
                         environments=environments)  # fmt: skip
    emulator.clear_requests()
    refused = cli("plan", str(path), "--env", "pr-3",
                  env=env(emulator) | {"GITHUB_TOKEN": "ghs_secret"})  # fmt: skip
    assert refused.code == 1, refused.output
    assert "GITHUB_TOKEN" in refused.stderr and "VOICESYNC_ALLOWED_KEY_VARIABLES" in refused.stderr
    assert "ghs_secret" not in refused.output
    assert emulator.requests() == []
    by_rule = path.read_text().replace("GITHUB_TOKEN", "VOICEAI_API_KEY_PREVIEW")
    path.write_text(by_rule)
    named = cli("plan", str(path), "--env", "pr-3",
                env=env(emulator) | {"VOICEAI_API_KEY_PREVIEW": TEST_KEY})  # fmt: skip
    assert named.code == 0, named.output
    path.write_text(by_rule.replace("VOICEAI_API_KEY_PREVIEW", "PROD_VOICE_KEY"))
    allowed = cli("plan", str(path), "--env", "pr-3",
                  env=env(emulator) | {"PROD_VOICE_KEY": TEST_KEY,
                                       "VOICESYNC_ALLOWED_KEY_VARIABLES": "PROD_VOICE_KEY"})  # fmt: skip
    assert allowed.code == 0, allowed.output


# -- 5. destroy ----------------------------------------------------------------------------
def test_destroying_a_catalog_without_environments_needs_force(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    path = catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    assert cli("apply", str(path), "--yes", env=env(emulator)).code == 0
    refused = cli("destroy", str(path), "--yes", env=env(emulator))
    assert refused.code == 1 and "--force" in refused.stderr, refused.output
    assert set(live(emulator)) == {"A"}
    done = cli("destroy", str(path), "--yes", "--force", env=env(emulator))
    assert done.code == 0, done.output
    assert "Destroy complete" in done.stdout and "Apply complete" not in done.stdout
    assert live(emulator) == {}


# -- 6. state files that cannot collide -----------------------------------------------------
def test_two_catalogs_that_would_share_a_state_file_are_refused_before_anything_is_read(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    path = readme_catalog(catalog)
    other = catalog.root / "voices.staging.yaml"
    other.write_text(
        "version: 1\nvoices:\n  - {name: Jingle, sample: " + catalog.sample("j.wav", period=50)
        + "}\n"
    )  # fmt: skip
    emulator.clear_requests()
    for args in ((str(other),), (str(path), "--env", "staging")):
        refused = cli("apply", *args, "--yes", env=env(emulator))
        assert refused.code == 1, refused.output
        assert "voices.staging.lock.json" in refused.stderr and "--state" in refused.stderr
    assert emulator.requests() == []
    assert not (catalog.root / "voices.staging.lock.json").exists()
    separate = cli("apply", str(other), "--yes", "--state", str(catalog.root / "jingle.lock.json"),
                   env=env(emulator))  # fmt: skip
    assert separate.code == 0, separate.output


# -- 7. name formats mean one thing ---------------------------------------------------------
@pytest.mark.parametrize("fmt", ["{name!s} [staging]", "{name:.1}", "{name:>99}", "{ name}",
                                 "{name}{", "{name} }", "{0}{name}"])  # fmt: skip
def test_validate_rejects_a_name_format_the_name_builder_would_not_read_the_same(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text(
        "version: 1\nenvironments:\n  production: {}\n"
        f"  staging: {{name_format: {json.dumps(fmt)}}}\n"
        "voices:\n  - {name: Narrator, sample: missing.wav}\n"
    )
    result = cli("validate", str(path))
    assert result.code == 1
    assert any(
        line.startswith(f"{path}:4:") and "name_format" in line
        for line in result.stderr.splitlines()
    ), result.stderr


def test_escaped_braces_in_a_name_format_are_literal(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    environments = {"production": {}, "staging": {"name_format": "{name} {{staging}}"}}
    path = catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}],
                         environments=environments)  # fmt: skip
    done = cli("apply", str(path), "--yes", "--env", "staging", env=env(emulator))
    assert done.code == 0, done.output
    assert set(live(emulator)) == {"A {staging}"}
    emulator.clear_requests()
    again = cli("apply", str(path), "--yes", "--env", "staging", env=env(emulator))
    assert again.code == 0 and writes(emulator) == []
    assert set(live(emulator)) == {"A {staging}"}


# -- 4. one voice, three names ------------------------------------------------------------
def test_every_command_that_takes_a_name_takes_all_three_in_an_environment(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    path = readme_catalog(catalog)
    assert cli("apply", str(path), "--yes", "--env", "pr-2", env=env(emulator)).code == 0
    voice_id = live(emulator)["Old Man [pr-2]"]
    for name in ("Old Man", "elder", "Old Man [pr-2]"):
        out = tmp_path / "p.mp3"
        spoken = cli("preview", str(path), name, "--env", "pr-2", "-o", str(out),
                     env=env(emulator))  # fmt: skip
        assert spoken.code == 0, (name, spoken.output)
        for option in ("--target", "--replace"):
            plan = cli("plan", str(path), "--env", "pr-2", option, name, "--format", "json",
                       env=env(emulator))  # fmt: skip
            assert plan.code == 0, (name, option, plan.output)
            changes = json.loads(plan.stdout)["changes"]
            expected = [] if option == "--target" else [("replace", "Old Man [pr-2]")]
            assert [(c["action"], c["name"]) for c in changes] == expected
    unknown = cli("preview", str(path), "Nobody", "--env", "pr-2", env=env(emulator))
    assert unknown.code == 1 and "manages no voice named 'Nobody'" in unknown.stderr
    assert "'Old Man [pr-2]' = 'Old Man' = 'elder'" in unknown.stderr, unknown.stderr
    # forget takes them too, once the voice is no longer declared
    text = path.read_text()
    path.write_text(text[: text.index("- name: Old Man")])
    forgotten = cli("forget", str(path), "elder", "--env", "pr-2")
    assert forgotten.code == 0, forgotten.output
    assert voice_id in forgotten.stdout
    assert "elder" not in json.loads(cli("outputs", str(path), "--env", "pr-2").stdout)


def test_adopt_takes_the_declared_name_in_an_environment(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    path = readme_catalog(catalog)
    mine = emulator.store.seed_voice(OWNER, name="Announcer [pr-5]", visibility="PRIVATE")
    adopted = cli("apply", str(path), "--yes", "--env", "pr-5", "--adopt", "Announcer",
                  env=env(emulator))  # fmt: skip
    assert adopted.code == 0, adopted.output
    recorded = json.loads(cli("outputs", str(path), "--env", "pr-5").stdout)
    assert recorded["Announcer"] == mine.voice_id


# -- 3. import edits YAML like a careful person ---------------------------------------------
LAYOUTS = {
    "two spaces": "version: 1\n# ours\nvoices:\n  - name: A  # first\n    sample: {a}\n",
    "no indent": "version: 1\nvoices:\n- name: A\n  sample: '{a}'\n",
    "four spaces": "version: 1\nvoices:\n    - name: A\n      sample: {a}\n",
    "key last": "version: 1\nvoices:\n  - name: A\n    sample: {a}\n    key: alpha\n",
    "comments between": (
        "version: 1\nvoices:\n  - name: A\n    sample: {a}\n\n  # the next one\n"
        "  - name: B\n    sample: {b}\n# trailing\n"
    ),
    "flow": "version: 1\nvoices: [{{name: A, sample: {a}}}]\n",
    "voices first": "voices:\n  - name: A\n    sample: {a}\nversion: 1  # the format\n",
    "crlf": "version: 1\r\n# ours\r\nvoices:\r\n  - name: A\r\n    sample: {a}\r\n",
    "bom": "\ufeffversion: 1\n# ours\nvoices:\n  - name: A\n    sample: {a}\n",
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_import_into_a_catalog_that_already_lists_voices_keeps_it_working(
    cli: Cli, catalog: Catalog, emulator: Emulator, layout: str
) -> None:
    import yaml

    a, b = catalog.sample("a.wav"), catalog.sample("b.wav", period=30)
    original = LAYOUTS[layout].format(a=a, b=b)
    catalog.path.write_bytes(original.encode())
    assert cli("apply", str(catalog.path), "--yes", env=env(emulator)).code == 0
    emulator.store.seed_voice(OWNER, name="Hand Made", visibility="PUBLIC")
    done = cli("import", str(catalog.path), "--name", "Hand Made", env=env(emulator))
    assert done.code == 0, done.output
    raw = catalog.path.read_bytes()
    text = raw.decode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf") == (layout == "bom")
    assert ("\r\n" in text) == (layout == "crlf")
    assert layout != "crlf" or "\n" not in text.replace("\r\n", "")  # no line left bare
    plain = text.removeprefix("\ufeff").replace("\r\n", "\n")
    old = original.removeprefix("\ufeff").replace("\r\n", "\n")
    for line in old.splitlines():  # every line the user wrote is still there, comments too
        if not line.startswith("voices: ["):
            assert line in plain.splitlines(), (line, plain)
    assert "TODO" not in text
    voices = yaml.safe_load(plain)["voices"]
    assert voices[-1] == {"name": "Hand Made", "sample": "samples/hand-made.wav",
                          "visibility": "PUBLIC"}  # fmt: skip
    checked = cli("validate", str(catalog.path))
    assert checked.code == 1 and "samples/hand-made.wav' does not exist" in checked.stderr
    assert checked.stderr.count("error") <= 2, checked.stderr  # the missing sample, nothing else
    catalog.sample("hand-made.wav", period=60)
    plan = cli("plan", str(catalog.path), "--detailed-exitcode", env=env(emulator))
    assert plan.code == 0, plan.output


def test_import_changes_the_catalog_and_the_state_together_or_not_at_all(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}])
    before = catalog.path.read_bytes()
    emulator.store.seed_voice(OWNER, name="Hand Made", visibility="PUBLIC")
    blocked = catalog.root / "a-file"
    blocked.write_text("the state file cannot be written under a file\n")
    done = cli("import", str(catalog.path), "--name", "Hand Made",
               "--state", str(blocked / "voices.lock.json"), env=env(emulator))  # fmt: skip
    assert done.code == 1 and "Traceback" not in done.output, done.output
    assert catalog.path.read_bytes() == before


# -- found by a review that tried to break the above -----------------------------------------
def test_production_prune_leaves_a_pr_voice_whose_declared_name_holds_the_separator(
    cli: Cli, catalog: Catalog, emulator: Emulator, tmp_path: Path
) -> None:
    environments = {"production": {}, "pr-*": {"name_format": "{name}-{env}", "ephemeral": True}}
    path = catalog.write([{"name": "Old-Timer", "sample": catalog.sample("o.wav")}],
                         environments=environments)  # fmt: skip
    assert cli("apply", str(path), "--yes", "--env", "pr-1", env=env(emulator)).code == 0
    # the recipe keeps a pull request's state in the Actions cache, not beside the catalog
    (catalog.root / "voices.pr-1.lock.json").rename(tmp_path / "cached.json")
    plan = cli("plan", str(path), "--env", "production", "--prune", "--format", "json",
               env=env(emulator))  # fmt: skip
    assert plan.code == 0, plan.output
    assert [c["action"] for c in json.loads(plan.stdout)["changes"]] == ["clone"]


@pytest.mark.parametrize("fmt", ["{name}r", "N{name}", "{name} (test)"])
def test_a_format_that_does_not_name_its_environment_is_refused(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    """'{name}r' would make production's 'Narrator' from 'Narrato' and prune it."""
    path = tmp_path / "voices.yaml"
    path.write_text(
        "version: 1\nprune: true\nenvironments:\n  production: {}\n"
        f"  pr-42: {{name_format: {json.dumps(fmt)}, ephemeral: true}}\n"
        "voices:\n  - {name: Narrator, sample: missing.wav}\n"
    )
    result = cli("validate", str(path))
    assert result.code == 1
    assert f"{path}:5:" in result.stderr and "must name its environment" in result.stderr


def test_a_key_variable_with_a_newline_is_not_a_voiceai_key_variable(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    environments = {"production": {"api_key_env": "VOICEAI_API_KEY_X\n"}}
    path = catalog.write([{"name": "A", "sample": catalog.sample("a.wav")}],
                         environments=environments)  # fmt: skip
    refused = cli("plan", str(path), "--env", "production", env=env(emulator))
    assert refused.code == 1 and "VOICESYNC_ALLOWED_KEY_VARIABLES" in refused.stderr


def test_a_declared_name_another_environment_would_make_is_refused(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "voices.yaml"
    path.write_text(
        'version: 1\nenvironments:\n  production: {}\n  "pr-*": {name_format: "{name} [{env}]"}\n'
        "voices:\n  - {name: Old Man, sample: a.wav}\n  - {name: 'Old Man [pr-2]', sample: b.wav}\n"
    )
    result = cli("validate", str(path))
    assert result.code == 1
    assert f"{path}:7:" in result.stderr and "environment pr-2's name_format" in result.stderr


def test_the_exact_remote_name_wins_over_another_voices_key(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    environments = {"production": {}, "pr-*": {"name_format": "{name} [{env}]"}}
    path = catalog.write(
        [
            {"name": "elder", "key": "a_k", "sample": catalog.sample("a.wav")},
            {"name": "Old Man", "key": "elder", "sample": catalog.sample("b.wav", period=30)},
        ],
        environments=environments,
    )
    plan = cli("plan", str(path), "--env", "production", "--target", "elder", "--format", "json",
               env=env(emulator))  # fmt: skip
    assert plan.code == 0, plan.output
    assert [c["name"] for c in json.loads(plan.stdout)["changes"]] == ["elder"]


# -- import never writes what validate then rejects (issue 24, 14; found by review) -----------
def test_import_all_skips_names_the_catalog_cannot_hold(
    cli: Cli, catalog: Catalog, emulator: Emulator
) -> None:
    path = catalog.write([{"name": "Saga", "sample": catalog.sample("s.wav"),
                           "previous_names": ["Storyteller"]}])  # fmt: skip
    assert cli("apply", str(path), "--yes", env=env(emulator)).code == 0
    for name in (" Pad ", "a\nb", "x" * 101, "SAGA", "storyteller", "Fine"):
        emulator.store.seed_voice(OWNER, name=name, visibility="PRIVATE")
    done = cli("import", str(path), "--all", env=env(emulator))
    assert done.code == 0, done.output
    assert "Fine" in done.stdout and "skipped" in done.stderr, done.output
    checked = cli("validate", str(path))
    assert "does not exist" in checked.stderr and "already used" not in checked.stderr
    assert "leading or trailing" not in checked.stderr, checked.stderr
    one = cli("import", str(path), "--name", "SAGA", env=env(emulator))
    assert one.code == 1 and "--adopt" in one.stderr, one.output


def test_import_gives_each_voice_a_placeholder_no_other_voice_uses(
    cli: Cli, catalog: Catalog, make_emulator: Callable[..., Emulator]
) -> None:
    from voicesync.emulator import Dialect

    emulator = make_emulator(dialect=Dialect(extra_fields=True))
    path = catalog.write([{"name": "Zed", "sample": catalog.sample("omega.wav")}])
    assert cli("apply", str(path), "--yes", env=env(emulator)).code == 0
    emulator.store.seed_voice(OWNER, name="Omega", visibility="PRIVATE", language="es")
    done = cli("import", str(path), "--name", "Omega", env=env(emulator))
    assert done.code == 0, done.output
    import yaml

    entry = yaml.safe_load(path.read_text())["voices"][-1]
    assert entry["sample"] != "samples/omega.wav" and not (catalog.root / entry["sample"]).exists()
    assert entry["language"] == "es"
    state = json.loads(catalog.state_path.read_text())
    assert state["voices"]["Omega"]["language"] == "es"
