"""The view of a simpler step card (`cards.step_form.StepView`) from a step's context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.flows.actions import FieldProblems, StepContext
from cards.common import Choice
from cards.inputs import Submitted
from cards.step_form import StepView


def step_view(
    ctx: StepContext,
    facts: Sequence[str],
    *,
    today: str = "",
    choices: Mapping[str, Sequence[Choice]] | None = None,
    defaults: Mapping[str, str] | None = None,
) -> StepView:
    """`defaults` fill the inputs of a card opened afresh; a refused submit's card shows
    what was typed instead."""
    return StepView(
        reference=ctx.view.reference,
        facts=tuple(facts),
        data=ctx.data(),
        today=today or ctx.casework.today().isoformat(),
        choices=dict(choices or {}),
        values=ctx.values if ctx.values else dict(defaults or {}),
        problems=ctx.problems,
        at_fields=ctx.at_fields,
    )


def problems(read: Submitted) -> FieldProblems:
    return FieldProblems(tuple(read.problems), dict(read.at_fields))
