"""The short profile of ``make torture``: real kills and real index damage, zero failures.

The long profile (``make torture``: 1,000 kills, 300 corruptions) runs the same code.
"""

from __future__ import annotations

from pathlib import Path

from conftest import requires_shared
from torture import run_torture


@requires_shared
def test_kills_and_index_damage_leave_before_or_after_and_right_answers(tmp_path: Path) -> None:
    result = run_torture(
        tmp_path / "torture",
        kills=4,
        damages=15,
        only=("import readme", "done", "doctor --fix", "review --grade"),
        targeted_only=True,
    )
    report = "\n".join([result.table(), *result.kills.failures, *result.corruptions.failures])
    assert result.kills.killed == 4 and result.corruptions.trials == 15
    assert result.failures == 0, report
