"""Checks across voices that the schema cannot say: unique names, declared environments."""

from __future__ import annotations

from typing import Any

from voicesync.catalog.environments import environment, format_problems, matching_key
from voicesync.catalog.schema import Reporter
from voicesync.errors import UsageError
from voicesync.model import Environment, Source, nfc, parsed_format
from voicesync.names import DEFAULT_FORMAT, ENV_NAME, is_glob


class CrossChecks(Reporter):
    """The checks of one catalog that look at more than one voice at a time."""

    wanted_env: str | None = None
    env: Environment | None = None

    def raw_voices(self) -> list[dict[str, Any]]:
        voices = self.doc.data.get("voices")
        return [v for v in voices if isinstance(v, dict)] if isinstance(voices, list) else []

    def check_names(self) -> None:
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
                    self.add(
                        f"previous_names of '{name}' lists its own name",
                        self.at(("voices", i, "previous_names", j)),
                    )
                    continue
                self._claim(owners, old, name, (i, "previous_names", j))

    def _claim(self, owners: dict[str, str], label: str, voice: str, sub: tuple[Any, ...]) -> None:
        folded = nfc(label).casefold()  # names differing only in Unicode form are one
        if folded in owners:
            first = owners[folded]
            other = "another voice" if first == voice else f"voice '{first}'"
            form = (
                " (the same letters in another Unicode form: a service stores them as one)"
                if first != label and nfc(first) == nfc(label)
                else ""
            )
            self.add(
                f"name '{label}' is already used by {other}{form}; names (and previous_names) "
                "must be unique, ignoring case",
                self.at(("voices", *sub)),
            )
            return
        owners[folded] = voice

    def check_environments(self) -> tuple[tuple[str, str], ...]:
        """Check environments: (formats, voices' environment lists) and pick --env's; every
        key with its name_format."""
        declared = self.doc.data.get("environments")
        envs = (
            {str(k): v for k, v in declared.items() if isinstance(v, dict)}
            if isinstance(declared, dict)
            else {}
        )
        names = [v["name"] for v in self.raw_voices() if isinstance(v.get("name"), str)]
        longest = max(names, key=len, default="")
        problems = format_problems(envs, longest)
        for key, message in problems:
            self.add(message, self.at(("environments", key, "name_format")))
        if not problems:
            self._names_of_other_environments(envs)
        self._voice_environments(list(envs))
        if self.wanted_env is not None and envs:
            self.env = self._choose(envs, self.wanted_env)
        return tuple((k, str(v.get("name_format", DEFAULT_FORMAT))) for k, v in envs.items())

    def _names_of_other_environments(self, envs: dict[str, dict[str, Any]]) -> None:
        """A declared name that a specific environment's format makes ('Old Man [pr-2]' beside
        '{name} [{env}]') would be cloned by one environment under another's name."""
        formats = [
            (key, parsed_format(str(raw.get("name_format", DEFAULT_FORMAT))))
            for key, raw in envs.items()
        ]
        for i, raw in enumerate(self.raw_voices()):
            name = raw.get("name")
            if not isinstance(name, str):
                continue
            for key, fmt in formats:
                glob = key if is_glob(key) else None
                made_for = fmt.environment_of(name, env=None if glob else key, glob=glob)
                if fmt.catch_all or made_for is None:
                    continue
                self.add(
                    f"name '{name}' is what environment {made_for}'s name_format makes of "
                    f"'{fmt.declared_of(name, made_for)}', so environments would share it; "
                    "choose a name no name_format makes",
                    self.at(("voices", i, "name")),
                )
                break

    def _voice_environments(self, keys: list[str]) -> None:
        for i, raw in enumerate(self.raw_voices()):
            listed = raw.get("environments")
            for j, item in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(item, str) and not _names_environment(item, keys):
                    known = ", ".join(keys) or "none are declared"
                    self.add(
                        f"environment '{item}' is not declared in environments: ({known})",
                        self.at(("voices", i, "environments", j)),
                    )

    def _choose(self, envs: dict[str, dict[str, Any]], name: str) -> Environment:
        key = matching_key(list(envs), name)
        if key is None or not ENV_NAME.match(name):
            wrong = (
                f"matches no environment of {self.display} ({', '.join(envs)})"
                if key is None
                else "is not a name: one is 1 to 40 letters, digits, '-', '_' or '.'"
            )
            raise UsageError(
                f"--env {name} {wrong}", hint="choose one of the environments the catalog declares"
            )

        def at(field: str) -> Source:
            where = self.at(("environments", key, field))
            return Source(self.display, where.line, where.column)

        return environment(name, key, envs[key], at)


def _names_environment(item: str, keys: list[str]) -> bool:
    """A voice's environments entry names a declared key, or a name some key matches."""
    return item in keys or matching_key(keys, item) is not None
