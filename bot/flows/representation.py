"""Recording a representation as a step (`bot.flows.actions`): the person's written
comments on the letter awaiting their reply (letters 1, 2 and 4). The rules check its dates
against the letter's; once the person says they have nothing more to add (or their 10
school days pass), the Chair is asked to decide."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from cards import representation as cards
from cards.common import Card
from cards.inputs import DateInput, Submitted
from rules import timeline as tl
from rules.case import CaseView
from rules.commands import Command
from rules.steps.representations import RecordRepresentation
from rules.wording import format_day

STEP = "representation.record"


def _awaited(view: CaseView) -> bool:
    letter = view.window_letter
    return letter is not None and letter.sent_on is not None


def form(ctx: StepContext) -> Card:
    view = ctx.view
    letter = view.window_letter
    if letter is None or letter.sent_on is None:  # offered only then
        raise ValueError(f"case {view.reference}: no letter awaits a reply")
    reply_by = tl.reply_deadline(view, tl.lenient(ctx.casework.calendar(view.school_id)))
    return cards.build(
        cards.RepresentationView(
            reference=view.reference,
            awaiting=f"{letter.letter.label}, sent on {format_day(letter.sent_on)}",
            reply_by=format_day(reply_by.due) if reply_by else "",
            today=ctx.casework.today().isoformat(),
            data=ctx.data(),
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
    summary = read.text(cards.SUMMARY)
    final = read.toggle(cards.FINAL)
    if received is not None and received > ctx.casework.today():
        read.problem("The date it arrived cannot be in the future.", cards.RECEIVED_ON.id)
    if read.problems or dated is None or received is None:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    return RecordRepresentation(ctx.command_id, dated, received, summary, final)


RECORD = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Record their written comments",
        command=RecordRepresentation,
        form=form,
        parse=parse,
        done_title="Comments recorded",
        offered_when=_awaited,
    )
)
