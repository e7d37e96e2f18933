"""Ending a sanction's defined period as a step (`bot.flows.actions`): offered to the head
while a ban or conditions with an end date are in force; the rules refuse it until the day
after the end date, and the card says so."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.forms import step_view
from cards import period_end as cards
from cards.common import Card
from rules.case import CaseView
from rules.commands import Command
from rules.steps.period_end import EndSanctionPeriod
from rules.wording import format_day


def _with_end(view: CaseView) -> bool:
    return view.sanction is not None and view.sanction.until is not None


def form(ctx: StepContext) -> Card:
    sanction = ctx.view.sanction
    facts = []
    if sanction is not None and sanction.until is not None:
        facts.append(
            f"The {sanction.kind.label} imposed on {format_day(sanction.imposed_on)} is in "
            f"force until {format_day(sanction.until)}."
        )
    return cards.build(step_view(ctx, facts))


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    return EndSanctionPeriod(ctx.command_id)


END = register(
    StepAction(
        step="period.end",
        verb=cards.VERB,
        title="Record that the period ended",
        command=EndSanctionPeriod,
        form=form,
        parse=parse,
        done_title="Period ended",
        offered_when=_with_end,
        available=lambda view, cw: (
            view.sanction is not None
            and view.sanction.until is not None
            and cw.today() > view.sanction.until
        ),
    )
)
