"""Whole stages end to end, with the prompts, deadlines and sweeper steps each one creates.
Deadlines are checked against the school calendar, never against hand-typed dates."""

from __future__ import annotations

from datetime import date, timedelta

from rules.behaviours import ChairOutcome, LetterKind, NotificationKind, ReviewOutcome
from rules.calendar import Region, SchoolCalendar, Term, TermDates, add_months
from rules.events import NotificationRequired
from rules.prompts import (
    Action,
    open_deadlines,
    pending_effects,
    policy_review_prompt,
    prompts_for,
    provisional_reply_by,
)
from rules.roles import Role
from rules.state import CaseState
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterDrafted, RecordLetterDraftFailed
from rules.steps.notifications import RecordNotificationQueued
from rules.steps.reporting import UpdatePersonDetails
from rules.steps.representations import CloseRepresentationWindow, RecordRepresentation
from rules.steps.review import RecordReviewOutcome, RecordReviewStatement, ScheduleReview
from rules.sweep import system_commands_due
from rules.timeline import REMINDER_LEAD_SCHOOL_DAYS, strict

from .rules_builders import Case, calendar, case_in, conditions, take
from .rules_builders import T as Tr

CAL = calendar()


def _state(case: Case) -> CaseState:
    return case.state  # a call, so that mypy does not carry one assert's narrowing to the next


def _actions(case: Case, role: Role) -> list[Action]:
    return [p.action for p in prompts_for(case.v, case.today, CAL) if p.role is role]


def test_a_new_incident_asks_for_a_risk_assessment_then_a_response() -> None:
    case = Case().open()
    assert _actions(case, Role.HEAD) == [Action.ASSESS_RISK]
    assert _actions(case, Role.SENIOR) == [Action.ASSESS_RISK]
    notices = [n for n in case.v.notifications if n.kind is NotificationKind.INCIDENT_REPORTED]
    assert notices[0].roles == (Role.HEAD, Role.SENIOR)
    case.assess()
    assert _actions(case, Role.HEAD) == [Action.CHOOSE_RESPONSE]
    assert _actions(case, Role.SENIOR) == []


def test_warning_letter_reply_window_and_its_closing() -> None:
    case = Case().open().assess().warn()
    assert _state(case) is CaseState.WARNED
    letter = case.v.letters[-1]
    assert (letter.letter, letter.signer, letter.cc) == (
        LetterKind.WARNING,
        Role.HEAD,
        (Role.CHAIR,),
    )
    # Until the letter is recorded as sent there is no window to close.
    assert system_commands_due(case.v, case.today + timedelta(days=60), CAL) == ()
    case.advance(2)
    case.send("letter-1")
    due = CAL.school_days_after(case.today, 10).due
    entries = open_deadlines(case.v, CAL)
    assert (None, Action.CLOSE_REPRESENTATION_WINDOW, due + timedelta(days=1)) in [
        (e.role, e.action, e.due) for e in entries
    ]
    assert system_commands_due(case.v, due, CAL) == ()
    (command,) = system_commands_due(case.v, due + timedelta(days=1), CAL)
    assert isinstance(command, CloseRepresentationWindow)
    case.today = due + timedelta(days=1)
    case.run(command, system=True)
    assert _state(case) is CaseState.OPEN
    # The same sweep again issues the same command id, which changes nothing.
    assert case.run(command, system=True) == []


def test_conditions_to_chair_to_review_to_letter_7_and_the_next_review() -> None:
    case = Case().open().assess().impose_conditions()
    case.send("letter-2")
    case.advance(3)
    case.run(
        RecordRepresentation(
            case.next_id(), case.today - timedelta(days=1), case.today, "Sorry", True
        )
    )
    assert _state(case) is CaseState.CONDITIONS_WITH_CHAIR
    chair = [p for p in prompts_for(case.v, case.today, CAL) if p.role is Role.CHAIR]
    assert [p.action for p in chair] == [Action.DECIDE_AS_CHAIR]
    # For conditions the Chair's 10 school days run from the date of the person's letter.
    assert chair[0].deadline == CAL.school_days_after(case.today - timedelta(days=1), 10)
    assert not chair[0].overdue
    overdue_day = chair[0].deadline.due + timedelta(days=1)
    late = [p for p in prompts_for(case.v, overdue_day, CAL) if p.role is Role.CHAIR]
    assert late[0].overdue

    case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate"))
    decided_on = case.today
    assert _state(case) is CaseState.CONDITIONS_CONFIRMED
    letter_3 = case.v.letters[-1]
    assert (letter_3.letter, letter_3.signer) == (LetterKind.CONDITIONS_DECISION, Role.CHAIR)
    case.send("letter-3")  # sent the same day: no follow-up of it is due
    review_due = CAL.months_after(decided_on, 6)
    clerk = [p for p in prompts_for(case.v, case.today, CAL) if p.role is Role.CLERK]
    assert [(p.action, p.deadline) for p in clerk] == [(Action.SCHEDULE_REVIEW, review_due)]

    # The clerk is reminded 20 school days ahead, once.
    remind_on = min(e.due for e in open_deadlines(case.v, CAL) if e.action is Action.SEND_REMINDERS)
    assert CAL.school_days_between(remind_on, review_due.due) == REMINDER_LEAD_SCHOOL_DAYS
    assert system_commands_due(case.v, remind_on - timedelta(days=1), CAL) == ()
    case.today = remind_on
    (sweep,) = system_commands_due(case.v, case.today, CAL)
    produced = case.run(sweep, system=True)
    assert [(e.kind, e.roles) for e in produced if isinstance(e, NotificationRequired)] == [
        (NotificationKind.REVIEW_DUE_SOON, (Role.CLERK,))
    ]
    assert system_commands_due(case.v, case.today + timedelta(days=1), CAL) == ()

    meeting_on = CAL.school_days_after(case.today, 12).due
    case.run(ScheduleReview(case.next_id(), meeting_on), frozenset({Role.CLERK}))
    case.send("letter-6")
    case.run(RecordReviewStatement(case.next_id(), case.today, case.today, "I have complied"))
    case.today = meeting_on
    case.run(
        RecordReviewOutcome(case.next_id(), ReviewOutcome.VARY, "Good progress", conditions()),
        frozenset({Role.CLERK}),
    )
    assert _state(case) is CaseState.CONDITIONS_CONFIRMED
    letter_7 = case.v.letters[-1]
    assert letter_7.letter is LetterKind.REVIEW_OUTCOME
    send = [p for p in prompts_for(case.v, case.today, CAL) if p.letter_id == letter_7.letter_id]
    assert send[0].deadline == CAL.school_days_after(meeting_on, 10)
    # "A continued sanction gets its next review": six months after the meeting.
    clerk = [p for p in prompts_for(case.v, case.today, CAL) if p.action is Action.SCHEDULE_REVIEW]
    assert clerk[0].deadline == CAL.months_after(meeting_on, 6)


def test_a_ban_when_the_window_closes_without_a_letter() -> None:
    case = case_in(CaseState.BAN_WITH_CHAIR)
    window = case.v.window
    assert window is not None
    assert window.closed_on is not None
    chair = [p for p in prompts_for(case.v, case.today, CAL) if p.role is Role.CHAIR]
    assert chair[0].deadline == CAL.school_days_after(window.closed_on, 10)
    case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Serious"))
    assert _state(case) is CaseState.BAN_CONFIRMED
    head = [p for p in prompts_for(case.v, case.today, CAL) if p.role is Role.HEAD]
    progress = [p for p in head if p.action is Action.HOLD_PROGRESS_MEETING]
    assert progress[0].deadline == CAL.months_after(case.today, 12)
    held_on = case.today + timedelta(days=30)
    case.today = held_on
    take(case, Tr.PROGRESS_MEETING_HELD)
    head = [p for p in prompts_for(case.v, case.today, CAL) if p.role is Role.HEAD]
    progress = [p for p in head if p.action is Action.HOLD_PROGRESS_MEETING]
    assert progress[0].deadline == CAL.months_after(held_on, 12)


def test_for_a_ban_the_chairs_days_run_from_receipt() -> None:
    case = case_in(CaseState.BAN_PROVISIONAL)
    case.send("letter-4")
    case.advance(5)
    dated = case.today - timedelta(days=4)
    case.run(RecordRepresentation(case.next_id(), dated, case.today, "Sorry", True))
    chair = [p for p in prompts_for(case.v, case.today, CAL) if p.role is Role.CHAIR]
    assert chair[0].deadline == CAL.school_days_after(case.today, 10)


def test_replacing_a_ban_by_conditions_then_removing_them_then_closing() -> None:
    case = case_in(CaseState.BAN_UNDER_REVIEW)
    take(case, Tr.REVIEW_REPLACED_BAN_WITH_CONDITIONS)
    assert _state(case) is CaseState.CONDITIONS_CONFIRMED
    assert case.v.sanction.conditions == conditions()  # type: ignore[union-attr]
    take(case, Tr.REVIEW_SCHEDULED)
    take(case, Tr.REVIEW_REMOVED)
    assert _state(case) is CaseState.OPEN
    assert case.v.sanction is None
    events = take(case, Tr.CASE_CLOSED)
    assert any(
        isinstance(e, NotificationRequired) and e.kind is NotificationKind.POLICY_REVIEW_AFTER_CASE
        for e in events
    )
    assert prompts_for(case.v, case.today, CAL) == ()
    assert open_deadlines(case.v, CAL) == ()


def test_a_meeting_before_the_statement_deadline_asks_the_clerk_to_move_it() -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    case.advance(5)
    case.send("letter-6")
    actions = _actions(case, Role.CLERK)
    assert Action.RESCHEDULE_REVIEW in actions


def test_letters_and_notifications_are_effects_until_marked_done() -> None:
    case = case_in(CaseState.BAN_PROVISIONAL)
    pending = pending_effects(case.v)
    assert {x.letter for x in pending.letters} == {
        LetterKind.BAN,
        LetterKind.BAN_NOTICE_TO_CHAIR_OF_TRUSTEES,
    }
    letter_4 = next(x for x in pending.letters if x.letter is LetterKind.BAN)
    failed = case.run(
        RecordLetterDraftFailed("d-1", letter_4.letter_id, "mailbox offline"), system=True
    )
    assert any(isinstance(e, NotificationRequired) for e in failed)
    again = case.run(
        RecordLetterDraftFailed("d-2", letter_4.letter_id, "still offline"), system=True
    )
    assert not any(isinstance(e, NotificationRequired) for e in again)  # told once
    assert letter_4.letter_id in {x.letter_id for x in pending_effects(case.v).letters}  # retried
    head = [p for p in prompts_for(case.v, case.today, CAL) if p.letter_id == letter_4.letter_id]
    assert "write it by hand" in head[0].text
    case.run(RecordLetterDrafted("d-3", letter_4.letter_id, "drafts/4"), system=True)
    assert case.run(RecordLetterDrafted("d-4", letter_4.letter_id, "drafts/4"), system=True) == []
    assert letter_4.letter_id not in {x.letter_id for x in pending_effects(case.v).letters}
    for notification in pending_effects(case.v).notifications:
        case.run(
            RecordNotificationQueued(
                f"n-{notification.notification_id}", notification.notification_id
            ),
            system=True,
        )
    assert pending_effects(case.v).notifications == ()


def test_a_draft_states_the_reply_date_and_sending_later_never_shortens_it() -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    letter_6 = case.v.letters[-1]
    printed = provisional_reply_by(letter_6, case.today, CAL)
    case.advance(3)
    case.send("letter-6")
    actual = strict(CAL).school_days_after(case.today, 10)
    assert printed is not None
    assert actual.due >= printed.due


def test_without_enough_term_dates_deadlines_show_the_earliest_date_and_why() -> None:
    short = SchoolCalendar(
        Region.ENGLAND, TermDates(Region.ENGLAND, (Term(date(2026, 1, 5), date(2026, 3, 27)),))
    )
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    clerk = [p for p in prompts_for(case.v, case.today, short) if p.role is Role.CLERK]
    deadline = clerk[0].deadline
    assert deadline is not None
    assert deadline.due == add_months(case.v.review_anchor, 6)  # type: ignore[arg-type]
    assert deadline.warning is not None
    assert "earliest" in deadline.warning


def test_the_policy_is_reviewed_every_two_years() -> None:
    prompt = policy_review_prompt(date(2024, 1, 30), date(2026, 1, 12), CAL)
    assert prompt.role is Role.TRUST
    assert prompt.deadline is not None
    assert prompt.deadline.due >= add_months(date(2024, 1, 30), 24)
    later = policy_review_prompt(date(2024, 1, 30), prompt.deadline.due + timedelta(days=1), CAL)
    assert later.overdue
    assert not prompt.overdue


def test_missing_contact_details_are_prompted() -> None:
    case = Case().open()
    case.run(
        UpdatePersonDetails(
            case.next_id(), case.v.person.__class__(case.v.person.name, case.v.person.relationship)
        )
    )
    assert Action.ADD_CONTACT_DETAILS in _actions(case, Role.HEAD)
