"""voices.yaml → :class:`DesiredState`, with every problem reported at once as FILE:LINE:COL.

Order of work: read and parse (a syntax error stops there), validate against the JSON Schema
(all errors), semantic checks (unique names, previous_names), then each sample's preflight.
Problems are collected, sorted by position and raised together in one :class:`ConfigError`;
warnings travel with it (or are returned when there is no error).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from voicesync.catalog.environments import (
    ENV_NAME,
    environment,
    format_problems,
    is_glob,
    matching_key,
)
from voicesync.catalog.samples import SampleError, inspect_sample, resolve_sample
from voicesync.catalog.yamlsource import Document, Path_, Position, YamlProblem, parse
from voicesync.errors import ConfigError, Problem, Severity, UsageError
from voicesync.model import (
    DEFAULT_LANGUAGE,
    DEFAULT_VISIBILITY,
    DesiredState,
    DesiredVoice,
    Environment,
    SampleInfo,
    Source,
    Visibility,
)

MAX_CONFIG_BYTES = 5 * 1024 * 1024


@cache
def voices_schema() -> dict[str, Any]:
    """The JSON Schema of voices.yaml, shipped inside the package."""
    text = resources.files("voicesync").joinpath("schemas/voices.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    """A validator over the schema with its local $refs inlined: the same rules, but no
    reference lookup for each of thousands of voices."""
    schema = voices_schema()
    return jsonschema.Draft202012Validator(_inline(schema, schema.get("$defs", {})))


def _inline(node: Any, defs: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        merged = {**defs[ref.removeprefix("#/$defs/")], **node}
        merged.pop("$ref")
        return _inline(merged, defs)
    return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}


@dataclass(frozen=True, slots=True)
class Loaded:
    state: DesiredState
    warnings: tuple[Problem, ...]


def load_config(
    path: Path,
    *,
    allow_outside: Sequence[Path] = (),
    inspect_samples: bool = True,
    known_samples: Mapping[Path, SampleInfo] | None = None,
    environment: str | None = None,
) -> Loaded:
    """Load and validate voices.yaml; raises ConfigError listing every problem.

    ``known_samples`` (from the local cache) spares reading samples whose size, mtime and
    inode have not changed since they were last read. With ``environment`` (when the catalog
    declares environments), the voices are those of that environment, under their remote names
    and with its defaults; raises UsageError when it matches no environment.
    """
    checker = _Checker(path, known_samples or {}, environment)
    state = checker.run(allow_outside, inspect_samples)
    problems = tuple(sorted(checker.problems, key=lambda p: (p.line, p.column, p.message)))
    if state is None or any(p.severity is Severity.ERROR for p in problems):
        raise ConfigError(problems, hint="fix the problems above, then run voicesync validate")
    return Loaded(state, problems)


class _Checker:
    def __init__(
        self, path: Path, known: Mapping[Path, SampleInfo], environment: str | None = None
    ) -> None:
        self.path = path
        self.wanted_env = environment
        self.env: Environment | None = None
        self.root = path.resolve().parent
        self.known = known
        self.display = str(path)
        self.problems: list[Problem] = []
        self.doc = Document(None, {}, {})

    # -- reporting ------------------------------------------------------------------------
    def add(self, message: str, where: Position, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(self.display, where.line, where.column, message, severity))

    def at(self, path: Path_, *, key: bool = False) -> Position:
        """Best position for a data path: the key or the value, else the nearest parent."""
        probe = path
        while True:
            table = self.doc.keys if key else self.doc.values
            if probe in table:
                return table[probe]
            if probe in self.doc.values:
                return self.doc.values[probe]
            if not probe:
                return Position(1, 1)
            probe = probe[:-1]

    # -- stages ---------------------------------------------------------------------------
    def run(self, allow_outside: Sequence[Path], inspect_samples: bool) -> DesiredState | None:
        text = self._read()
        if text is None:
            return None
        try:
            self.doc = parse(text)
        except YamlProblem as exc:
            self.add(exc.message, exc.position)
            return None
        if self.doc.data is None:
            self.add("the file is empty; expected 'version: 1' and a 'voices' list",
                     Position(1, 1))  # fmt: skip
            return None
        if not isinstance(self.doc.data, dict):
            self.add("expected a mapping with 'version' and 'voices' (see examples/voices.yaml)",
                     Position(1, 1))  # fmt: skip
            return None
        self._schema()
        self._names()
        keys = self._environments()
        voices = self._voices(tuple(p.resolve() for p in allow_outside), inspect_samples)
        data = self.doc.data
        prune = data.get("prune") is True
        ignore = data.get("ignore")
        patterns = tuple(str(p) for p in ignore) if isinstance(ignore, list) else ()
        return DesiredState(self.root / self.path.name, self.display, prune, voices, patterns,
                            self.env, tuple(keys))  # fmt: skip

    def _environments(self) -> list[str]:
        """Check environments: (formats, voices' environment lists) and pick --env's."""
        declared = self.doc.data.get("environments")
        envs = {str(k): v for k, v in declared.items() if isinstance(v, dict)} if isinstance(
            declared, dict) else {}  # fmt: skip
        names = [v["name"] for v in self._raw_voices() if isinstance(v.get("name"), str)]
        longest = max(names, key=len, default="")
        for key, message in format_problems(envs, longest):
            self.add(message, self.at(("environments", key, "name_format")))
        self._voice_environments(list(envs))
        if self.wanted_env is not None and envs:
            self.env = self._choose(envs, self.wanted_env)
        return list(envs)

    def _voice_environments(self, keys: list[str]) -> None:
        for i, raw in enumerate(self._raw_voices()):
            listed = raw.get("environments")
            for j, item in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(item, str) and not _names_environment(item, keys):
                    known = ", ".join(keys) or "none are declared"
                    self.add(f"environment '{item}' is not declared in environments: ({known})",
                             self.at(("voices", i, "environments", j)))  # fmt: skip

    def _choose(self, envs: dict[str, dict[str, Any]], name: str) -> Environment:
        key = matching_key(list(envs), name)
        if key is None or not ENV_NAME.match(name):
            raise UsageError(
                f"--env {name} matches no environment of {self.display} "
                f"({', '.join(envs)})" if key is None else
                f"--env {name}: an environment name is 1 to 40 letters, digits, '-', '_' or '.'",
                hint="choose one of the environments the catalog declares",
            )  # fmt: skip
        return environment(name, key, envs[key])

    def _raw_voices(self) -> list[dict[str, Any]]:
        voices = self.doc.data.get("voices")
        return [v for v in voices if isinstance(v, dict)] if isinstance(voices, list) else []

    def _read(self) -> str | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            self.add(f"file not found: {self.display} (pass the catalog's path, "
                     "or run where voices.yaml is)", Position(1, 1))  # fmt: skip
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
        for error in _validator().iter_errors(self.doc.data):
            for message, where in _describe(error, self):
                self.add(message, where)

    def _names(self) -> None:
        voices = self.doc.data.get("voices")
        if not isinstance(voices, list):
            return
        owners: dict[str, str] = {}
        for i, voice in enumerate(voices):
            if not isinstance(voice, dict) or not isinstance(voice.get("name"), str):
                continue
            name = voice["name"]
            self._claim(owners, name, name, (i, "name"))
            for j, old in enumerate(voice.get("previous_names") or []):
                if not isinstance(old, str):
                    continue
                if old == name:
                    self.add(f"previous_names of '{name}' lists its own name",
                             self.at(("voices", i, "previous_names", j)))  # fmt: skip
                    continue
                self._claim(owners, old, name, (i, "previous_names", j))

    def _claim(self, owners: dict[str, str], label: str, voice: str, sub: tuple[Any, ...]) -> None:
        folded = label.casefold()
        if folded in owners:
            first = owners[folded]
            other = "another voice" if first == voice else f"voice '{first}'"
            self.add(
                f"name '{label}' is already used by {other}; names (and previous_names) must be "
                "unique, ignoring case",
                self.at(("voices", *sub)),
            )
            return
        owners[folded] = voice

    def _voices(
        self, allow_outside: Sequence[Path], inspect_samples: bool
    ) -> tuple[DesiredVoice, ...]:
        data = self.doc.data
        voices = data.get("voices") if isinstance(data.get("voices"), list) else []
        defaults = data.get("defaults") if isinstance(data.get("defaults"), dict) else {}
        out = []
        for i, raw in enumerate(voices):
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
                continue
            if not self._in_environment(raw):
                continue
            sample = None
            if isinstance(raw.get("sample"), str) and raw["sample"] and inspect_samples:
                sample = self._sample(raw["sample"], allow_outside, ("voices", i, "sample"))
            out.append(self._voice(raw, defaults, sample, i))
        return tuple(out)

    def _voice(
        self, raw: dict[str, Any], defaults: dict[str, Any], sample: SampleInfo | None, i: int
    ) -> DesiredVoice:
        where = self.at(("voices", i))
        env = self.env
        visibility = Visibility.parse(raw.get("visibility")) or (env and env.visibility) or (
            Visibility.parse(defaults.get("visibility"))
        )  # fmt: skip
        language = raw.get("language") or (env and env.language) or defaults.get("language")
        previous = raw.get("previous_names")
        olds = (
            tuple(p for p in previous if isinstance(p, str)) if isinstance(previous, list) else ()
        )
        rename = env.remote_name if env is not None else str
        return DesiredVoice(
            name=rename(raw["name"]),
            sample_ref=str(raw.get("sample", "")),
            visibility=visibility or DEFAULT_VISIBILITY,
            language=str(language or DEFAULT_LANGUAGE),
            source=Source(self.display, where.line, where.column),
            previous_names=tuple(rename(p) for p in olds),
            protected=raw.get("protected") is True,
            sample=sample,
            key=str(raw.get("key") or raw["name"]),
        )

    def _in_environment(self, raw: dict[str, Any]) -> bool:
        """Whether a voice exists in the chosen environment (every voice, if none is)."""
        listed = raw.get("environments")
        env = self.env
        if env is None or not isinstance(listed, list):
            return True
        return any(item in (env.name, env.key) or (is_glob(item) and fnmatchcase(env.name, item))
                   for item in listed if isinstance(item, str))  # fmt: skip

    def _sample(self, ref: str, allow_outside: Sequence[Path], path: Path_) -> SampleInfo | None:
        where = self.at(path)
        try:
            resolved = resolve_sample(self.root, ref, allow_outside)
        except SampleError as exc:
            self.add(exc.message, where)
            return None
        info, findings = inspect_sample(resolved, ref, self.known.get(resolved))
        for finding in findings:
            self.add(finding.message, where, Severity.ERROR if finding.fatal else Severity.WARNING)
        return info


def _names_environment(item: str, keys: list[str]) -> bool:
    """A voice's environments entry names a declared key, or a name some key matches."""
    return item in keys or matching_key(keys, item) is not None


def _path_text(path: Sequence[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
}


def _actual(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    kinds = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "a mapping"}  # fmt: skip
    return f"{kinds.get(type(value), type(value).__name__)} {json.dumps(value)[:40]}"


def _describe(error: jsonschema.ValidationError, checker: _Checker) -> list[tuple[str, Position]]:
    """Turn one jsonschema error into user words at the right place (one or more)."""
    path = tuple(error.absolute_path)
    field = _path_text(path)
    value = error.instance
    kind = error.validator
    if kind == "additionalProperties" and isinstance(value, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = sorted(schema.get("properties", {}))
        out = []
        for extra in sorted(set(value) - set(allowed)):
            guess = difflib.get_close_matches(extra, allowed, n=1, cutoff=0.6)
            hint = (
                f" — did you mean '{guess[0]}'?" if guess else f" (allowed: {', '.join(allowed)})"
            )
            out.append(
                (f"unknown key '{extra}' in {field}{hint}", checker.at((*path, extra), key=True))
            )
        return out
    where = checker.at(path)
    if kind == "required":
        missing = str(error.message).split("'")[1]
        return [(f"{field}: missing required key '{missing}'", where)]
    if kind == "enum":
        allowed_values = error.validator_value
        options = list(allowed_values) if isinstance(allowed_values, list) else []
        return [(_enum_message(field, value, options), where)]
    if kind == "type":
        wanted = _TYPE_NAMES.get(str(error.validator_value), str(error.validator_value))
        tip = " (YAML 1.2 reads only true/false as booleans)" if wanted == "true or false" else ""
        return [(f"{field}: expected {wanted}, got {_actual(value)}{tip}", where)]
    if kind in ("minLength", "pattern") and isinstance(value, str):
        reason = "must not be empty" if not value.strip() else (
            "must be one line without leading or trailing spaces"
        )  # fmt: skip
        return [(f"{field}: {reason}", where)]
    if kind == "maxLength":
        return [(f"{field}: longer than {error.validator_value} characters", where)]
    if kind == "uniqueItems":
        return [(f"{field}: lists the same name twice", where)]
    return [(f"{field}: {error.message}", where)]


def _enum_message(field: str, value: Any, allowed: list[Any]) -> str:
    if field == "version":
        return f"version: {json.dumps(value)} is not supported; this voicesync reads version 1"
    names = ", ".join(str(a) for a in allowed)
    text = f"{field}: {json.dumps(value)} is not one of {names}"
    if isinstance(value, str):
        folded = {str(a).casefold(): str(a) for a in allowed}
        guess = folded.get(value.casefold()) or next(
            iter(difflib.get_close_matches(value, [str(a) for a in allowed], n=1)), None
        )
        if guess:
            text += f" — did you mean {guess}?"
    return text
