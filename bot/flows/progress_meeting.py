"""Recording the annual progress meeting as a step (`bot.flows.actions`): the head or
senior staff, while a confirmed ban is in force on a parent or carer with a child at the
school (the only people offered the meeting)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.forms import problems, step_view
from bot.flows.when import day
from cards import progress_meeting as cards
from cards.common import Card
from cards.inputs import Submitted
from rules import timeline as tl
from rules.commands import Command
from rules.steps.progress_meeting import RecordProgressMeeting
from rules.wording import format_day


def form(ctx: StepContext) -> Card:
    view = ctx.view
    facts = [
        f"{view.person.name} is banned; the ban allows an annual meeting about the "
        "child's progress."
    ]
    due = tl.progress_meeting_due(view, tl.lenient(ctx.casework.calendar(view.school_id)))
    if due is not None:
        facts.append(f"The next one is due by {format_day(due.due)}.")
    if view.progress_meetings:
        facts.append(f"The last was held on {format_day(view.progress_meetings[-1].held_on)}.")
    return cards.build(step_view(ctx, facts))


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    held_on = day(read, cards.HELD_ON, ctx.casework.today(), what="The date of the meeting")
    notes = read.text(cards.NOTES)
    if read.problems or held_on is None:
        return problems(read)
    return RecordProgressMeeting(ctx.command_id, held_on, notes)


PROGRESS = register(
    StepAction(
        step="progress.held",
        verb=cards.VERB,
        title="Record the annual progress meeting",
        command=RecordProgressMeeting,
        form=form,
        parse=parse,
        done_title="Progress meeting recorded",
        # Offered only to a parent or carer with a child at the school (issue 9, rule 7).
        offered_when=lambda view: view.person.has_child_at_school,
    )
)
