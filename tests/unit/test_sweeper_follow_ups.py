"""The sweeper's follow-ups of people's dated steps (issue 11, item 4): due soon and overdue
to the step's owner, escalated to the head when left overdue, and the head told of a risk
assessment not recorded within two school days of the report. Each once, on its day,
counted in the school's days."""

from __future__ import annotations

from datetime import date, timedelta

from rules.behaviours import ChairOutcome, NotificationKind
from rules.events import NotificationRequired
from rules.prompts import (
    ASSESS_WITHIN_SCHOOL_DAYS,
    DUE_SOON_SCHOOL_DAYS,
    ESCALATE_AFTER_SCHOOL_DAYS,
    Action,
    open_deadlines,
    prompts_for,
)
from rules.roles import Role
from rules.state import CaseState
from rules.steps.chair import DecideAsChair
from rules.sweep import system_commands_due
from rules.timeline import strict

from .rules_builders import Case, calendar, case_in

CAL = calendar()


def swept(case: Case, on: date) -> list[NotificationRequired]:
    """Run what the sweeper issues on `on`; the prompts it called for."""
    case.today = on
    produced = []
    for command in system_commands_due(case.v, on, CAL):
        produced += case.run(command, system=True)
    return [e for e in produced if isinstance(e, NotificationRequired)]


def chair_due(case: Case) -> date:
    (decide,) = [p for p in prompts_for(case.v, case.today, CAL) if p.role is Role.CHAIR]
    assert decide.deadline is not None
    return decide.deadline.due


def wake_ups(case: Case) -> set[date]:
    return {
        e.due
        for e in open_deadlines(case.v, CAL)
        if e.role is None and e.action is Action.SEND_REMINDERS
    }


def test_the_chair_is_reminded_before_the_day_then_told_it_is_overdue_then_the_head_is() -> None:
    case = case_in(CaseState.BAN_WITH_CHAIR)
    due = chair_due(case)
    soon = strict(CAL).school_days_before(due, DUE_SOON_SCHOOL_DAYS)
    escalate = CAL.school_days_after(due, ESCALATE_AFTER_SCHOOL_DAYS).due
    assert {soon, due + timedelta(days=1), escalate} <= wake_ups(case)  # the sweeper finds it

    assert swept(case, soon - timedelta(days=1)) == []
    (reminded,) = swept(case, soon)
    assert (reminded.kind, reminded.roles, reminded.due) == (
        NotificationKind.STEP_DUE_SOON,
        (Role.CHAIR,),
        due,
    )
    assert reminded.about.startswith("Confirm or overturn")
    assert swept(case, due) == []  # once

    (overdue,) = swept(case, due + timedelta(days=1))
    assert (overdue.kind, overdue.roles) == (NotificationKind.STEP_OVERDUE, (Role.CHAIR,))
    assert swept(case, escalate - timedelta(days=1)) == []

    (escalated,) = swept(case, escalate)
    assert (escalated.kind, escalated.roles) == (
        NotificationKind.STEP_OVERDUE_ESCALATED,
        (Role.HEAD,),
    )
    assert swept(case, escalate + timedelta(days=30)) == []
    assert not wake_ups(case) & {soon, due + timedelta(days=1), escalate}


def test_a_sweeper_back_after_the_day_sends_no_due_soon_and_both_late_prompts_once() -> None:
    case = case_in(CaseState.BAN_WITH_CHAIR)
    due = chair_due(case)
    late = CAL.school_days_after(due, ESCALATE_AFTER_SCHOOL_DAYS + 3).due
    sent = swept(case, late)
    assert [(e.kind, e.roles) for e in sent] == [
        (NotificationKind.STEP_OVERDUE, (Role.CHAIR,)),
        (NotificationKind.STEP_OVERDUE_ESCALATED, (Role.HEAD,)),
    ]
    assert wake_ups(case) == set() or min(wake_ups(case)) > late  # the due-soon row is gone
    assert swept(case, late + timedelta(days=1)) == []


def test_a_step_done_in_time_is_not_followed_up() -> None:
    case = case_in(CaseState.BAN_WITH_CHAIR)
    due = chair_due(case)
    case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate"))
    follow_ups = {
        NotificationKind.STEP_OVERDUE,
        NotificationKind.STEP_OVERDUE_ESCALATED,
        NotificationKind.STEP_DUE_SOON,
    }
    later = CAL.school_days_after(due, ESCALATE_AFTER_SCHOOL_DAYS).due
    chair_steps = [
        e for e in swept(case, later) if e.kind in follow_ups and "Confirm or overturn" in e.about
    ]
    assert chair_steps == []


def test_the_heads_own_overdue_step_is_not_escalated_to_the_head() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)  # the annual progress meeting is the head's
    (meeting,) = [
        p for p in prompts_for(case.v, case.today, CAL) if p.action is Action.HOLD_PROGRESS_MEETING
    ]
    assert meeting.role is Role.HEAD
    assert meeting.deadline is not None
    due = meeting.deadline.due
    far = CAL.school_days_after(due, ESCALATE_AFTER_SCHOOL_DAYS + 1).due
    kinds = [(e.kind, e.roles) for e in swept(case, far) if e.about == meeting.text]
    assert kinds == [(NotificationKind.STEP_OVERDUE, (Role.HEAD,))]


def test_the_head_is_told_of_a_risk_assessment_not_recorded_within_two_school_days() -> None:
    case = Case().open()  # reported on Monday 12 January 2026
    reported = case.today
    last_day = CAL.school_days_after(reported, ASSESS_WITHIN_SCHOOL_DAYS).due
    assert last_day == date(2026, 1, 14)
    assert swept(case, last_day) == []
    (told,) = swept(case, last_day + timedelta(days=1))
    assert (told.kind, told.roles) == (NotificationKind.RISK_ASSESSMENT_NOT_STARTED, (Role.HEAD,))
    assert told.about == "Carry out the risk assessment for incident 1."
    assert swept(case, last_day + timedelta(days=2)) == []


def test_a_risk_assessment_recorded_in_time_is_not_followed_up() -> None:
    case = Case().open().assess()
    assert swept(case, case.today + timedelta(days=7)) == []
