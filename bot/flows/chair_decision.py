"""The Chair's decision as a step (`bot.flows.actions`): the card shows the case's facts,
the head's decision and reasons, the person's reply or its absence, and the deadline; its
submit is the rules' `DecideAsChair`. Nobody reviews their own decision, and only a Chair of
the case's school may decide: the server refuses anyone else, whatever the card showed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from cards import chair_decision as cards
from cards.common import Card
from cards.inputs import Submitted
from rules import timeline as tl
from rules.behaviours import ChairOutcome, SanctionKind
from rules.commands import Command
from rules.steps.chair import DecideAsChair
from rules.wording import format_day

STEP = "chair.decide"


def form(ctx: StepContext) -> Card:
    view = ctx.view
    sanction = view.sanction
    window = view.window
    cw = ctx.casework
    if sanction is None:
        raise ValueError(f"case {view.reference}: nothing for the Chair to decide")
    by = cw.name_of(sanction.imposed_by) or "the Headteacher/Principal"
    if sanction.kind is SanctionKind.BAN:
        terms = ["Not to come onto the school's premises"]
        if sanction.until is not None:
            terms[0] += f" until {format_day(sanction.until)}"
    else:
        terms = list(sanction.conditions.wording)
    representations = [
        f"Received {format_day(r.received_on)}: {r.summary}"
        for r in (window.representations if window else ())
    ]
    if window is not None and window.nothing_more_to_add:
        representations.append("The person said in writing that they have nothing more to add.")
    no_representation = "No representation was received."
    if window is not None and window.closed_on is not None:
        no_representation = (
            f"No representation was received: the time to reply ended on "
            f"{format_day(window.closed_on)}."
        )
    deadline = tl.chair_deadline(view, tl.lenient(cw.calendar(view.school_id)))
    return cards.build(
        cards.ChairDecisionView(
            reference=view.reference,
            person_name=view.person.name,
            incidents=tuple(
                f"Incident {i.no}, {format_day(i.details.occurred_at.date())}, "
                f"{i.details.location}: {i.details.summary}"
                for i in view.incidents
            ),
            sanction=sanction.kind.label,
            imposed=f"Imposed by {by} on {format_day(sanction.imposed_on)}.",
            terms=terms,
            head_reason=sanction.reason,
            representations=representations,
            no_representation=no_representation,
            due=format_day(deadline.due) if deadline else "",
            data=ctx.data(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    outcome = read.one(cards.OUTCOME, cards.OUTCOMES)
    reason = read.text(cards.REASON)
    if read.problems:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    return DecideAsChair(ctx.command_id, ChairOutcome(outcome), reason)


DECIDE = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Confirm or overturn",
        command=DecideAsChair,
        form=form,
        parse=parse,
        done_title="Decision recorded",
    )
)
