"""Paths of the case engine that no test reached (issue 9, "Tests that catch a wrong rule"):
each test names the rule it checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from casework.projection import project
from rules import timeline as tl
from rules.behaviours import LetterKind, NotificationKind, ReviewOutcome
from rules.errors import InvalidDetails, LetterAlreadyWithdrawn, ReviewStatementAlreadyRecorded
from rules.prompts import Action, due_reminders, prompts_for
from rules.roles import Role
from rules.state import CaseState, Trigger
from rules.steps.letters import RecordLetterSent, WithdrawLetter
from rules.steps.notifications import SendDueReminders
from rules.steps.representations import RecordRepresentation
from rules.steps.review import RecordReviewOutcome, RecordReviewStatement

from .rules_builders import STEPS, Case, calendar, case_in, conditions

UTC_NOON = datetime(2026, 1, 12, 12, tzinfo=UTC)


def _chair_notices(case: Case) -> list[tuple[NotificationKind, tuple[Role, ...]]]:
    return [
        (n.kind, n.roles)
        for n in case.v.notifications
        if n.kind is NotificationKind.CHAIR_DECISION_NEEDED
    ]


def _letter(case: Case, kind: LetterKind) -> str:
    return next(x.letter_id for x in reversed(case.v.letters) if x.letter is kind)


# --- the chair is told after a written representation ------------------------------------


def test_the_chair_is_told_when_the_person_writes_that_they_have_nothing_more_to_add() -> None:
    case = case_in(CaseState.CONDITIONS_PROVISIONAL)
    case.send(LetterKind.CONDITIONS.value)
    assert _chair_notices(case) == []
    case.advance(2)
    case.run(RecordRepresentation("r-1", case.today, case.today, "I apologise; nothing more", True))
    assert case.state is CaseState.CONDITIONS_WITH_CHAIR
    assert _chair_notices(case) == [(NotificationKind.CHAIR_DECISION_NEEDED, (Role.CHAIR,))]
    chair = [p for p in prompts_for(case.v, case.today, calendar()) if p.role is Role.CHAIR]
    assert [p.action for p in chair] == [Action.DECIDE_AS_CHAIR]


def test_the_chair_is_told_once_when_the_window_closes_after_a_written_representation() -> None:
    case = case_in(CaseState.BAN_PROVISIONAL)
    case.send(LetterKind.BAN.value)
    case.advance(1)
    case.run(RecordRepresentation("r-1", case.today, case.today, "A holding reply"))
    assert _chair_notices(case) == []  # the window is still open: the chair waits
    sent_on = case.v.letter(_letter(case, LetterKind.BAN)).sent_on  # type: ignore[union-attr]
    assert sent_on is not None
    case.today = calendar().school_days_after(sent_on, 10).due + timedelta(days=1)
    case.close_window()
    assert case.state is CaseState.BAN_WITH_CHAIR
    assert _chair_notices(case) == [(NotificationKind.CHAIR_DECISION_NEEDED, (Role.CHAIR,))]
    assert [r.summary for r in case.v.window.representations] == ["A holding reply"]  # type: ignore[union-attr]


# --- a review outcome extends a ban to a new end date ------------------------------------


def _on_meeting_day(state: CaseState) -> Case:
    case = case_in(state)
    STEPS[Trigger.REVIEW_EXTENDED].prepare(case)
    return case


def test_a_review_that_extends_a_ban_gives_it_the_new_end_date() -> None:
    case = _on_meeting_day(CaseState.BAN_UNDER_REVIEW)
    assert case.v.sanction is not None
    # Later than both the meeting and any end the ban already has (issue 9, rule 5).
    new_end = max(case.today, case.v.sanction.until or case.today) + timedelta(days=182)
    case.run(RecordReviewOutcome("o-1", ReviewOutcome.EXTEND, "Continued contact", until=new_end))
    assert case.state is CaseState.BAN_CONFIRMED
    assert case.v.sanction is not None
    assert case.v.sanction.until == new_end
    assert case.v.reviews[-1].outcome is ReviewOutcome.EXTEND


def test_a_review_that_maintains_a_ban_leaves_its_end_date_alone() -> None:
    case = _on_meeting_day(CaseState.BAN_UNDER_REVIEW)
    before = case.v.sanction.until  # type: ignore[union-attr]
    later = case.today + timedelta(days=90)
    case.run(RecordReviewOutcome("o-1", ReviewOutcome.MAINTAIN, "No change", until=later))
    assert case.v.sanction.until == before  # type: ignore[union-attr]


@pytest.mark.parametrize("days_after_meeting", [0, -1])
def test_an_extended_ban_must_end_after_the_meeting(days_after_meeting: int) -> None:
    case = _on_meeting_day(CaseState.BAN_UNDER_REVIEW)
    meeting = case.v.current_review.meeting_on  # type: ignore[union-attr]
    before = case.v
    with pytest.raises(InvalidDetails, match="new end date must be after the meeting"):
        case.run(
            RecordReviewOutcome(
                "o-1",
                ReviewOutcome.EXTEND,
                "Extended",
                until=meeting + timedelta(days=days_after_meeting),
            )
        )
    assert case.v is before


def test_a_review_that_replaces_a_ban_by_conditions_ends_the_ban() -> None:
    case = _on_meeting_day(CaseState.BAN_UNDER_REVIEW)
    case.run(
        RecordReviewOutcome(
            "o-1", ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS, "Regret shown", conditions()
        )
    )
    assert case.state is CaseState.CONDITIONS_CONFIRMED
    assert case.v.sanction is not None
    assert case.v.sanction.until is None
    assert case.v.sanction.conditions == conditions()


# --- the progress-meeting reminder under a ban -------------------------------------------


def test_the_head_is_reminded_of_the_annual_progress_meeting_under_a_confirmed_ban() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)
    confirmed_on = case.v.sanction.confirmed_on  # type: ignore[union-attr]
    assert confirmed_on is not None
    count = tl.lenient(calendar())
    due = tl.progress_meeting_due(case.v, count)
    remind_on = tl.progress_reminder_from(case.v, count)
    assert due is not None
    assert remind_on is not None
    # About a year after the Chair confirmed the ban, reminded ahead of time.
    assert date(confirmed_on.year + 1, confirmed_on.month, confirmed_on.day) <= due.due
    assert due.due - confirmed_on < timedelta(days=365 + 31)
    assert remind_on < due.due

    def kinds(on: date) -> list[NotificationKind]:
        return [r.kind for r in due_reminders(case.v, on, calendar())]

    assert NotificationKind.PROGRESS_MEETING_DUE_SOON not in kinds(remind_on - timedelta(days=1))
    reminder = next(
        r
        for r in due_reminders(case.v, remind_on, calendar())
        if r.kind is NotificationKind.PROGRESS_MEETING_DUE_SOON
    )
    assert reminder.roles == (Role.HEAD,)
    case.today = remind_on
    case.run(SendDueReminders("sweep-1"), system=True)
    assert NotificationKind.PROGRESS_MEETING_DUE_SOON not in kinds(remind_on)  # only once
    head = [p for p in prompts_for(case.v, remind_on, calendar()) if p.role is Role.HEAD]
    meeting = next(p for p in head if p.action is Action.HOLD_PROGRESS_MEETING)
    assert meeting.deadline is not None
    assert meeting.deadline.due == due.due


def test_no_progress_meeting_reminder_under_conditions() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    far = case.today + timedelta(days=400)
    kinds = [r.kind for r in due_reminders(case.v, far, calendar())]
    assert NotificationKind.PROGRESS_MEETING_DUE_SOON not in kinds
    assert all(
        p.action is not Action.HOLD_PROGRESS_MEETING for p in prompts_for(case.v, far, calendar())
    )


# --- a prompt is not overdue on its due day ----------------------------------------------


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (CaseState.CONDITIONS_CONFIRMED, Action.SEND_LETTER),  # letter 3
        (CaseState.CONDITIONS_WITH_CHAIR, Action.DECIDE_AS_CHAIR),
        (CaseState.BAN_CONFIRMED, Action.SCHEDULE_REVIEW),
        (CaseState.CONDITIONS_UNDER_REVIEW, Action.RECORD_REVIEW_OUTCOME),
    ],
    ids=str,
)
def test_a_prompt_is_overdue_only_after_its_due_day(state: CaseState, action: Action) -> None:
    case = case_in(state)

    def prompt_on(day: date) -> bool:
        found = next(p for p in prompts_for(case.v, day, calendar()) if p.action is action)
        return found.overdue

    first = next(p for p in prompts_for(case.v, case.today, calendar()) if p.action is action)
    assert first.deadline is not None
    due = first.deadline.due
    assert prompt_on(due - timedelta(days=1)) is False
    assert prompt_on(due) is False
    assert prompt_on(due + timedelta(days=1)) is True


# --- the Cases row's next action and deadline --------------------------------------------


def test_the_cases_row_shows_the_soonest_dated_action_and_its_deadline() -> None:
    case = case_in(CaseState.CONDITIONS_WITH_CHAIR)
    prompts = prompts_for(case.v, case.today, calendar())
    decide = next(p for p in prompts if p.action is Action.DECIDE_AS_CHAIR)
    assert decide.deadline is not None
    row, _ = project(case.v, case.today, calendar(), UTC_NOON)
    assert row.status == CaseState.CONDITIONS_WITH_CHAIR.value
    assert row.next_action == (
        "Confirm or overturn the Headteacher/Principal's decision, and write to the person."
    )
    assert row.next_deadline == decide.deadline.due


def test_the_cases_row_names_an_undated_action_with_no_deadline() -> None:
    case = Case().open()  # an incident to assess: the policy sets no date for it
    row, _ = project(case.v, case.today, calendar(), UTC_NOON)
    assert row.next_action == "Carry out the risk assessment for incident 1."
    assert row.next_deadline is None


def test_the_cases_row_gives_the_dated_action_before_an_undated_one() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)  # review to arrange (dated), progress meeting (dated)
    row, _ = project(case.v, case.today, calendar(), UTC_NOON)
    dated = [p for p in prompts_for(case.v, case.today, calendar()) if p.deadline is not None]
    soonest = min(dated, key=lambda p: p.deadline.due)  # type: ignore[union-attr]
    assert row.next_action == soonest.text
    assert row.next_deadline == soonest.deadline.due  # type: ignore[union-attr]


def test_a_closed_case_has_no_next_action() -> None:
    case = case_in(CaseState.CLOSED)
    row, deadlines = project(case.v, case.today, calendar(), UTC_NOON)
    assert row.status == CaseState.CLOSED.value
    assert row.next_action is None
    assert row.next_deadline is None
    assert [d for d in deadlines if d.role is not None] == []


# --- a second statement for one review ---------------------------------------------------


def test_a_second_statement_for_one_review_is_refused_and_changes_nothing() -> None:
    case = case_in(CaseState.BAN_UNDER_REVIEW)
    _letter6_sent(case)
    case.run(RecordReviewStatement("s-1", case.today, case.today, "I am sorry"))
    before = case.v
    with pytest.raises(ReviewStatementAlreadyRecorded) as refusal:
        case.run(RecordReviewStatement("s-2", case.today, case.today, "A second thought"))
    assert str(refusal.value).startswith("A statement received on ")
    assert "is already recorded for this review" in str(refusal.value)
    assert case.v is before
    assert case.v.current_review.statement.summary == "I am sorry"  # type: ignore[union-attr]


def _letter6_sent(case: Case) -> None:
    letter6 = case.v.letter(case.v.current_review.letter_id)  # type: ignore[union-attr]
    assert letter6 is not None
    if letter6.sent_on is None:
        case.run(RecordLetterSent("l6", letter6.letter_id, case.today))


# --- a withdrawn letter recorded as sent -------------------------------------------------


def test_a_withdrawn_letter_cannot_be_recorded_as_sent() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    letter_3 = _letter(case, LetterKind.CONDITIONS_DECISION)
    case.run(WithdrawLetter("w-1", letter_3, "Wrong address"))
    before = case.v
    with pytest.raises(LetterAlreadyWithdrawn, match="was withdrawn: Wrong address"):
        case.run(RecordLetterSent("s-1", letter_3, case.today))
    assert case.v is before
    assert case.v.letter(letter_3).sent_on is None  # type: ignore[union-attr]
