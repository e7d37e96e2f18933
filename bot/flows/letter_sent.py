"""Marking a letter as sent as a step (`bot.flows.actions`): its signer records the date it
went. Until then the case says the letter is still to send, and no reply window runs.

When the drafts can tell (`casework.ports.SentLetters`: the Outlook drafts), opening the
step first asks the signer's mailbox whether each draft was sent, and when: the card says
what the mailbox shows, and a letter the mailbox shows sent is chosen with its date filled
in, for the signer to confirm. Nothing is recorded until the signer presses the button:
the mailbox only suggests (a letter may also go by post, which no mailbox shows). The
question is bounded (`READ_BACK_S`); a mailbox that cannot be read just leaves the card as
it would be without it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.case import letter_line
from cards import letter_sent as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from casework.actor import Actor
from casework.letters import draft_key
from casework.ports import SentState, SentStatus
from rules.case import CaseView
from rules.commands import Command
from rules.core.view import LetterRecord
from rules.roles import Role
from rules.steps.letters import RecordLetterSent
from rules.wording import format_day

STEP = "letter.sent"
logger = logging.getLogger(__name__)
UK = ZoneInfo("Europe/London")
# How long opening the step waits for the mailbox: well inside Teams' time for an answer.
READ_BACK_S = 2.0


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


async def read_mailbox(ctx: StepContext) -> StepContext:
    """`ctx` with what the signer's mailbox says of each drafted letter this person may mark
    as sent (`read_back`: letter id → `SentState`), and, when exactly one of them shows sent,
    that letter and its date pre-filled."""
    reader = ctx.casework.ports.sent_letters
    roles = ctx.casework.roles_at(Actor(ctx.actor_id), ctx.view.school_id)
    letters = [
        x for x in ctx.view.letters if not x.done and x.signer in roles and x.draft_ref is not None
    ]
    if reader is None or not letters:
        return ctx
    try:
        states = await asyncio.wait_for(
            asyncio.gather(*(_state(ctx, x) for x in letters)), READ_BACK_S
        )
    except Exception as error:  # the card without the mailbox's word, never a failed step
        logger.warning(
            "case %s: the mailbox could not be read for the letters sent (%s)",
            ctx.view.reference,
            type(error).__name__,
        )
        return ctx
    found = {x.letter_id: state for x, state in zip(letters, states, strict=True)}
    sent = [(i, st) for i, st in found.items() if st.status is SentStatus.SENT and st.sent_at]
    values = dict(ctx.values)
    if len(sent) == 1 and not ctx.values:
        letter_id, state = sent[0]
        assert state.sent_at is not None
        values[cards.LETTER.id] = letter_id
        values[cards.SENT_ON.id] = state.sent_at.astimezone(UK).date().isoformat()
    return replace(ctx, values=values, read_back=found)


async def _state(ctx: StepContext, letter: LetterRecord) -> SentState:
    reader = ctx.casework.ports.sent_letters
    holders = ctx.casework.ports.directory.holders(ctx.view.school_id, letter.signer)
    if reader is None or not holders:
        return SentState(SentStatus.UNKNOWN)
    # The draft went into the mailbox of the role's first holder (casework.letter_parts).
    key = draft_key(ctx.view.case_id, letter.letter_id, letter.redated)
    return await reader.sent_state(holders[0], key)


def mailbox_note(state: object) -> str:
    """What the mailbox says of a draft, for the card ("" when it cannot tell)."""
    if not isinstance(state, SentState):
        return ""
    if state.status is SentStatus.SENT:
        when = f" on {format_day(state.sent_at.astimezone(UK).date())}" if state.sent_at else ""
        return f"Outlook shows it sent{when}: check the date and record it."
    if state.status is SentStatus.DRAFT:
        return (
            "Outlook shows the draft not sent yet. If it went another way (by post), "
            "record the date it went."
        )
    if state.status is SentStatus.MISSING:
        return (
            "Outlook no longer finds this draft in the signer's mailbox (it may have been "
            "deleted): if the letter went, record the date it went."
        )
    return ""


def form(ctx: StepContext) -> Card:
    roles = ctx.casework.roles_at(Actor(ctx.actor_id), ctx.view.school_id)
    notes = tuple(
        f"{x.letter.label}: {note}"
        for x in ctx.view.letters
        if (note := mailbox_note(ctx.read_back.get(x.letter_id)))
    )
    return cards.build(
        cards.LetterSentView(
            reference=ctx.view.reference,
            letters=_to_send(ctx.view, roles),
            today=ctx.casework.today().isoformat(),
            data=ctx.data(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
            notes=notes,
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
        prepare=read_mailbox,
    )
)
