"""A case's current view, and the records it is made of (what `rules.case.fold` builds).

The view holds everything the cards and letters need: the person, every incident with its
statements and risk assessments, every letter with the date it was sent, the sanction in
force and its conditions, the representation awaited or received, the Chair's decisions,
the reviews, meetings, and who did each step and when (`steps`). Every step's fold function
(`rules.steps`) returns a new view made with `dataclasses.replace`; nothing here changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from rules.behaviours import (
    Addressee,
    ChairOutcome,
    LetterKind,
    NotificationKind,
    Remover,
    ReviewOutcome,
    RiskLevel,
    SanctionKind,
)
from rules.details import (
    BanArrangements,
    Conditions,
    IncidentDetails,
    PersonDetails,
    RiskAssessment,
    Statement,
)
from rules.roles import Role
from rules.state import CaseState, Trigger

# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureRecord:
    """The head's decision on showing a statement to the person who asked to see it,
    weighing "the risk of retaliation to witnesses or individuals"."""

    release: bool
    retaliation_risk: RiskLevel
    reasons: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class StatementRecord:
    statement: Statement
    added_by: str
    added_at: datetime
    disclosure: DisclosureRecord | None = None  # the latest decision
    released_on: date | None = None  # the day it was shown to the person


@dataclass(frozen=True)
class AssessmentRecord:
    assessment: RiskAssessment
    assessed_by: str
    assessed_at: datetime


@dataclass(frozen=True)
class ResponseRecord:
    """A response the head chose to an incident (the trigger names which)."""

    trigger: Trigger
    incident_no: int
    by: str
    at: datetime
    reason: str = ""
    letter_id: str = ""  # the letter the response called for (1, 2 or 4), if any


@dataclass(frozen=True)
class PostReportRecord:
    reported_on: date
    site: str
    reference: str  # the site's reference for the report, if it gave one
    recorded_by: str


@dataclass(frozen=True)
class RemovalRequestRecord:
    requested_on: date
    how: str  # e.g. "in letter 1", "by email"
    recorded_by: str


@dataclass(frozen=True)
class IncidentRecord:
    no: int
    details: IncidentDetails
    reported_by: str
    reported_at: datetime
    statements: tuple[StatementRecord, ...] = ()
    assessments: tuple[AssessmentRecord, ...] = ()
    responses: tuple[ResponseRecord, ...] = ()
    # A post on social media: reported to the site, and the person asked to remove it.
    post_reports: tuple[PostReportRecord, ...] = ()
    removal_requests: tuple[RemovalRequestRecord, ...] = ()

    @property
    def assessed(self) -> bool:
        return bool(self.assessments)

    @property
    def on_social_media(self) -> bool:
        return self.details.on_social_media

    @property
    def assessment(self) -> RiskAssessment | None:
        """The latest assessment of this incident."""
        return self.assessments[-1].assessment if self.assessments else None


@dataclass(frozen=True)
class LetterRecord:
    letter_id: str
    letter: LetterKind
    addressee: Addressee
    signer: Role
    cc: tuple[Role, ...]
    reply_within_school_days: int | None
    required_by: str
    required_at: datetime
    draft_ref: str | None = None
    draft_error: str | None = None
    draft_blocked: bool = False  # the last failure was one a retry cannot fix
    # The last failure: the reply-by date cannot be counted, the term dates end on this day.
    term_dates_end: date | None = None
    sent_on: date | None = None
    withdrawn_reason: str | None = None
    # The date the current draft bears and the reply-by date printed on it (None before a
    # draft, or for a draft recorded before issue 9); `redated` counts the re-dated drafts.
    dated_on: date | None = None
    reply_by: date | None = None
    redated: int = 0

    @property
    def done(self) -> bool:
        return self.sent_on is not None or self.withdrawn_reason is not None

    @property
    def needs_draft(self) -> bool:
        """Undone effect for the sweeper: no draft yet. A failed one is retried, unless it
        failed for a reason a retry cannot fix (until the person's details change)."""
        return self.draft_ref is None and not self.done and not self.draft_blocked


@dataclass(frozen=True)
class RepresentationRecord:
    letter_id: str  # the letter it answers
    letter_dated: date
    received_on: date
    summary: str
    recorded_by: str
    recorded_at: datetime
    late: bool  # arrived after the window had been closed without one


@dataclass(frozen=True)
class ReplyWindow:
    """The person's right to reply to letter 1, 2 or 4: 10 school days from the date the
    letter was sent. Deadlines are computed with the calendar (`rules.prompts`)."""

    letter_id: str
    letter: LetterKind
    representations: tuple[RepresentationRecord, ...] = ()  # every one, in order received
    closed_on: date | None = None  # set when its 10 school days have passed
    nothing_more_to_add: bool = False  # the person said so in writing
    meeting_offered: bool = True  # letter 1: the head offered a meeting (the letter says so)

    @property
    def representation(self) -> RepresentationRecord | None:
        """The latest representation on this letter (None: none yet)."""
        return self.representations[-1] if self.representations else None

    @property
    def over(self) -> bool:
        """The right of reply has run in full: the Chair may decide."""
        return self.closed_on is not None or self.nothing_more_to_add


@dataclass(frozen=True)
class SanctionRecord:
    kind: SanctionKind
    provisional: bool
    imposed_on: date
    imposed_by: str
    incident_no: int
    reason: str
    letter_id: str
    conditions: Conditions = field(default_factory=Conditions)
    until: date | None = None
    arrangements: BanArrangements | None = None
    extreme_violence_ground: str = ""
    confirmed_on: date | None = None
    confirmed_by: str | None = None


@dataclass(frozen=True)
class ChairDecisionRecord:
    outcome: ChairOutcome
    sanction: SanctionKind
    reason: str
    decided_on: date
    decided_by: str
    decided_at: datetime
    letter_id: str
    provisional_letter_id: str  # the head's letter (2 or 4) that it decides on
    representation: RepresentationRecord | None  # the latest one
    window_closed_on: date | None  # the window's last day, if it was closed
    representations: tuple[RepresentationRecord, ...] = ()  # every one the Chair saw


@dataclass(frozen=True)
class ReviewStatementRecord:
    letter_dated: date
    received_on: date
    summary: str
    recorded_by: str


@dataclass(frozen=True)
class ReviewRecord:
    review_no: int
    sanction: SanctionKind
    meeting_on: date
    scheduled_by: str
    scheduled_at: datetime
    letter_id: str  # letter 6
    statement: ReviewStatementRecord | None = None
    outcome: ReviewOutcome | None = None
    reason: str = ""
    outcome_by: str | None = None
    outcome_at: datetime | None = None
    outcome_letter_id: str | None = None  # letter 7
    overtaken: bool = False  # a new ban was imposed before the committee met


@dataclass(frozen=True)
class InformalMeetingRecord:
    incident_no: int
    meeting_at: datetime
    location: str
    staff_attending: tuple[str, ...]
    arranged_by: str
    arranged_at: datetime
    held_on: date | None = None
    staff_present: tuple[str, ...] = ()
    notes: str = ""
    agreed_actions: tuple[str, ...] = ()
    letter_id: str | None = None  # the follow-up letter
    cancelled_reason: str | None = None


@dataclass(frozen=True)
class ProgressMeetingRecord:
    held_on: date
    notes: str
    recorded_by: str


@dataclass(frozen=True)
class BreachRecord:
    occurred_at: datetime
    summary: str
    incident_no: int | None
    recorded_by: str
    sanction: SanctionKind


@dataclass(frozen=True)
class RemovalRecord:
    removed_at: datetime
    removed_by: Remover
    remover_name: str
    notes: str
    recorded_by: str


class DeliveryState(Enum):
    """Where a Teams prompt is, in the words the case shows (docs/casework.md, "Delivery")."""

    NOT_QUEUED = "not yet queued for delivery"
    WAITING = "waiting to be delivered"
    SENT = "sent"  # the Bot Connector accepted it for every recipient
    UNDELIVERABLE = "could not be delivered"  # to at least one recipient, for good

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True)
class NotificationRecord:
    """A prompt the case called for, and how far its delivery got.

    `recipients` are the delivery addresses it was queued for ("user:<object id>",
    "channel:<school id>"); a prompt queued before deliveries were tracked has none. Sent
    means the Bot Connector answered 2xx for that recipient, never merely queued."""

    notification_id: str
    kind: NotificationKind
    roles: tuple[Role, ...]
    required_at: datetime
    queued: bool = False
    people: tuple[str, ...] = ()  # Entra object ids prompted besides the roles' holders
    about: str = ""  # a reminder's step, in the rules' words
    due: date | None = None  # a reminder's due day
    recipients: tuple[str, ...] = ()
    delivered_to: tuple[str, ...] = ()
    undeliverable_to: tuple[tuple[str, str], ...] = ()  # (recipient, reason)
    untracked: bool = False  # queued by a version that did not record its recipients

    @property
    def delivery(self) -> DeliveryState:
        if not self.queued:
            return DeliveryState.NOT_QUEUED
        if not self.recipients and not self.untracked:
            return DeliveryState.UNDELIVERABLE  # nobody holds the role: nobody to tell
        done = set(self.delivered_to) | {r for r, _ in self.undeliverable_to}
        if any(r not in done for r in self.recipients) or (self.untracked and not done):
            return DeliveryState.WAITING
        if self.undeliverable_to:
            return DeliveryState.UNDELIVERABLE
        return DeliveryState.SENT


@dataclass(frozen=True)
class StepRecord:
    """One stage-governed step, for the audit trail and for "already done by …"."""

    trigger: Trigger
    by: str
    at: datetime
    command_id: str
    state_before: CaseState
    state_after: CaseState


# --- the view -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseView:
    case_id: str
    reference: str
    school_id: str
    person: PersonDetails
    opened_by: str
    opened_at: datetime
    state: CaseState = CaseState.NEW
    incidents: tuple[IncidentRecord, ...] = ()
    letters: tuple[LetterRecord, ...] = ()
    window: ReplyWindow | None = None
    representations: tuple[RepresentationRecord, ...] = ()
    sanction: SanctionRecord | None = None
    chair_decisions: tuple[ChairDecisionRecord, ...] = ()
    reviews: tuple[ReviewRecord, ...] = ()
    review_anchor: date | None = None  # confirmation or last review meeting: next review +6m
    informal_meetings: tuple[InformalMeetingRecord, ...] = ()
    progress_meetings: tuple[ProgressMeetingRecord, ...] = ()
    breaches: tuple[BreachRecord, ...] = ()
    removals: tuple[RemovalRecord, ...] = ()
    complaint_referrals: tuple[str, ...] = ()
    notifications: tuple[NotificationRecord, ...] = ()
    steps: tuple[StepRecord, ...] = ()
    command_ids: frozenset[str] = frozenset()
    last_seq: int = 0
    closed_reason: str | None = None
    closed_at: datetime | None = None
    # The last day in force of each ban or conditions whose defined period ended by itself.
    period_ends: tuple[date, ...] = ()

    # -- incidents --

    @property
    def latest_incident(self) -> IncidentRecord | None:
        return self.incidents[-1] if self.incidents else None

    def incident(self, no: int) -> IncidentRecord | None:
        return self.incidents[no - 1] if 1 <= no <= len(self.incidents) else None

    def previous_incidents(self, before_no: int) -> tuple[IncidentRecord, ...]:
        """Incidents before `before_no`: the risk assessment's "previous incidents"."""
        return tuple(i for i in self.incidents if i.no < before_no)

    @property
    def unassessed_incidents(self) -> tuple[IncidentRecord, ...]:
        return tuple(i for i in self.incidents if not i.assessed)

    # -- letters --

    def letter(self, letter_id: str) -> LetterRecord | None:
        return next((x for x in self.letters if x.letter_id == letter_id), None)

    def letters_of(self, kind: LetterKind) -> tuple[LetterRecord, ...]:
        return tuple(x for x in self.letters if x.letter == kind)

    @property
    def window_letter(self) -> LetterRecord | None:
        return self.letter(self.window.letter_id) if self.window else None

    # -- history that later steps depend on --

    def procedures_exhausted_before(self, incident_no: int) -> bool:
        """ "Where all relevant procedures have been exhausted and aggression or
        intimidation continue" ("The school's response" 4): an earlier step that took
        effect (a warning letter recorded as sent, an informal meeting held, conditions in
        force and not overturned) on an earlier incident, and incident `incident_no`
        happened on or after the day it took effect. A letter never sent, a meeting
        cancelled, or a step on the same incident does not count."""
        incident = self.incident(incident_no)
        if incident is None:
            return False
        happened = incident.details.occurred_at.date()
        return any(
            took_effect <= happened for took_effect in self._steps_in_effect(before_no=incident_no)
        )

    def _steps_in_effect(self, *, before_no: int) -> list[date]:
        """The days on which each earlier step took effect."""
        days: list[date] = []
        overturned = {
            d.provisional_letter_id
            for d in self.chair_decisions
            if d.outcome is ChairOutcome.OVERTURN
        }
        steps = {
            Trigger.EXPECTATIONS_CLARIFIED,
            Trigger.CONDITIONS_IMPOSED,
            Trigger.BAN_IMPOSED,
        }
        for incident in self.incidents:
            if incident.no >= before_no:
                continue
            for response in incident.responses:
                if response.trigger not in steps or response.letter_id in overturned:
                    continue
                letter = self.letter(response.letter_id)
                if letter is not None and letter.sent_on is not None:
                    days.append(letter.sent_on)
        days += [
            m.held_on
            for m in self.informal_meetings
            if m.held_on is not None and m.incident_no < before_no
        ]
        return days

    @property
    def policy_used(self) -> bool:
        """The school responded under the policy (any response, no further action included)."""
        return any(i.responses for i in self.incidents)

    @property
    def current_review(self) -> ReviewRecord | None:
        """The review arranged and not yet decided."""
        last = self.reviews[-1] if self.reviews else None
        if last is not None and last.outcome is None and not last.overtaken:
            return last
        return None

    @property
    def last_chair_decision(self) -> ChairDecisionRecord | None:
        return self.chair_decisions[-1] if self.chair_decisions else None

    def notification(self, notification_id: str) -> NotificationRecord | None:
        return next((n for n in self.notifications if n.notification_id == notification_id), None)

    @property
    def progress_anchor(self) -> date | None:
        """Start of the current year for the annual progress meeting under a confirmed ban."""
        if not (self.sanction and self.sanction.kind is SanctionKind.BAN):
            return None
        if self.sanction.confirmed_on is None:
            return None
        held = [
            m.held_on for m in self.progress_meetings if m.held_on >= self.sanction.confirmed_on
        ]
        return max(held) if held else self.sanction.confirmed_on

    def last_step(self, trigger: Trigger) -> StepRecord | None:
        return next((s for s in reversed(self.steps) if s.trigger is trigger), None)


def evolve(view: CaseView, **changes: Any) -> CaseView:
    """`dataclasses.replace(view, **changes)`, without running `__init__` again. The fold
    makes a new view for every event of every case it reads, and `replace` passes every one
    of the view's fields back through `__init__`; the view has no `__post_init__` and every
    field is set by `__init__`, so copying its fields and setting the changed ones makes the
    same view (`tests/unit/test_view_evolve.py` holds the two equal)."""
    unknown = changes.keys() - _VIEW_FIELDS
    if unknown:
        raise TypeError(f"CaseView has no field {min(unknown)!r}")
    new = object.__new__(CaseView)
    fields = new.__dict__
    fields.update(view.__dict__)
    fields.update(changes)
    return new


_VIEW_FIELDS = frozenset(CaseView.__dataclass_fields__)
