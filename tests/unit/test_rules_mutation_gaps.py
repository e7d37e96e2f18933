"""Rules that mutation testing (`make mutation`) showed no test would notice breaking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from rules.behaviours import ChairOutcome, LetterKind
from rules.calendar import Region, SchoolCalendar, Term, TermDates
from rules.core.events import event_from_record, event_to_record
from rules.core.view import LetterRecord
from rules.errors import CalendarError, HistoryError, TooFewStaff
from rules.permissions import required_roles
from rules.prompts import Action, letter_reply_by, policy_review_prompt, provisional_reply_by
from rules.roles import Role
from rules.steps.chair import DecideAsChair
from rules.steps.informal_meeting import (
    ArrangeInformalMeeting,
    CancelInformalMeeting,
    RecordInformalMeeting,
)
from rules.steps.letters import LetterSent
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


# --- term dates are checked as they are read ---------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-09-01", date(2026, 12, 18), "A term's start must be a date (YYYY-MM-DD), got "),
        (date(2026, 9, 1), "2026-12-18", "A term's end must be a date (YYYY-MM-DD), got "),
    ],
)
def test_a_term_date_that_is_not_a_date_is_named(start: object, end: object, message: str) -> None:
    with pytest.raises(CalendarError) as refusal:
        Term(start, end)  # type: ignore[arg-type]
    assert str(refusal.value).startswith(message)


def test_a_one_day_term_and_a_26_week_term_are_terms() -> None:
    assert D("2026-09-01") in Term(D("2026-09-01"), D("2026-09-01"))
    Term(D("2026-01-05"), D("2026-01-05") + timedelta(weeks=26))
    with pytest.raises(CalendarError, match="longer than any school term"):
        Term(D("2026-01-05"), D("2026-01-06") + timedelta(weeks=26))


def test_term_dates_keep_the_region_and_closures_they_were_given() -> None:
    term = Term(D("2026-09-01"), D("2026-12-18"))
    dates = TermDates("england", (term,), [D("2026-10-02")])  # type: ignore[arg-type]
    assert dates.region is Region.ENGLAND
    assert dates.closures == frozenset({D("2026-10-02")})


@pytest.mark.parametrize(
    ("terms", "closures", "message"),
    [
        ((), (), "The term dates contain no terms."),
        (("2026-09-01",), (), "A term must be a Term, got '2026-09-01'."),
        (None, ("2026-10-02",), "A closure must be a date (YYYY-MM-DD), got '2026-10-02'."),
    ],
)
def test_bad_term_dates_are_refused_saying_what_is_wrong(
    terms: tuple[object, ...] | None, closures: tuple[object, ...], message: str
) -> None:
    given = (Term(D("2026-09-01"), D("2026-12-18")),) if terms is None else terms
    with pytest.raises(CalendarError) as refusal:
        TermDates(Region.ENGLAND, given, closures)  # type: ignore[arg-type]
    assert str(refusal.value) == message


# --- the reply-by date of a sent letter --------------------------------------------------


def test_a_sent_letters_reply_by_date_counts_from_the_day_it_was_sent() -> None:
    case = Case().open().assess().impose_conditions()
    letter_id = case.v.letters[-1].letter_id
    assert letter_reply_by(case.v.letters[-1], calendar()) is None  # not sent yet
    case.send(LetterKind.CONDITIONS.value)
    letter = case.v.letter(letter_id)
    assert letter is not None
    assert letter.sent_on is not None
    counted = letter_reply_by(letter, calendar())
    assert counted is not None
    assert counted.due == calendar().school_days_after(letter.sent_on, 10).due
    later = replace(letter, reply_by=counted.due + timedelta(days=3))
    assert letter_reply_by(later, calendar()).due == counted.due + timedelta(days=3)  # type: ignore[union-attr]
    earlier = replace(letter, reply_by=counted.due - timedelta(days=3))
    assert letter_reply_by(earlier, calendar()).due == counted.due  # type: ignore[union-attr]
    no_reply = replace(letter, reply_within_school_days=None)
    assert letter_reply_by(no_reply, calendar()) is None


# --- reply-by dates past the configured terms (issue 9, rule 6) -------------------------

LAST_TERM_ENDS = "Wednesday 21 July 2027"  # the last term in rules_builders.TERMS


def _conditions_letter_sent_on(day: date) -> LetterRecord:
    case = Case().open().assess().impose_conditions()
    case.send(LetterKind.CONDITIONS.value)
    return replace(case.v.letters[-1], sent_on=day)


def test_a_reply_by_date_past_the_terms_is_the_earliest_possible_with_the_reason() -> None:
    letter = _conditions_letter_sent_on(D("2027-07-15"))

    counted = letter_reply_by(letter, calendar())  # what a prompt shows: lenient

    assert counted is not None
    assert counted.due == D("2027-07-25")  # 10 calendar days: the earliest it could be
    assert counted.warning is not None
    assert f"which ends on {LAST_TERM_ENDS}" in counted.warning
    assert counted.warning.endswith("The date shown is the earliest it could be.")


def test_a_printed_reply_by_date_past_the_terms_is_never_guessed() -> None:
    letter = _conditions_letter_sent_on(D("2027-07-15"))

    with pytest.raises(CalendarError, match=f"which ends on {LAST_TERM_ENDS}"):
        letter_reply_by(letter, calendar(), exact=True)
    with pytest.raises(CalendarError, match=f"which ends on {LAST_TERM_ENDS}"):
        provisional_reply_by(letter, D("2027-07-15"), calendar(), exact=True)


def test_a_draft_reply_by_date_past_the_terms_is_the_earliest_possible_with_the_reason() -> None:
    letter = _conditions_letter_sent_on(D("2027-07-15"))

    counted = provisional_reply_by(letter, D("2027-07-15"), calendar())

    assert counted is not None
    assert counted.due == D("2027-07-25")
    assert counted.warning is not None
    assert f"which ends on {LAST_TERM_ENDS}" in counted.warning


def test_a_later_printed_reply_by_date_keeps_the_warning_that_it_was_not_counted() -> None:
    # The letter says 31 July; the count past the terms gives 25 July at the earliest: the
    # later, printed date stands, and it is still not a date the term dates could confirm.
    letter = replace(_conditions_letter_sent_on(D("2027-07-15")), reply_by=D("2027-07-31"))

    counted = letter_reply_by(letter, calendar())

    assert counted is not None
    assert counted.due == D("2027-07-31")
    assert counted.warning is not None
    assert f"which ends on {LAST_TERM_ENDS}" in counted.warning


def test_the_roles_that_may_issue_a_command_are_the_same_for_the_command_and_its_type() -> None:
    command = DecideAsChair(command_id="c", outcome=ChairOutcome.CONFIRM, reason="Serious")

    assert required_roles(command) == required_roles(DecideAsChair) == frozenset({Role.CHAIR})


# --- the stored form -----------------------------------------------------------------------


def test_a_stored_event_with_bad_data_names_its_kind_and_the_fault() -> None:
    # What an operator reads when a stored case cannot be replayed: which kind, and why.
    kind, record = event_to_record(LetterSent("l-1", date(2026, 1, 5)))
    with pytest.raises(ValueError, match="Invalid isoformat") as fault:
        date.fromisoformat("5th January")
    with pytest.raises(HistoryError) as raised:
        event_from_record(kind, {**record, "sent_on": "5th January"})
    assert str(raised.value) == f"letter-sent: {fault.value}"
    assert raised.value.__cause__ is not None
    with pytest.raises(HistoryError) as unknown:
        event_from_record("no-such-kind", {})
    assert str(unknown.value) == "unknown event kind 'no-such-kind'"
