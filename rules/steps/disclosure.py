"""Statements shown to the person ("Recording of incidents"): "Depending on an assessment of
the risk of retaliation to witnesses or individuals, statements may be made available to
the parent if they request it." The head records a decision for each statement asked for,
with the risk of retaliation weighed and the reasons; a statement may be recorded as shown
to the person only after a decision to release it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar

from rules.behaviours import RiskLevel
from rules.core.commands import Command, command
from rules.core.decide import (
    DecisionContext,
    decides,
    existing_incident,
    past_day,
    required_text,
)
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds, set_incident
from rules.core.permissions import permitted
from rules.core.view import CaseView, DisclosureRecord, StatementRecord
from rules.errors import DisclosureNotDecided, HistoryError, InvalidDetails
from rules.roles import Role
from rules.state import Trigger


@permitted("decide whether a statement is shown to the person", Role.HEAD)
@command
@dataclass(frozen=True)
class DecideDisclosure(Command):
    DONE: ClassVar[str] = "The decision on showing the statement recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.DISCLOSURE_DECIDED,)
    command_id: str
    incident_no: int
    statement_no: int  # 1 for the incident's first statement
    release: bool
    retaliation_risk: RiskLevel  # to the witness or the person who gave it
    reasons: str


@permitted("record that a statement was shown to the person", Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class RecordStatementReleased(Command):
    DONE: ClassVar[str] = "The statement recorded as shown to the person"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.STATEMENT_RELEASED,)
    command_id: str
    incident_no: int
    statement_no: int
    released_on: date


@event
@dataclass(frozen=True)
class DisclosureDecided(Event):
    KIND: ClassVar[str] = "disclosure-decided"
    TRIGGER: ClassVar[Trigger | None] = Trigger.DISCLOSURE_DECIDED
    incident_no: int
    statement_no: int
    release: bool
    retaliation_risk: RiskLevel
    reasons: str


@event
@dataclass(frozen=True)
class StatementReleased(Event):
    KIND: ClassVar[str] = "statement-released"
    TRIGGER: ClassVar[Trigger | None] = Trigger.STATEMENT_RELEASED
    incident_no: int
    statement_no: int
    released_on: date


def _statement(view: CaseView, incident_no: int, statement_no: int) -> StatementRecord:
    incident = existing_incident(view, incident_no)
    if not 1 <= statement_no <= len(incident.statements):
        raise InvalidDetails(
            f"Incident {incident_no} has {len(incident.statements)} statement(s): there is no "
            f"statement {statement_no}."
        )
    return incident.statements[statement_no - 1]


def _decide_disclosure(view: CaseView, cmd: DecideDisclosure, ctx: DecisionContext) -> list[Event]:
    _statement(view, cmd.incident_no, cmd.statement_no)
    reasons = required_text(
        cmd.reasons, "the reasons, with the risk of retaliation to the witness weighed"
    )
    return [
        DisclosureDecided(
            cmd.incident_no, cmd.statement_no, cmd.release, cmd.retaliation_risk, reasons
        )
    ]


decides(DecideDisclosure)(_decide_disclosure)


def _record_statement_released(
    view: CaseView, cmd: RecordStatementReleased, ctx: DecisionContext
) -> list[Event]:
    record = _statement(view, cmd.incident_no, cmd.statement_no)
    decision = record.disclosure
    if decision is None or not decision.release:
        raise DisclosureNotDecided(
            incident_no=cmd.incident_no,
            statement_no=cmd.statement_no,
            withheld=decision is not None,
        )
    past_day(cmd.released_on, "The date it was shown", ctx)
    if cmd.released_on < decision.decided_at.date():
        raise InvalidDetails("A statement cannot be shown before the decision to release it.")
    return [StatementReleased(cmd.incident_no, cmd.statement_no, cmd.released_on)]


decides(RecordStatementReleased)(_record_statement_released)


def _set_statement(
    view: CaseView, incident_no: int, statement_no: int, **changes: object
) -> CaseView:
    incident = view.incident(incident_no)
    if incident is None or not 1 <= statement_no <= len(incident.statements):
        raise HistoryError(f"case {view.case_id}: no statement {incident_no}.{statement_no}")
    statements = list(incident.statements)
    statements[statement_no - 1] = replace(statements[statement_no - 1], **changes)  # type: ignore[arg-type]
    return set_incident(view, incident_no, statements=tuple(statements))


def _disclosure_decided(view: CaseView, meta: EventMeta, e: DisclosureDecided) -> CaseView:
    decision = DisclosureRecord(e.release, e.retaliation_risk, e.reasons, meta.actor_id, meta.at)
    return _set_statement(view, e.incident_no, e.statement_no, disclosure=decision)


folds(DisclosureDecided)(_disclosure_decided)


def _statement_released(view: CaseView, meta: EventMeta, e: StatementReleased) -> CaseView:
    return _set_statement(view, e.incident_no, e.statement_no, released_on=e.released_on)


folds(StatementReleased)(_statement_released)
