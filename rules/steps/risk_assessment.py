"""The risk assessment ("Risk assessment"), by the head or a nominated senior member of
staff, of each incident: required before the school responds to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rules.behaviours import NotificationKind
from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides, existing_incident, required_text
from rules.core.events import Event, EventMeta, NotificationRequired, event
from rules.core.fold import folds, set_incident
from rules.core.permissions import permitted
from rules.core.view import AssessmentRecord, CaseView
from rules.details import RiskAssessment
from rules.errors import HistoryError
from rules.roles import Role
from rules.state import Trigger


@permitted("carry out the risk assessment", Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class AssessRisk(Command):
    DONE: ClassVar[str] = "Risk assessment recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.RISK_ASSESSED,)
    command_id: str
    incident_no: int
    assessment: RiskAssessment


@event
@dataclass(frozen=True)
class RiskAssessed(Event):
    KIND: ClassVar[str] = "risk-assessed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.RISK_ASSESSED
    incident_no: int
    assessment: RiskAssessment


def _assess_risk(view: CaseView, cmd: AssessRisk, ctx: DecisionContext) -> list[Event]:
    incident = existing_incident(view, cmd.incident_no)
    a = cmd.assessment
    required_text(a.form_of_abuse, "what form the abuse took")
    required_text(a.evidence, "what evidence there is")
    required_text(a.witness_accounts, "what witnesses say happened")
    required_text(a.previous_incidents, "whether there are previous incidents to consider")
    events: list[Event] = [RiskAssessed(cmd.incident_no, a)]
    reporter = incident.reported_by
    if not incident.assessed and reporter != ctx.actor_id:
        # The reporter is told, without any detail, that their report is being handled.
        kind = NotificationKind.REPORT_BEING_HANDLED
        notice_id = f"{kind.value}:incident-{incident.no}"
        if view.notification(notice_id) is None:
            events.append(NotificationRequired(notice_id, kind, (), people=(reporter,)))
    return events


decides(AssessRisk)(_assess_risk)


def _risk_assessed(view: CaseView, meta: EventMeta, e: RiskAssessed) -> CaseView:
    record = view.incident(e.incident_no)
    if record is None:
        raise HistoryError(f"case {view.case_id}: no incident {e.incident_no}")
    added = AssessmentRecord(e.assessment, meta.actor_id, meta.at)
    return set_incident(view, e.incident_no, assessments=(*record.assessments, added))


folds(RiskAssessed)(_risk_assessed)
