"""Recording a breach as a step (`bot.flows.actions`): while conditions or a ban are in
force, the head or senior staff record when it happened and what happened."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.when import moment
from cards import breach as cards
from cards.common import Card
from cards.inputs import Submitted
from rules.commands import Command
from rules.steps.breach import RecordBreach
from rules.wording import format_day

STEP = "breach.record"


def form(ctx: StepContext) -> Card:
    sanction = ctx.view.sanction
    in_force = (
        f"the {sanction.kind.label}, imposed on {format_day(sanction.imposed_on)}"
        if sanction is not None
        else "nothing"
    )
    return cards.build(
        cards.BreachView(
            reference=ctx.view.reference,
            in_force=in_force,
            today=ctx.casework.today().isoformat(),
            data=ctx.data(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    occurred_at = moment(read, cards.DAY, cards.TIME, ctx.casework.now())
    summary = read.text(cards.SUMMARY)
    if read.problems or occurred_at is None:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    return RecordBreach(ctx.command_id, occurred_at, summary)


BREACH = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Record a breach",
        command=RecordBreach,
        form=form,
        parse=parse,
        done_title="Breach recorded",
        offered_when=lambda view: view.sanction is not None and view.state.sanction_in_force,
    )
)
