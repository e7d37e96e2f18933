"""What people (and the sweeper) ask the case to do: one frozen dataclass per command.

Every command carries `command_id`, the card action's id: a command id already in the
case's history is never applied twice (`rules.decide.decide` returns no events for it).
`trigger()` is the step the command asks of the transition table (None for effect
bookkeeping, which every stage allows); `TRIGGERS` lists every step it can ask for.
Checks on the content (reasons, dates, at least two staff…) are made by `rules.decide`, so
that building a command never fails and every refusal reaches the user in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from rules.behaviours import ChairOutcome, Remover, ReviewOutcome
from rules.details import (
    BanArrangements,
    Conditions,
    IncidentDetails,
    PersonDetails,
    RiskAssessment,
    Statement,
)
from rules.events import review_trigger
from rules.state import Trigger


class Command:
    command_id: str
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = ()

    def trigger(self) -> Trigger | None:
        return self.TRIGGERS[0] if self.TRIGGERS else None


# --- incidents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCase:
    """Identity of a case being opened; the application allocates id and reference."""

    case_id: str
    reference: str
    school_id: str
    person: PersonDetails


@dataclass(frozen=True)
class ReportIncident(Command):
    """Opens the case (`new_case` given) or adds an incident to it (`new_case` None)."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.INCIDENT_REPORTED,)
    command_id: str
    incident: IncidentDetails
    new_case: NewCase | None = None


@dataclass(frozen=True)
class AddStatement(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.STATEMENT_ADDED,)
    command_id: str
    incident_no: int
    statement: Statement


@dataclass(frozen=True)
class UpdatePersonDetails(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.PERSON_DETAILS_UPDATED,)
    command_id: str
    person: PersonDetails


@dataclass(frozen=True)
class AssessRisk(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.RISK_ASSESSED,)
    command_id: str
    incident_no: int
    assessment: RiskAssessment


# --- the school's response (to the latest incident) ----------------------------------------


@dataclass(frozen=True)
class RecordNoFurtherAction(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.NO_FURTHER_ACTION,)
    command_id: str
    reason: str


@dataclass(frozen=True)
class ClarifyExpectations(Command):
    """Response 1: letter 1 (a warning; 10 school days to reply; a meeting may follow)."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.EXPECTATIONS_CLARIFIED,)
    command_id: str
    meeting_offered: bool = True


@dataclass(frozen=True)
class ArrangeInformalMeeting(Command):
    """Response 2. At least two members of staff; seating and exits considered."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.INFORMAL_MEETING_ARRANGED,)
    command_id: str
    meeting_at: datetime
    location: str
    staff_attending: tuple[str, ...]
    seating_considered: bool
    exits_kept_clear: bool


@dataclass(frozen=True)
class RecordInformalMeeting(Command):
    """The meeting's notes and agreed actions; the follow-up letter is then required."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.INFORMAL_MEETING_HELD,)
    command_id: str
    held_on: date
    staff_present: tuple[str, ...]
    notes: str
    agreed_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CancelInformalMeeting(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.INFORMAL_MEETING_CANCELLED,)
    command_id: str
    reason: str


@dataclass(frozen=True)
class ImposeConditions(Command):
    """Response 3: provisional conditions, letter 2."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.CONDITIONS_IMPOSED,)
    command_id: str
    conditions: Conditions
    reason: str


@dataclass(frozen=True)
class ImposeBan(Command):
    """Response 4: provisional ban, letter 4, the Chair of Trustees informed."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.BAN_IMPOSED,)
    command_id: str
    reason: str
    arrangements: BanArrangements
    until: date | None = None  # a defined period; None: until the committee's review
    extreme_violence_ground: str = ""


@dataclass(frozen=True)
class RecordRemoval(Command):
    """Response 5: removal as a trespasser under section 547 (a ban must be in force)."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REMOVED_FROM_PREMISES,)
    command_id: str
    removed_at: datetime
    removed_by: Remover
    remover_name: str
    notes: str = ""


@dataclass(frozen=True)
class ReferToComplaints(Command):
    """Response 6: the Trust Complaints Policy."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REFERRED_TO_COMPLAINTS,)
    command_id: str
    reason: str


# --- representations and the Chair --------------------------------------------------------


@dataclass(frozen=True)
class RecordRepresentation(Command):
    """The person's written comments on the letter awaiting a reply (1, 2 or 4)."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REPRESENTATION_RECEIVED,)
    command_id: str
    letter_dated: date
    received_on: date
    summary: str


@dataclass(frozen=True)
class CloseRepresentationWindow(Command):
    """The 10 school days passed without a representation (the sweeper's step, or the
    head's). Refused until the day after the window's last day."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REPRESENTATION_WINDOW_CLOSED,)
    command_id: str


@dataclass(frozen=True)
class DecideAsChair(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.CHAIR_CONFIRMED, Trigger.CHAIR_OVERTURNED)
    command_id: str
    outcome: ChairOutcome
    reason: str

    def trigger(self) -> Trigger:
        if self.outcome is ChairOutcome.CONFIRM:
            return Trigger.CHAIR_CONFIRMED
        return Trigger.CHAIR_OVERTURNED


@dataclass(frozen=True)
class RecordProgressMeeting(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.PROGRESS_MEETING_HELD,)
    command_id: str
    held_on: date
    notes: str = ""


# --- the committee's review ----------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleReview(Command):
    """Sets the committee's meeting date and calls for letter 6."""

    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REVIEW_SCHEDULED,)
    command_id: str
    meeting_on: date


@dataclass(frozen=True)
class RescheduleReview(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REVIEW_RESCHEDULED,)
    command_id: str
    meeting_on: date


@dataclass(frozen=True)
class RecordReviewStatement(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REVIEW_STATEMENT_RECEIVED,)
    command_id: str
    letter_dated: date
    received_on: date
    summary: str


@dataclass(frozen=True)
class RecordReviewOutcome(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = tuple(review_trigger(o) for o in ReviewOutcome)
    command_id: str
    outcome: ReviewOutcome
    reason: str
    conditions: Conditions = field(default_factory=Conditions)  # for vary / replace
    until: date | None = None  # for extend, if the sanction gets a new end date

    def trigger(self) -> Trigger:
        return review_trigger(self.outcome)


# --- breaches and closing ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordBreach(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.BREACH_RECORDED,)
    command_id: str
    occurred_at: datetime
    summary: str
    incident_no: int | None = None


@dataclass(frozen=True)
class CloseCase(Command):
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.CASE_CLOSED,)
    command_id: str
    reason: str


# --- effects (no stage change) -------------------------------------------------------------


@dataclass(frozen=True)
class RecordLetterSent(Command):
    """The date the letter went: "the date of this letter" from which windows count."""

    command_id: str
    letter_id: str
    sent_on: date


@dataclass(frozen=True)
class WithdrawLetter(Command):
    command_id: str
    letter_id: str
    reason: str


@dataclass(frozen=True)
class RecordLetterDrafted(Command):
    command_id: str
    letter_id: str
    draft_ref: str


@dataclass(frozen=True)
class RecordLetterDraftFailed(Command):
    command_id: str
    letter_id: str
    error: str


@dataclass(frozen=True)
class RecordNotificationSent(Command):
    command_id: str
    notification_id: str


@dataclass(frozen=True)
class SendDueReminders(Command):
    """The sweeper's daily step: reminders that have fallen due and were not yet sent."""

    command_id: str


COMMAND_TYPES: tuple[type[Command], ...] = (
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
    RecordLetterDrafted,
    RecordLetterDraftFailed,
    RecordNotificationSent,
    SendDueReminders,
)
