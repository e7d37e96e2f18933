"""Closing the case as a step (`bot.flows.actions`): the head gives the reason. The rules
allow it once the latest incident has its response and nothing is in force."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from cards import closing as cards
from cards.common import Card
from cards.inputs import Submitted
from cards.step_form import StepView
from rules.commands import Command
from rules.steps.closing import CloseCase

STEP = "case.close"


def form(ctx: StepContext) -> Card:
    return cards.build(
        StepView(
            ctx.view.reference,
            (),
            ctx.data(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    reason = read.text(cards.REASON)
    if read.problems:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    return CloseCase(ctx.command_id, reason)


CLOSE = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Close the case",
        command=CloseCase,
        form=form,
        parse=parse,
        done_title="Case closed",
        # The rules close a case only once its latest incident has its response.
        offered_when=lambda view: (
            view.latest_incident is None or bool(view.latest_incident.responses)
        ),
    )
)
