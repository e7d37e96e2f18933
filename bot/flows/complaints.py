"""Referring to the complaints policy as a step (`bot.flows.actions`), response 6: the head
gives the reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from cards import complaints as cards
from cards.common import Card
from cards.inputs import Submitted
from cards.step_form import StepView
from rules.commands import Command
from rules.steps.complaints import ReferToComplaints

STEP = "complaints.refer"


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
    return ReferToComplaints(ctx.command_id, reason)


REFER = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Refer to complaints",
        command=ReferToComplaints,
        form=form,
        parse=parse,
        done_title="Referred to the complaints policy",
        secondary=True,
        # A response, like the others: once the latest incident is assessed.
        offered_when=lambda view: (
            view.latest_incident is not None and view.latest_incident.assessed
        ),
    )
)
