"""Recording a removal from the premises as a step (`bot.flows.actions`), response 5: while
a ban is in force, the head records when the person was removed, by whom, and any notes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.when import moment
from cards import removal as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from rules.behaviours import Remover
from rules.commands import Command
from rules.steps.removal import RecordRemoval

STEP = "removal.record"
REMOVERS = tuple(Choice(r.value, r.label) for r in Remover)


def form(ctx: StepContext) -> Card:
    return cards.build(
        cards.RemovalView(
            reference=ctx.view.reference,
            removers=REMOVERS,
            today=ctx.casework.today().isoformat(),
            data=ctx.data(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    removed_at = moment(read, cards.DAY, cards.TIME, ctx.casework.now())
    removed_by = read.one(cards.REMOVER, REMOVERS)
    name = read.text(cards.NAME)
    notes = read.text(cards.NOTES)
    if read.problems or removed_at is None:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    return RecordRemoval(ctx.command_id, removed_at, Remover(removed_by), name, notes)


REMOVAL = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Record a removal",
        command=RecordRemoval,
        form=form,
        parse=parse,
        done_title="Removal recorded",
    )
)
