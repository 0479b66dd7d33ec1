"""A short version of the fault soak: a few seeded cycles and one kill -9 round, with the
hazards on (list lag, capped pages, voices the account cannot change)."""

from __future__ import annotations

from testing.soak import PROFILES, SoakConfig, matrix, run_soak


def test_short_soak_converges_without_duplicates_or_losses() -> None:
    report = run_soak(
        SoakConfig(
            cycles=len(PROFILES),
            kill_rounds=1,
            seed=11,
            min_voices=6,
            max_voices=9,
            list_lag_s=0.3,
            page_cap=4,
            grace_s=3.0,  # a kill round runs again within it: its clones are matched
        )
    )
    text = matrix(report)
    assert report.ok, text
    assert set(report.rows) == {*PROFILES, "kill -9 + all faults"}
    assert sum(r.faults for r in report.rows.values()) > 0, text
    assert text.splitlines()[-1].startswith("PASS:")
