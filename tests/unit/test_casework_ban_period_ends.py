"""Issue 9, rule 5, through the application layer: the sweeper finds a ban's end date in the
due index and records the end as an event; the case's stage and prompts follow."""

from __future__ import annotations

from datetime import date, timedelta

from casework import bus
from casework.sweeper import sweep
from rules.behaviours import ChairOutcome
from rules.prompts import Action
from rules.state import CaseState, Trigger
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterSent
from rules.steps.risk_assessment import AssessRisk
from tests.builders import POLICE, VIOLENCE, arrangements, assessment, at
from tests.casework_world import CHAIR, HEAD, fake_world, report_violent_incident

MONDAY = date(2026, 1, 12)
UNTIL = date(2026, 5, 22)


async def test_defined_period_the_sweeper_records_the_end_of_the_ban() -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    case_id = (await report_violent_incident(cw, MONDAY)).case_id
    await bus.dispatch(cw, AssessRisk("cmd-assess", 1, assessment()), HEAD, case_id=case_id)
    ban = ImposeBan("cmd-ban", "Assault", arrangements(POLICE), UNTIL, VIOLENCE)
    await bus.dispatch(cw, ban, HEAD, case_id=case_id)
    await bus.dispatch(
        cw, RecordLetterSent("cmd-sent", "cmd-ban:letter-4", MONDAY), HEAD, case_id=case_id
    )
    after_window = date(2026, 1, 27)
    world.clock.to_day(after_window)
    await sweep(cw, after_window)
    decision = DecideAsChair("cmd-chair", ChairOutcome.CONFIRM, "Serious")
    await bus.dispatch(cw, decision, CHAIR, case_id=case_id)
    _, view = await cw.load(case_id)
    assert view is not None
    assert view.state is CaseState.BAN_CONFIRMED
    rows = await world.store.due_by(date(2030, 1, 1))
    wake_up = [r for r in rows if r.action == Action.END_SANCTION_PERIOD.value]
    assert [(r.case_id, r.due) for r in wake_up] == [(case_id, UNTIL + timedelta(days=1))]

    world.clock.to_day(UNTIL)
    on_the_last_day = await sweep(cw, UNTIL)
    assert not [c for c in on_the_last_day.applied if "period-ended" in c]
    day_after = UNTIL + timedelta(days=1)
    world.clock.to_day(day_after)
    report = await sweep(cw, day_after)

    assert [c for c in report.applied if "period-ended" in c] == [
        f"system:period-ended:cmd-ban:letter-4:{UNTIL.isoformat()}"
    ]
    _, view = await cw.load(case_id)
    assert view is not None
    assert view.state is CaseState.OPEN
    assert view.steps[-1].trigger is Trigger.SANCTION_PERIOD_ENDED
    assert view.steps[-1].by == "system"
    rows = await world.store.due_by(date(2030, 1, 1))
    assert not [r for r in rows if r.case_id == case_id and r.action in _SANCTION_ACTIONS]


_SANCTION_ACTIONS = {
    Action.END_SANCTION_PERIOD.value,
    Action.SCHEDULE_REVIEW.value,
    Action.HOLD_PROGRESS_MEETING.value,
}
