"""Response 2, an informal meeting with the person: arranged with at least two members of
staff and the seating and exits considered, then recorded (notes, agreed actions and a
follow-up letter) or cancelled."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import ClassVar

from rules.behaviours import LetterKind
from rules.core.commands import Command, command
from rules.core.decide import (
    DecisionContext,
    assessed_latest,
    decides,
    letter_required,
    past_day,
    required_text,
    two_staff,
)
from rules.core.events import Event, EventMeta, event
from rules.core.fold import cancel_pending_meeting, folds, respond
from rules.core.permissions import CHOOSE_RESPONSE, permitted
from rules.core.view import CaseView, InformalMeetingRecord
from rules.errors import HistoryError, InvalidDetails, SafetyNotConsidered
from rules.roles import Role
from rules.state import Trigger

# --- commands ------------------------------------------------------------------------------


@permitted(CHOOSE_RESPONSE, Role.HEAD)
@command
@dataclass(frozen=True)
class ArrangeInformalMeeting(Command):
    """Response 2. At least two members of staff; seating and exits considered."""

    DONE: ClassVar[str] = "Informal meeting arranged"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.INFORMAL_MEETING_ARRANGED,)
    command_id: str
    meeting_at: datetime
    location: str
    staff_attending: tuple[str, ...]
    seating_considered: bool
    exits_kept_clear: bool


@permitted("record the informal meeting", Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class RecordInformalMeeting(Command):
    """The meeting's notes and agreed actions; the follow-up letter is then required."""

    DONE: ClassVar[str] = "Informal meeting recorded: the follow-up letter is being drafted"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.INFORMAL_MEETING_HELD,)
    command_id: str
    held_on: date
    staff_present: tuple[str, ...]
    notes: str
    agreed_actions: tuple[str, ...] = ()


@permitted("cancel the informal meeting", Role.HEAD)
@command
@dataclass(frozen=True)
class CancelInformalMeeting(Command):
    DONE: ClassVar[str] = "Informal meeting cancelled"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.INFORMAL_MEETING_CANCELLED,)
    command_id: str
    reason: str


# --- events --------------------------------------------------------------------------------


@event
@dataclass(frozen=True)
class InformalMeetingArranged(Event):
    KIND: ClassVar[str] = "informal-meeting-arranged"
    TRIGGER: ClassVar[Trigger | None] = Trigger.INFORMAL_MEETING_ARRANGED
    incident_no: int
    meeting_at: datetime
    location: str
    staff_attending: tuple[str, ...]
    seating_considered: bool
    exits_kept_clear: bool


@event
@dataclass(frozen=True)
class InformalMeetingHeld(Event):
    KIND: ClassVar[str] = "informal-meeting-held"
    TRIGGER: ClassVar[Trigger | None] = Trigger.INFORMAL_MEETING_HELD
    held_on: date
    staff_present: tuple[str, ...]
    notes: str
    agreed_actions: tuple[str, ...]
    letter_id: str  # the follow-up letter


@event
@dataclass(frozen=True)
class InformalMeetingCancelled(Event):
    KIND: ClassVar[str] = "informal-meeting-cancelled"
    TRIGGER: ClassVar[Trigger | None] = Trigger.INFORMAL_MEETING_CANCELLED
    reason: str


# --- decide --------------------------------------------------------------------------------


def _arrange_informal_meeting(
    view: CaseView, cmd: ArrangeInformalMeeting, ctx: DecisionContext
) -> list[Event]:
    latest = assessed_latest(view)
    if cmd.meeting_at.tzinfo is None:
        raise InvalidDetails("The meeting time needs a time zone.")
    location = required_text(cmd.location, "where the meeting will be held")
    staff = two_staff(cmd.staff_attending, "at the meeting")
    if not (cmd.seating_considered and cmd.exits_kept_clear):
        raise SafetyNotConsidered(
            seating_considered=cmd.seating_considered, exits_kept_clear=cmd.exits_kept_clear
        )
    return [InformalMeetingArranged(latest.no, cmd.meeting_at, location, staff, True, True)]


decides(ArrangeInformalMeeting)(_arrange_informal_meeting)


def _record_informal_meeting(
    view: CaseView, cmd: RecordInformalMeeting, ctx: DecisionContext
) -> list[Event]:
    past_day(cmd.held_on, "The date of the meeting", ctx)
    staff = two_staff(cmd.staff_present, "recorded as present")
    notes = required_text(cmd.notes, "the main points of discussion")
    actions = tuple(a.strip() for a in cmd.agreed_actions if a.strip())
    letter = letter_required(cmd, LetterKind.MEETING_FOLLOW_UP, Role.HEAD, ())
    return [InformalMeetingHeld(cmd.held_on, staff, notes, actions, letter.letter_id), letter]


decides(RecordInformalMeeting)(_record_informal_meeting)


def _cancel_informal_meeting(
    view: CaseView, cmd: CancelInformalMeeting, ctx: DecisionContext
) -> list[Event]:
    return [InformalMeetingCancelled(required_text(cmd.reason, "why the meeting was cancelled"))]


decides(CancelInformalMeeting)(_cancel_informal_meeting)


# --- fold ----------------------------------------------------------------------------------


def _informal_meeting_arranged(
    view: CaseView, meta: EventMeta, e: InformalMeetingArranged
) -> CaseView:
    view = respond(view, meta, e.incident_no, Trigger.INFORMAL_MEETING_ARRANGED)
    record = InformalMeetingRecord(
        e.incident_no, e.meeting_at, e.location, e.staff_attending, meta.actor_id, meta.at
    )
    return replace(view, informal_meetings=(*view.informal_meetings, record))


folds(InformalMeetingArranged)(_informal_meeting_arranged)


def _informal_meeting_held(view: CaseView, meta: EventMeta, e: InformalMeetingHeld) -> CaseView:
    if not view.informal_meetings:
        raise HistoryError(f"case {view.case_id}: meeting held but none arranged")
    held = replace(
        view.informal_meetings[-1],
        held_on=e.held_on,
        staff_present=e.staff_present,
        notes=e.notes,
        agreed_actions=e.agreed_actions,
        letter_id=e.letter_id,
    )
    return replace(view, informal_meetings=(*view.informal_meetings[:-1], held))


folds(InformalMeetingHeld)(_informal_meeting_held)


def _informal_meeting_cancelled(
    view: CaseView, meta: EventMeta, e: InformalMeetingCancelled
) -> CaseView:
    return cancel_pending_meeting(view, e.reason)


folds(InformalMeetingCancelled)(_informal_meeting_cancelled)
