"""Properties every deadline must have, whatever the dates: checked with hypothesis on the
example English school's term dates and on working-day calendars of every region."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from rules.calendar import (
    BeyondTermDates,
    Region,
    SchoolCalendar,
    add_months,
)
from tests.unit.test_calendar import ENGLAND_2025_27

ONE_DAY = timedelta(days=1)


@cache
def with_terms() -> SchoolCalendar:
    return SchoolCalendar(Region.ENGLAND, ENGLAND_2025_27)


@cache
def without_terms(region: Region) -> SchoolCalendar:
    return SchoolCalendar(region, None)


# Starts from a month before the first term to the last term's end; counts up to about a
# term's worth of school days.
term_starts = st.dates(min_value=date(2025, 8, 1), max_value=date(2027, 7, 21))
wide_starts = st.dates(min_value=date(1980, 1, 1), max_value=date(2090, 12, 31))
counts = st.integers(min_value=1, max_value=80)
month_counts = st.integers(min_value=0, max_value=30)
calendars = st.one_of(
    st.just("terms"), st.sampled_from(list(Region)).map(lambda region: region.value)
)


def calendar_for(kind: str) -> SchoolCalendar:
    return with_terms() if kind == "terms" else without_terms(Region(kind))


def starts_for(kind: str) -> st.SearchStrategy[date]:
    return term_starts if kind == "terms" else wide_starts


def school_days_strictly_between(calendar: SchoolCalendar, after: date, before: date) -> int:
    # Days before the first term are not school days to this calendar (it counts from the
    # first term), and is_school_day refuses to answer for them, so they are skipped here.
    term_dates = calendar.term_dates
    day = after + ONE_DAY
    if term_dates is not None:
        day = max(day, term_dates.first_day)
    found = 0
    while day < before:
        found += calendar.is_school_day(day)
        day += ONE_DAY
    return found


@st.composite
def calendar_and_start(draw: st.DrawFn) -> tuple[SchoolCalendar, date]:
    kind = draw(calendars)
    return calendar_for(kind), draw(starts_for(kind))


@given(calendar_and_start(), counts)
def test_a_deadline_is_a_school_day_with_n_minus_1_school_days_before_it(
    case: tuple[SchoolCalendar, date], count: int
) -> None:
    calendar, start = case
    try:
        due = calendar.school_days_after(start, count).due
    except BeyondTermDates:
        return
    assert due > start
    assert calendar.is_school_day(due)
    assert school_days_strictly_between(calendar, start, due) == count - 1
    assert calendar.school_days_between(start, due) == count


@given(calendar_and_start(), st.integers(min_value=0, max_value=40), counts)
def test_a_later_start_never_gives_an_earlier_deadline(
    case: tuple[SchoolCalendar, date], gap: int, count: int
) -> None:
    calendar, earlier = case
    later = earlier + timedelta(days=gap)
    try:
        later_due = calendar.school_days_after(later, count).due
    except BeyondTermDates:
        return
    assert calendar.school_days_after(earlier, count).due <= later_due


@given(calendar_and_start(), counts)
def test_one_more_school_day_is_a_later_day(case: tuple[SchoolCalendar, date], count: int) -> None:
    calendar, start = case
    try:
        longer = calendar.school_days_after(start, count + 1).due
    except BeyondTermDates:
        return
    assert calendar.school_days_after(start, count).due < longer


@given(calendar_and_start(), month_counts)
def test_months_after_is_the_first_school_day_on_or_after_the_calendar_date(
    case: tuple[SchoolCalendar, date], months: int
) -> None:
    calendar, start = case
    raw = add_months(start, months)
    try:
        due = calendar.months_after(start, months).due
    except BeyondTermDates:
        return
    assert due >= raw
    assert calendar.is_school_day(due)
    first = calendar.term_dates.first_day if calendar.term_dates else raw
    assert school_days_strictly_between(calendar, max(raw, first) - ONE_DAY, due) == 0


@given(calendar_and_start(), month_counts)
def test_add_months_keeps_the_day_or_clamps_to_the_months_end(
    case: tuple[SchoolCalendar, date], months: int
) -> None:
    _, start = case
    raw = add_months(start, months)
    assert (raw.year - start.year) * 12 + raw.month - start.month == months
    if raw.day != start.day:
        # Clamped: the start's day does not exist in that month, and raw is its last day.
        assert raw.day < start.day
        assert (raw + ONE_DAY).day == 1


@given(calendar_and_start(), counts)
def test_without_term_dates_every_answer_is_flagged(
    case: tuple[SchoolCalendar, date], count: int
) -> None:
    calendar, start = case
    try:
        deadline = calendar.school_days_after(start, count)
    except BeyondTermDates:
        return
    if calendar.term_dates is None:
        assert deadline.warning == calendar.warning is not None
    elif start + ONE_DAY >= calendar.term_dates.first_day:
        assert deadline.warning is None
