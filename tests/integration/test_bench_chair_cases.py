"""The decision benchmark's cases are really with the Chair: copies made for the run are
checked against the application's projection, and the Chair's confirm, as the card sends
it, is recorded on one of them as one decision (issue 10, the decision-invoke row)."""

from __future__ import annotations

from pathlib import Path

from bench.chair_cases import decisions_recorded, prepare_cases
from casework import bus as uc
from casework.bootstrap import SystemClock, embedded, prepare
from rules.behaviours import ChairOutcome
from rules.state import CaseState
from rules.steps.chair import DecideAsChair
from tests.casework_world import CHAIR, EXAMPLE_CONFIG


async def test_the_prepared_cases_are_with_the_chair_and_a_confirm_records_one_decision(
    tmp_path: Path,
) -> None:
    cases = await prepare_cases(tmp_path, 6, verify=6)

    assert cases.last - cases.first + 1 == 6
    assert decisions_recorded(tmp_path) == (0, 0)
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, SystemClock()) as cw:
        folded = await cw.load_folded(f"bench-{cases.last}")
        assert folded is not None
        assert folded.view.state is CaseState.BAN_WITH_CHAIR
        await uc.dispatch(
            cw,
            DecideAsChair("bench-test-confirm", ChairOutcome.CONFIRM, "Needed"),
            CHAIR,
            case_id=f"bench-{cases.last}",
        )
    assert decisions_recorded(tmp_path) == (1, 1)
