"""One function per use case, each a thin typed wrapper over the pipeline, and the one table
(command type → handler) they go through, as in cosmicpython's message bus.

    outcome = await usecases.impose_ban(casework, actor, case_id, command_id=..., ...)
    outcome = await usecases.dispatch(casework, command, actor, case_id=...)   # by table

Reporting an incident on a new case is the one use case that does more than pass the
command on: it derives the case id from the command id (so a double-clicked submit lands
on the same case) and allocates the case reference.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from casework.pipeline import Actor, Casework, Outcome
from rules.behaviours import ChairOutcome, Remover, ReviewOutcome
from rules.commands import Command
from rules.details import (
    BanArrangements,
    Conditions,
    IncidentDetails,
    PersonDetails,
    RiskAssessment,
    Statement,
)
from rules.errors import NotPermitted
from rules.permissions import check_permitted
from rules.steps.ban import ImposeBan
from rules.steps.breach import RecordBreach
from rules.steps.chair import DecideAsChair
from rules.steps.closing import CloseCase
from rules.steps.complaints import ReferToComplaints
from rules.steps.conditions import ImposeConditions
from rules.steps.informal_meeting import (
    ArrangeInformalMeeting,
    CancelInformalMeeting,
    RecordInformalMeeting,
)
from rules.steps.letters import RecordLetterSent, WithdrawLetter
from rules.steps.no_further_action import RecordNoFurtherAction
from rules.steps.progress_meeting import RecordProgressMeeting
from rules.steps.removal import RecordRemoval
from rules.steps.reporting import AddStatement, NewCase, ReportIncident, UpdatePersonDetails
from rules.steps.representations import CloseRepresentationWindow, RecordRepresentation
from rules.steps.review import (
    RecordReviewOutcome,
    RecordReviewStatement,
    RescheduleReview,
    ScheduleReview,
)
from rules.steps.risk_assessment import AssessRisk
from rules.steps.warning import ClarifyExpectations

# Case ids are uuid5 of the reporting command's id in this namespace: the same submit, sent
# twice, names the same case.
CASE_NAMESPACE = uuid.UUID("6f1d3c2a-5b7e-4c9d-8a1f-2e3b4c5d6e7f")

Handler = Callable[[Casework, Actor, str, Any], Awaitable[Outcome]]


def case_id_for(command_id: str) -> str:
    return str(uuid.uuid5(CASE_NAMESPACE, command_id))


async def _on_case(cw: Casework, actor: Actor, case_id: str, command: Command) -> Outcome:
    return await cw.handle(command, actor, case_id=case_id)


# Every command a person may issue. The sweeper's and the pipeline's own bookkeeping
# (drafts recorded, notifications sent, reminders) go straight through `Casework.handle`.
HANDLERS: Mapping[type[Command], Handler] = MappingProxyType(
    {
        cls: _on_case
        for cls in (
            ReportIncident,
            AddStatement,
            UpdatePersonDetails,
            AssessRisk,
            RecordNoFurtherAction,
            ClarifyExpectations,
            ArrangeInformalMeeting,
            RecordInformalMeeting,
            CancelInformalMeeting,
            ImposeConditions,
            ImposeBan,
            RecordRemoval,
            ReferToComplaints,
            RecordRepresentation,
            CloseRepresentationWindow,
            DecideAsChair,
            RecordProgressMeeting,
            ScheduleReview,
            RescheduleReview,
            RecordReviewStatement,
            RecordReviewOutcome,
            RecordBreach,
            CloseCase,
            RecordLetterSent,
            WithdrawLetter,
        )
    }
)


async def dispatch(cw: Casework, command: Command, actor: Actor, *, case_id: str) -> Outcome:
    handler = HANDLERS.get(type(command))
    if handler is None:
        raise NotPermitted("This is done automatically and cannot be asked for.")
    return await handler(cw, actor, case_id, command)


# --- incidents --------------------------------------------------------------------------


async def report_incident(
    cw: Casework,
    actor: Actor,
    *,
    command_id: str,
    school_id: str,
    person: PersonDetails,
    incident: IncidentDetails,
) -> Outcome:
    """Open a case for `person` at `school_id` with its first incident."""
    case_id = case_id_for(command_id)
    _, view = await cw.load(case_id)
    if view is not None:  # the same submit again: answered with the first result
        new_case = NewCase(case_id, view.reference, view.school_id, view.person)
        command = ReportIncident(command_id, incident, new_case)
        return await dispatch(cw, command, actor, case_id=case_id)
    school = cw.school(school_id)
    # Refuse before allocating: a reference is never reused, so none is spent on a refusal.
    ctx = cw.context(actor, school.id)
    probe = ReportIncident(command_id, incident)
    check_permitted(probe, ctx.roles, system=False)
    reference = await cw.ports.store.allocate_reference(school.reference_prefix, ctx.today.year)
    command = ReportIncident(command_id, incident, NewCase(case_id, reference, school.id, person))
    return await dispatch(cw, command, actor, case_id=case_id)


async def add_incident(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, incident: IncidentDetails
) -> Outcome:
    """A further incident on an existing case."""
    return await dispatch(cw, ReportIncident(command_id, incident), actor, case_id=case_id)


async def add_statement(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    incident_no: int,
    statement: Statement,
) -> Outcome:
    command = AddStatement(command_id, incident_no, statement)
    return await dispatch(cw, command, actor, case_id=case_id)


async def update_person_details(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, person: PersonDetails
) -> Outcome:
    command = UpdatePersonDetails(command_id, person)
    return await dispatch(cw, command, actor, case_id=case_id)


async def assess_risk(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    incident_no: int,
    assessment: RiskAssessment,
) -> Outcome:
    command = AssessRisk(command_id, incident_no, assessment)
    return await dispatch(cw, command, actor, case_id=case_id)


# --- the school's response ------------------------------------------------------------------


async def record_no_further_action(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, reason: str
) -> Outcome:
    command = RecordNoFurtherAction(command_id, reason)
    return await dispatch(cw, command, actor, case_id=case_id)


async def clarify_expectations(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, meeting_offered: bool = True
) -> Outcome:
    command = ClarifyExpectations(command_id, meeting_offered)
    return await dispatch(cw, command, actor, case_id=case_id)


async def arrange_informal_meeting(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    meeting_at: datetime,
    location: str,
    staff_attending: tuple[str, ...],
    seating_considered: bool,
    exits_kept_clear: bool,
) -> Outcome:
    command = ArrangeInformalMeeting(
        command_id, meeting_at, location, staff_attending, seating_considered, exits_kept_clear
    )
    return await dispatch(cw, command, actor, case_id=case_id)


async def record_informal_meeting(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    held_on: date,
    staff_present: tuple[str, ...],
    notes: str,
    agreed_actions: tuple[str, ...] = (),
) -> Outcome:
    command = RecordInformalMeeting(command_id, held_on, staff_present, notes, agreed_actions)
    return await dispatch(cw, command, actor, case_id=case_id)


async def cancel_informal_meeting(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, reason: str
) -> Outcome:
    command = CancelInformalMeeting(command_id, reason)
    return await dispatch(cw, command, actor, case_id=case_id)


async def impose_conditions(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    conditions: Conditions,
    reason: str,
) -> Outcome:
    command = ImposeConditions(command_id, conditions, reason)
    return await dispatch(cw, command, actor, case_id=case_id)


async def impose_ban(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    reason: str,
    arrangements: BanArrangements,
    until: date | None = None,
    extreme_violence_ground: str = "",
) -> Outcome:
    command = ImposeBan(command_id, reason, arrangements, until, extreme_violence_ground)
    return await dispatch(cw, command, actor, case_id=case_id)


async def record_removal(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    removed_at: datetime,
    removed_by: Remover,
    remover_name: str,
    notes: str = "",
) -> Outcome:
    command = RecordRemoval(command_id, removed_at, removed_by, remover_name, notes)
    return await dispatch(cw, command, actor, case_id=case_id)


async def refer_to_complaints(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, reason: str
) -> Outcome:
    command = ReferToComplaints(command_id, reason)
    return await dispatch(cw, command, actor, case_id=case_id)


# --- representations and the Chair -------------------------------------------------------


async def record_representation(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    letter_dated: date,
    received_on: date,
    summary: str,
) -> Outcome:
    command = RecordRepresentation(command_id, letter_dated, received_on, summary)
    return await dispatch(cw, command, actor, case_id=case_id)


async def close_representation_window(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str
) -> Outcome:
    command = CloseRepresentationWindow(command_id)
    return await dispatch(cw, command, actor, case_id=case_id)


async def decide_as_chair(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    outcome: ChairOutcome,
    reason: str,
) -> Outcome:
    command = DecideAsChair(command_id, outcome, reason)
    return await dispatch(cw, command, actor, case_id=case_id)


async def record_progress_meeting(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, held_on: date, notes: str = ""
) -> Outcome:
    command = RecordProgressMeeting(command_id, held_on, notes)
    return await dispatch(cw, command, actor, case_id=case_id)


# --- the committee's review ---------------------------------------------------------------


async def schedule_review(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, meeting_on: date
) -> Outcome:
    command = ScheduleReview(command_id, meeting_on)
    return await dispatch(cw, command, actor, case_id=case_id)


async def reschedule_review(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, meeting_on: date
) -> Outcome:
    command = RescheduleReview(command_id, meeting_on)
    return await dispatch(cw, command, actor, case_id=case_id)


async def record_review_statement(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    letter_dated: date,
    received_on: date,
    summary: str,
) -> Outcome:
    command = RecordReviewStatement(command_id, letter_dated, received_on, summary)
    return await dispatch(cw, command, actor, case_id=case_id)


async def record_review_outcome(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    outcome: ReviewOutcome,
    reason: str,
    conditions: Conditions | None = None,
    until: date | None = None,
) -> Outcome:
    command = RecordReviewOutcome(command_id, outcome, reason, conditions or Conditions(), until)
    return await dispatch(cw, command, actor, case_id=case_id)


# --- breaches, letters, closing -----------------------------------------------------------


async def record_breach(
    cw: Casework,
    actor: Actor,
    case_id: str,
    *,
    command_id: str,
    occurred_at: datetime,
    summary: str,
    incident_no: int | None = None,
) -> Outcome:
    command = RecordBreach(command_id, occurred_at, summary, incident_no)
    return await dispatch(cw, command, actor, case_id=case_id)


async def record_letter_sent(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, letter_id: str, sent_on: date
) -> Outcome:
    command = RecordLetterSent(command_id, letter_id, sent_on)
    return await dispatch(cw, command, actor, case_id=case_id)


async def withdraw_letter(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, letter_id: str, reason: str
) -> Outcome:
    command = WithdrawLetter(command_id, letter_id, reason)
    return await dispatch(cw, command, actor, case_id=case_id)


async def close_case(
    cw: Casework, actor: Actor, case_id: str, *, command_id: str, reason: str
) -> Outcome:
    command = CloseCase(command_id, reason)
    return await dispatch(cw, command, actor, case_id=case_id)
