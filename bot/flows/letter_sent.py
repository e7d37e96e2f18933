"""Marking a letter as sent as a step (`bot.flows.actions`): its signer records the date it
went. Until then the case says the letter is still to send, and no reply window runs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.case import letter_line
from cards import letter_sent as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from casework.actor import Actor
from rules.case import CaseView
from rules.commands import Command
from rules.roles import Role
from rules.steps.letters import RecordLetterSent

STEP = "letter.sent"


def _to_send(view: CaseView, roles: frozenset[Role]) -> tuple[Choice, ...]:
    # The state's first letter in lower case, not its dates ("reply by Monday 26 January").
    return tuple(
        Choice(x.letter_id, f"{x.letter.label} ({_first_lower(letter_line(x).state)})")
        for x in view.letters
        if not x.done and x.signer in roles
    )


def _signers(view: CaseView) -> frozenset[Role]:
    return frozenset(x.signer for x in view.letters if not x.done)


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def form(ctx: StepContext) -> Card:
    roles = ctx.casework.roles_at(Actor(ctx.actor_id), ctx.view.school_id)
    return cards.build(
        cards.LetterSentView(
            reference=ctx.view.reference,
            letters=_to_send(ctx.view, roles),
            today=ctx.casework.today().isoformat(),
            data=ctx.data(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    roles = ctx.casework.roles_at(Actor(ctx.actor_id), ctx.view.school_id)
    letter_id = read.one(cards.LETTER, _to_send(ctx.view, roles))
    sent_on = _day(read)
    if sent_on is not None and sent_on > ctx.casework.today():
        read.problem("The date the letter was sent cannot be in the future.", cards.SENT_ON.id)
    if read.problems or sent_on is None:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    return RecordLetterSent(ctx.command_id, letter_id, sent_on)


def _day(read: Submitted) -> date | None:
    text = read.date(cards.SENT_ON)
    if cards.SENT_ON.id in read.at_fields:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        read.problem("Give a date that exists.", cards.SENT_ON.id)
        return None


SENT = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Mark a letter as sent",
        command=RecordLetterSent,
        form=form,
        parse=parse,
        done_title="Letter recorded as sent",
        offered_when=lambda view: any(not x.done for x in view.letters),
        roles_now=_signers,
    )
)
