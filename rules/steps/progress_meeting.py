"""The annual progress meeting: "If the Chair's decision is to confirm the ban, parents in
these circumstances will be offered an annual meeting about their child's progress"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar

from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides, past_day
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds
from rules.core.permissions import permitted
from rules.core.view import CaseView, ProgressMeetingRecord
from rules.roles import Role
from rules.state import Trigger


@permitted("record the annual progress meeting", Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class RecordProgressMeeting(Command):
    DONE: ClassVar[str] = "Progress meeting recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.PROGRESS_MEETING_HELD,)
    command_id: str
    held_on: date
    notes: str = ""


@event
@dataclass(frozen=True)
class ProgressMeetingHeld(Event):
    """The annual meeting about the child's progress that a confirmed ban allows."""

    KIND: ClassVar[str] = "progress-meeting-held"
    TRIGGER: ClassVar[Trigger | None] = Trigger.PROGRESS_MEETING_HELD
    held_on: date
    notes: str


def _record_progress_meeting(
    view: CaseView, cmd: RecordProgressMeeting, ctx: DecisionContext
) -> list[Event]:
    past_day(cmd.held_on, "The date of the meeting", ctx)
    return [ProgressMeetingHeld(cmd.held_on, cmd.notes.strip())]


decides(RecordProgressMeeting)(_record_progress_meeting)


def _progress_meeting_held(view: CaseView, meta: EventMeta, e: ProgressMeetingHeld) -> CaseView:
    record = ProgressMeetingRecord(e.held_on, e.notes, meta.actor_id)
    return replace(view, progress_meetings=(*view.progress_meetings, record))


folds(ProgressMeetingHeld)(_progress_meeting_held)
