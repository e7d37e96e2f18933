"""School calendars and deadline arithmetic (ARCHITECTURE.md, "Counting school days").

A school day is a weekday that falls inside one of the school's terms, is not one of its
closures (INSET days and the like) and is not a bank holiday in the school's part of the UK.
The policy counts its deadlines in school days ("within 10 school days") and its reviews in
months ("about every six months"); both are answered here, as `Deadline`s.

Two rules keep the answers honest:
- a school without term dates counts working days, and every answer says so (`warning`);
- a count that runs past the last configured term is refused (`BeyondTermDates`), because
  the next year's term dates are not known and a guessed deadline may be read out at a
  judicial review.

Bank holidays come from the `holidays` package (its "public" category for GB, which is the
UK's bank holidays, one-off ones such as coronations and jubilees included).

Slightly over our usual 400 lines: the calendar and the arithmetic on it are one concern.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType

from rules.errors import CalendarError
from rules.wording import format_day as format_day  # worded once, for the refusals too

ONE_DAY = timedelta(days=1)

# The longest school term is an autumn term of about 16 weeks; a "term" much longer than that
# is almost always a mistyped year (2027-12-18 for 2026-12-18), which would silently turn a
# summer holiday into school days.
LONGEST_TERM = timedelta(weeks=26)

NO_TERM_DATES_WARNING = (
    "No term dates are set for this school, so this date counts working days "
    "(weekdays except bank holidays), not school days. "
    "Ask the trust's administrator to add the term dates."
)


class Region(StrEnum):
    """The part of the UK a school is in: it decides the bank holidays."""

    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


# Subdivision codes of `holidays`' United Kingdom calendar (ISO 3166-2:GB).
_SUBDIVISION = {
    Region.ENGLAND: "ENG",
    Region.WALES: "WLS",
    Region.SCOTLAND: "SCT",
    Region.NORTHERN_IRELAND: "NIR",
}


def parse_region(text: str | Region) -> Region:
    """`Region` from its name as people write it ("Northern Ireland", "northern-ireland")."""
    if isinstance(text, Region):
        return text
    key = "-".join(str(text).strip().lower().replace("_", " ").replace("-", " ").split())
    try:
        return Region(key)
    except ValueError:
        known = ", ".join(region.value for region in Region)
        raise CalendarError(f"Unknown region {text!r}: use one of {known}.") from None


def add_months(start: date, months: int) -> date:
    """The same day of the month `months` later, clamped to the end of a shorter month
    (31 August + 6 months = 28 or 29 February)."""
    if months < 0:
        raise ValueError(f"months must not be negative, got {months}")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if year > date.max.year:
        raise CalendarError(f"{months} months after {start.isoformat()} is beyond year 9999.")
    return date(year, month, min(start.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - ONE_DAY).day


class BeyondTermDates(CalendarError):
    """The answer lies after the school's last configured term: next year's dates are missing.

    `last_covered` is the last day the term dates cover.
    """

    def __init__(self, message: str, last_covered: date) -> None:
        super().__init__(message)
        self.last_covered = last_covered


class OutsideTermDates(CalendarError):
    """A day was asked about that the school's term dates do not cover, so nobody knows
    whether the school is open on it."""

    def __init__(self, message: str, first_covered: date, last_covered: date) -> None:
        super().__init__(message)
        self.first_covered = first_covered
        self.last_covered = last_covered


def _require_date(value: object, what: str) -> date:
    # datetime is a subclass of date; a time of day in a term date is a mistake upstream.
    if type(value) is not date:
        raise CalendarError(f"{what} must be a date (YYYY-MM-DD), got {value!r}.")
    return value


@dataclass(frozen=True)
class Term:
    """One stretch of term, both ends included (e.g. a half term: 3 Sep to 23 Oct)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        _require_date(self.start, "A term's start")
        _require_date(self.end, "A term's end")
        if self.end < self.start:
            raise CalendarError(
                f"The term starting {self.start.isoformat()} ends on {self.end.isoformat()}, "
                "before it starts."
            )
        if self.end - self.start > LONGEST_TERM:
            raise CalendarError(
                f"The term from {self.start.isoformat()} to {self.end.isoformat()} is longer "
                "than any school term; check the years."
            )

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class TermDates:
    """A school's term dates: validated on construction (CalendarError names the problem).

    Terms are kept in date order; closures are days inside terms when the school is shut
    (INSET days, polling days). Bank holidays need not be listed: the region supplies them.
    """

    region: Region
    terms: tuple[Term, ...]
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        region = parse_region(self.region)
        for term in self.terms:
            if not isinstance(term, Term):
                raise CalendarError(f"A term must be a Term, got {term!r}.")
        terms = tuple(sorted(self.terms, key=lambda term: term.start))
        if not terms:
            raise CalendarError("The term dates contain no terms.")
        for earlier, later in pairwise(terms):
            if later.start <= earlier.end:
                raise CalendarError(
                    f"The term {earlier.start.isoformat()} to {earlier.end.isoformat()} overlaps "
                    f"the term {later.start.isoformat()} to {later.end.isoformat()}."
                )
        closures = frozenset(_require_date(day, "A closure") for day in self.closures)
        for day in sorted(closures):
            if not any(day in term for term in terms):
                # Refused rather than ignored: a closure outside term changes nothing, so it
                # is almost certainly a mistyped date for one that should.
                raise CalendarError(
                    f"The closure on {day.isoformat()} is not inside any term; check its date."
                )
        object.__setattr__(self, "region", region)
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "closures", closures)

    @property
    def first_day(self) -> date:
        return self.terms[0].start

    @property
    def last_day(self) -> date:
        return self.terms[-1].end


@dataclass(frozen=True)
class Deadline:
    """The day by which something must be done (the whole of that day counts).

    `warning`, when set, must be shown next to the date: the date was counted on a
    weaker basis than the school's term dates (see `NO_TERM_DATES_WARNING`).
    """

    due: date
    warning: str | None = None


class SchoolCalendar:
    """Counts school days for one school. Bank holidays are fetched once per year and kept.

    With `term_dates=None` it counts working days (weekdays except the region's bank
    holidays) and every `Deadline` carries `NO_TERM_DATES_WARNING`.
    """

    def __init__(
        self,
        region: Region,
        term_dates: TermDates | None,
        academic_review_days: Sequence[date] = (),
    ) -> None:
        self._region = parse_region(region)
        self._academic_review_days = tuple(sorted(academic_review_days))
        if term_dates is not None and term_dates.region is not self._region:
            raise CalendarError(
                f"The term dates are for {term_dates.region.value}, "
                f"but the school is in {self._region.value}."
            )
        self._term_dates = term_dates
        self._bank_holidays: dict[int, Mapping[date, str]] = {}
        self._school_days: tuple[date, ...] | None = None  # built on first use

    @property
    def region(self) -> Region:
        return self._region

    @property
    def term_dates(self) -> TermDates | None:
        return self._term_dates

    @property
    def academic_review_days(self) -> tuple[date, ...]:
        """The school's academic review days, in order (none: not configured)."""
        return self._academic_review_days

    def academic_review_day_after(self, day: date) -> date | None:
        """The first academic review day after `day` (None: none configured after it)."""
        days = self._academic_review_days
        index = bisect.bisect_right(days, day)
        return days[index] if index < len(days) else None

    def school_days_left(self, today: date) -> int | None:
        """How many school days the configured terms still hold after `today` (None: no
        term dates, so nothing runs out)."""
        dates = self._term_dates
        if dates is None:
            return None
        if today >= dates.last_day:
            return 0
        return self.school_days_between(today, dates.last_day)

    @property
    def warning(self) -> str | None:
        """What every answer of this calendar must be shown with, if anything."""
        return NO_TERM_DATES_WARNING if self._term_dates is None else None

    # --- single days -----------------------------------------------------------------------

    def bank_holidays(self, year: int) -> Mapping[date, str]:
        """The region's bank holidays in `year`, with their names."""
        cached = self._bank_holidays.get(year)
        if cached is None:
            # Imported with the first date counted, not at start (its data takes a while).
            import holidays

            found = holidays.country_holidays(
                "GB", subdiv=_SUBDIVISION[self._region], years=year, categories=("public",)
            )
            cached = MappingProxyType({day: str(name) for day, name in found.items()})
            self._bank_holidays[year] = cached
        return cached

    def is_bank_holiday(self, day: date) -> bool:
        return day in self.bank_holidays(day.year)

    def covers(self, day: date) -> bool:
        """Whether the calendar can say if `day` is a school day (always, without term dates)."""
        dates = self._term_dates
        return dates is None or dates.first_day <= day <= dates.last_day

    def is_school_day(self, day: date) -> bool:
        """Whether the school is open on `day`.

        Raises OutsideTermDates for a day before the first or after the last configured term:
        whether the school is open then is not known.
        """
        self._check_covered(day)
        return self._reason_closed(day) is None

    def reason_not_school_day(self, day: date) -> str | None:
        """Why `day` is not a school day ("Saturday", "bank holiday: Good Friday", ...), or
        None if it is one. Raises OutsideTermDates like `is_school_day`."""
        self._check_covered(day)
        return self._reason_closed(day)

    # --- counting --------------------------------------------------------------------------

    def school_days_after(self, start: date, count: int) -> Deadline:
        """The `count`th school day after `start` ("within `count` school days of `start`");
        `start` itself is never counted, whether or not it is a school day.

        A start before the first configured term counts from the first day of term, and the
        Deadline says so. Raises BeyondTermDates when the answer lies after the last term.
        """
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        if self._term_dates is None:
            return Deadline(self._nth_working_day_after(start, count), NO_TERM_DATES_WARNING)
        days = self._known_school_days()
        index = bisect.bisect_right(days, start) + count - 1
        if index >= len(days):
            raise self._beyond(f"{count} school days after {format_day(start)}")
        return Deadline(days[index], self._before_first_term_warning(start + ONE_DAY))

    def months_after(self, start: date, months: int) -> Deadline:
        """`months` calendar months after `start` (the day clamped to the end of a shorter
        month), moved forward to the next school day if it is not one ("about six months").
        Raises BeyondTermDates when that lies after the last configured term."""
        return self.first_school_day_on_or_after(add_months(start, months))

    def first_school_day_on_or_after(self, day: date) -> Deadline:
        """`day` if it is a school day, else the next school day after it."""
        if self._term_dates is None:
            if self._reason_closed(day) is None:
                return Deadline(day, NO_TERM_DATES_WARNING)
            return Deadline(self._nth_working_day_after(day, 1), NO_TERM_DATES_WARNING)
        days = self._known_school_days()
        index = bisect.bisect_left(days, day)
        if index >= len(days):
            raise self._beyond(f"The first school day on or after {format_day(day)}")
        return Deadline(days[index], self._before_first_term_warning(day))

    def school_days_between(self, after: date, until: date) -> int:
        """How many school days d there are with `after` < d <= `until` (0 if none), e.g. the
        school days left before a deadline. Raises OutsideTermDates if `until` is after the
        last term."""
        if until <= after:
            return 0
        if self._term_dates is None:
            return sum(
                1 for day in _days(after + ONE_DAY, until) if self._reason_closed(day) is None
            )
        if until > self._term_dates.last_day:
            self._check_covered(until)
        days = self._known_school_days()
        return bisect.bisect_right(days, until) - bisect.bisect_right(days, after)

    # --- internals -------------------------------------------------------------------------

    def _reason_not_working_day(self, day: date) -> str | None:
        if day.weekday() >= 5:
            return f"{day:%A}"
        holiday = self.bank_holidays(day.year).get(day)
        if holiday is not None:
            return f"bank holiday: {holiday}"
        return None

    def _reason_closed(self, day: date) -> str | None:
        reason = self._reason_not_working_day(day)
        if reason is not None:
            return reason
        dates = self._term_dates
        if dates is None:
            return None
        if not any(day in term for term in dates.terms):
            return "school holiday (not in term)"
        if day in dates.closures:
            return "school closed (INSET day or other closure)"
        return None

    def _known_school_days(self) -> tuple[date, ...]:
        if self._school_days is None:
            assert self._term_dates is not None
            self._school_days = tuple(
                day
                for term in self._term_dates.terms
                for day in _days(term.start, term.end)
                if self._reason_closed(day) is None
            )
        return self._school_days

    def _nth_working_day_after(self, start: date, count: int) -> date:
        day, found = start, 0
        while found < count:
            if day >= date.max:
                raise CalendarError(f"{count} working days after {start.isoformat()} is too far.")
            day += ONE_DAY
            if self._reason_closed(day) is None:
                found += 1
        return day

    def _check_covered(self, day: date) -> None:
        dates = self._term_dates
        if dates is not None and not dates.first_day <= day <= dates.last_day:
            raise OutsideTermDates(
                f"This school's term dates cover {format_day(dates.first_day)} to "
                f"{format_day(dates.last_day)}, so nobody can say whether "
                f"{format_day(day)} is a school day. Ask the trust's administrator to add "
                "the term dates for that school year.",
                dates.first_day,
                dates.last_day,
            )

    def _beyond(self, what: str) -> BeyondTermDates:
        assert self._term_dates is not None
        last = self._term_dates.last_day
        return BeyondTermDates(
            f"{what} falls after the last term in this school's term dates, which ends on "
            f"{format_day(last)}. Ask the trust's administrator to add the term dates for the "
            f"next school year (from {format_day(last + ONE_DAY)} on), then try again.",
            last,
        )

    def _before_first_term_warning(self, counted_from: date) -> str | None:
        # Days from `counted_from` up to the first term were taken as not in term; say so
        # when one of them is a working day the school might have been open on. (A week
        # always holds one, so a long stretch needs no day-by-day look.)
        assert self._term_dates is not None
        first = self._term_dates.first_day
        if counted_from >= first:
            return None
        if counted_from > first - timedelta(days=7) and all(
            self._reason_not_working_day(day) is not None
            for day in _days(counted_from, first - ONE_DAY)
        ):
            return None
        return (
            f"This school's term dates begin on {format_day(first)}, so the count starts from "
            "the first school day of that term. If the school was open before then, ask the "
            "trust's administrator to add those term dates."
        )


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY
