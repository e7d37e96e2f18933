"""The step decisions, pressed on cards (Action.Execute), one registry for every step.

A step (`StepAction`) is a verb and three functions, written in its own flow module
(`bot/flows/<step>.py`, its card in `cards/<step>.py`): the card that asks for the decision,
the parse of what the card sent (checked on the server: the card's own limits are only a
hint) into the rules' command, and whether the Case card offers it. `routes` joins them:

    press → the case loaded (refused exactly as "no such case" for someone who may not see
    it) → a repeated command id? the earlier outcome, acting once → an out-of-date card
    (the case has moved on since it was built)? the current Case card, saying so → the
    person's roles allow the step? (else refused, whatever the card showed) → parse (the
    card again, each problem at the top and next to its field) → the casework pipeline
    (`casework.bus.dispatch`; a rule's refusal brings the card back with the reason at the
    top and what was typed kept, or the current Case card if the case moved on meanwhile;
    refusals of who is asking, `NOT_SHOWN_ON_THE_CARD`, are answered as errors) → the
    outcome card, which replaces the pressed card so it cannot be pressed twice.

`step.open` (data: the case, its version and the step's name) answers with the step's card.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.routing import CardVerb, Inbound, InvokeReply, Reply, Route
from bot.services import BotServices
from cards import actions as action_cards
from cards.actions import CASE_ID_KEY, STEP_KEY, VERSION_KEY, OutcomeView
from cards.common import COMMAND_ID_KEY, Card
from cards.inputs import MAX_TOKEN_CHARS
from casework import bus
from casework.history import Folded
from casework.pipeline import Actor, Casework, CommandIdTaken, UnknownUser
from casework.ports import StoredEvent, StoreUnavailable
from casework.projection import seen_whole_by
from casework.queries import Scope, sight
from rules.case import CaseView
from rules.commands import Command
from rules.errors import CaseNotFound, InvalidDetails, NotPermitted, OwnDecision, Refusal
from rules.permissions import permission_for, required_roles
from rules.prompts import Prompt, prompts_for
from rules.roles import Role
from rules.state import allowed

logger = logging.getLogger(__name__)

# The one answer for a case that does not exist and a case this person may not see.
NO_SUCH_CASE = "There is no case you can open with that reference."

OUT_OF_DATE = (
    "That card was out of date: the case has moved on since it was sent, so nothing was "
    "changed. This is where the case is now."
)

NOT_SAVED = (
    "This was NOT recorded: the case records could not be reached just now. Nothing you "
    "typed is lost. Please press the button again in a minute."
)

INCOMPLETE = "This card is incomplete, so nothing was changed. Type help to start afresh."

# Events that record the bot's own bookkeeping (a draft made, a message to send or sent):
# they do not move the case on, so a card built before them is not out of date. A step's
# own message to send is appended with the step's event, which moves the version.
_BOOKKEEPING = frozenset(
    {
        "letter-drafted",
        "letter-draft-failed",
        "letter-redated",
        "notification-required",
        "notification-sent",  # older versions' "queued"
        "notification-queued",
        "notification-delivered",
        "notification-undeliverable",
    }
)


# Refusals about who is asking or which case, not about what the card says: answered as
# they are (the error card), never with the step's card again. Every other refusal of a
# step (a rule the rules apply to what was typed or to the case as it stands) shows the
# card again with the reason at the top and what was typed kept.
NOT_SHOWN_ON_THE_CARD: tuple[type[Refusal], ...] = (
    NotPermitted,  # the person's roles (and `UnknownUser`, not in the directory)
    OwnDecision,  # nobody reviews their own decision, whoever they are
    CaseNotFound,  # a case they may not see
    CommandIdTaken,  # someone else's card
)


def case_version(history: Sequence[StoredEvent]) -> int:
    """The case's version for its cards: the sequence number of the last event that moved
    the case on (bookkeeping events do not)."""
    return next((e.seq for e in reversed(history) if e.kind not in _BOOKKEEPING), 0)


@dataclass(frozen=True)
class FieldProblems:
    """Why a step's card cannot be recorded: each problem, and the problem of each input."""

    problems: tuple[str, ...]
    at_fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StepContext:
    """What a step's card and parse are given."""

    casework: Casework
    folded: Folded
    actor_id: str
    command_id: str
    version: int
    values: Mapping[str, str] = field(default_factory=dict)  # what was typed, to show again
    problems: tuple[str, ...] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)
    # The person sees only their own reports on the case (a member of staff who reported
    # on it, `StepAction.reporters`): the card shows them nothing more.
    own_reports: bool = False
    # What the step's `prepare` read from outside the case before its card was built (the
    # mailbox's word on each letter's draft), by the step's own keys.
    read_back: Mapping[str, Any] = field(default_factory=dict)

    @property
    def view(self) -> CaseView:
        return self.folded.view

    @property
    def case_id(self) -> str:
        return self.folded.view.case_id

    def data(self, **more: Any) -> dict[str, Any]:
        """What the step's submit button carries (the case, its version, the command id)."""
        return action_cards.step_data(self.case_id, self.version, self.command_id, **more)


def _always(view: CaseView) -> bool:
    return True


@dataclass(frozen=True)
class StepAction:
    step: str  # its name in `step.open` data: "chair.decide"
    verb: str  # the verb of its card's submit button(s)
    title: str  # its button on the Case card
    command: type[Command]  # what it records: who may issue it, which steps it asks for
    form: Callable[[StepContext], Card]
    parse: Callable[[Mapping[str, Any], StepContext], Command | FieldProblems]
    done_title: str = "Recorded"
    # Besides the stage allowing one of the commands' steps, whether the Case card offers it.
    offered_when: Callable[[CaseView], bool] = _always
    # Other commands the same card may record (one card, several responses to choose from).
    also: tuple[type[Command], ...] = ()
    # Which of its roles may take it on this case now (None: all of them), e.g. only the
    # signers of the letters still to send.
    roles_now: Callable[[CaseView], frozenset[Role]] | None = None
    # Housekeeping (a statement, the person's details, a letter re-dated): the Case card
    # offers it after the steps that move the case on, under "More steps" when there are many.
    secondary: bool = False
    # Whether the rules would accept it today (a day they wait for: the reply window's end,
    # a defined period's end); the Case card offers it only then. None: whenever offered.
    available: Callable[[CaseView, Casework], bool] | None = None
    # Whether the member of staff who reported an incident on the case may take it from
    # their view of it (their own reports only, `casework.queries.Scope.OWN_REPORTS`): its
    # card is then built with `StepContext.own_reports` and shows only what they may see.
    reporters: bool = False
    # Reads what the card shows besides the case (and may pre-fill), before `form` builds
    # it when the step is opened: bounded in time, and never failing the step.
    prepare: Callable[[StepContext], Awaitable[StepContext]] | None = None

    def offered(self, view: CaseView) -> bool:
        triggers = [t for c in (self.command, *self.also) for t in c.TRIGGERS]
        stage_allows = any(allowed(view.state, t) for t in triggers) if triggers else True
        return stage_allows and self.offered_when(view)

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(r for c in (self.command, *self.also) for r in required_roles(c))

    def roles_for(self, view: CaseView) -> frozenset[Role]:
        """The roles that may take the step on this case now."""
        return self.roles if self.roles_now is None else self.roles & self.roles_now(view)


_STEPS: dict[str, StepAction] = {}


def register(step: StepAction) -> StepAction:
    """Add a step to the registry (each step's flow module, once, at import)."""
    if step.step in _STEPS and _STEPS[step.step] is not step:
        raise ValueError(f"step {step.step!r} is registered twice")
    _STEPS[step.step] = step
    return step


def registered() -> tuple[StepAction, ...]:
    return tuple(_STEPS.values())


def offered_steps(
    view: CaseView, roles: frozenset[Role], cw: Casework | None = None
) -> tuple[StepAction, ...]:
    """The steps a person holding `roles` may take on the case now (with `cw`, only those
    the rules would accept today)."""
    return tuple(
        s
        for s in _STEPS.values()
        if s.roles_for(view) & roles
        and s.offered(view)
        and (cw is None or s.available is None or s.available(view, cw))
    )


def reporter_steps(
    view: CaseView, roles: frozenset[Role], cw: Casework | None = None
) -> tuple[StepAction, ...]:
    """The steps the reporter of an incident on the case may take from their view of it."""
    return tuple(s for s in offered_steps(view, roles, cw) if s.reporters)


def acting_people(cw: Casework, view: CaseView) -> tuple[str, ...]:
    """The Entra object ids of the people who have a step to take on the case now: the
    holders, at its school, of the roles that may take a step its stage allows and that
    see the case whole (a role that may not see it is never asked to refresh it)."""
    seeing = frozenset({Role.HEAD, Role.SENIOR}) | seen_whole_by(view)
    roles = {r for s in _STEPS.values() if s.offered(view) for r in s.roles_for(view)} & seeing
    directory = cw.ports.directory
    return tuple(
        dict.fromkeys(
            p.object_id for role in sorted(roles) for p in directory.holders(view.school_id, role)
        )
    )


# --- loading what a card acts on --------------------------------------------------------------


# The characters of the ids a card carries (the bot makes them): anything else did not come
# from a card the bot sent.
_ID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def _key(data: Mapping[str, Any], key: str) -> str:
    """An id the card's button carries, or "" for one no card of ours could carry."""
    value = data.get(key)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TOKEN_CHARS:
        return ""
    return value if _ID_CHARACTERS.issuperset(value) else ""


def _version(data: Mapping[str, Any]) -> int | None:
    value = data.get(VERSION_KEY)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) <= 12:
        return int(value)
    return None


def actor_of(cw: Casework, inbound: Inbound) -> Actor:
    actor = Actor(inbound.user_aad_object_id, inbound.activity_id or None)
    directory = cw.ports.directory
    if directory.person(actor.object_id) is None and not directory.schools_of(actor.object_id):
        raise UnknownUser(
            "Safe Premises does not know you yet: your account is not in the trust's list of "
            "staff and governors, so nothing was done. Ask your headteacher or the trust's "
            "administrator to add you."
        )
    return actor


async def visible_case(cw: Casework, case_id: str, actor: Actor) -> Folded:
    """The case, folded, if `actor` may see it whole; refused exactly like a case that
    does not exist otherwise (never saying whose or which school's it is)."""
    folded = await cw.load_folded(case_id) if case_id else None
    if folded is not None:
        seen = sight(folded.view, actor.object_id, cw.roles_at(actor, folded.view.school_id))
        if seen is not None and seen.view is not None:
            return folded
    raise CaseNotFound(NO_SUCH_CASE)


async def case_for_step(
    cw: Casework, case_id: str, actor: Actor, step: StepAction
) -> tuple[Folded, bool]:
    """The case, folded, and whether `actor` sees only their own reports on it: whole, or
    as the reporter of an incident on it for a step reporters may take; refused exactly
    like a case that does not exist otherwise."""
    folded = await cw.load_folded(case_id) if case_id else None
    if folded is not None:
        seen = sight(folded.view, actor.object_id, cw.roles_at(actor, folded.view.school_id))
        if seen is not None and seen.view is not None:
            return folded, False
        if seen is not None and seen.scope is Scope.OWN_REPORTS and step.reporters:
            return folded, True
    raise CaseNotFound(NO_SUCH_CASE)


# --- the routes ---------------------------------------------------------------------------------

CaseCard = Callable[[Casework, Folded, Actor, str], Card]
"""Builds the Case card for a person, with a notice first (`bot.flows.case.case_card`)."""


def routes(services: BotServices, case_card: CaseCard) -> tuple[Route, ...]:
    cw = services.casework
    if cw is None:
        return ()

    async def open_step(inbound: Inbound) -> Reply:
        data = inbound.action_data
        actor = actor_of(cw, inbound)
        step = _STEPS.get(_key(data, STEP_KEY))
        if step is None:
            await visible_case(cw, _key(data, CASE_ID_KEY), actor)
            raise InvalidDetails(INCOMPLETE)
        folded, own = await case_for_step(cw, _key(data, CASE_ID_KEY), actor, step)
        version = case_version(folded.history)
        if _version(data) != version or not step.offered(folded.view):
            return Reply(invoke=InvokeReply.card(case_card(cw, folded, actor, OUT_OF_DATE)))
        _check_roles(cw, actor, folded.view, step)
        context = StepContext(
            cw, folded, actor.object_id, services.command_ids(), version, own_reports=own
        )
        if step.prepare is not None:
            context = await step.prepare(context)
        return Reply(invoke=InvokeReply.card(step.form(context)))

    def submitter(step: StepAction) -> Callable[[Inbound], Any]:
        async def submit(inbound: Inbound) -> Reply:
            return await _submit(services, cw, step, inbound, case_card)

        return submit

    return (
        Route(CardVerb(action_cards.OPEN_STEP), open_step, "open a step"),
        *(Route(CardVerb(s.verb), submitter(s), s.step, records=True) for s in _STEPS.values()),
    )


def _check_roles(cw: Casework, actor: Actor, view: CaseView, step: StepAction) -> None:
    roles = cw.roles_at(actor, view.school_id)
    if not roles & step.roles_for(view):
        permission = permission_for(step.command)
        raise NotPermitted(what=permission.doing, needed=permission.roles, held=roles)


async def _submit(
    services: BotServices, cw: Casework, step: StepAction, inbound: Inbound, case_card: CaseCard
) -> Reply:
    data = inbound.action_data
    actor = actor_of(cw, inbound)
    folded, own = await case_for_step(cw, _key(data, CASE_ID_KEY), actor, step)
    command_id = _key(data, COMMAND_ID_KEY)
    if not command_id:
        raise InvalidDetails(INCOMPLETE)
    view = folded.view
    if command_id in view.command_ids:
        # Pressed again (or retried): the earlier outcome, nothing new.
        earlier = tuple(e for e in folded.history if e.command_id == command_id)
        if any(e.actor_id != actor.object_id for e in earlier):
            raise CommandIdTaken()
        logger.info("case %s: step %s pressed again; acted once", view.reference, step.step)
        return Reply(invoke=InvokeReply.card(_outcome(cw, step, view, repeated=True, own=own)))
    version = case_version(folded.history)
    if _version(data) != version:
        logger.info("case %s: step %s pressed on an out-of-date card", view.reference, step.step)
        return Reply(invoke=InvokeReply.card(case_card(cw, folded, actor, OUT_OF_DATE)))
    _check_roles(cw, actor, view, step)
    values = {k: v for k, v in data.items() if isinstance(v, str)}
    context = StepContext(cw, folded, actor.object_id, command_id, version, values, own_reports=own)

    def again(problems: tuple[str, ...], at_fields: Mapping[str, str] | None = None) -> Reply:
        shown = StepContext(
            cw,
            folded,
            actor.object_id,
            command_id,
            version,
            values,
            problems,
            at_fields or {},
            own_reports=own,
        )
        return Reply(invoke=InvokeReply.card(step.form(shown)))

    try:
        parsed = step.parse(data, context)
    except Refusal as refusal:
        if isinstance(refusal, NOT_SHOWN_ON_THE_CARD):
            raise
        return again((refusal.message,))
    if isinstance(parsed, FieldProblems):
        logger.info(
            "case %s: step %s not recorded, %d problems (%s)",
            view.reference,
            step.step,
            len(parsed.problems),
            ",".join(sorted(parsed.at_fields)) or "-",
        )
        return again(parsed.problems, parsed.at_fields)
    try:
        outcome = await bus.dispatch(cw, parsed, actor, case_id=view.case_id, known=folded)
    except Refusal as refusal:
        if isinstance(refusal, NOT_SHOWN_ON_THE_CARD):
            raise
        # The case moved on while this was decided (another press got there first): the
        # card is out of date, answered like one.
        moved = await _moved_on(cw, view.case_id, version)
        if moved is not None:
            logger.info("case %s: step %s refused, the case moved on", view.reference, step.step)
            return Reply(invoke=InvokeReply.card(case_card(cw, moved, actor, OUT_OF_DATE)))
        logger.info(
            "case %s: step %s refused (%s); card shown again",
            view.reference,
            step.step,
            type(refusal).__name__,
        )
        return again((refusal.message,))
    except StoreUnavailable:
        logger.warning("case %s: step %s not saved, store unavailable", view.reference, step.step)
        return again((NOT_SAVED,))
    logger.info("case %s: step %s recorded", outcome.reference, step.step)
    return Reply(
        invoke=InvokeReply.card(
            _outcome_card(
                step,
                outcome.done,
                outcome.reference,
                outcome.state_label,
                () if own else outcome.prompts,  # the case's next steps: not the reporter's
                outcome.repeated,
            )
        )
    )


async def _moved_on(cw: Casework, case_id: str, version: int) -> Folded | None:
    """The case as it is now, if it has moved on from `version` (None: it has not, or it
    cannot be read just now)."""
    try:
        folded = await cw.load_folded(case_id)
    except StoreUnavailable:
        return None
    if folded is None or case_version(folded.history) == version:
        return None
    return folded


def _outcome(
    cw: Casework, step: StepAction, view: CaseView, *, repeated: bool, own: bool = False
) -> Card:
    prompts = () if own else prompts_for(view, cw.today(), cw.calendar(view.school_id))
    # A repeat is answered from the case: the step's own words for what was done.
    done = step.done_title if step.also else step.command.DONE
    return _outcome_card(step, done, view.reference, view.state.label, prompts, repeated)


def _outcome_card(
    step: StepAction,
    done: str,
    reference: str,
    status: str,
    prompts: Sequence[Prompt],
    repeated: bool,
) -> Card:
    return action_cards.outcome(
        OutcomeView(
            title=step.done_title,
            done=done,
            reference=reference,
            status=status,
            repeated=repeated,
            next_steps=tuple(p.text.rstrip(".") + "." for p in prompts[:2]),
        )
    )
