"""A date and a time typed on a step's card, read as a moment in the school's own time
(UK), the way the incident report reads them (`bot.flows.reporting.uk_moment`)."""

from __future__ import annotations

from datetime import date, datetime, time

from bot.flows.reporting import uk_moment
from cards.inputs import DateInput, Submitted, TimeInput


def moment(
    read: Submitted, day_field: DateInput, time_field: TimeInput, now: datetime
) -> datetime | None:
    """The moment, or None with the problem recorded at its field."""
    day_text = read.date(day_field)
    time_text = read.time(time_field)
    if day_field.id in read.at_fields or time_field.id in read.at_fields:
        return None
    try:
        day = date.fromisoformat(day_text)
        clock = time.fromisoformat(time_text)
    except ValueError:
        read.problem("Give a date and time that exist.", day_field.id)
        return None
    found = uk_moment(day, clock)
    if found is None:
        read.problem(
            f"There was no {clock.strftime('%H:%M')} on that day in the UK: the clocks went "
            "forward an hour that night. Give the time the clock showed.",
            time_field.id,
        )
        return None
    if found > now:
        read.problem("The date and time cannot be in the future.", day_field.id)
        return None
    return found


def day(read: Submitted, field: DateInput, today: date, *, what: str = "") -> date | None:
    """The date typed, not after `today` (something that happened), or None with the
    problem recorded at its field. `what` names it in the refusal ("The date of the
    meeting")."""
    text = read.date(field)
    if field.id in read.at_fields:
        return None
    try:
        found = date.fromisoformat(text)
    except ValueError:
        read.problem("Give a date that exists.", field.id)
        return None
    if found > today:
        read.problem(f"{what or field.label} cannot be in the future.", field.id)
        return None
    return found


def ahead(
    read: Submitted, day_field: DateInput, time_field: TimeInput, now: datetime
) -> datetime | None:
    """A moment still to come (a meeting arranged), in the school's own time, or None with
    the problem recorded at its field."""
    day_text = read.date(day_field)
    time_text = read.time(time_field)
    if day_field.id in read.at_fields or time_field.id in read.at_fields:
        return None
    try:
        found = uk_moment(date.fromisoformat(day_text), time.fromisoformat(time_text))
    except ValueError:
        read.problem("Give a date and time that exist.", day_field.id)
        return None
    if found is None:
        read.problem(
            "There is no such time on that day in the UK: the clocks go forward an hour "
            "that night. Give the time the clock will show.",
            time_field.id,
        )
        return None
    if found <= now:
        read.problem("The meeting must be arranged for a time still to come.", day_field.id)
        return None
    return found
