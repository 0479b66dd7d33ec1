"""Which tests cover which module: the table in CONTRIBUTING.md ("Which tests cover what").

    python scripts/test_map.py            # runs each test file under coverage, prints the table

Each test file runs alone under coverage (in-process code only: what a test runs in a
subprocess is not counted). For each module of the package, the test files that run most of
its lines are listed (at most four). The end-to-end suites (the CLI over HTTP, crashes,
combinations, soaks) run nearly everything; they are listed apart, not per module.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parent.parent
END_TO_END = {
    "test_cli", "test_combinations", "test_crash", "test_ecosystem", "test_gitops",
    "test_hostile", "test_soak", "test_stateful", "test_fuzz", "test_architecture",
}  # fmt: skip


def lines_run(test: Path, folder: Path) -> dict[str, int]:
    """Lines of each package module that ``test`` runs."""
    data_file = folder / f"{test.stem}.coverage"
    subprocess.run(
        [sys.executable, "-m", "coverage", "run", f"--data-file={data_file}",
         "--source=voicesync", "-m", "pytest", "-q", "-p", "no:randomly", str(test)],
        cwd=ROOT, capture_output=True, check=False, timeout=900,
    )  # fmt: skip
    cov = coverage.Coverage(data_file=str(data_file))
    cov.load()
    data = cov.get_data()
    return {str(Path(f).relative_to(ROOT)): len(data.lines(f) or ()) for f in data.measured_files()}


def main() -> None:
    by_module: defaultdict[str, Counter[str]] = defaultdict(Counter)
    with tempfile.TemporaryDirectory() as tmp:
        for test in sorted((ROOT / "tests").glob("test_*.py")):
            if test.stem in END_TO_END:
                continue
            for module, count in lines_run(test, Path(tmp)).items():
                by_module[module][test.stem] += count
    print("| module | unit and component tests that run most of it |\n| --- | --- |")
    for path in sorted(p.relative_to(ROOT) for p in (ROOT / "voicesync").rglob("*.py")):
        if "validators" in path.parts or path.name in ("__init__.py", "__main__.py"):
            continue
        top = [name for name, _ in by_module[str(path)].most_common(4)]
        print(f"| `{path}` | {', '.join(top) or '(end-to-end suites only)'} |")
    print(f"\nEnd-to-end suites: {', '.join(sorted(END_TO_END))}.")


if __name__ == "__main__":
    main()
