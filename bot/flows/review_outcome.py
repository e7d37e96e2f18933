"""Recording the committee's decision as a step (`bot.flows.actions`): maintain, extend,
vary the conditions, replace a ban by conditions, or remove; letter 7 follows. Reception's
list changes with it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from cards import review as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from rules.behaviours import ReviewOutcome, StandardCondition
from rules.commands import Command
from rules.details import Conditions
from rules.steps.review import RecordReviewOutcome
from rules.wording import format_day

STEP = "review.outcome"
OUTCOMES = tuple(Choice(o.value, o.label) for o in ReviewOutcome)
STANDARD = tuple(Choice(c.value, c.label) for c in StandardCondition)


def form(ctx: StepContext) -> Card:
    review = ctx.view.current_review
    facts = [f"The committee met (or meets) on {format_day(review.meeting_on)}."] if review else []
    return cards.build_outcome(
        cards.ReviewView(
            ctx.view.reference,
            facts,
            ctx.casework.today().isoformat(),
            ctx.data(),
            outcomes=OUTCOMES,
            standard_conditions=STANDARD,
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    outcome = read.one(cards.OUTCOME, OUTCOMES)
    reason = read.text(cards.REASON)
    parts = read.values.get(cards.STANDARD.id, "").split(",")
    chosen = tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
    if any(c not in {s.value for s in STANDARD} for c in chosen):
        read.problem("Choose the standard conditions from the list.", cards.STANDARD.id)
        chosen = ()
    other = read.lines(cards.OTHER)
    until = None
    until_text = read.values.get(cards.UNTIL, "").strip()
    if until_text:
        try:
            until = date.fromisoformat(until_text[:10]) if len(until_text) <= 10 else None
        except ValueError:
            until = None
        if until is None:
            read.problem("Give the new end date as a date, or leave it empty.", cards.UNTIL)
    if read.problems:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    conditions = Conditions(tuple(StandardCondition(c) for c in chosen), other)
    return RecordReviewOutcome(ctx.command_id, ReviewOutcome(outcome), reason, conditions, until)


OUTCOME = register(
    StepAction(
        step=STEP,
        verb=cards.OUTCOME_VERB,
        title="Record the committee's decision",
        command=RecordReviewOutcome,
        form=form,
        parse=parse,
        done_title="Committee's decision recorded",
        offered_when=lambda view: view.current_review is not None,
    )
)
