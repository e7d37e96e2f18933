"""Calendar and timeline rules that mutation testing (`make mutation`) showed no test would
notice breaking: the ends of the term dates, the year 9999, the earliest-date warnings."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

import pytest

from rules import timeline as tl
from rules.behaviours import BanGround
from rules.calendar import (
    BeyondTermDates,
    Deadline,
    OutsideTermDates,
    Region,
    SchoolCalendar,
    Term,
    TermDates,
    add_months,
    format_day,
)
from rules.codec import decode, encode
from rules.core.fold import folded_event_types
from rules.core.view import CaseView, ProgressMeetingRecord, RepresentationRecord
from rules.errors import CalendarError, HistoryError
from rules.events import EVENT_TYPES
from rules.state import CaseState
from tests.builders import at

from .rules_builders import calendar, case_in

D = date.fromisoformat
WORKING_DAYS = SchoolCalendar(Region.ENGLAND, None)  # no term dates: weekdays not bank holidays
# One autumn term only: 1 September (a Tuesday) to Friday 18 December 2026.
AUTUMN_2026 = TermDates(Region.ENGLAND, (Term(D("2026-09-01"), D("2026-12-18")),))
FIRST, LAST = D("2026-09-01"), D("2026-12-18")


def autumn() -> SchoolCalendar:
    return SchoolCalendar(Region.ENGLAND, AUTUMN_2026)


# --- months and the year 9999 -------------------------------------------------------------


def test_months_can_be_added_within_the_year_9999() -> None:
    assert add_months(D("9999-01-31"), 1) == D("9999-02-28")
    assert add_months(D("9999-01-15"), 11) == D("9999-12-15")


def test_months_running_past_the_year_9999_are_refused_saying_so() -> None:
    with pytest.raises(CalendarError, match=r"^1 months after 9999-12-01 is beyond year 9999\.$"):
        add_months(D("9999-12-01"), 1)


def test_working_days_running_past_the_last_representable_day_are_refused_saying_so() -> None:
    # 31 December 9999 is a Friday, the last day a date can hold.
    with pytest.raises(CalendarError, match=r"^5 working days after 9999-12-29 is too far\.$"):
        WORKING_DAYS.school_days_after(D("9999-12-29"), 5)
    with pytest.raises(CalendarError, match=r"^1 working days after 9999-12-31 is too far\.$"):
        WORKING_DAYS.school_days_after(D("9999-12-31"), 1)


# --- single days --------------------------------------------------------------------------


def test_a_bank_holiday_is_one_and_an_ordinary_weekday_is_not() -> None:
    assert WORKING_DAYS.is_bank_holiday(D("2025-12-25"))  # Christmas Day
    assert WORKING_DAYS.is_bank_holiday(D("2026-05-04"))  # Early May bank holiday
    assert not WORKING_DAYS.is_bank_holiday(D("2025-12-23"))
    assert not WORKING_DAYS.is_bank_holiday(D("2026-05-05"))


def test_the_term_dates_cover_their_first_and_last_days_and_no_further() -> None:
    calendar = autumn()
    assert calendar.covers(FIRST)
    assert calendar.covers(LAST)
    assert not calendar.covers(FIRST - timedelta(days=1))
    assert not calendar.covers(LAST + timedelta(days=1))


def test_the_last_day_of_the_term_dates_can_be_asked_about() -> None:
    calendar = autumn()
    assert calendar.is_school_day(LAST)
    assert calendar.reason_not_school_day(LAST) is None
    assert calendar.is_school_day(FIRST)


def test_a_day_after_the_term_dates_is_refused_naming_the_dates_covered() -> None:
    with pytest.raises(OutsideTermDates) as raised:
        autumn().is_school_day(LAST + timedelta(days=3))
    assert str(raised.value) == (
        f"This school's term dates cover {format_day(FIRST)} to {format_day(LAST)}, so "
        f"nobody can say whether {format_day(LAST + timedelta(days=3))} is a school day. "
        "Ask the trust's administrator to add the term dates for that school year."
    )
    assert (raised.value.first_covered, raised.value.last_covered) == (FIRST, LAST)


# --- counting -----------------------------------------------------------------------------


def test_no_school_days_are_left_on_the_last_day_of_the_term_dates_or_after() -> None:
    calendar = autumn()
    assert calendar.school_days_left(LAST) == 0
    assert calendar.school_days_left(LAST + timedelta(days=10)) == 0
    assert calendar.school_days_left(LAST - timedelta(days=1)) == 1  # Thursday: Friday left


def test_no_school_days_lie_between_a_day_and_itself_even_after_the_term_dates() -> None:
    after = LAST + timedelta(days=5)
    assert autumn().school_days_between(after, after) == 0
    assert WORKING_DAYS.school_days_between(D("2026-01-12"), D("2026-01-12")) == 0


def test_counting_school_days_to_a_day_after_the_term_dates_is_refused() -> None:
    with pytest.raises(OutsideTermDates) as raised:
        autumn().school_days_between(LAST - timedelta(days=7), LAST + timedelta(days=4))
    assert f"whether {format_day(LAST + timedelta(days=4))} is a school day" in str(raised.value)


def test_the_first_school_day_after_the_term_dates_is_refused_saying_what_was_asked() -> None:
    last = LAST
    day = last + timedelta(days=3)
    with pytest.raises(BeyondTermDates) as raised:
        autumn().first_school_day_on_or_after(day)
    assert str(raised.value) == (
        f"The first school day on or after {format_day(day)} falls after the last term in this "
        f"school's term dates, which ends on {format_day(last)}. Ask the trust's administrator "
        f"to add the term dates for the next school year (from "
        f"{format_day(last + timedelta(days=1))} on), then try again."
    )
    assert raised.value.last_covered == last


def test_the_first_school_day_counted_from_well_before_the_term_dates_says_so() -> None:
    answer = autumn().first_school_day_on_or_after(D("2026-07-01"))
    assert answer.due == FIRST
    assert answer.warning is not None
    assert answer.warning.startswith(f"This school's term dates begin on {format_day(FIRST)}")
    assert autumn().first_school_day_on_or_after(FIRST).warning is None


# --- counting for the case's deadlines (rules.timeline) -----------------------------------


def test_strict_counting_of_months_is_the_calendars_own_answer() -> None:
    start = D("2026-03-31")
    assert tl.strict(calendar()).months_after(start, 6) == calendar().months_after(start, 6)
    assert tl.strict(calendar()).months_after(start, 6).due == D("2026-09-30")


def test_lenient_months_beyond_the_term_dates_give_the_earliest_date_and_say_why() -> None:
    answer = tl.lenient(autumn()).months_after(D("2026-11-10"), 6)
    assert answer.due == D("2027-05-10")
    assert answer.warning == (
        f"The first school day on or after {format_day(D('2027-05-10'))} falls after the last "
        f"term in this school's term dates, which ends on {format_day(LAST)}. Ask the trust's "
        "administrator to add the term dates for the next school year (from "
        f"{format_day(LAST + timedelta(days=1))} on), then try again. "
        "The date shown is the earliest it could be."
    )


def test_counting_back_with_no_school_day_in_reach_stops_after_200_days() -> None:
    day = D("2027-12-31")  # over a year after the only term: no day it covers is in reach
    assert tl.lenient(autumn()).school_days_before(day, 20) == day - timedelta(days=201)


def test_no_chair_deadline_is_counted_for_a_case_with_the_chair_but_no_reply_window() -> None:
    view = case_in(CaseState.BAN_WITH_CHAIR).v
    assert view.sanction is not None
    assert tl.chair_deadline(replace(view, window=None), tl.strict(calendar())) is None


def test_the_chairs_conditions_letter_counts_from_the_date_of_the_parents_letter() -> None:
    view = case_in(CaseState.CONDITIONS_CONFIRMED).v
    [decision] = view.chair_decisions
    assert decision.window_closed_on == D("2026-01-26")
    representation = RepresentationRecord(
        letter_id=decision.provisional_letter_id,
        letter_dated=D("2026-01-28"),
        received_on=D("2026-02-02"),
        summary="I was not there",
        recorded_by="actor-1",
        recorded_at=at(D("2026-02-02"), 10),
        late=True,
    )
    view = replace(view, chair_decisions=(replace(decision, representation=representation),))
    due = tl.chair_letter_due(view, decision.letter_id, tl.strict(calendar()))
    assert due == calendar().school_days_after(D("2026-01-28"), 10)


def test_letter_6_must_go_eleven_school_days_before_the_review_meeting() -> None:
    view = case_in(CaseState.BAN_UNDER_REVIEW).v
    review = view.current_review
    assert review is not None
    send_by = tl.letter_6_send_by(view, tl.strict(calendar()))
    assert send_by is not None
    assert send_by.warning is None
    # 10 school days for the statement, ending at least one school day before the meeting.
    assert calendar().school_days_between(send_by.due, review.meeting_on) == 11
    assert calendar().school_days_between(send_by.due + timedelta(days=1), review.meeting_on) == 10
    assert tl.letter_due(view, review.letter_id, tl.strict(calendar())) == send_by


def test_letter_6_has_no_send_by_date_without_a_review_in_progress() -> None:
    view = case_in(CaseState.BAN_CONFIRMED).v
    assert view.current_review is None
    assert tl.letter_6_send_by(view, tl.strict(calendar())) is None


def test_no_progress_meeting_is_due_under_a_ban_the_chair_has_not_confirmed() -> None:
    view = case_in(CaseState.BAN_WITH_CHAIR).v
    assert view.sanction is not None
    assert view.progress_anchor is None
    assert tl.progress_meeting_due(view, tl.lenient(calendar())) is None


def test_a_progress_meeting_due_on_the_bans_last_day_is_still_due() -> None:
    view = case_in(CaseState.BAN_CONFIRMED).v
    assert view.sanction is not None
    due = tl.progress_meeting_due(view, tl.lenient(calendar()))
    assert due is not None
    on_last_day = replace(view, sanction=replace(view.sanction, until=due.due))
    assert tl.progress_meeting_due(on_last_day, tl.lenient(calendar())) == due
    ends_before = replace(view, sanction=replace(view.sanction, until=due.due - timedelta(days=1)))
    assert tl.progress_meeting_due(ends_before, tl.lenient(calendar())) is None


def _with_review_days(*days: str) -> SchoolCalendar:
    return SchoolCalendar(Region.ENGLAND, calendar().term_dates, [D(day) for day in days])


def _progress_meeting_held(on: str) -> CaseView:
    view = case_in(CaseState.BAN_CONFIRMED).v
    assert view.sanction is not None
    return replace(
        view,
        sanction=replace(view.sanction, until=None),  # a ban without a defined end
        progress_meetings=(ProgressMeetingRecord(D(on), "Doing well", "head-1"),),
    )


def test_a_progress_meeting_held_on_the_day_of_confirmation_leaves_the_next_review_day_due() -> (
    None
):
    view = _progress_meeting_held("2026-01-27")  # the day the Chair confirmed the ban
    assert view.progress_anchor == D("2026-01-27")
    count = tl.lenient(_with_review_days("2026-03-02", "2026-09-21"))
    assert tl.progress_meeting_due(view, count) == Deadline(D("2026-03-02"))


@pytest.mark.parametrize(
    ("held_on", "due"),
    [
        ("2026-03-04", "2026-09-21"),  # spring: the next school year starts 1 September 2026
        ("2026-08-31", "2026-09-21"),  # the last day of the 2025-26 school year
        ("2026-09-15", "2027-10-04"),  # September is the start of the 2026-27 school year
        ("2026-10-06", "2027-10-04"),
    ],
)
def test_after_a_progress_meeting_the_next_is_on_a_review_day_in_a_later_school_year(
    held_on: str, due: str
) -> None:
    count = tl.lenient(_with_review_days("2026-03-02", "2026-09-21", "2027-10-04"))
    assert tl.progress_meeting_due(_progress_meeting_held(held_on), count) == Deadline(D(due))


def test_a_progress_meeting_past_the_last_review_day_is_due_in_12_months_with_a_warning() -> None:
    view = case_in(CaseState.BAN_CONFIRMED).v
    count = tl.lenient(_with_review_days("2025-10-06"))
    due = tl.progress_meeting_due(view, count)
    assert due is not None
    assert due.due == calendar().months_after(D("2026-01-27"), 12).due
    assert due.warning == (
        f"No academic review day is configured after {format_day(D('2026-01-27'))}: ask the "
        "trust's administrator to add the school's next ones. The date shown is 12 months "
        f"after {format_day(D('2026-01-27'))}."
    )


# --- the ground of a ban, the folded events ------------------------------------------------


def test_a_ban_with_an_extreme_act_of_violence_recorded_is_on_that_ground() -> None:
    assert BanGround.recorded("Struck a teacher at the gate") is BanGround.EXTREME_VIOLENCE
    assert BanGround.recorded("") is BanGround.PROCEDURES_EXHAUSTED


def test_every_event_type_can_be_folded_into_the_case() -> None:
    assert folded_event_types() == frozenset(EVENT_TYPES)


# --- decoding stored records (rules.codec) -------------------------------------------------


class _Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class _Inner:
    no: int


@dataclass(frozen=True)
class _Record:
    inner: _Inner
    colour: _Colour
    items: tuple[_Inner, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)
    note: str | None = None
    on: date | None = None


_GOOD = {"inner": {"no": 1}, "colour": "red"}


def test_a_record_comes_back_from_its_encoding_unchanged() -> None:
    record = _Record(
        _Inner(1), _Colour.BLUE, (_Inner(2), _Inner(3)), frozenset({"a", "b"}), "n", D("2026-01-12")
    )
    assert decode(_Record, encode(record)) == record
    assert decode(_Record, _GOOD) == _Record(_Inner(1), _Colour.RED)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"inner": []}, "_Record: expected an object, got list"),
        ({"inner": {"no": "1"}}, "_Record: expected a whole number, got '1'"),
        ({"colour": "green"}, "_Record: 'green' is not a _Colour"),
        ({"items": {"no": 1}}, "_Record: expected a list, got dict"),
        ({"items": [{"no": True}]}, "_Record: expected a whole number, got True"),
        ({"tags": "a"}, "_Record: expected a list, got str"),
        ({"tags": ["a", 2]}, "_Record: expected text, got int"),
        ({"note": 5}, "_Record: expected text, got int"),
        ({"on": 20260112}, "_Record: expected text, got int"),
    ],
)
def test_a_stored_value_of_the_wrong_shape_is_refused_naming_the_record(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(HistoryError) as raised:
        decode(_Record, {**_GOOD, **changes})
    assert str(raised.value) == message


def test_a_stored_record_missing_a_field_without_a_default_is_refused() -> None:
    with pytest.raises(HistoryError) as raised:
        decode(_Record, {"colour": "red"})
    assert str(raised.value) == "_Record: inner is missing"
    with pytest.raises(HistoryError) as raised:
        decode(_Record, {"inner": {"no": 1}})
    assert str(raised.value) == "_Record: colour is missing"
