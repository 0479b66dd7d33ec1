"""PURE: the listed account, indexed for one plan: by id, by name, and what is claimed so far."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from voicesync.errors import PlanError
from voicesync.model import RemoteVoice, nfc
from voicesync.state.store import State


class RemoteIndex:
    def __init__(self, remote: tuple[RemoteVoice, ...], state: State) -> None:
        self.by_id = {v.voice_id: v for v in remote}
        self.by_name: dict[str, list[RemoteVoice]] = defaultdict(list)
        for voice in remote:
            if voice.name is not None:
                self.by_name[nfc(voice.name)].append(voice)
        self.recorded = state.recorded_ids()
        self.foreign = state.foreign
        self.claimed: set[str] = set()  # remote ids matched to a change of this plan
        self.ambiguities: list[str] = []

    def unrecorded_named(
        self, names: Iterable[str], *, own_only: bool = False
    ) -> list[RemoteVoice]:
        """Remote voices of these names that no record holds and nothing claimed yet;
        ``own_only`` leaves out voices known to be foreign. Sorted by id, so the order the API
        lists voices in never changes a plan (a conflict names the same voice first)."""
        found = [
            v
            for name in names
            for v in self.by_name.get(nfc(name), [])
            if v.voice_id not in self.recorded
            and v.voice_id not in self.claimed
            and not (own_only and v.voice_id in self.foreign)
        ]
        return sorted(found, key=lambda v: v.voice_id)

    def ambiguous(self, name: str, candidates: list[RemoteVoice]) -> None:
        listed = ", ".join(f"{v.voice_id} ({v.status_text or v.status.value})" for v in candidates)
        self.ambiguities.append(f"'{name}' matches {len(candidates)} remote voices: {listed}")

    def raise_ambiguities(self) -> None:
        if self.ambiguities:
            raise PlanError(
                "cannot tell which remote voice is meant:\n  " + "\n  ".join(self.ambiguities),
                hint="delete the duplicates you do not want (voicesync list shows them), or "
                "rename one; the state file then records the choice",
            )

    def unmanaged(self) -> list[RemoteVoice]:
        # once, not per voice (5,000 voices: 1.4 s); foreign voices are not ours to list
        known = self.recorded | self.claimed | self.foreign
        return [v for v in self.by_id.values() if v.voice_id not in known]
