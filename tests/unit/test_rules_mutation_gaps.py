"""Rules that mutation testing (`make mutation`) showed no test would notice breaking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules.behaviours import ChairOutcome, LetterKind
from rules.calendar import Region, SchoolCalendar
from rules.errors import TooFewStaff
from rules.prompts import Action, policy_review_prompt
from rules.roles import Role
from rules.steps.chair import DecideAsChair
from rules.steps.informal_meeting import (
    ArrangeInformalMeeting,
    CancelInformalMeeting,
    RecordInformalMeeting,
)
from rules.steps.no_further_action import RecordNoFurtherAction
from rules.steps.reporting import ReportIncident
from tests.builders import at, incident

from .rules_builders import Case, calendar

D = date.fromisoformat
WORKING_DAYS = SchoolCalendar(Region.ENGLAND, None)  # no term dates: weekdays not bank holidays


# --- counting without term dates ---------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "until", "days"),
    [
        ("2026-06-01", "2026-06-05", 4),  # Monday to Friday: Tuesday..Friday
        ("2026-06-05", "2026-06-08", 1),  # Friday to Monday: the weekend does not count
        ("2026-06-05", "2026-06-05", 0),  # the same day
        ("2026-06-08", "2026-06-05", 0),  # backwards
        ("2026-05-22", "2026-05-26", 1),  # over the late-May bank holiday (Monday 25 May)
    ],
)
def test_working_days_between_count_weekdays_that_are_not_bank_holidays(
    after: str, until: str, days: int
) -> None:
    assert WORKING_DAYS.school_days_between(D(after), D(until)) == days


@pytest.mark.parametrize(
    ("start", "count", "due"),
    [
        ("2026-06-05", 1, "2026-06-08"),  # Friday + 1 working day: Monday
        ("2026-06-01", 10, "2026-06-15"),  # Monday + 10: Monday a fortnight on
        ("2026-05-22", 1, "2026-05-26"),  # Friday before the bank holiday: Tuesday
        ("2026-05-21", 3, "2026-05-27"),
    ],
)
def test_working_days_after_count_each_working_day_once(start: str, count: int, due: str) -> None:
    assert WORKING_DAYS.school_days_after(D(start), count).due == D(due)


# --- the trust's two-yearly policy review ------------------------------------------------


def test_the_policy_review_prompt_goes_to_the_trust_two_years_on() -> None:
    prompt = policy_review_prompt(D("2024-01-30"), D("2025-06-01"), calendar())
    assert prompt.role is Role.TRUST
    assert prompt.action is Action.REVIEW_POLICY
    assert prompt.text == (
        "Review the policy on managing aggressive behaviour from parents and visitors "
        "(last reviewed Tuesday 30 January 2024)."
    )
    assert prompt.deadline is not None
    assert D("2026-01-30") <= prompt.deadline.due <= D("2026-02-13")
    assert prompt.overdue is False


# --- two members of staff at an informal meeting -----------------------------------------


def test_a_meeting_with_one_member_of_staff_is_refused_saying_how_many_were_named() -> None:
    case = Case().open().assess()
    with pytest.raises(TooFewStaff) as refusal:
        case.run(
            ArrangeInformalMeeting(
                "m-1", at(case.today + timedelta(days=3)), "Office", ("Head", " Head "), True, True
            )
        )
    assert str(refusal.value).startswith("At least two members of staff must be ")
    assert "None" not in str(refusal.value)
    assert ("Staff named", "1") in [(f.label, f.value) for f in refusal.value.facts]


# --- "all relevant procedures have been exhausted" ---------------------------------------


def _second_incident(case: Case, days_later: int = 1) -> int:
    case.advance(days_later)
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    return len(case.v.incidents)


def _overturn_or_confirm(case: Case, outcome: ChairOutcome) -> None:
    case.send(LetterKind.CONDITIONS.value)
    case.advance(16)
    case.close_window()
    case.run(DecideAsChair(case.next_id(), outcome, "Considered the letter"))


def test_conditions_the_chair_overturned_are_not_an_earlier_step() -> None:
    case = Case().open().assess().impose_conditions()
    _overturn_or_confirm(case, ChairOutcome.OVERTURN)
    later = _second_incident(case)
    assert case.v.procedures_exhausted_before(later) is False


def test_conditions_the_chair_confirmed_are_an_earlier_step() -> None:
    case = Case().open().assess().impose_conditions()
    _overturn_or_confirm(case, ChairOutcome.CONFIRM)
    later = _second_incident(case)
    assert case.v.procedures_exhausted_before(later) is True


def test_a_warning_sent_after_a_cancelled_meeting_on_the_same_incident_counts() -> None:
    case = Case().open().assess()
    case.run(
        ArrangeInformalMeeting(
            "m-1", at(case.today + timedelta(days=3)), "Office", ("Head", "Deputy"), True, True
        )
    )
    case.run(CancelInformalMeeting("m-2", "The parent declined"))
    case.warn()
    case.send(LetterKind.WARNING.value)
    later = _second_incident(case)
    assert case.v.procedures_exhausted_before(later) is True


def test_an_incident_on_the_day_the_warning_was_sent_comes_after_it() -> None:
    case = Case().open().assess().warn()
    case.send(LetterKind.WARNING.value)
    later = _second_incident(case, days_later=0)
    assert case.v.procedures_exhausted_before(later) is True


def test_a_meeting_held_on_the_same_incident_is_not_an_earlier_step() -> None:
    case = Case().open().assess()
    case.run(RecordNoFurtherAction(case.next_id(), "Resolved"))
    second = _second_incident(case, days_later=0)
    case.assess()
    case.run(
        ArrangeInformalMeeting("m-1", at(case.today, 15), "Office", ("Head", "Deputy"), True, True)
    )
    case.run(RecordInformalMeeting("m-2", case.today, ("Head", "Deputy"), "Talked", ("Calm",)))
    assert case.v.procedures_exhausted_before(second) is False


def test_an_incident_not_on_the_case_has_no_procedures_exhausted_before_it() -> None:
    case = Case().open().assess().warn()
    case.send(LetterKind.WARNING.value)
    assert case.v.procedures_exhausted_before(99) is False
