"""Withdrawing a letter as a step (`bot.flows.actions`): its signer, with the reason, for a
letter not sent. The rules refuse a letter whose reply window the case is waiting on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.case import letter_line
from bot.flows.forms import problems, step_view
from cards import letter_withdraw as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from casework.actor import Actor
from rules.case import CaseView
from rules.commands import Command
from rules.roles import Role
from rules.steps.letters import WithdrawLetter


def unsent(view: CaseView, roles: frozenset[Role]) -> tuple[Choice, ...]:
    return tuple(
        Choice(x.letter_id, f"{x.letter.label} ({letter_line(x).state.lower()})")
        for x in view.letters
        if not x.done and x.signer in roles
    )


def _signers(view: CaseView) -> frozenset[Role]:
    return frozenset(x.signer for x in view.letters if not x.done)


def _roles(ctx: StepContext) -> frozenset[Role]:
    return ctx.casework.roles_at(Actor(ctx.actor_id), ctx.view.school_id)


def form(ctx: StepContext) -> Card:
    choices = {cards.LETTER.id: unsent(ctx.view, _roles(ctx))}
    return cards.build(step_view(ctx, ["Only a letter that will not be sent."], choices=choices))


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    letter_id = read.one(cards.LETTER, unsent(ctx.view, _roles(ctx)))
    reason = read.text(cards.REASON)
    if read.problems:
        return problems(read)
    return WithdrawLetter(ctx.command_id, letter_id, reason)


WITHDRAW = register(
    StepAction(
        step="letter.withdraw",
        verb=cards.VERB,
        title="Withdraw a letter",
        command=WithdrawLetter,
        form=form,
        parse=parse,
        done_title="Letter withdrawn",
        secondary=True,
        offered_when=lambda view: bool(_signers(view)),
        roles_now=_signers,
    )
)
