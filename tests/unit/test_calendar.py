"""School days and deadlines, against dates worked out by hand.

Each row says how its answer was counted. The bank holidays the reasoning relies on are
checked against the `holidays` library first (test_the_bank_holidays_relied_on_are_...),
so a row cannot pass on a holiday that the library does not actually give.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import holidays
import pytest

from rules.calendar import (
    NO_TERM_DATES_WARNING,
    BeyondTermDates,
    Deadline,
    OutsideTermDates,
    Region,
    SchoolCalendar,
    Term,
    TermDates,
    add_months,
    parse_region,
)
from rules.errors import CalendarError, Refusal

D = date.fromisoformat

# An English primary school, 2025-26 and 2026-27 (the same dates as
# tests/data/terms/england-2025-27.yaml). Holidays are the gaps between terms.
ENGLAND_2025_27 = TermDates(
    region=Region.ENGLAND,
    terms=(
        Term(D("2025-09-03"), D("2025-10-24")),  # half term 27-31 Oct 2025
        Term(D("2025-11-03"), D("2025-12-19")),  # Christmas 22 Dec-2 Jan
        Term(D("2026-01-05"), D("2026-02-13")),  # half term 16-20 Feb 2026
        Term(D("2026-02-23"), D("2026-03-27")),  # Easter 30 Mar-10 Apr 2026
        Term(D("2026-04-13"), D("2026-05-22")),  # half term 25-29 May 2026
        Term(D("2026-06-01"), D("2026-07-22")),  # summer holiday
        Term(D("2026-09-03"), D("2026-10-23")),  # half term 26-30 Oct 2026
        Term(D("2026-11-02"), D("2026-12-18")),  # Christmas
        Term(D("2027-01-05"), D("2027-02-12")),  # half term 15-19 Feb 2027
        Term(D("2027-02-22"), D("2027-03-26")),  # ends on Good Friday 2027
        Term(D("2027-04-12"), D("2027-05-28")),  # half term 31 May-4 Jun 2027
        Term(D("2027-06-07"), D("2027-07-21")),
    ),
    closures=frozenset(
        {D("2026-01-05"), D("2026-06-01"), D("2026-11-27"), D("2027-06-07")}  # INSET days
    ),
)

# The same school's next year, for the leap day (29 February 2028 is a Tuesday).
ENGLAND_2027_28 = TermDates(
    region=Region.ENGLAND,
    terms=(
        Term(D("2027-09-02"), D("2027-10-22")),
        Term(D("2027-11-01"), D("2027-12-17")),
        Term(D("2028-01-04"), D("2028-02-11")),
        Term(D("2028-02-21"), D("2028-03-31")),
    ),
)


def england() -> SchoolCalendar:
    return SchoolCalendar(Region.ENGLAND, ENGLAND_2025_27)


def working_days(region: Region) -> SchoolCalendar:
    return SchoolCalendar(region, None)


def _library(region_code: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=region_code, years=year)


# (region code, date, part of the library's name, regions where it is NOT a bank holiday)
RELIED_ON = [
    ("ENG", "2025-12-25", "Christmas", []),
    ("ENG", "2026-04-03", "Good Friday", []),
    ("ENG", "2026-04-06", "Easter Monday", ["SCT"]),
    ("ENG", "2026-05-04", "May Day", []),
    ("ENG", "2026-05-25", "Spring Bank Holiday", []),
    ("ENG", "2026-08-31", "Late Summer", ["SCT"]),
    ("ENG", "2027-03-26", "Good Friday", []),
    ("ENG", "2027-05-03", "May Day", []),
    ("ENG", "2027-05-31", "Spring Bank Holiday", []),
    ("SCT", "2026-01-02", "New Year Holiday", ["ENG", "WLS", "NIR"]),
    ("SCT", "2027-01-04", "New Year Holiday", ["ENG", "WLS", "NIR"]),
    ("SCT", "2026-06-15", "FIFA World Cup", ["ENG", "WLS", "NIR"]),
    ("SCT", "2026-11-30", "Andrew", ["ENG", "WLS", "NIR"]),
    ("NIR", "2026-03-17", "Patrick", ["ENG", "WLS", "SCT"]),
    ("NIR", "2026-07-13", "Battle of the Boyne", ["ENG", "WLS", "SCT"]),
    ("NIR", "2027-07-12", "Battle of the Boyne", ["ENG", "WLS", "SCT"]),
    ("ENG", "2022-06-03", "Platinum Jubilee", []),
    ("ENG", "2022-09-19", "State Funeral", []),
    ("ENG", "2023-05-08", "Coronation", []),
]


@pytest.mark.parametrize(("code", "day", "name", "not_in"), RELIED_ON)
def test_the_bank_holidays_relied_on_are_the_librarys(
    code: str, day: str, name: str, not_in: list[str]
) -> None:
    when = D(day)
    assert name in _library(code, when.year).get(when, ""), f"{day} is not {name} in {code}"
    for other in not_in:
        assert when not in _library(other, when.year), f"{day} is a bank holiday in {other}"


def test_the_calendar_uses_the_regions_bank_holidays() -> None:
    # The calendar's own lookup agrees with the library for every region and a span of years.
    for region, code in [
        (Region.ENGLAND, "ENG"),
        (Region.WALES, "WLS"),
        (Region.SCOTLAND, "SCT"),
        (Region.NORTHERN_IRELAND, "NIR"),
    ]:
        calendar = working_days(region)
        for year in (2022, 2023, 2026, 2027, 2028):
            assert set(calendar.bank_holidays(year)) == set(_library(code, year))


# --- "within N school days of D": the Nth school day after D -------------------------------

SCHOOL_DAYS = [
    # Half term: Mon 20-Fri 24 Oct 2025 are days 1-5, half term 27-31 Oct is skipped,
    # Mon 3-Fri 7 Nov are days 6-10.
    ("2025-10-17", 10, "2025-11-07"),
    # Christmas and an INSET day: Tue 16-Fri 19 Dec 2025 are days 1-4; Mon 5 Jan 2026 is an
    # INSET day; Tue 6-Fri 9 Jan are days 5-8, Mon 12 and Tue 13 Jan days 9-10.
    ("2025-12-15", 10, "2026-01-13"),
    # Easter: Tue 24-Fri 27 Mar 2026 are days 1-4; the holiday 30 Mar-10 Apr (with Good Friday
    # 3 Apr and Easter Monday 6 Apr) is skipped; Mon 13-Mon 20 Apr are days 5-10.
    ("2026-03-23", 10, "2026-04-20"),
    # Early May bank holiday in term: Tue 28 Apr-Fri 1 May are days 1-4, Mon 4 May 2026 is the
    # bank holiday, Tue 5-Fri 8 May days 5-8, Mon 11 and Tue 12 May days 9-10.
    ("2026-04-27", 10, "2026-05-12"),
    # Spring bank holiday, half term and an INSET day: Tue 19-Fri 22 May 2026 are days 1-4;
    # 25-29 May is half term (25 May the bank holiday); Mon 1 Jun INSET; Tue 2-Fri 5 Jun days
    # 5-8, Mon 8 and Tue 9 Jun days 9-10.
    ("2026-05-18", 10, "2026-06-09"),
    # Start in a holiday (Wed 1 Apr 2026, Easter): nothing counts until Mon 13 Apr (day 1);
    # 13-17 Apr are days 1-5, 20-24 Apr days 6-10.
    ("2026-04-01", 10, "2026-04-24"),
    # Start at a weekend (Sat 14 Nov 2026): Mon 16-Fri 20 Nov days 1-5, Mon 23-Thu 26 Nov days
    # 6-9, Fri 27 Nov INSET, Mon 30 Nov day 10.
    ("2026-11-14", 10, "2026-11-30"),
    # Across the summer into the next school year: Tue 14-Fri 17 Jul 2026 days 1-4, Mon 20-Wed
    # 22 Jul days 5-7 (term ends), then Thu 3 Sep (day 8), Fri 4 Sep (9), Mon 7 Sep (10). The
    # late summer bank holiday (31 Aug) is inside the holiday.
    ("2026-07-13", 10, "2026-09-07"),
    # Christmas 2026: Mon 14-Fri 18 Dec days 1-5; Tue 5-Fri 8 Jan 2027 days 6-9; Mon 11 Jan 10.
    ("2026-12-11", 10, "2027-01-11"),
    # Good Friday inside a term: the term runs to Fri 26 Mar 2027, which is Good Friday. Tue 23-
    # Thu 25 Mar are days 1-3; 26 Mar is a bank holiday; Mon 12 Apr day 4, Tue 13 Apr day 5.
    ("2027-03-22", 5, "2027-04-13"),
    # May Day 2027: Mon 3 May is the bank holiday, so the first school day after Fri 30 Apr is
    # Tue 4 May.
    ("2027-04-30", 1, "2027-05-04"),
    # Spring bank holiday 2027 (31 May) falls in half term; Mon 7 Jun is an INSET day: Tue 25-
    # Fri 28 May days 1-4, Tue 8 Jun day 5.
    ("2027-05-24", 5, "2027-06-08"),
    # Spring half term 2027: Thu 11 Feb day 1, Fri 12 Feb day 2, Mon 22 Feb day 3.
    ("2027-02-10", 3, "2027-02-22"),
    # The start day is never counted, even on a school day: Thu 3 Sep 2026 -> Fri 4 Sep.
    ("2026-09-03", 1, "2026-09-04"),
    # The last school day the term dates hold: Fri 16, Mon 19, Tue 20, Wed 21 Jul 2027.
    ("2027-07-15", 4, "2027-07-21"),
]


@pytest.mark.parametrize(("start", "count", "due"), SCHOOL_DAYS)
def test_school_days_after(start: str, count: int, due: str) -> None:
    deadline = england().school_days_after(D(start), count)
    assert deadline == Deadline(D(due), None)


def test_school_days_between_agrees_with_the_count() -> None:
    calendar = england()
    for start, count, due in SCHOOL_DAYS:
        assert calendar.school_days_between(D(start), D(due)) == count


def test_a_start_before_the_first_term_counts_from_its_first_day_and_says_so() -> None:
    # Wed 20 Aug 2025 is before the first term (Wed 3 Sep 2025): day 1 is 3 Sep. There are
    # working days in between that the term dates do not cover, so the date carries a note.
    deadline = england().school_days_after(D("2025-08-20"), 1)
    assert deadline.due == D("2025-09-03")
    assert deadline.warning is not None
    assert "Wednesday 3 September 2025" in deadline.warning


def test_a_start_on_the_eve_of_the_first_term_needs_no_note() -> None:
    # Tue 2 Sep 2025 -> Wed 3 Sep (day 1), Thu 4 Sep (day 2); nothing was skipped.
    assert england().school_days_after(D("2025-09-02"), 2) == Deadline(D("2025-09-04"))


def test_only_skipped_working_days_before_the_first_term_need_a_note() -> None:
    # Sat 30 Aug 2025 to Tue 2 Sep: Mon 1 and Tue 2 Sep are working days, so a note is due;
    # from Sat 1 Sep 2029 to a term starting Mon 3 Sep 2029 only Sunday lies between.
    assert england().school_days_after(D("2025-08-30"), 1).warning is not None
    autumn_2029 = TermDates(Region.ENGLAND, (Term(D("2029-09-03"), D("2029-10-19")),))
    deadline = SchoolCalendar(Region.ENGLAND, autumn_2029).school_days_after(D("2029-09-01"), 1)
    assert deadline == Deadline(D("2029-09-03"))


# --- "about six months": N calendar months, moved to the next school day --------------------

MONTHS = [
    # Mon 2 Feb 2026 + 6 months = Sun 2 Aug 2026, in the summer holiday: moved to the first day
    # of the autumn term, Thu 3 Sep 2026.
    ("2026-02-02", 6, "2026-09-03"),
    # Month-end clamp: 31 Aug 2026 + 6 months = 28 Feb 2027 (February has no 31st), a Sunday,
    # so Mon 1 Mar 2027.
    ("2026-08-31", 6, "2027-03-01"),
    # Month-end clamp: 31 Mar 2026 + 6 months = 30 Sep 2026, a Wednesday in term: itself.
    ("2026-03-31", 6, "2026-09-30"),
    # 4 Nov 2025 + 6 months = Mon 4 May 2026, the early May bank holiday: Tue 5 May.
    ("2025-11-04", 6, "2026-05-05"),
    # 27 May 2026 + 6 months = Fri 27 Nov 2026, an INSET day: Mon 30 Nov.
    ("2026-05-27", 6, "2026-11-30"),
    # 28 Apr 2026 + 6 months = Wed 28 Oct 2026, half term: Mon 2 Nov.
    ("2026-04-28", 6, "2026-11-02"),
    # 26 Sep 2026 + 6 months = Fri 26 Mar 2027, in term but Good Friday; then the Easter
    # holiday: Mon 12 Apr 2027.
    ("2026-09-26", 6, "2027-04-12"),
    # 13 Jan 2026 + 12 months = Wed 13 Jan 2027, in term.
    ("2026-01-13", 12, "2027-01-13"),
    # 0 months: the day itself if a school day. Mon 5 Jan 2026 is an INSET day: Tue 6 Jan.
    ("2026-01-05", 0, "2026-01-06"),
    # The last day the term dates hold, Wed 21 Jul 2027, is itself a school day.
    ("2027-07-21", 0, "2027-07-21"),
]


@pytest.mark.parametrize(("start", "months", "due"), MONTHS)
def test_months_after(start: str, months: int, due: str) -> None:
    assert england().months_after(D(start), months) == Deadline(D(due), None)


def test_months_after_onto_a_leap_day() -> None:
    # 31 Aug 2027 + 6 months = 29 Feb 2028 (2028 is a leap year), a Tuesday in the term
    # 21 Feb-31 Mar 2028: itself.
    calendar = SchoolCalendar(Region.ENGLAND, ENGLAND_2027_28)
    assert calendar.months_after(D("2027-08-31"), 6) == Deadline(D("2028-02-29"))


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        # 29 Feb 2028 + 6 months = Tue 29 Aug 2028; the late summer bank holiday is Mon 28 Aug.
        ("2028-02-29", 6, "2028-08-29"),
        # 29 Feb 2028 + 12 months = 28 Feb 2029 (no 29th in 2029), a Wednesday.
        ("2028-02-29", 12, "2029-02-28"),
        # 31 Aug 2027 + 6 months = Tue 29 Feb 2028, a working day.
        ("2027-08-31", 6, "2028-02-29"),
    ],
)
def test_months_after_leap_years_in_working_days(start: str, months: int, due: str) -> None:
    assert date(2028, 8, 28) in _library("ENG", 2028)
    deadline = working_days(Region.ENGLAND).months_after(D(start), months)
    assert deadline == Deadline(D(due), NO_TERM_DATES_WARNING)


@pytest.mark.parametrize(
    ("start", "months", "raw"),
    [
        ("2026-08-31", 6, "2027-02-28"),  # clamp to February's end
        ("2027-08-31", 6, "2028-02-29"),  # leap year
        ("2026-03-31", 6, "2026-09-30"),  # September has 30 days
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2026-12-15", 1, "2027-01-15"),  # over the year end
        ("2026-07-31", 18, "2028-01-31"),  # more than a year
        ("2026-05-31", 0, "2026-05-31"),
    ],
)
def test_add_months(start: str, months: int, raw: str) -> None:
    assert add_months(D(start), months) == D(raw)


# --- regions ------------------------------------------------------------------------------


def test_scotland_2_january_is_not_a_working_day() -> None:
    # From Wed 31 Dec 2025: 1 Jan is a bank holiday everywhere; Fri 2 Jan 2026 is one only in
    # Scotland, whose next working day is Mon 5 Jan.
    start = D("2025-12-31")
    assert working_days(Region.ENGLAND).school_days_after(start, 1).due == D("2026-01-02")
    assert working_days(Region.SCOTLAND).school_days_after(start, 1).due == D("2026-01-05")


def test_scotland_2_january_on_a_saturday_moves_to_monday() -> None:
    # 2 Jan 2027 is a Saturday; Scotland's substitute is Mon 4 Jan. From Thu 31 Dec 2026:
    # England's first working day is Mon 4 Jan 2027, Scotland's Tue 5 Jan.
    start = D("2026-12-31")
    assert working_days(Region.ENGLAND).school_days_after(start, 1).due == D("2027-01-04")
    assert working_days(Region.SCOTLAND).school_days_after(start, 1).due == D("2027-01-05")


# A Scottish-style year: term runs on into late June, and 30 November is in term.
SCOTLAND_TERMS = (
    Term(D("2026-04-13"), D("2026-06-26")),
    Term(D("2026-08-18"), D("2026-10-09")),
    Term(D("2026-10-19"), D("2026-12-22")),
)


@pytest.mark.parametrize(
    ("start", "scotland_due", "england_due"),
    [
        # Mon 15 Jun 2026 is a one-off Scottish bank holiday (the World Cup): from Fri 12 Jun,
        # Scotland's next school day is Tue 16 Jun, England's Mon 15 Jun.
        ("2026-06-12", "2026-06-16", "2026-06-15"),
        # St Andrew's Day, Mon 30 Nov 2026: from Fri 27 Nov, Scotland Tue 1 Dec, England Mon 30.
        ("2026-11-27", "2026-12-01", "2026-11-30"),
    ],
)
def test_scottish_bank_holidays_in_term(start: str, scotland_due: str, england_due: str) -> None:
    scotland = SchoolCalendar(Region.SCOTLAND, TermDates(Region.SCOTLAND, SCOTLAND_TERMS))
    same_dates_in_england = SchoolCalendar(
        Region.ENGLAND, TermDates(Region.ENGLAND, SCOTLAND_TERMS)
    )
    assert scotland.school_days_after(D(start), 1).due == D(scotland_due)
    assert same_dates_in_england.school_days_after(D(start), 1).due == D(england_due)


def test_northern_ireland_st_patricks_day_in_term() -> None:
    # Tue 17 Mar 2026 is St Patrick's Day, a bank holiday only in Northern Ireland. From Mon
    # 16 Mar: NI's next school day is Wed 18 Mar, England's Tue 17 Mar.
    terms = (Term(D("2026-01-05"), D("2026-03-27")),)
    ni = SchoolCalendar(Region.NORTHERN_IRELAND, TermDates(Region.NORTHERN_IRELAND, terms))
    eng = SchoolCalendar(Region.ENGLAND, TermDates(Region.ENGLAND, terms))
    assert ni.school_days_after(D("2026-03-16"), 1).due == D("2026-03-18")
    assert eng.school_days_after(D("2026-03-16"), 1).due == D("2026-03-17")
    assert ni.reason_not_school_day(D("2026-03-17")) == "bank holiday: Saint Patrick's Day"


@pytest.mark.parametrize(
    ("start", "ni_due", "england_due"),
    [
        # 12 Jul 2027 is a Monday: from Fri 9 Jul, NI's next working day is Tue 13 Jul.
        ("2027-07-09", "2027-07-13", "2027-07-12"),
        # 12 Jul 2026 is a Sunday, so NI's holiday is Mon 13 Jul: from Fri 10 Jul, Tue 14 Jul.
        ("2026-07-10", "2026-07-14", "2026-07-13"),
    ],
)
def test_northern_ireland_twelfth_of_july(start: str, ni_due: str, england_due: str) -> None:
    assert working_days(Region.NORTHERN_IRELAND).school_days_after(D(start), 1).due == D(ni_due)
    assert working_days(Region.ENGLAND).school_days_after(D(start), 1).due == D(england_due)


def test_late_summer_bank_holiday_differs_in_scotland() -> None:
    # Mon 31 Aug 2026 is a bank holiday in England, Wales and NI; Scotland's summer bank
    # holiday was Mon 3 Aug. From Fri 28 Aug: Tue 1 Sep, except Mon 31 Aug in Scotland.
    start = D("2026-08-28")
    for region in (Region.ENGLAND, Region.WALES, Region.NORTHERN_IRELAND):
        assert working_days(region).school_days_after(start, 1).due == D("2026-09-01")
    assert working_days(Region.SCOTLAND).school_days_after(start, 1).due == D("2026-08-31")


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Platinum Jubilee: Thu 2 Jun 2022 (spring bank holiday moved) and Fri 3 Jun (the one-
        # off day): from Wed 1 Jun the next working day is Mon 6 Jun.
        ("2022-06-01", "2022-06-06"),
        # State funeral of Queen Elizabeth II, Mon 19 Sep 2022: from Fri 16 Sep, Tue 20 Sep.
        ("2022-09-16", "2022-09-20"),
        # Coronation of Charles III, Mon 8 May 2023: from Fri 5 May, Tue 9 May.
        ("2023-05-05", "2023-05-09"),
    ],
)
def test_one_off_bank_holidays_in_every_region(start: str, due: str) -> None:
    for region in Region:
        assert working_days(region).school_days_after(D(start), 1).due == D(due)


# --- single days --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2026-09-03", None),  # first day of the autumn term 2026
        ("2026-10-24", "Saturday"),
        ("2026-10-28", "school holiday (not in term)"),  # half term
        ("2026-11-27", "school closed (INSET day or other closure)"),
        ("2027-03-26", "bank holiday: Good Friday"),  # inside the term's dates
        ("2026-05-04", "bank holiday: May Day"),
    ],
)
def test_why_a_day_is_or_is_not_a_school_day(day: str, reason: str | None) -> None:
    calendar = england()
    assert calendar.reason_not_school_day(D(day)) == reason
    assert calendar.is_school_day(D(day)) is (reason is None)


@pytest.mark.parametrize("day", ["2025-09-02", "2027-07-22", "2030-01-07"])
def test_days_outside_the_term_dates_are_not_guessed(day: str) -> None:
    calendar = england()
    assert not calendar.covers(D(day))
    with pytest.raises(OutsideTermDates) as raised:
        calendar.is_school_day(D(day))
    assert "Wednesday 3 September 2025 to Wednesday 21 July 2027" in raised.value.message
    assert raised.value.first_covered == D("2025-09-03")
    assert raised.value.last_covered == D("2027-07-21")


# --- past the last term -------------------------------------------------------------------


def test_a_count_past_the_last_term_is_refused_naming_the_last_day() -> None:
    # After Thu 15 Jul 2027 only four school days remain (16, 19, 20, 21 Jul).
    with pytest.raises(BeyondTermDates) as raised:
        england().school_days_after(D("2027-07-15"), 5)
    error = raised.value
    assert isinstance(error, CalendarError)
    assert isinstance(error, Refusal)
    assert error.last_covered == D("2027-07-21")
    assert "Wednesday 21 July 2027" in error.message
    assert "add the term dates for the next school year" in error.message


def test_months_past_the_last_term_are_refused() -> None:
    # 1 Mar 2027 + 6 months = 1 Sep 2027: the 2027-28 term dates are not there.
    with pytest.raises(BeyondTermDates, match="Wednesday 21 July 2027"):
        england().months_after(D("2027-03-01"), 6)
    # Thu 22 Jul 2027 is the first day after the last term.
    with pytest.raises(BeyondTermDates):
        england().months_after(D("2027-07-22"), 0)


# --- no term dates: working days, never silently -------------------------------------------


def test_without_term_dates_every_deadline_carries_the_warning() -> None:
    calendar = working_days(Region.ENGLAND)
    assert calendar.warning == NO_TERM_DATES_WARNING
    # Fri 1 May 2026 + 1 working day: Mon 4 May is a bank holiday, so Tue 5 May.
    assert calendar.school_days_after(D("2026-05-01"), 1) == Deadline(
        D("2026-05-05"), NO_TERM_DATES_WARNING
    )
    # 2 Feb 2026 + 6 months = Sun 2 Aug 2026 -> Mon 3 Aug (no summer holiday without terms).
    assert calendar.months_after(D("2026-02-02"), 6) == Deadline(
        D("2026-08-03"), NO_TERM_DATES_WARNING
    )
    assert calendar.first_school_day_on_or_after(D("2026-08-03")) == Deadline(
        D("2026-08-03"), NO_TERM_DATES_WARNING
    )
    assert "working days" in NO_TERM_DATES_WARNING
    assert "term dates" in NO_TERM_DATES_WARNING


def test_with_term_dates_there_is_no_warning() -> None:
    assert england().warning is None


def test_working_days_are_weekdays_except_bank_holidays() -> None:
    calendar = working_days(Region.ENGLAND)
    assert calendar.is_school_day(D("2026-08-03"))  # a Monday in the summer holiday
    assert not calendar.is_school_day(D("2026-08-01"))  # Saturday
    assert not calendar.is_school_day(D("2026-08-31"))  # late summer bank holiday
    assert calendar.covers(D("1990-01-01"))


# --- validation ---------------------------------------------------------------------------


def test_a_term_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(CalendarError, match="ends on 2026-10-01, before it starts"):
        Term(D("2026-10-23"), D("2026-10-01"))


def test_a_term_of_more_than_half_a_year_is_refused_as_a_mistyped_year() -> None:
    with pytest.raises(CalendarError, match="longer than any school term"):
        Term(D("2026-09-03"), D("2027-12-18"))


def test_a_term_needs_dates_not_times() -> None:
    with pytest.raises(CalendarError, match="must be a date"):
        Term(datetime(2026, 9, 3, tzinfo=UTC), D("2026-10-23"))


def test_overlapping_terms_are_refused() -> None:
    with pytest.raises(CalendarError, match="overlaps"):
        TermDates(
            Region.ENGLAND,
            (Term(D("2026-09-03"), D("2026-10-23")), Term(D("2026-10-23"), D("2026-12-18"))),
        )


def test_terms_are_kept_in_date_order() -> None:
    later, earlier = Term(D("2026-11-02"), D("2026-12-18")), Term(D("2026-09-03"), D("2026-10-23"))
    dates = TermDates(Region.ENGLAND, (later, earlier))
    assert dates.terms == (earlier, later)


def test_a_closure_outside_every_term_is_refused() -> None:
    with pytest.raises(CalendarError, match=r"closure on 2026-10-28 is not inside any term"):
        TermDates(
            Region.ENGLAND,
            (Term(D("2026-09-03"), D("2026-10-23")),),
            frozenset({D("2026-10-28")}),
        )


def test_term_dates_need_a_term() -> None:
    with pytest.raises(CalendarError, match="no terms"):
        TermDates(Region.ENGLAND, ())


def test_an_unknown_region_is_refused_with_the_regions_there_are() -> None:
    with pytest.raises(CalendarError) as refused:
        parse_region("wessex")
    assert str(refused.value) == (
        "Unknown region 'wessex': use one of england, wales, scotland, northern-ireland."
    )


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(CalendarError, match="Unknown region 'wessex'"):
        parse_region("wessex")
    with pytest.raises(CalendarError, match="Unknown region"):
        SchoolCalendar("wessex", None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("england", Region.ENGLAND),
        ("Northern Ireland", Region.NORTHERN_IRELAND),
        ("northern_ireland", Region.NORTHERN_IRELAND),
        (" Scotland ", Region.SCOTLAND),
        ("WALES", Region.WALES),
        ("northern-ireland", Region.NORTHERN_IRELAND),
        ("Northern - Ireland", Region.NORTHERN_IRELAND),
    ],
)
def test_regions_as_people_write_them(text: str, region: Region) -> None:
    assert parse_region(text) is region


def test_term_dates_must_be_for_the_schools_region() -> None:
    with pytest.raises(CalendarError, match="for england, but the school is in wales"):
        SchoolCalendar(Region.WALES, ENGLAND_2025_27)


def test_counts_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        england().school_days_after(D("2026-09-03"), 0)
    with pytest.raises(ValueError, match="negative"):
        england().months_after(D("2026-09-03"), -1)
