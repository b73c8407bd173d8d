"""The short profile of ``make fuzz``: a few hundred mutated inputs over every reader, each
ending in success or a one-line ``PaperlogError`` within its time bound (tests/fuzz.py)."""

from __future__ import annotations

import pytest

import fuzz


@pytest.mark.parametrize("seed", [1, 2])
def test_short_fuzz_profile_finds_nothing(seed: int) -> None:
    tally = fuzz.fuzz(cases=150, seed=seed, timeout=20.0)
    assert sum(tally.cases.values()) == 150
    assert {"paperfile", "config", "weeks", "resources", "query"} <= set(tally.cases)
    shown = [f"{f.target}: {f.kind}: {f.detail}\ninput: {f.case[:300]!r}" for f in tally.findings]
    assert not shown, "\n\n".join(shown)


def test_mutations_change_the_text_and_keep_it_text() -> None:
    import random

    rng = random.Random(0)
    base = "line one [a](b)\nline two <kbd>x</kbd>\nline three"
    mutated = {fuzz.mutate(base, rng) for _ in range(50)}
    assert len(mutated) > 30
    assert all(isinstance(m, str) for m in mutated)


def test_a_hang_and_a_traceback_are_findings() -> None:
    """The harness itself: what it must catch, it catches."""
    import signal
    import time

    signal.signal(signal.SIGALRM, fuzz._alarm)
    tally = fuzz.Tally()
    fuzz.run_case(tally, "t", "slow", lambda: time.sleep(5), timeout=0.2)
    fuzz.run_case(tally, "t", "bug", lambda: int("not a number"), timeout=1.0)
    assert [f.kind for f in tally.findings] == ["hang", "traceback"]
    assert tally.cases == {"t": 2}
