"""The Case card: `case <reference>` typed, `case.open` pressed (data {"reference": …}, the
button any card may carry), and `case.refresh` (the card's refresh verb: Teams asks it for
each person in `refresh.userIds`, so that each sees their own buttons).

A case that does not exist and a case this person may not see get the same answer, so
that nobody learns another school's references. A member of staff who reported on the case
sees its stage only (`cards.case.build_status`), with the steps a reporter may take on it
(`StepAction.reporters`: add a statement, report a further incident).
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.flows import actions
from bot.flows.actions import (
    NO_SUCH_CASE,
    acting_people,
    actor_of,
    case_version,
    offered_steps,
    reporter_steps,
)
from bot.routing import (
    SHARED_CONVERSATIONS,
    CardVerb,
    Inbound,
    InvokeReply,
    OutgoingMessage,
    Reply,
    Route,
    TextCommand,
)
from bot.services import BotServices
from cards import actions as action_cards
from cards import case as case_cards
from cards.common import Card
from casework.history import Folded, pairs
from casework.pipeline import Actor, Casework
from casework.projection import UK
from casework.queries import Scope, sight
from rules.core.view import CaseView, LetterRecord
from rules.decide import SYSTEM_ACTOR
from rules.errors import CaseNotFound
from rules.narrative import narrate
from rules.prompts import prompts_for
from rules.wording import format_day

logger = logging.getLogger(__name__)

# A reference is a school prefix, a year and a number ("OAK-2026-0001"): anything longer
# is not one, and is not looked up.
MAX_REFERENCE_CHARS = 40
SYSTEM_NAME = "Safe Premises (automatic)"
ASK_REFERENCE = "Type **case** and the case's reference, for example: case OAK-2026-0001."
ASK_HISTORY = "Type **history** and the case's reference, for example: history OAK-2026-0001."


WORDS = ("case",)
HISTORY_WORDS = ("history",)


def routes(services: BotServices) -> tuple[Route, ...]:
    cw = services.casework
    if cw is None:
        return ()

    async def typed(inbound: Inbound) -> Reply:
        words = inbound.text.split()
        if len(words) < 2:
            raise CaseNotFound(ASK_REFERENCE.replace("**", ""))
        actor = actor_of(cw, inbound)
        folded = await by_reference(cw, words[1], actor)
        return Reply.posting(case_card(cw, folded, actor))

    async def opened(inbound: Inbound) -> Reply:
        actor = actor_of(cw, inbound)
        reference = inbound.action_data.get(action_cards.REFERENCE_KEY)
        folded = await by_reference(cw, reference if isinstance(reference, str) else "", actor)
        if inbound.conversation_type in SHARED_CONVERSATIONS:
            # Pressed in a channel (the clerks' prompt) or a group chat: a new message would
            # be read by everyone there, so the Case card answers the press alone, shown to
            # the person who pressed it in place of the card they pressed.
            return Reply(invoke=InvokeReply.card(case_card(cw, folded, actor)))
        # The Case card comes as a message of its own: the card pressed (a prompt, a list)
        # stays as it was.
        return Reply(
            messages=(OutgoingMessage(card=case_card(cw, folded, actor)),),
            invoke=InvokeReply.message(f"Case {folded.view.reference} is below."),
        )

    async def refreshed(inbound: Inbound) -> Reply:
        actor = actor_of(cw, inbound)
        case_id = inbound.action_data.get(action_cards.CASE_ID_KEY)
        folded = await actions.visible_case(cw, case_id if isinstance(case_id, str) else "", actor)
        return Reply(invoke=InvokeReply.card(case_card(cw, folded, actor)))

    async def history(inbound: Inbound) -> Reply:
        words = inbound.text.split()
        if len(words) < 2:
            raise CaseNotFound(ASK_HISTORY.replace("**", ""))
        actor = actor_of(cw, inbound)
        folded = await by_reference(cw, words[1], actor)
        return Reply(
            messages=tuple(OutgoingMessage(card=c) for c in history_cards(cw, folded, actor))
        )

    return (
        Route(TextCommand(WORDS), typed, "case"),
        Route(TextCommand(HISTORY_WORDS), history, "history"),
        Route(CardVerb(action_cards.OPEN_CASE), opened, "open a case"),
        Route(CardVerb(action_cards.REFRESH_CASE), refreshed, "refresh a case"),
    )


async def by_reference(cw: Casework, reference: str, actor: Actor) -> Folded:
    """The case with this reference, if `actor` may see it (whole, or as its reporter);
    `CaseNotFound` with the same words whether it does not exist or they may not see it."""
    wanted = reference.strip().upper()
    if not wanted or len(wanted) > MAX_REFERENCE_CHARS:
        raise CaseNotFound(NO_SUCH_CASE)
    summary = await cw.ports.store.case_by_reference(wanted)
    folded = await cw.load_folded(summary.case_id) if summary is not None else None
    if folded is not None:
        roles = cw.roles_at(actor, folded.view.school_id)
        if sight(folded.view, actor.object_id, roles) is not None:
            return folded
    logger.info("case lookup refused or not found")
    raise CaseNotFound(NO_SUCH_CASE)


def timeline(cw: Casework, folded: Folded) -> tuple[case_cards.TimelineLine, ...]:
    """Every event of the case, oldest first, in words, with who and when."""
    return tuple(
        case_cards.TimelineLine(when(entry.at), who(cw, entry.actor_id), entry.text)
        for entry in narrate(pairs(folded.history), folded.view)
    )


def history_cards(cw: Casework, folded: Folded, actor: Actor) -> tuple[Card, ...]:
    """The case's whole history as cards of at most `MAX_TIMELINE` events each, for someone
    who sees the case whole; its reporter gets the stage only, as on the Case card."""
    view = folded.view
    seen = sight(view, actor.object_id, cw.roles_at(actor, view.school_id))
    if seen is None:
        raise CaseNotFound(NO_SUCH_CASE)
    if seen.scope is Scope.OWN_REPORTS:
        return (case_card(cw, folded, actor),)
    lines = timeline(cw, folded)
    size = case_cards.MAX_TIMELINE
    chunks = [lines[i : i + size] for i in range(0, len(lines), size)] or [()]
    return tuple(
        case_cards.build_history(view.reference, chunk, n, len(chunks))
        for n, chunk in enumerate(chunks, start=1)
    )


def case_card(cw: Casework, folded: Folded, actor: Actor, notice: str = "") -> Card:
    """The Case card as `actor` may see it, with the buttons of the steps they may take."""
    view = folded.view
    roles = cw.roles_at(actor, view.school_id)
    seen = sight(view, actor.object_id, roles)
    if seen is None:
        raise CaseNotFound(NO_SUCH_CASE)
    school = cw.school(view.school_id)
    version = case_version(folded.history)
    if seen.scope is Scope.OWN_REPORTS:
        # Their own reports' stage, and the steps a reporter may take on the case.
        return case_cards.build_status(
            case_cards.ReportStatusView(
                view.reference,
                school.name,
                view.state.label,
                seen.status.incident_nos,
                buttons=tuple(
                    action_cards.open_step(step.title, step.step, view.case_id, version)
                    for step in reporter_steps(view, roles, cw)
                ),
                notice=notice,
            )
        )
    buttons = [
        action_cards.open_step(step.title, step.step, view.case_id, version)
        for step in sorted(offered_steps(view, roles, cw), key=lambda s: s.secondary)
    ]
    acting = acting_people(cw, view)
    today, calendar = cw.today(), cw.calendar(view.school_id)
    owns_a_step = any(p.role in roles for p in prompts_for(view, today, calendar))
    return case_cards.build(
        case_cards.CaseCardView(
            reference=view.reference,
            school_name=school.name,
            person_name=view.person.name,
            status=view.state.label,
            next_steps=next_steps(cw, view),
            letters=tuple(letter_line(x) for x in view.letters),
            timeline=timeline(cw, folded),
            buttons=buttons,
            notice=notice,
            refresh=action_cards.refresh(view.case_id, acting) if acting else None,
            read_only_note=""
            if owns_a_step
            else "There is nothing for you to do on this case now.",
        )
    )


def next_steps(cw: Casework, view: CaseView) -> tuple[case_cards.NextStep, ...]:
    directory = cw.ports.directory
    steps = []
    for prompt in prompts_for(view, cw.today(), cw.calendar(view.school_id)):
        names = [p.name for p in directory.holders(view.school_id, prompt.role)]
        owner = prompt.role.label
        owner = f"{', '.join(names)} ({owner})" if names else f"The {owner} (nobody holds it)"
        deadline = prompt.deadline
        steps.append(
            case_cards.NextStep(
                text=prompt.text,
                owner=owner,
                due=format_day(deadline.due) if deadline else "",
                overdue=prompt.overdue,
                warning=(deadline.warning or "") if deadline else "",
            )
        )
    return tuple(steps)


def letter_line(letter: LetterRecord) -> case_cards.LetterLine:
    if letter.sent_on is not None:
        state = f"Sent on {format_day(letter.sent_on)}"
    elif letter.withdrawn_reason is not None:
        state = "Withdrawn"
    elif letter.draft_ref is not None:
        state = "Draft ready to check and send"
        if letter.reply_by is not None:
            state += f" (reply by {format_day(letter.reply_by)} printed on it)"
    elif letter.draft_blocked:
        state = "Cannot be drafted until the case's details are corrected"
    elif letter.draft_error is not None:
        state = "The draft could not be made yet; it will be tried again"
    else:
        state = "Being drafted"
    return case_cards.LetterLine(letter.letter.label, state)


def when(at: datetime) -> str:
    local = at.astimezone(UK)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def who(cw: Casework, actor_id: str) -> str:
    if actor_id == SYSTEM_ACTOR:
        return SYSTEM_NAME
    return cw.name_of(actor_id) or "Someone no longer in the trust's directory"
