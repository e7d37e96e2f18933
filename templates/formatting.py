"""The house style for dates and times in letters, applied everywhere through these
functions (and the template filters built on them).

Dates: "Monday 16 March 2026". Times: "3.15pm", "9am", "12 noon", "12 midnight".
Day and month names are spelt out here rather than taken from the process locale, so a
server's locale can never change a letter.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date) -> str:
    """ "Monday 16 March 2026"."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def clock_time(moment: time) -> str:
    """ "3.15pm", "9am", "12 noon", "12 midnight"."""
    if moment.minute == 0 and moment.hour == 12:
        return "12 noon"
    if moment.minute == 0 and moment.hour == 0:
        return "12 midnight"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    if moment.minute == 0:
        return f"{hour}{suffix}"
    return f"{hour}.{moment.minute:02d}{suffix}"


def date_and_time(day: date, moment: time | None) -> str:
    """ "Monday 16 March 2026 at 3.15pm", or the date alone when the time is not known."""
    if moment is None:
        return long_date(day)
    return f"{long_date(day)} at {clock_time(moment)}"


def and_list(items: Iterable[str]) -> str:
    """ "A", "A and B", "A, B and C" (no serial comma, as in the policy)."""
    parts = list(items)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
