"""Does requirements/runtime.txt (the hash-pinned lock action.yml installs) still give what
pyproject.toml asks for? Prints each disagreement and exits 1; regenerate the lock with the
command in its first lines (CONTRIBUTING, "Dependencies and the lock").

    python scripts/check_lock.py
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "runtime.txt"
# The interpreters and systems action.yml may install on (pyproject: requires-python >= 3.10):
# every marker variable a dependency may use is set, for each.
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
SYSTEMS = (
    {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
    },
    {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "aarch64",
    },
    {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "os_name": "posix",
        "platform_machine": "arm64",
    },
    {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "os_name": "posix",
        "platform_machine": "x86_64",
    },
    {
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "platform_machine": "AMD64",
    },
)
CPYTHON = {"implementation_name": "cpython", "platform_python_implementation": "CPython"}

_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def declared(root: Path = ROOT) -> list[str]:
    """What voicesync needs at run time, and what builds it (requirements/build.in)."""
    project = tomllib.loads((root / "pyproject.toml").read_text())
    build = [
        line.split("#", 1)[0].strip()
        for line in (root / "requirements" / "build.in").read_text().splitlines()
    ]
    return [*project["project"]["dependencies"], *(b for b in build if b)]


def pins(lock_text: str) -> list[tuple[str, str, Marker | None]]:
    """(name, version, marker) of each `name==version ; marker` line of a lock."""
    found = []
    for line in lock_text.splitlines():
        match = _PIN.match(line.strip())
        if match:
            name, version, marker = match.groups()
            found.append((canonicalize_name(name), version, Marker(marker) if marker else None))
    return found


def disagreements(requirements: Iterable[str], lock_text: str) -> list[str]:
    """Each requirement, on each supported Python and system, must be pinned exactly once in
    the lock, at a version it allows; and every pin must carry a hash."""
    locked = pins(lock_text)
    problems = []
    if not locked:
        problems.append("the lock pins nothing")
    for text in requirements:
        problem = _first_problem(Requirement(text), locked)
        if problem:
            problems.append(problem)
    problems += _unhashed(lock_text)
    problems += _strangers(lock_text)
    problems += _undeclared(requirements, lock_text)
    return problems


def _strangers(lock_text: str) -> list[str]:
    """Anything but pins, their hashes and comments: an index, a URL, an option is how a
    changed lock would bring in code nobody declared."""
    found = []
    for number, line in enumerate(lock_text.splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#") or text.startswith("--hash=sha256:"):
            continue
        if not _PIN.match(text):
            found.append(f"line {number} is not a pinned package or its hash: {text[:60]}")
    return found


def _undeclared(requirements: Iterable[str], lock_text: str) -> list[str]:
    """A pin the lock says voicesync asks for must be declared: one removed from pyproject
    (or never in it) is a stale or a planted lock."""
    declared = {canonicalize_name(Requirement(r).name) for r in requirements}
    found = []
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock_text):
        match = _PIN.match(block.splitlines()[0].strip())
        if not match:
            continue
        name = canonicalize_name(match.group(1))
        vias = re.findall(r"#\s+(?:via\s+)?(\S.*)", block)
        direct = any(v.startswith(("voicesync (pyproject.toml)", "-r ")) for v in vias)
        if not vias:
            found.append(f"{name} is pinned for no reason (no 'via' comment)")
        elif direct and name not in declared:
            found.append(f"{name} is pinned as voicesync's own, but pyproject does not declare it")
    return found


def agree(runtime_text: str, release_text: str) -> list[str]:
    """The release installs both locks at once: a package pinned in both, at two versions,
    would stop it after the tag is pushed."""
    runtime = {(n, str(m)): v for n, v, m in pins(runtime_text)}
    return [
        f"{n} is {v} in release.txt but {runtime[(n, str(m))]} in runtime.txt"
        for n, v, m in pins(release_text)
        if (n, str(m)) in runtime and runtime[(n, str(m))] != v
    ]


def _first_problem(
    requirement: Requirement, locked: list[tuple[str, str, Marker | None]]
) -> str | None:
    if requirement.extras:
        return f"{requirement}: extras are not checked; declare the packages they add instead"
    name = canonicalize_name(requirement.name)
    for python in PYTHONS:
        for system in SYSTEMS:
            where = {"python_version": python, "python_full_version": f"{python}.0"}
            where |= CPYTHON | system
            if requirement.marker and not requirement.marker.evaluate(where):
                continue
            chosen = [v for n, v, m in locked if n == name and (m is None or m.evaluate(where))]
            label = f"Python {python} on {system['platform_system']} {system['platform_machine']}"
            problem = _judge(requirement, chosen, label)
            if problem:
                return problem
    return None


def _judge(requirement: Requirement, chosen: list[str], where: str) -> str | None:
    if not chosen:
        return (
            f"{requirement} is in pyproject.toml but the lock has no {requirement.name} for {where}"
        )
    if len(chosen) > 1:
        return f"the lock pins {requirement.name} {len(chosen)} times for {where}"
    if not requirement.specifier.contains(chosen[0], prereleases=True):
        return f"the lock pins {requirement.name}=={chosen[0]}, which {requirement} does not allow"
    return None


def _unhashed(lock_text: str) -> list[str]:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock_text)
    return [
        f"{block.split('==', 1)[0]} has no --hash in the lock"
        for block in blocks
        if _PIN.match(block.splitlines()[0].strip()) and "--hash=sha256:" not in block
    ]


def main() -> int:
    problems = disagreements(declared(), LOCK.read_text())
    problems += agree(LOCK.read_text(), (ROOT / "requirements" / "release.txt").read_text())
    for problem in problems:
        print(f"{LOCK.relative_to(ROOT)}: {problem}")
    if problems:
        print("Regenerate it with the command in its first lines.", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
