"""School calendars and deadline arithmetic (ARCHITECTURE.md, "Counting school days").

API fixed here so that the case rules can be written against it; bodies in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Region(StrEnum):
    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


@dataclass(frozen=True)
class Term:
    start: date
    end: date


@dataclass(frozen=True)
class TermDates:
    region: Region
    terms: tuple[Term, ...]
    closures: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Deadline:
    due: date
    warning: str | None = None  # set when the school has no term dates (working days only)


class SchoolCalendar:
    def __init__(self, region: Region, term_dates: TermDates | None) -> None:
        raise NotImplementedError

    @property
    def warning(self) -> str | None:
        raise NotImplementedError

    def is_school_day(self, day: date) -> bool:
        raise NotImplementedError

    def school_days_after(self, start: date, count: int) -> Deadline:
        raise NotImplementedError

    def months_after(self, start: date, months: int) -> Deadline:
        raise NotImplementedError
