"""The decide engine: (view, command, context) -> events, or a named Refusal.

    decide(view: CaseView | None, command: Command, ctx: DecisionContext) -> list[Event]

In order, `decide`:
1. returns [] for a command id already in the case's history (a retry or double click that
   slipped past the store's own check appends nothing: idempotent by construction);
2. checks the actor's roles against the command's permission (`NotPermitted`, naming the
   role needed and the role the actor holds);
3. checks the step against `rules.state.TRANSITIONS` (`NotAllowedNow`; `AlreadyDone` when
   someone else's step made it impossible, saying who and when);
4. hands over to the command's step (`rules.steps`), registered with `decides`, which
   applies the policy's own guards and builds the events. Only a command registered with
   `decides_opening` may come with no case: it opens one. A step registers its function
   after the definition (`decides(X)(_handler)`), not as a decorator, so that mutation
   testing (which leaves decorated functions alone) reaches it.

The guards below are shared by several steps. Nothing here reads a clock: `ctx.now` and
`ctx.today` (the school's local date) are given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from rules.behaviours import Addressee, LetterKind, NotificationKind
from rules.calendar import SchoolCalendar
from rules.core.commands import Command, command_for
from rules.core.events import Event, LetterRequired, NotificationRequired
from rules.core.permissions import check_permitted, permission_for
from rules.core.view import CaseView, IncidentRecord, StepRecord
from rules.details import Conditions
from rules.errors import (
    AlreadyDone,
    CaseNotFound,
    DetailMissing,
    InvalidDetails,
    NotAllowedNow,
    RiskAssessmentRequired,
    TooFewStaff,
)
from rules.roles import Role
from rules.state import CaseState, Trigger, allowed
from rules.wording import format_day, titles

SYSTEM_ACTOR = "system"


def _no_names(actor_id: str) -> str | None:
    return None


@dataclass(frozen=True)
class DecisionContext:
    """Who is asking, and when. `roles` are the actor's roles at the case's school;
    `system` is True only for the sweeper. `name_of` turns an actor id into a display name
    for "already confirmed by …" (None: the role is named instead)."""

    actor_id: str
    roles: frozenset[Role]
    now: datetime  # timezone-aware
    today: date  # the school's local date
    calendar: SchoolCalendar
    system: bool = False
    name_of: Callable[[str], str | None] = field(default=_no_names)


C = TypeVar("C", bound=Command)
_Decide = Callable[[CaseView, Any, DecisionContext], list[Event]]
_Open = Callable[[CaseView | None, Any, DecisionContext], list[Event]]
_DECIDES: dict[type[Command], _Decide] = {}
_OPENINGS: dict[type[Command], _Open] = {}


def decides(
    cls: type[C],
) -> Callable[[Callable[[CaseView, C, DecisionContext], list[Event]]], _Decide]:
    """Register the decide function of a command of type `cls` on an existing case."""

    def register(fn: Callable[[CaseView, C, DecisionContext], list[Event]]) -> _Decide:
        if cls in _DECIDES or cls in _OPENINGS:
            raise ValueError(f"{cls.__name__} is decided twice")
        _DECIDES[cls] = fn
        return fn

    return register


def decides_opening(
    cls: type[C],
) -> Callable[[Callable[[CaseView | None, C, DecisionContext], list[Event]]], _Open]:
    """Register the decide function of a command that may also open a case (view None)."""

    def register(fn: Callable[[CaseView | None, C, DecisionContext], list[Event]]) -> _Open:
        if cls in _DECIDES or cls in _OPENINGS:
            raise ValueError(f"{cls.__name__} is decided twice")
        _OPENINGS[cls] = fn
        return fn

    return register


def handled_commands() -> frozenset[type[Command]]:
    """Every command type `decide` accepts (a unit test compares it with COMMAND_TYPES)."""
    return frozenset(_DECIDES) | frozenset(_OPENINGS)


def decide(view: CaseView | None, command: Command, ctx: DecisionContext) -> list[Event]:
    if view is not None and command.command_id in view.command_ids:
        return []
    check_permitted(command, ctx.roles, system=ctx.system)
    opening = _OPENINGS.get(type(command))
    if view is None and opening is None:
        raise CaseNotFound()
    trigger = command.trigger()
    if trigger is not None:
        _check_stage(view, trigger, ctx)
    if opening is not None:
        return opening(view, command, ctx)
    assert view is not None
    events = _DECIDES[type(command)](view, command, ctx)
    return [*events, *_policy_review_after_incident(view, events)]


# The responses that use the policy's steps (no further action and a referral to the
# complaints policy take none of them).
POLICY_STEPS = frozenset(
    {
        Trigger.EXPECTATIONS_CLARIFIED,
        Trigger.INFORMAL_MEETING_ARRANGED,
        Trigger.CONDITIONS_IMPOSED,
        Trigger.BAN_IMPOSED,
        Trigger.REMOVED_FROM_PREMISES,
    }
)


def _policy_review_after_incident(view: CaseView, events: list[Event]) -> list[Event]:
    """ "This Policy will be reviewed … following each incident where the policy is used":
    the trust is prompted once per incident, the first time the school takes one of the
    policy's steps on it (not only when the case closes)."""
    latest = view.latest_incident
    if latest is None or not any(e.trigger in POLICY_STEPS for e in events):
        return []
    numbers = [n for e in events if isinstance(n := getattr(e, "incident_no", None), int)]
    no = numbers[0] if numbers else latest.no
    incident = view.incident(no) or latest
    if any(r.trigger in POLICY_STEPS for r in incident.responses):
        return []  # already prompted for this incident
    kind = NotificationKind.POLICY_REVIEW_AFTER_INCIDENT
    return notify_once(view, f"policy-review:incident-{incident.no}", kind, (Role.TRUST,))


# --- the stage ------------------------------------------------------------------------------


def who(actor_id: str, trigger: Trigger, ctx: DecisionContext) -> str:
    """Who took a step, for "already done by …": their name, else the roles that may."""
    name = ctx.name_of(actor_id)
    if name:
        return name
    if actor_id == SYSTEM_ACTOR:
        return "the system"
    return titles(permission_for(command_for(trigger)).roles)


def _check_stage(view: CaseView | None, trigger: Trigger, ctx: DecisionContext) -> None:
    state = view.state if view is not None else CaseState.NEW
    if allowed(state, trigger):
        return
    assert view is not None  # NEW allows the one command that has no view
    blocker = _blocking_step(view, trigger)
    if blocker is not None:
        raise AlreadyDone(
            step=blocker.trigger.label,
            by=who(blocker.by, blocker.trigger, ctx),
            on=blocker.at.date(),
            stage=state.label,
        )
    raise NotAllowedNow(stage=state.label, step=trigger.label)


def _blocking_step(view: CaseView, trigger: Trigger) -> StepRecord | None:
    """The latest stage change, if the step was possible just before it."""
    for step in reversed(view.steps):
        if step.state_before is not step.state_after:
            return step if allowed(step.state_before, trigger) else None
    return None


# --- guards the steps share ---------------------------------------------------------------


def required_text(value: str, what: str) -> str:
    """`value` without surrounding spaces; `DetailMissing` if there is nothing."""
    if not value or not value.strip():
        raise DetailMissing(what=what)
    return value.strip()


def past_day(day: date, what: str, ctx: DecisionContext) -> date:
    if day > ctx.today:
        raise InvalidDetails(f"{what} cannot be in the future ({format_day(day)}).")
    return day


def past_moment(at: datetime, what: str, ctx: DecisionContext) -> datetime:
    if at.tzinfo is None:
        raise InvalidDetails(f"{what} needs a time zone.")
    if at > ctx.now:
        raise InvalidDetails(f"{what} cannot be in the future.")
    return at


def two_staff(names: tuple[str, ...], where: str) -> tuple[str, ...]:
    """ "Members of school staff will always be accompanied by at least one other colleague
    at any such meeting": the different names given, at least two of them."""
    cleaned = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
    if len(cleaned) < 2:
        raise TooFewStaff(where=where, named=len(cleaned))
    return cleaned


def chosen_conditions(conditions: Conditions) -> Conditions:
    if conditions.is_empty:
        raise InvalidDetails("Choose at least one condition, or write one under “other”.")
    return Conditions(conditions.standard, tuple(t.strip() for t in conditions.other if t.strip()))


def existing_incident(view: CaseView, no: int) -> IncidentRecord:
    incident = view.incident(no)
    if incident is None:
        raise InvalidDetails(f"There is no incident {no} on case {view.reference}.")
    return incident


def assessed_latest(view: CaseView) -> IncidentRecord:
    """The school's response follows "the completion of the risk assessment"."""
    latest = view.latest_incident
    assert latest is not None  # every case opens with an incident
    if not latest.assessed:
        raise RiskAssessmentRequired(incident_no=latest.no)
    return latest


def letter_required(
    command: Command,
    kind: LetterKind,
    signer: Role,
    cc: tuple[Role, ...],
    reply_within: int | None = None,
    addressee: Addressee = Addressee.PERSON,
) -> LetterRequired:
    """The letter `kind` that `command` calls for, keyed by the command's id."""
    letter_id = f"{command.command_id}:{kind.value}"
    return LetterRequired(letter_id, kind, addressee, signer, cc, reply_within)


def notify_once(
    view: CaseView, notification_id: str, kind: NotificationKind, roles: tuple[Role, ...]
) -> list[Event]:
    if view.notification(notification_id) is not None:
        return []
    return [NotificationRequired(notification_id, kind, roles)]
