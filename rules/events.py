"""What happened on a case: the append-only events, and their stored form.

Every event is a frozen dataclass with a stable `KIND` string (what the store keeps next to
the data) and, for policy steps, the `Trigger` it fires in `rules.state.TRANSITIONS`.
Events carry facts and dates, never computed deadlines: deadlines are derived from the
dates with the school's calendar when needed (`rules.prompts`), so a corrected term-dates
file corrects every deadline.

Effects are events too: `LetterRequired` / `NotificationRequired` say that something must be
sent, and `LetterDrafted`, `LetterDraftFailed`, `LetterSent`, `LetterWithdrawn` and
`NotificationSent` mark it done, so a sweeper can find and retry what is undone.

Stored form: `event_to_record(e) -> (kind, data)` and `event_from_record(kind, data)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from rules.behaviours import (
    Addressee,
    ChairOutcome,
    LetterKind,
    NotificationKind,
    Remover,
    ReviewOutcome,
    SanctionKind,
)
from rules.codec import decode, encode
from rules.details import (
    BanArrangements,
    Conditions,
    IncidentDetails,
    PersonDetails,
    RiskAssessment,
    Statement,
)
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


# --- the case and its incidents ----------------------------------------------------------


@dataclass(frozen=True)
class CaseOpened(Event):
    KIND: ClassVar[str] = "case-opened"
    case_id: str
    reference: str
    school_id: str
    person: PersonDetails


@dataclass(frozen=True)
class IncidentReported(Event):
    KIND: ClassVar[str] = "incident-reported"
    TRIGGER: ClassVar[Trigger | None] = Trigger.INCIDENT_REPORTED
    incident_no: int  # 1, 2, … in the order reported
    details: IncidentDetails


@dataclass(frozen=True)
class StatementAdded(Event):
    KIND: ClassVar[str] = "statement-added"
    TRIGGER: ClassVar[Trigger | None] = Trigger.STATEMENT_ADDED
    incident_no: int
    statement: Statement


@dataclass(frozen=True)
class PersonDetailsUpdated(Event):
    KIND: ClassVar[str] = "person-details-updated"
    TRIGGER: ClassVar[Trigger | None] = Trigger.PERSON_DETAILS_UPDATED
    person: PersonDetails


@dataclass(frozen=True)
class RiskAssessed(Event):
    KIND: ClassVar[str] = "risk-assessed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.RISK_ASSESSED
    incident_no: int
    assessment: RiskAssessment


# --- the school's response ---------------------------------------------------------------


@dataclass(frozen=True)
class NoFurtherActionRecorded(Event):
    KIND: ClassVar[str] = "no-further-action-recorded"
    TRIGGER: ClassVar[Trigger | None] = Trigger.NO_FURTHER_ACTION
    incident_no: int
    reason: str


@dataclass(frozen=True)
class ExpectationsClarified(Event):
    """Response 1: letter 1, a warning with a right of reply to the Headteacher/Principal."""

    KIND: ClassVar[str] = "expectations-clarified"
    TRIGGER: ClassVar[Trigger | None] = Trigger.EXPECTATIONS_CLARIFIED
    incident_no: int
    letter_id: str
    meeting_offered: bool


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


@dataclass(frozen=True)
class InformalMeetingHeld(Event):
    KIND: ClassVar[str] = "informal-meeting-held"
    TRIGGER: ClassVar[Trigger | None] = Trigger.INFORMAL_MEETING_HELD
    held_on: date
    staff_present: tuple[str, ...]
    notes: str
    agreed_actions: tuple[str, ...]
    letter_id: str  # the follow-up letter


@dataclass(frozen=True)
class InformalMeetingCancelled(Event):
    KIND: ClassVar[str] = "informal-meeting-cancelled"
    TRIGGER: ClassVar[Trigger | None] = Trigger.INFORMAL_MEETING_CANCELLED
    reason: str


@dataclass(frozen=True)
class ConditionsImposed(Event):
    """Response 3, provisional until the Chair decides: letter 2."""

    KIND: ClassVar[str] = "conditions-imposed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.CONDITIONS_IMPOSED
    incident_no: int
    conditions: Conditions
    reason: str
    imposed_on: date
    letter_id: str


@dataclass(frozen=True)
class BanImposed(Event):
    """Response 4, provisional until the Chair decides: letter 4, and the Chair of Trustees
    is informed."""

    KIND: ClassVar[str] = "ban-imposed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.BAN_IMPOSED
    incident_no: int
    reason: str
    imposed_on: date
    until: date | None  # a defined period; None: until the committee's review
    arrangements: BanArrangements
    extreme_violence_ground: str  # required when no earlier step was taken on the case
    letter_id: str
    trustees_letter_id: str


@dataclass(frozen=True)
class RemovedFromPremises(Event):
    """Response 5: removal as a trespasser (section 547), only while a ban is in force."""

    KIND: ClassVar[str] = "removed-from-premises"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REMOVED_FROM_PREMISES
    removed_at: datetime
    removed_by: Remover
    remover_name: str
    notes: str


@dataclass(frozen=True)
class ReferredToComplaints(Event):
    KIND: ClassVar[str] = "referred-to-complaints"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REFERRED_TO_COMPLAINTS
    reason: str


# --- representations and the Chair ---------------------------------------------------------


@dataclass(frozen=True)
class RepresentationReceived(Event):
    """The person's written comments on letter 1, 2 or 4 (`letter_id`)."""

    KIND: ClassVar[str] = "representation-received"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REPRESENTATION_RECEIVED
    letter_id: str
    letter_dated: date
    received_on: date
    summary: str


@dataclass(frozen=True)
class RepresentationWindowClosed(Event):
    """The 10 school days after letter `letter_id` passed with no representation."""

    KIND: ClassVar[str] = "representation-window-closed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REPRESENTATION_WINDOW_CLOSED
    letter_id: str
    closed_on: date  # the last day of the window (its deadline)


@dataclass(frozen=True)
class ChairDecided(Event):
    """Letters 3 and 5."""

    KIND: ClassVar[str] = "chair-decided"
    outcome: ChairOutcome
    sanction: SanctionKind
    reason: str
    decided_on: date
    letter_id: str

    @property
    def trigger(self) -> Trigger:
        if self.outcome is ChairOutcome.CONFIRM:
            return Trigger.CHAIR_CONFIRMED
        return Trigger.CHAIR_OVERTURNED


@dataclass(frozen=True)
class ProgressMeetingHeld(Event):
    """The annual meeting about the child's progress that a confirmed ban allows."""

    KIND: ClassVar[str] = "progress-meeting-held"
    TRIGGER: ClassVar[Trigger | None] = Trigger.PROGRESS_MEETING_HELD
    held_on: date
    notes: str


# --- the committee's review --------------------------------------------------------------


@dataclass(frozen=True)
class ReviewScheduled(Event):
    KIND: ClassVar[str] = "review-scheduled"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REVIEW_SCHEDULED
    review_no: int
    meeting_on: date
    letter_id: str  # letter 6, the request for a statement


@dataclass(frozen=True)
class ReviewRescheduled(Event):
    KIND: ClassVar[str] = "review-rescheduled"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REVIEW_RESCHEDULED
    review_no: int
    meeting_on: date


@dataclass(frozen=True)
class ReviewStatementReceived(Event):
    KIND: ClassVar[str] = "review-statement-received"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REVIEW_STATEMENT_RECEIVED
    review_no: int
    letter_dated: date
    received_on: date
    summary: str


_REVIEW_TRIGGERS = {
    ReviewOutcome.MAINTAIN: Trigger.REVIEW_MAINTAINED,
    ReviewOutcome.EXTEND: Trigger.REVIEW_EXTENDED,
    ReviewOutcome.VARY: Trigger.REVIEW_VARIED,
    ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS: Trigger.REVIEW_REPLACED_BAN_WITH_CONDITIONS,
    ReviewOutcome.REMOVE: Trigger.REVIEW_REMOVED,
}


def review_trigger(outcome: ReviewOutcome) -> Trigger:
    return _REVIEW_TRIGGERS[outcome]


@dataclass(frozen=True)
class ReviewOutcomeRecorded(Event):
    """Letter 7. `conditions` are the new conditions (vary, replace a ban by conditions);
    `until` the new end of an extended sanction, if one was set."""

    KIND: ClassVar[str] = "review-outcome-recorded"
    review_no: int
    outcome: ReviewOutcome
    reason: str
    conditions: Conditions
    until: date | None
    letter_id: str

    @property
    def trigger(self) -> Trigger:
        return review_trigger(self.outcome)


@dataclass(frozen=True)
class BreachRecorded(Event):
    KIND: ClassVar[str] = "breach-recorded"
    TRIGGER: ClassVar[Trigger | None] = Trigger.BREACH_RECORDED
    occurred_at: datetime
    summary: str
    incident_no: int | None  # the incident report describing it, if there is one


@dataclass(frozen=True)
class CaseClosed(Event):
    KIND: ClassVar[str] = "case-closed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.CASE_CLOSED
    reason: str


# --- effects -----------------------------------------------------------------------------


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


@dataclass(frozen=True)
class LetterDrafted(Event):
    KIND: ClassVar[str] = "letter-drafted"
    letter_id: str
    draft_ref: str  # the draft's reference in the signer's mailbox or the letters folder


@dataclass(frozen=True)
class LetterDraftFailed(Event):
    KIND: ClassVar[str] = "letter-draft-failed"
    letter_id: str
    error: str  # what went wrong, for the case record (no personal data)


@dataclass(frozen=True)
class LetterSent(Event):
    KIND: ClassVar[str] = "letter-sent"
    letter_id: str
    sent_on: date


@dataclass(frozen=True)
class LetterWithdrawn(Event):
    """A letter that will not be sent (e.g. letter 2 overtaken by a ban before it went)."""

    KIND: ClassVar[str] = "letter-withdrawn"
    letter_id: str
    reason: str


@dataclass(frozen=True)
class NotificationRequired(Event):
    """A Teams prompt to the holders of `roles` at the school; delivered once per id."""

    KIND: ClassVar[str] = "notification-required"
    notification_id: str
    kind: NotificationKind
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class NotificationSent(Event):
    KIND: ClassVar[str] = "notification-sent"
    notification_id: str


EVENT_TYPES: tuple[type[Event], ...] = (
    CaseOpened,
    IncidentReported,
    StatementAdded,
    PersonDetailsUpdated,
    RiskAssessed,
    NoFurtherActionRecorded,
    ExpectationsClarified,
    InformalMeetingArranged,
    InformalMeetingHeld,
    InformalMeetingCancelled,
    ConditionsImposed,
    BanImposed,
    RemovedFromPremises,
    ReferredToComplaints,
    RepresentationReceived,
    RepresentationWindowClosed,
    ChairDecided,
    ProgressMeetingHeld,
    ReviewScheduled,
    ReviewRescheduled,
    ReviewStatementReceived,
    ReviewOutcomeRecorded,
    BreachRecorded,
    CaseClosed,
    LetterRequired,
    LetterDrafted,
    LetterDraftFailed,
    LetterSent,
    LetterWithdrawn,
    NotificationRequired,
    NotificationSent,
)
EVENT_KINDS: dict[str, type[Event]] = {cls.KIND: cls for cls in EVENT_TYPES}


def event_to_record(event: Event) -> tuple[str, dict[str, Any]]:
    """(kind, data) with data made of JSON values only (dates as ISO strings)."""
    data = encode(event)
    assert isinstance(data, dict)
    return event.KIND, data


def event_from_record(kind: str, data: dict[str, Any]) -> Event:
    """The event stored as (kind, data). `HistoryError` for an unknown kind or bad data."""
    cls = EVENT_KINDS.get(kind)
    if cls is None:
        raise HistoryError(f"unknown event kind {kind!r}")
    try:
        return decode(cls, data)
    except (TypeError, ValueError) as error:
        raise HistoryError(f"{kind}: {error}") from error
