"""The shape of the code: one-way imports, small modules, no test tooling shipped, a light start."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import FAST_RETRY, TEST_KEY, Catalog

from voicesync import pipeline
from voicesync.api.client import VoiceAIClient
from voicesync.api.settings import Connection
from voicesync.apply.context import ApplyOptions
from voicesync.emulator import Emulator
from voicesync.workspace import Workspace, load_catalog

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "voicesync"
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 150


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Modules of the package that ``path`` imports, anywhere in it (functions included).
    ``from package import module`` counts as importing the module, not the package's names."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{a.name}" for a in node.names} & modules
            found |= submodules
            if len(submodules) < len(node.names):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {
        name: {m for m in _imports(path, modules) if m in modules and m != name}
        for name, path in paths.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def test_no_import_cycle_inside_the_package() -> None:
    # The package's __init__ only names its exports (resolved lazily), so it is left out.
    graph = {k: v - {"voicesync"} for k, v in _graph().items() if k != "voicesync"}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_layers_import_one_way() -> None:
    """The emulator imports nothing of the product; the library never imports the CLI."""
    for name, imported in _graph().items():
        if name.startswith("voicesync.emulator"):
            assert all(m.startswith("voicesync.emulator") for m in imported), (name, imported)
        elif not name.startswith(("voicesync.cli", "voicesync.__main__", "voicesync.entry")):
            assert not any(m.startswith("voicesync.cli") for m in imported), (name, imported)


def test_the_api_layer_neither_imports_nor_calls_into_apply() -> None:
    """api/ knows nothing above it: no import of apply/ (or plan, state, catalog, cli), and no
    path through a thread-local either. Its one thread-local (a call's deadline and wait
    budget, in api/guard.py) is private: outside api/ only the WaitNotice value is used."""
    above = ("voicesync.apply", "voicesync.plan", "voicesync.state", "voicesync.catalog",
             "voicesync.cli", "voicesync.runs")  # fmt: skip
    for name, imported in _graph().items():
        if name.startswith("voicesync.api"):
            assert not any(m.startswith(above) for m in imported), (name, imported)
    holders = [p for p in PACKAGE.rglob("*.py") if "threading.local(" in p.read_text()]
    assert holders == [PACKAGE / "api" / "guard.py"]
    for path in PACKAGE.rglob("*.py"):
        if path.is_relative_to(PACKAGE / "api"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "voicesync.api.guard":
                assert {a.name for a in node.names} <= {"WaitNotice"}, path
            elif isinstance(node, ast.Import):
                assert "voicesync.api.guard" not in {a.name for a in node.names}, path


def test_no_module_or_class_is_too_long() -> None:
    long = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    long.append(f"{path.relative_to(ROOT)}: class {node.name} {size} lines")
    assert long == []


def _fresh_cli(
    argv: list[str], selects: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI run with ``argv`` in a new interpreter; its last line of output says the exit
    code and the imported modules ``m`` for which the expression ``selects`` holds."""
    code = (
        "import sys\n"
        "from voicesync.cli import run\n"
        f"code = run({argv!r})\n"
        f"loaded = sorted(m for m in sys.modules if {selects})\n"
        "print(int(code), loaded)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=os.environ | (env or {}),
    )


def test_version_imports_neither_the_http_nor_the_schema_stack() -> None:
    heavy = "m in ('requests', 'jsonschema', 'urllib3', 'deepdiff', 'yaml')"
    done = _fresh_cli(["--version"], heavy)
    assert done.stdout.splitlines()[-1] == "0 []"
    assert "voicesync, version" in done.stdout


def test_a_plan_loads_neither_the_apply_machinery_nor_unused_parsers(
    catalog: Catalog, emulator: Emulator
) -> None:
    """Each module imported costs every plan its start-up (a dataclass costs a millisecond to
    create): a plan with its catalog parse cached imports no apply module, no YAML parser, no
    schema compiler and no jsonschema."""
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    load_catalog(catalog.path)  # caches the parse, as any earlier run did
    unused = "m.startswith('voicesync.apply') or m in ('yaml', 'fastjsonschema', 'jsonschema', 'mutagen')"
    done = _fresh_cli(
        ["plan", str(catalog.path)],
        unused,
        {"VOICEAI_BASE_URL": emulator.url, "VOICEAI_API_KEY": TEST_KEY},
    )
    assert done.stdout.splitlines()[-1] == "0 []"


def test_the_executable_answers_version_before_importing_click() -> None:
    """The same words as the CLI's --version, without the 40 ms of importing click."""
    code = (
        "import sys\n"
        "sys.argv = ['voicesync', '--version']\n"
        "from voicesync.entry import main\n"
        "main()\n"
        "print(sorted(m for m in ('click', 'json', 'requests') if m in sys.modules))\n"
    )
    fast = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    full = subprocess.run(
        [sys.executable, "-c", "from voicesync.cli import run; run(['--version'])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    version, loaded = fast.stdout.splitlines()
    assert version == full.stdout.strip()
    assert loaded == "[]"


@pytest.mark.slow
def test_the_wheel_ships_no_test_tooling(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("voicesync-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "voicesync/cli/__init__.py" in names
    assert "voicesync/schemas/voices.schema.json" in names
    shipped = [
        n
        for n in names
        if n.startswith(("testing/", "tests/", "benchmarks/"))
        or n.endswith(("soak.py", "tones.py", "rawserver.py"))
    ]
    assert shipped == []


def test_a_client_used_for_several_applies_is_left_as_it_was(
    catalog: Catalog, emulator: Emulator
) -> None:
    catalog.write([{"name": "Narrator", "sample": catalog.sample("n.wav")}])
    options = ApplyOptions(poll_min_s=0.05, grace_s=1.0)
    with VoiceAIClient(Connection(emulator.url, TEST_KEY), retry=FAST_RETRY) as api:
        for _ in range(3):
            pipeline.apply(
                Workspace.open(catalog.path),
                api,
                apply_options=options,
                confirm=lambda _plan: True,
            )
        assert api.policy.hand_back_refusals is False  # apply used a copy that hands them back


def test_every_public_name_resolves() -> None:
    import voicesync

    for name in voicesync.__all__:
        assert getattr(voicesync, name) is not None, name
    with pytest.raises(AttributeError):
        _ = voicesync.no_such_name  # type: ignore[attr-defined]


def _summaries() -> dict[str, str]:
    """Each command's short help: the first line of its docstring."""
    import click

    from voicesync.cli import COMMANDS, cli

    ctx = click.Context(cli)
    out = {}
    for name in sorted(COMMANDS):
        command = cli.get_command(ctx, name)
        assert command is not None and command.help is not None
        out[name] = command.help.split("\n")[0]
    return out


def test_help_lists_each_command_as_its_own_help_says_without_importing_it() -> None:
    from voicesync.renderedhelp import SUMMARIES

    assert _summaries() == SUMMARIES, "run: UPDATE_HELP=1 pytest tests/test_architecture.py"
    code = (
        "import sys\nfrom voicesync.cli import run\ncode = run(['--help'])\n"
        "print(int(code), sorted(m for m in sys.modules if m.startswith('voicesync.cli.') "
        "and m.rsplit('.', 1)[1] in ('plan', 'apply', 'manage', 'emulator')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    assert done.stdout.splitlines()[-1] == "0 []"


HELP_WIDTHS = {80: 78, 100: 98}  # terminal columns -> click's wrap width


def _click_help(columns: int) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "from voicesync.cli import run; run(['--help'])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=os.environ | {"COLUMNS": str(columns)},
    )
    return done.stdout


def _write_kept_help() -> None:
    """Rewrite voicesync/renderedhelp.py: the summaries from the docstrings, then the help
    click renders with them (so a changed docstring shows in both)."""
    path = ROOT / "voicesync" / "renderedhelp.py"
    head, _, _ = path.read_text().partition("\nSUMMARIES: dict")
    rows = "".join(f"    {name!r}: {text!r},\n" for name, text in _summaries().items())
    path.write_text(f"{head}\nSUMMARIES: dict[str, str] = {{\n{rows}}}\n\nTOP_HELP = {{}}\n")
    texts = {w: _click_help(c) for c, w in HELP_WIDTHS.items()}
    body = "".join(f'    {width}: """\\\n{text}""",\n' for width, text in sorted(texts.items()))
    path.write_text(
        f"{head}\nSUMMARIES: dict[str, str] = {{\n{rows}}}\n\n"
        f"TOP_HELP: dict[int, str] = {{\n{body}}}\n"
    )


@pytest.mark.parametrize("columns", [60, 80, 100, 140])
def test_the_kept_top_level_help_is_what_click_renders(columns: int) -> None:
    """voicesync --help answers from voicesync/renderedhelp.py without importing click; it must
    say exactly what click says at every width (UPDATE_HELP=1 rewrites it)."""
    if os.environ.get("UPDATE_HELP") and columns == 60:
        _write_kept_help()
    fast = subprocess.run(
        [sys.executable, "-m", "voicesync", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=os.environ | {"COLUMNS": str(columns)},
    )
    assert fast.stdout == _click_help(columns), (
        "run: UPDATE_HELP=1 pytest tests/test_architecture.py"
    )


def test_contributing_maps_every_module_to_its_tests() -> None:
    """CONTRIBUTING's "Which tests cover what" names every module (scripts/test_map.py)."""
    text = (ROOT / "CONTRIBUTING.md").read_text()
    missing = [
        str(path.relative_to(ROOT))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "validators" not in path.parts
        and path.name not in ("__init__.py", "__main__.py")
        and f"| `{path.relative_to(ROOT)}` |" not in text
    ]
    assert missing == [], "run python scripts/test_map.py and update CONTRIBUTING.md"
