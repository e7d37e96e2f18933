"""What the sweeper should issue on a case today: the commands of its own steps.

`system_commands_due(view, today, calendar)` gives them with command ids derived from the
case's facts, never from the clock or a random number, so two sweepers issue the same ids
and the store applies each once. It lives apart from `rules.prompts` because it builds the
steps' commands, and the reminders step asks `rules.prompts` which reminders are due: the
two directions would otherwise make an import cycle.
"""

from __future__ import annotations

from datetime import date

from rules import timeline as tl
from rules.calendar import SchoolCalendar
from rules.core.commands import Command
from rules.core.view import CaseView
from rules.prompts import due_reminders, open_window_due
from rules.steps.notifications import SendDueReminders
from rules.steps.period_end import EndSanctionPeriod, period_end_command_id
from rules.steps.representations import CloseRepresentationWindow


def system_commands_due(
    view: CaseView, today: date, calendar: SchoolCalendar
) -> tuple[Command, ...]:
    """What the sweeper should issue on this case today. Command ids are derived from the
    case's facts, never from the clock or a random number: a second sweeper computes the
    same ids, and the store applies each once."""
    count = tl.lenient(calendar)
    due: list[Command] = []
    window_due = open_window_due(view, count)
    if window_due is not None and today > window_due and view.window is not None:
        due.append(CloseRepresentationWindow(f"system:close-window:{view.window.letter_id}"))
    period_end = tl.period_end_due(view)
    period_end_id = period_end_command_id(view)
    if period_end is not None and today >= period_end and period_end_id is not None:
        # The ban or conditions end by themselves: nothing else is due on them.
        return (EndSanctionPeriod(period_end_id),)
    reminders = due_reminders(view, today, calendar)
    if reminders:
        ids = ",".join(r.notification_id for r in reminders)
        due.append(SendDueReminders(f"system:reminders:{ids}"))
    return tuple(due)
