"""The base of every event, the effect events any step may produce, and the stored form.

Every event is a frozen dataclass with a stable `KIND` string (what the store keeps next to
the data) and, for policy steps, the `Trigger` it fires in `rules.state.TRANSITIONS`.
Events carry facts and dates, never computed deadlines: deadlines are derived from the
dates with the school's calendar when needed (`rules.prompts`), so a corrected term-dates
file corrects every deadline.

Effects are events too: `LetterRequired` / `NotificationRequired` (here, because many steps
produce them) say that something must be sent; the letters and notifications steps mark it
done (`LetterDrafted`, `LetterSent`, `NotificationSent`, …), so a sweeper can find and retry
what is undone.

Stored form: `event_to_record(e) -> (kind, data)` and `event_from_record(kind, data)`, for
every event registered with `@event`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar

from rules.behaviours import Addressee, LetterKind, NotificationKind
from rules.codec import decode, encode
from rules.core.commands import policy_place
from rules.errors import HistoryError
from rules.roles import Role
from rules.state import Trigger


@dataclass(frozen=True)
class EventMeta:
    """What the store records around each event (from `casework.ports.StoredEvent`)."""

    seq: int
    actor_id: str  # Entra object id, or "system" for the sweeper
    at: datetime  # timezone-aware
    command_id: str


class Event:
    """Base of all events. `trigger` is the step in the transition table, or None for a
    fact that never changes the stage (opening the case, letters, notifications)."""

    KIND: ClassVar[str]
    TRIGGER: ClassVar[Trigger | None] = None

    @property
    def trigger(self) -> Trigger | None:
        return self.TRIGGER


E = TypeVar("E", bound=Event)
_KINDS: dict[str, type[Event]] = {}


def event(cls: type[E]) -> type[E]:
    """Register an event type under its `KIND` (applied above `@dataclass`)."""
    if cls.KIND in _KINDS:
        raise ValueError(f"event kind {cls.KIND!r} is registered twice")
    _KINDS[cls.KIND] = cls
    return cls


def registered_events() -> tuple[type[Event], ...]:
    """Every event type registered so far, in the policy's order of their steps (the effect
    events below come after every policy step, before the letters' and notifications')."""
    return tuple(sorted(_KINDS.values(), key=lambda cls: policy_place(cls.__module__)))


# --- effects that many steps produce ---------------------------------------------------------


@event
@dataclass(frozen=True)
class LetterRequired(Event):
    """A letter must be drafted and sent. The draft's key is (case id, `letter_id`).

    `reply_within_school_days` is the person's window, counted from the date the letter is
    recorded as SENT (`LetterSent.sent_on`, "the date of this letter"): until then the
    deadline is pending. The send-by date, where the policy sets one, is in the prompts."""

    KIND: ClassVar[str] = "letter-required"
    letter_id: str
    letter: LetterKind
    addressee: Addressee
    signer: Role
    cc: tuple[Role, ...]
    reply_within_school_days: int | None


@event
@dataclass(frozen=True)
class NotificationRequired(Event):
    """A Teams prompt to the holders of `roles` at the school, and to `people` (Entra object
    ids: the member of staff who reported an incident); delivered once per id. `about` and
    `due`: the step a reminder is about, in the rules' words (never personal details), and
    its due day."""

    KIND: ClassVar[str] = "notification-required"
    notification_id: str
    kind: NotificationKind
    roles: tuple[Role, ...]
    people: tuple[str, ...] = ()
    about: str = ""
    due: date | None = None


# --- stored form -----------------------------------------------------------------------------


def event_to_record(event: Event) -> tuple[str, dict[str, Any]]:
    """(kind, data) with data made of JSON values only (dates as ISO strings)."""
    data = encode(event)
    assert isinstance(data, dict)
    return event.KIND, data


def event_from_record(kind: str, data: dict[str, Any]) -> Event:
    """The event stored as (kind, data). `HistoryError` for an unknown kind or bad data."""
    cls = _KINDS.get(kind)
    if cls is None:
        raise HistoryError(f"unknown event kind {kind!r}")
    try:
        return decode(cls, data)
    except (TypeError, ValueError) as error:
        raise HistoryError(f"{kind}: {error}") from error


def event_kinds() -> dict[str, type[Event]]:
    """Each registered event type by its stored `KIND`."""
    return dict(_KINDS)
