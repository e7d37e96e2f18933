"""Reporting an incident ("Recording of incidents"): the report that opens a case or adds to
it, the statements of those who saw it, and the person's details kept current."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rules.behaviours import NotificationKind
from rules.core.commands import Command, command
from rules.core.decide import (
    DecisionContext,
    decides,
    decides_opening,
    existing_incident,
    past_day,
    past_moment,
    required_text,
)
from rules.core.events import Event, EventMeta, NotificationRequired, event
from rules.core.fold import folds, folds_opening, set_incident
from rules.core.permissions import permitted
from rules.core.view import CaseView, IncidentRecord, StatementRecord
from rules.details import IncidentDetails, PersonDetails, Statement
from rules.errors import CaseAlreadyExists, CaseNotFound, HistoryError, InvalidDetails
from rules.roles import Role
from rules.state import Trigger

# --- commands ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCase:
    """Identity of a case being opened; the application allocates id and reference."""

    case_id: str
    reference: str
    school_id: str
    person: PersonDetails


@permitted("report an incident", Role.STAFF, Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class ReportIncident(Command):
    """Opens the case (`new_case` given) or adds an incident to it (`new_case` None)."""

    DONE: ClassVar[str] = "Incident reported"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.INCIDENT_REPORTED,)
    command_id: str
    incident: IncidentDetails
    new_case: NewCase | None = None


@permitted("add a statement", Role.STAFF, Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class AddStatement(Command):
    DONE: ClassVar[str] = "Statement added"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.STATEMENT_ADDED,)
    command_id: str
    incident_no: int
    statement: Statement


@permitted("update the person's details", Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class UpdatePersonDetails(Command):
    DONE: ClassVar[str] = "The person's details updated"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.PERSON_DETAILS_UPDATED,)
    command_id: str
    person: PersonDetails


# --- events --------------------------------------------------------------------------------


@event
@dataclass(frozen=True)
class CaseOpened(Event):
    KIND: ClassVar[str] = "case-opened"
    case_id: str
    reference: str
    school_id: str
    person: PersonDetails


@event
@dataclass(frozen=True)
class IncidentReported(Event):
    KIND: ClassVar[str] = "incident-reported"
    TRIGGER: ClassVar[Trigger | None] = Trigger.INCIDENT_REPORTED
    incident_no: int  # 1, 2, … in the order reported
    details: IncidentDetails


@event
@dataclass(frozen=True)
class StatementAdded(Event):
    KIND: ClassVar[str] = "statement-added"
    TRIGGER: ClassVar[Trigger | None] = Trigger.STATEMENT_ADDED
    incident_no: int
    statement: Statement


@event
@dataclass(frozen=True)
class PersonDetailsUpdated(Event):
    KIND: ClassVar[str] = "person-details-updated"
    TRIGGER: ClassVar[Trigger | None] = Trigger.PERSON_DETAILS_UPDATED
    person: PersonDetails


# --- decide --------------------------------------------------------------------------------


def _validate_person(person: PersonDetails) -> PersonDetails:
    required_text(person.name, "the person's name")
    return person


def _validate_incident(details: IncidentDetails, ctx: DecisionContext) -> None:
    past_moment(details.occurred_at, "The time of the incident", ctx)
    required_text(details.location, "where it happened")
    required_text(details.summary, "a factual summary of what happened")
    required_text(details.effect, "its effect on staff, pupils or others")
    required_text(details.reporter_name, "the name of the member of staff reporting it")
    if not details.behaviours:
        raise InvalidDetails("Choose at least one kind of behaviour from the policy's list.")


def _report_incident(
    view: CaseView | None, cmd: ReportIncident, ctx: DecisionContext
) -> list[Event]:
    _validate_incident(cmd.incident, ctx)
    opened: list[Event] = []
    if view is None:
        if cmd.new_case is None:
            raise CaseNotFound("There is no such case. Choose “new case” to open one.")
        new = cmd.new_case
        _validate_person(new.person)
        opened = [CaseOpened(new.case_id, new.reference, new.school_id, new.person)]
        number = 1
    else:
        if cmd.new_case is not None:
            raise CaseAlreadyExists(reference=view.reference)
        number = len(view.incidents) + 1
    notice_id = f"{cmd.command_id}:{NotificationKind.INCIDENT_REPORTED.value}"
    events = [
        *opened,
        IncidentReported(number, cmd.incident),
        NotificationRequired(
            notice_id, NotificationKind.INCIDENT_REPORTED, (Role.HEAD, Role.SENIOR)
        ),
    ]
    if cmd.incident.on_social_media:
        # "They will be reported to the appropriate 'report abuse' section of the network
        # site" and asked to remove the post: the head is prompted at once.
        kind = NotificationKind.SOCIAL_MEDIA_POST
        events.append(NotificationRequired(f"{cmd.command_id}:{kind.value}", kind, (Role.HEAD,)))
    return events


decides_opening(ReportIncident)(_report_incident)


def _add_statement(view: CaseView, cmd: AddStatement, ctx: DecisionContext) -> list[Event]:
    existing_incident(view, cmd.incident_no)
    required_text(cmd.statement.author_name, "the name of the person giving the statement")
    required_text(cmd.statement.text, "the statement")
    past_day(cmd.statement.given_on, "The date of the statement", ctx)
    return [StatementAdded(cmd.incident_no, cmd.statement)]


decides(AddStatement)(_add_statement)


def _update_person(view: CaseView, cmd: UpdatePersonDetails, ctx: DecisionContext) -> list[Event]:
    return [PersonDetailsUpdated(_validate_person(cmd.person))]


decides(UpdatePersonDetails)(_update_person)


# --- fold ----------------------------------------------------------------------------------


def _case_opened(meta: EventMeta, e: CaseOpened) -> CaseView:
    return CaseView(
        case_id=e.case_id,
        reference=e.reference,
        school_id=e.school_id,
        person=e.person,
        opened_by=meta.actor_id,
        opened_at=meta.at,
    )


folds_opening(CaseOpened)(_case_opened)


def _incident_reported(view: CaseView, meta: EventMeta, e: IncidentReported) -> CaseView:
    if e.incident_no != len(view.incidents) + 1:
        raise HistoryError(f"case {view.case_id}: incident {e.incident_no} out of order")
    record = IncidentRecord(e.incident_no, e.details, meta.actor_id, meta.at)
    return replace(view, incidents=(*view.incidents, record), closed_reason=None, closed_at=None)


folds(IncidentReported)(_incident_reported)


def _statement_added(view: CaseView, meta: EventMeta, e: StatementAdded) -> CaseView:
    record = view.incident(e.incident_no)
    if record is None:
        raise HistoryError(f"case {view.case_id}: no incident {e.incident_no}")
    added = StatementRecord(e.statement, meta.actor_id, meta.at)
    return set_incident(view, e.incident_no, statements=(*record.statements, added))


folds(StatementAdded)(_statement_added)


def _person_details_updated(view: CaseView, meta: EventMeta, e: PersonDetailsUpdated) -> CaseView:
    # A letter the old details could not make is tried again with the new ones.
    letters = tuple(replace(x, draft_blocked=False) for x in view.letters)
    return replace(view, person=e.person, letters=letters)


folds(PersonDetailsUpdated)(_person_details_updated)
