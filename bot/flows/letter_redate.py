"""Asking for a re-dated draft as a step (`bot.flows.actions`): the signer of a letter not
yet sent whose draft bears a date before today asks for it to be drafted afresh, dated the
day it is drafted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.forms import problems, step_view
from cards import letter_redate as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from casework.actor import Actor
from rules.case import CaseView
from rules.commands import Command
from rules.roles import Role
from rules.steps.letters import RedateLetter
from rules.wording import format_day


def dated_before(view: CaseView, roles: frozenset[Role], today: date) -> tuple[Choice, ...]:
    return tuple(
        Choice(x.letter_id, f"{x.letter.label} (dated {format_day(x.dated_on)})")
        for x in view.letters
        if not x.done and x.signer in roles and x.dated_on is not None and x.dated_on < today
    )


def _signers(view: CaseView) -> frozenset[Role]:
    return frozenset(x.signer for x in view.letters if not x.done and x.dated_on is not None)


def _offered(ctx: StepContext) -> tuple[Choice, ...]:
    roles = ctx.casework.roles_at(Actor(ctx.actor_id), ctx.view.school_id)
    return dated_before(ctx.view, roles, ctx.casework.today())


def form(ctx: StepContext) -> Card:
    offered = _offered(ctx)
    facts = ["A letter that did not go on the date it bears is drafted again, dated today."]
    if not offered:
        facts = ["None of your letters has a draft dated before today: nothing to re-date."]
        offered = (Choice("", "No letter to re-date"),)
    return cards.build(step_view(ctx, facts, choices={cards.LETTER.id: offered}))


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    letter_id = read.one(cards.LETTER, _offered(ctx))
    if read.problems:
        return problems(read)
    return RedateLetter(ctx.command_id, letter_id)


REDATE = register(
    StepAction(
        step="letter.redate",
        verb=cards.VERB,
        title="Re-date a letter",
        command=RedateLetter,
        form=form,
        parse=parse,
        done_title="Re-dated draft asked for",
        secondary=True,
        offered_when=lambda view: bool(_signers(view)),
        roles_now=_signers,
        available=lambda view, cw: any(
            not x.done and x.dated_on is not None and x.dated_on < cw.today() for x in view.letters
        ),
    )
)
