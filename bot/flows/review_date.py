"""Setting the review meeting's date as a step (`bot.flows.actions`): the clerk (or the
head) sets it, or moves it. The rules refuse a date the person's 10 school days to send a
statement cannot fit before, and say why; letter 6 follows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from cards import review as cards
from cards.common import Card
from cards.inputs import Submitted
from rules import timeline as tl
from rules.commands import Command
from rules.steps.review import RescheduleReview, ScheduleReview
from rules.wording import format_day

STEP = "review.date"


def form(ctx: StepContext) -> Card:
    view = ctx.view
    facts = []
    if view.current_review is not None:
        facts.append(f"The meeting is now set for {format_day(view.current_review.meeting_on)}.")
    due = tl.review_due(view, tl.lenient(ctx.casework.calendar(view.school_id)))
    if due is not None:
        facts.append(f"The review is due by {format_day(due.due)}.")
    return cards.build_date(
        cards.ReviewView(
            view.reference,
            facts,
            ctx.casework.today().isoformat(),
            ctx.data(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    text = read.date(cards.MEETING_ON)
    meeting_on = None
    if cards.MEETING_ON.id not in read.at_fields:
        try:
            meeting_on = date.fromisoformat(text)
        except ValueError:
            read.problem("Give a date that exists.", cards.MEETING_ON.id)
    if read.problems or meeting_on is None:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    if ctx.view.current_review is not None:
        return RescheduleReview(ctx.command_id, meeting_on)
    return ScheduleReview(ctx.command_id, meeting_on)


DATE = register(
    StepAction(
        step=STEP,
        verb=cards.DATE_VERB,
        title="Set the review date",
        command=ScheduleReview,
        also=(RescheduleReview,),
        form=form,
        parse=parse,
        done_title="Review date set",
    )
)
