"""Which tests cover which module: the table in CONTRIBUTING.md ("Which tests cover what").

    python -m pytest --cov --cov-context=test -q -p no:randomly   # records who ran each line
    python scripts/test_map.py                                     # prints the table

For each module of the package, the test files that run most of its lines (at most four, by
lines run), from coverage's per-test contexts. The end-to-end suites (the CLI, crashes,
combinations, soaks) run nearly everything; they are listed apart, not per module.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parent.parent
END_TO_END = {
    "test_cli.py", "test_combinations.py", "test_crash.py", "test_ecosystem.py",
    "test_gitops.py", "test_hostile.py", "test_soak.py", "test_stateful.py", "test_fuzz.py",
}  # fmt: skip


def main() -> None:
    data = coverage.Coverage(data_file=str(ROOT / ".coverage")).get_data()
    rows = []
    for measured in sorted(data.measured_files()):
        path = Path(measured).relative_to(ROOT)
        if path.name == "__init__.py" and path.stat().st_size < 200:
            continue
        counts: Counter[str] = Counter()
        for contexts in data.contexts_by_lineno(measured).values():
            files = {c.split("::")[0].rsplit("/", 1)[-1] for c in contexts if c}
            counts.update(f for f in files if f.startswith("test_") and f not in END_TO_END)
        top = [name.removesuffix(".py") for name, _ in counts.most_common(4)]
        rows.append(f"| `{path}` | {', '.join(top) or '(end-to-end suites only)'} |")
    print("| module | tests that run most of it |\n| --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
