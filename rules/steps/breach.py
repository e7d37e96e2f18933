"""A breach of the conditions or the ban in force, recorded (with the incident report that
describes it, if there is one) so that the next review and any removal can rely on it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from rules.core.commands import Command, command
from rules.core.decide import (
    DecisionContext,
    decides,
    existing_incident,
    past_moment,
    required_text,
)
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds
from rules.core.permissions import permitted
from rules.core.view import BreachRecord, CaseView
from rules.errors import HistoryError
from rules.roles import Role
from rules.state import Trigger


@permitted("record a breach", Role.STAFF, Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class RecordBreach(Command):
    DONE: ClassVar[str] = "Breach recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.BREACH_RECORDED,)
    command_id: str
    occurred_at: datetime
    summary: str
    incident_no: int | None = None


@event
@dataclass(frozen=True)
class BreachRecorded(Event):
    KIND: ClassVar[str] = "breach-recorded"
    TRIGGER: ClassVar[Trigger | None] = Trigger.BREACH_RECORDED
    occurred_at: datetime
    summary: str
    incident_no: int | None  # the incident report describing it, if there is one


def _record_breach(view: CaseView, cmd: RecordBreach, ctx: DecisionContext) -> list[Event]:
    past_moment(cmd.occurred_at, "The time of the breach", ctx)
    if cmd.incident_no is not None:
        existing_incident(view, cmd.incident_no)
    summary = required_text(cmd.summary, "what happened")
    return [BreachRecorded(cmd.occurred_at, summary, cmd.incident_no)]


decides(RecordBreach)(_record_breach)


def _breach_recorded(view: CaseView, meta: EventMeta, e: BreachRecorded) -> CaseView:
    if view.sanction is None:
        raise HistoryError(f"case {view.case_id}: breach with no sanction")
    record = BreachRecord(
        e.occurred_at, e.summary, e.incident_no, meta.actor_id, view.sanction.kind
    )
    return replace(view, breaches=(*view.breaches, record))


folds(BreachRecorded)(_breach_recorded)
