"""The fold engine: a case's events replayed, in order, into its `CaseView`.

`fold(events)` replays `(EventMeta, Event)` pairs into a frozen `CaseView`; `apply(view,
meta, event)` adds one. The stage comes only from `rules.state.next_state`, so a history
that breaks the transition table is refused (`HistoryError`), never repaired. What each
event adds to the view is its step's fold function (`rules.steps`), registered with
`folds(EventType)(_fn)` after the definition (not as a decorator, so that mutation testing
reaches it); the event that opens a case registers with `folds_opening`. The
helpers below (`respond`, `set_incident`, `set_letter`, …) are shared by several steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from rules.behaviours import LetterKind
from rules.core.events import Event, EventMeta, LetterRequired, NotificationRequired
from rules.core.view import (
    CaseView,
    LetterRecord,
    NotificationRecord,
    ResponseRecord,
    StepRecord,
    evolve,
)
from rules.errors import HistoryError, NotAllowedNow
from rules.state import Trigger, next_state

E = TypeVar("E", bound=Event)
_Fold = Callable[[CaseView, EventMeta, Any], CaseView]
_Open = Callable[[EventMeta, Any], CaseView]
_FOLDS: dict[type[Event], _Fold] = {}
_OPENINGS: dict[type[Event], _Open] = {}


def folds(cls: type[E]) -> Callable[[Callable[[CaseView, EventMeta, E], CaseView]], _Fold]:
    """Register what an event of type `cls` adds to the view."""

    def register(fn: Callable[[CaseView, EventMeta, E], CaseView]) -> _Fold:
        if cls in _FOLDS or cls in _OPENINGS:
            raise ValueError(f"{cls.__name__} is folded twice")
        _FOLDS[cls] = fn
        return fn

    return register


def folds_opening(cls: type[E]) -> Callable[[Callable[[EventMeta, E], CaseView]], _Open]:
    """Register the event that opens a case: the first of every history, and only the first."""

    def register(fn: Callable[[EventMeta, E], CaseView]) -> _Open:
        if cls in _FOLDS or cls in _OPENINGS:
            raise ValueError(f"{cls.__name__} is folded twice")
        _OPENINGS[cls] = fn
        return fn

    return register


def folded_event_types() -> frozenset[type[Event]]:
    """Every event type `apply` accepts (a unit test compares it with EVENT_TYPES)."""
    return frozenset(_FOLDS) | frozenset(_OPENINGS)


def fold(events: Sequence[tuple[EventMeta, Event]]) -> CaseView | None:
    """The view after `events` (None if there are none). `HistoryError` if they break the
    rules: the first must open the case, each step must be allowed by the table."""
    view: CaseView | None = None
    for meta, event in events:
        view = apply(view, meta, event)
    return view


def apply(view: CaseView | None, meta: EventMeta, event: Event) -> CaseView:
    opening = _OPENINGS.get(type(event))
    if view is None:
        if opening is None:
            raise HistoryError(f"the first event must open the case, not {event.KIND}")
        view = opening(meta, event)
    elif opening is not None:
        raise HistoryError(f"case {view.case_id} is opened twice")
    else:
        view = _step(view, meta, event)
        handler = _FOLDS.get(type(event))
        if handler is None:
            raise HistoryError(f"no fold rule for {event.KIND}")
        view = handler(view, meta, event)
    return evolve(view, command_ids=view.command_ids | {meta.command_id}, last_seq=meta.seq)


def _step(view: CaseView, meta: EventMeta, event: Event) -> CaseView:
    """The stage after `event`, with the step recorded for the audit trail."""
    trigger = event.trigger
    if trigger is None:
        return view
    before = view.state
    try:
        after = next_state(before, trigger)
    except NotAllowedNow:
        raise HistoryError(
            f"case {view.case_id} seq {meta.seq}: {event.KIND} is not allowed "
            f"at stage {before.value}"
        ) from None
    step = StepRecord(trigger, meta.actor_id, meta.at, meta.command_id, before, after)
    return evolve(view, state=after, steps=(*view.steps, step))


# --- helpers the steps fold with --------------------------------------------------------------


def set_incident(view: CaseView, no: int, **changes: Any) -> CaseView:
    record = view.incident(no)
    if record is None:
        raise HistoryError(f"case {view.case_id}: no incident {no}")
    incidents = list(view.incidents)
    incidents[no - 1] = replace(record, **changes)
    return replace(view, incidents=tuple(incidents))


def respond(
    view: CaseView,
    meta: EventMeta,
    incident_no: int,
    trigger: Trigger,
    reason: str = "",
    letter_id: str = "",
) -> CaseView:
    """Record the head's response `trigger` to incident `incident_no` (and its letter)."""
    record = view.incident(incident_no)
    if record is None:
        raise HistoryError(f"case {view.case_id}: no incident {incident_no}")
    response = ResponseRecord(trigger, incident_no, meta.actor_id, meta.at, reason, letter_id)
    return set_incident(view, incident_no, responses=(*record.responses, response))


def latest_incident_no(view: CaseView) -> int:
    return view.latest_incident.no if view.latest_incident else 0


def set_letter(view: CaseView, letter_id: str, **changes: Any) -> CaseView:
    letter = view.letter(letter_id)
    if letter is None:
        raise HistoryError(f"case {view.case_id}: no letter {letter_id}")
    return replace(
        view,
        letters=tuple(
            replace(x, **changes) if x.letter_id == letter_id else x for x in view.letters
        ),
    )


def cancel_pending_meeting(view: CaseView, reason: str) -> CaseView:
    """The informal meeting still to be held is cancelled (by the head, or overtaken)."""
    meetings = view.informal_meetings
    if meetings and meetings[-1].held_on is None and meetings[-1].cancelled_reason is None:
        meetings = (*meetings[:-1], replace(meetings[-1], cancelled_reason=reason))
    return replace(view, informal_meetings=meetings)


# --- the effects many steps produce -----------------------------------------------------------


# The head's steps whose letter supersedes an earlier step's letter that was never sent
# (issue 9, item 10): a warning or conditions letter not sent when a later warning,
# conditions or ban is decided is withdrawn, not left for the head to send after it.
_STEP_LETTERS = frozenset({LetterKind.WARNING, LetterKind.CONDITIONS, LetterKind.BAN})
_SUPERSEDED = frozenset({LetterKind.WARNING, LetterKind.CONDITIONS})


def _supersede_unsent(view: CaseView, later: LetterRequired) -> CaseView:
    if later.letter not in _STEP_LETTERS:
        return view
    reason = f"Overtaken before it was sent by {later.letter.label}."
    return replace(
        view,
        letters=tuple(
            replace(x, withdrawn_reason=reason) if x.letter in _SUPERSEDED and not x.done else x
            for x in view.letters
        ),
    )


def _letter(view: CaseView, meta: EventMeta, e: LetterRequired) -> CaseView:
    if view.letter(e.letter_id) is not None:
        raise HistoryError(f"case {view.case_id}: letter {e.letter_id} required twice")
    view = _supersede_unsent(view, e)
    record = LetterRecord(
        e.letter_id,
        e.letter,
        e.addressee,
        e.signer,
        e.cc,
        e.reply_within_school_days,
        meta.actor_id,
        meta.at,
    )
    return replace(view, letters=(*view.letters, record))


folds(LetterRequired)(_letter)


def _notify(view: CaseView, meta: EventMeta, e: NotificationRequired) -> CaseView:
    if view.notification(e.notification_id) is not None:
        return view  # the same prompt asked for twice is one prompt
    record = NotificationRecord(
        e.notification_id, e.kind, e.roles, meta.at, people=e.people, about=e.about, due=e.due
    )
    return evolve(view, notifications=(*view.notifications, record))


folds(NotificationRequired)(_notify)
