"""Representations: the person may write within 10 school days of letter 1, 2 or 4 (counted
from the date it was sent).

The right of reply runs in full (issue 9, rule 1): after letter 2 or 4 every representation
within the window is recorded and shown to the Chair, and the Chair is prompted only when
the window has closed, or earlier when the person has said in writing that they have
nothing more to add (`nothing_more_to_add`). A reply to letter 1 ends its window at once:
no decision waits on it. Comments dated before the letter was sent cannot answer it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar

from rules import timeline as tl
from rules.behaviours import LetterKind, NotificationKind
from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides, notify_once, past_day, required_text, who
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds
from rules.core.permissions import permitted
from rules.core.view import CaseView, RepresentationRecord
from rules.errors import (
    CommentsAlreadyDealtWith,
    HistoryError,
    InvalidDetails,
    LetterNotYetSent,
    NoReplyAwaited,
    RepresentationAlreadyRecorded,
    RepresentationBeforeLetter,
    WindowStillOpen,
)
from rules.roles import Role
from rules.state import Trigger

# --- commands ------------------------------------------------------------------------------


@permitted("record the person's written comments", Role.HEAD, Role.CHAIR)
@command
@dataclass(frozen=True)
class RecordRepresentation(Command):
    """The person's written comments on the letter awaiting a reply (1, 2 or 4)."""

    DONE: ClassVar[str] = "The person's written comments recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (
        Trigger.REPRESENTATION_RECEIVED,
        Trigger.REPRESENTATION_FINAL,
    )
    command_id: str
    letter_dated: date
    received_on: date
    summary: str
    nothing_more_to_add: bool = False  # the person said so in writing

    def trigger(self) -> Trigger:
        if self.nothing_more_to_add:
            return Trigger.REPRESENTATION_FINAL
        return Trigger.REPRESENTATION_RECEIVED


@permitted("record that no written comments arrived in time", Role.HEAD, Role.CHAIR, system=True)
@command
@dataclass(frozen=True)
class CloseRepresentationWindow(Command):
    """The 10 school days passed without a representation (the sweeper's step, or the
    head's). Refused until the day after the window's last day."""

    DONE: ClassVar[str] = "The reply window closed without written comments"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REPRESENTATION_WINDOW_CLOSED,)
    command_id: str


# --- events --------------------------------------------------------------------------------


@event
@dataclass(frozen=True)
class RepresentationReceived(Event):
    """The person's written comments on letter 1, 2 or 4 (`letter_id`)."""

    KIND: ClassVar[str] = "representation-received"
    letter_id: str
    letter_dated: date
    received_on: date
    summary: str
    nothing_more_to_add: bool = False

    @property
    def trigger(self) -> Trigger:
        if self.nothing_more_to_add:
            return Trigger.REPRESENTATION_FINAL
        return Trigger.REPRESENTATION_RECEIVED


@event
@dataclass(frozen=True)
class RepresentationWindowClosed(Event):
    """The 10 school days after letter `letter_id` passed (with or without representations)."""

    KIND: ClassVar[str] = "representation-window-closed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REPRESENTATION_WINDOW_CLOSED
    letter_id: str
    closed_on: date  # the last day of the window (its deadline)


# --- decide --------------------------------------------------------------------------------


def _chair_needed(view: CaseView, letter_id: str) -> list[Event]:
    kind = NotificationKind.CHAIR_DECISION_NEEDED
    return notify_once(view, f"{letter_id}:{kind.value}", kind, (Role.CHAIR,))


def _record_representation(
    view: CaseView, cmd: RecordRepresentation, ctx: DecisionContext
) -> list[Event]:
    window, letter = view.window, view.window_letter
    if window is None or letter is None:
        raise NoReplyAwaited()
    for earlier in window.representations:
        if earlier.letter_dated == cmd.letter_dated and earlier.summary == cmd.summary.strip():
            raise RepresentationAlreadyRecorded(
                letter_dated=earlier.letter_dated,
                by=who(earlier.recorded_by, Trigger.REPRESENTATION_RECEIVED, ctx),
                on=earlier.recorded_at.date(),
            )
    past_day(cmd.received_on, "The date it was received", ctx)
    if cmd.letter_dated > cmd.received_on:
        raise InvalidDetails("The person's letter cannot be dated after it was received.")
    if letter.sent_on is None:
        raise LetterNotYetSent(letter=letter.letter.label)
    if cmd.letter_dated < letter.sent_on:
        raise RepresentationBeforeLetter(
            letter=letter.letter.label, sent_on=letter.sent_on, dated=cmd.letter_dated
        )
    summary = required_text(cmd.summary, "a summary of what the person wrote")
    events: list[Event] = [
        RepresentationReceived(
            window.letter_id, cmd.letter_dated, cmd.received_on, summary, cmd.nothing_more_to_add
        )
    ]
    if window.letter is not LetterKind.WARNING and (cmd.nothing_more_to_add or window.over):
        events += _chair_needed(view, window.letter_id)
    elif window.letter is not LetterKind.WARNING and Role.CHAIR not in ctx.roles:
        # The Chair is told that the person wrote; the decision waits for the window to
        # close (rule 1), and its own prompt follows then.
        kind = NotificationKind.REPRESENTATION_RECEIVED
        events += notify_once(view, f"{cmd.command_id}:{kind.value}", kind, (Role.CHAIR,))
    return events


decides(RecordRepresentation)(_record_representation)


def _close_representation_window(
    view: CaseView, cmd: CloseRepresentationWindow, ctx: DecisionContext
) -> list[Event]:
    window, letter = view.window, view.window_letter
    if window is None or letter is None:
        raise NoReplyAwaited()
    if window.over or (window.letter is LetterKind.WARNING and window.representation):
        raise CommentsAlreadyDealtWith()
    if letter.sent_on is None:
        raise LetterNotYetSent(letter=letter.letter.label)
    deadline = tl.reply_deadline(view, tl.strict(ctx.calendar))
    assert deadline is not None
    if ctx.today <= deadline.due:
        raise WindowStillOpen(until=deadline.due)
    events: list[Event] = [RepresentationWindowClosed(window.letter_id, deadline.due)]
    if window.letter is not LetterKind.WARNING:
        events += _chair_needed(view, window.letter_id)
    return events


decides(CloseRepresentationWindow)(_close_representation_window)


# --- fold ----------------------------------------------------------------------------------


def _representation_received(
    view: CaseView, meta: EventMeta, e: RepresentationReceived
) -> CaseView:
    window = view.window
    if window is None or window.letter_id != e.letter_id:
        raise HistoryError(f"case {view.case_id}: representation for a letter not awaited")
    record = RepresentationRecord(
        e.letter_id,
        e.letter_dated,
        e.received_on,
        e.summary,
        meta.actor_id,
        meta.at,
        late=window.closed_on is not None,
    )
    return replace(
        view,
        window=replace(
            window,
            representations=(*window.representations, record),
            nothing_more_to_add=window.nothing_more_to_add or e.nothing_more_to_add,
        ),
        representations=(*view.representations, record),
    )


folds(RepresentationReceived)(_representation_received)


def _representation_window_closed(
    view: CaseView, meta: EventMeta, e: RepresentationWindowClosed
) -> CaseView:
    window = view.window
    if window is None or window.letter_id != e.letter_id:
        raise HistoryError(f"case {view.case_id}: closing a window that is not open")
    return replace(view, window=replace(window, closed_on=e.closed_on))


folds(RepresentationWindowClosed)(_representation_window_closed)
