"""Recording the person's statement for the review as a step (`bot.flows.actions`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from cards import review as cards
from cards.common import Card
from cards.inputs import DateInput, Submitted
from rules.commands import Command
from rules.steps.review import RecordReviewStatement
from rules.wording import format_day

STEP = "review.statement"


def form(ctx: StepContext) -> Card:
    review = ctx.view.current_review
    facts = [f"The meeting is on {format_day(review.meeting_on)}."] if review else []
    return cards.build_statement(
        cards.ReviewView(
            ctx.view.reference,
            facts,
            ctx.casework.today().isoformat(),
            ctx.data(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def _day(read: Submitted, field: DateInput) -> date | None:
    text = read.date(field)
    if field.id in read.at_fields:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        read.problem("Give a date that exists.", field.id)
        return None


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    dated = _day(read, cards.LETTER_DATED)
    received = _day(read, cards.RECEIVED_ON)
    summary = read.text(cards.STATEMENT)
    if read.problems or dated is None or received is None:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    return RecordReviewStatement(ctx.command_id, dated, received, summary)


STATEMENT = register(
    StepAction(
        step=STEP,
        verb=cards.STATEMENT_VERB,
        title="Record their statement",
        command=RecordReviewStatement,
        form=form,
        parse=parse,
        done_title="Statement recorded",
        offered_when=lambda view: (
            view.current_review is not None and view.current_review.statement is None
        ),
    )
)
