"""voices.yaml → :class:`DesiredState`, with every problem reported at once as FILE:LINE:COL.

Order of work: read and parse (a syntax error stops there), validate against the JSON Schema
(all errors), semantic checks (unique names, previous_names), then each sample's preflight.
Problems are collected, sorted by position and raised together in one :class:`ConfigError`;
warnings travel with it (or are returned when there is no error).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from voicesync.catalog.document import Path_, Position, YamlProblem
from voicesync.catalog.parsecache import parsed
from voicesync.catalog.rules import CrossChecks
from voicesync.catalog.samples import SampleError, SampleRoots, inspect_sample
from voicesync.catalog.schema import describe, schema_errors
from voicesync.errors import ConfigError, Problem, Severity
from voicesync.model import (
    BASE_FORMATS,
    DEFAULT_LANGUAGE,
    DEFAULT_VISIBILITY,
    AudioFormat,
    DesiredState,
    DesiredVoice,
    Environment,
    SampleInfo,
    Source,
    Visibility,
    nfc,
)
from voicesync.names import is_glob

MAX_CONFIG_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Loaded:
    state: DesiredState
    warnings: tuple[Problem, ...]

    @property
    def declared_names(self) -> set[str]:
        """The (remote) names and previous names the catalog declares in its environment."""
        return {n for v in self.state.voices for n in (v.name, *v.previous_names)}


def load_config(
    path: Path,
    *,
    allow_outside: Sequence[Path] = (),
    inspect_samples: bool = True,
    known_samples: Mapping[str, SampleInfo] | None = None,
    environment: str | None = None,
    accept: frozenset[AudioFormat] = frozenset(),
    parse_cache: Path | None = None,
) -> Loaded:
    """Load and validate voices.yaml; raises ConfigError listing every problem.

    ``known_samples`` (from the local cache) spares reading samples whose size, mtime and
    inode have not changed since they were last read; ``parse_cache`` spares parsing this very
    file again (see :mod:`.parsecache`). With ``environment`` (when the catalog
    declares environments), the voices are those of that environment, under their remote names
    and with its defaults; raises UsageError when it matches no environment.
    """
    checker = _Checker(path, known_samples or {}, environment, accept, parse_cache)
    state = checker.run(allow_outside, inspect_samples)
    problems = tuple(sorted(checker.problems, key=lambda p: (p.line, p.column, p.message)))
    if state is None or any(p.severity is Severity.ERROR for p in problems):
        raise ConfigError(problems, hint="fix the problems above, then run voicesync validate")
    return Loaded(state, problems)


class _Checker(CrossChecks):
    def __init__(
        self,
        path: Path,
        known: Mapping[str, SampleInfo],
        environment: str | None = None,
        accept: frozenset[AudioFormat] = frozenset(),
        parse_cache: Path | None = None,
    ) -> None:
        super().__init__(path)
        self.accept = accept  # formats accepted beyond the base ones (validate --accept)
        self.path = path
        self.wanted_env = environment
        self.env: Environment | None = None
        self.root = path.resolve().parent
        self.known = known
        self.parse_cache = parse_cache  # .voicesync/<stem>.parsed.json, if the caller keeps one
        self.folders: dict[str, str] = {}  # sample folders resolved during this read

    # -- stages ---------------------------------------------------------------------------
    def run(self, allow_outside: Sequence[Path], inspect_samples: bool) -> DesiredState | None:
        text = self._read()
        if text is None:
            return None
        try:
            self.doc = parsed(text, self.path, self.parse_cache)
        except YamlProblem as exc:
            self.add(exc.message, exc.position)
            return None
        if self.doc.data is None:
            self.add("the file is empty; expected 'version: 1' and a 'voices' list", Position(1, 1))
            return None
        if not isinstance(self.doc.data, dict):
            self.add(
                "expected a mapping with 'version' and 'voices' (see examples/voices.yaml)",
                Position(1, 1),
            )
            return None
        if _is_saved_plan(self.doc.data):
            self.add(f"{self.display} {SAVED_PLAN} {self.display}", Position(1, 1))
            return None
        self._schema()
        self.check_names()
        formats = self.check_environments()
        voices = self._voices(tuple(p.resolve() for p in allow_outside), inspect_samples)
        data = self.doc.data
        prune = data.get("prune") is True
        ignore = data.get("ignore")
        patterns = tuple(str(p) for p in ignore) if isinstance(ignore, list) else ()
        return DesiredState(
            self.root / self.path.name, self.display, prune, voices, patterns, self.env, formats
        )

    def _read(self) -> str | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self.add(
                f"file not found: {self.display} (pass the catalog's path, "
                "or run where voices.yaml is)",
                Position(1, 1),
            )
            return None
        except OSError as exc:
            self.add(f"cannot read {self.display}: {exc.strerror}", Position(1, 1))
            return None
        if len(raw) > MAX_CONFIG_BYTES:
            self.add(f"the file is larger than {MAX_CONFIG_BYTES // 2**20} MB", Position(1, 1))
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.add("the file is not UTF-8 text", Position(line, 1))
            return None
        return text

    def _schema(self) -> None:
        for error in schema_errors(self.doc.data):
            for message, where in describe(error, self):
                self.add(message, where)

    def _voices(
        self, allow_outside: Sequence[Path], inspect_samples: bool
    ) -> tuple[DesiredVoice, ...]:
        data = self.doc.data
        voices = data.get("voices") if isinstance(data.get("voices"), list) else []
        defaults = data.get("defaults") if isinstance(data.get("defaults"), dict) else {}
        out = []
        roots, formats = SampleRoots(self.root, allow_outside), accepted(data, self.accept)
        given = _Given.of(self.env, defaults)
        for i, raw in enumerate(voices):
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                continue
            if not self._in_environment(raw):
                continue
            sample = None
            if isinstance(raw.get("sample"), str) and raw["sample"] and inspect_samples:
                sample = self._sample(raw["sample"], roots, formats, ("voices", i, "sample"))
            out.append(self._voice(raw, given, sample, i))
        return tuple(out)

    def _voice(
        self, raw: dict[str, Any], given: _Given, sample: SampleInfo | None, i: int
    ) -> DesiredVoice:
        where = self.at(("voices", i))
        previous = raw.get("previous_names")
        olds = (
            tuple(p for p in previous if isinstance(p, str)) if isinstance(previous, list) else ()
        )
        rename = given.rename
        return DesiredVoice(
            name=rename(nfc(raw["name"])),
            sample_ref=str(raw.get("sample", "")),
            visibility=Visibility.parse(raw.get("visibility")) or given.visibility,
            language=str(raw.get("language") or given.language),
            source=Source(self.display, where.line, where.column),
            previous_names=tuple(rename(nfc(p)) for p in olds),
            protected=raw.get("protected") is True,
            sample=sample,
            key=str(raw.get("key") or raw["name"]),
            declared=nfc(raw["name"]),
        )

    def _in_environment(self, raw: dict[str, Any]) -> bool:
        """Whether a voice exists in the chosen environment (every voice, if none is)."""
        listed = raw.get("environments")
        env = self.env
        if env is None or not isinstance(listed, list):
            return True
        return any(
            item in (env.name, env.key) or (is_glob(item) and fnmatchcase(env.name, item))
            for item in listed
            if isinstance(item, str)
        )

    def _sample(
        self, ref: str, roots: SampleRoots, formats: frozenset[AudioFormat], path: Path_
    ) -> SampleInfo | None:
        try:
            resolved, st = roots.locate(ref, self.folders)
        except SampleError as exc:
            self.add(exc.message, self.at(path))
            return None
        info, findings = inspect_sample(resolved, ref, self.known.get(resolved), formats, st)
        for f in findings:
            self.add(f.message, self.at(path), Severity.ERROR if f.fatal else Severity.WARNING)
        return info


@dataclass(frozen=True, slots=True)
class _Given:
    """What a voice that does not say takes: the environment's, else the catalog's defaults,
    else voicesync's (worked out once per catalog, not once per voice)."""

    visibility: Visibility
    language: str
    rename: Callable[[str], str]  # declared name -> the name the account sees

    @classmethod
    def of(cls, env: Environment | None, defaults: dict[str, Any]) -> _Given:
        return cls(
            (env and env.visibility)
            or Visibility.parse(defaults.get("visibility"))
            or DEFAULT_VISIBILITY,
            str((env and env.language) or defaults.get("language") or DEFAULT_LANGUAGE),
            env.remote_name if env is not None else str,
        )


SAVED_PLAN = "is a plan saved by plan --out, not a catalog: apply it with voicesync apply --plan"


def _is_saved_plan(data: dict[str, Any]) -> bool:
    """voicesync apply plan.json (Terraform's habit): one line that says --plan, not the
    schema's twenty about a catalog it never was."""
    return {"format_version", "changes", "fingerprint"} <= data.keys()


def accepted(data: Any, extra: frozenset[AudioFormat]) -> frozenset[AudioFormat]:
    """The formats samples may have: the base three, what the catalog's accept: lists, and
    what validate --accept adds."""
    declared = data.get("accept") if isinstance(data, dict) else None
    listed = declared if isinstance(declared, list) else []
    return BASE_FORMATS | extra | {AudioFormat(f) for f in listed if f == "m4a"}
