"""A case's current view, folded from its events.

`fold(events)` replays `(EventMeta, Event)` pairs in order into a frozen `CaseView`;
`apply(view, meta, event)` adds one. The stage comes only from `rules.state.next_state`, so
a history that breaks the transition table is refused (`HistoryError`), never repaired.

The view holds everything the cards and letters need: the person, every incident with its
statements and risk assessments, every letter with the date it was sent, the sanction in
force and its conditions, the representation awaited or received, the Chair's decisions,
the reviews, meetings, and who did each step and when (`steps`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from rules import events as ev
from rules.behaviours import (
    Addressee,
    ChairOutcome,
    LetterKind,
    NotificationKind,
    Remover,
    ReviewOutcome,
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
from rules.errors import HistoryError, NotAllowedNow
from rules.roles import Role
from rules.state import CaseState, Trigger, next_state

# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementRecord:
    statement: Statement
    added_by: str
    added_at: datetime


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


@dataclass(frozen=True)
class IncidentRecord:
    no: int
    details: IncidentDetails
    reported_by: str
    reported_at: datetime
    statements: tuple[StatementRecord, ...] = ()
    assessments: tuple[AssessmentRecord, ...] = ()
    responses: tuple[ResponseRecord, ...] = ()

    @property
    def assessed(self) -> bool:
        return bool(self.assessments)

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
    sent_on: date | None = None
    withdrawn_reason: str | None = None

    @property
    def done(self) -> bool:
        return self.sent_on is not None or self.withdrawn_reason is not None

    @property
    def needs_draft(self) -> bool:
        """Undone effect for the sweeper: no draft yet (a failed one is retried)."""
        return self.draft_ref is None and not self.done


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
    representation: RepresentationRecord | None = None
    closed_on: date | None = None  # set when it passed without a representation


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
    representation: RepresentationRecord | None
    window_closed_on: date | None  # the window's last day, if it passed without one


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


@dataclass(frozen=True)
class NotificationRecord:
    notification_id: str
    kind: NotificationKind
    roles: tuple[Role, ...]
    required_at: datetime
    sent: bool = False


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

    @property
    def earlier_steps_taken(self) -> bool:
        """A warning, an informal meeting or conditions already on the case: a ban then
        follows "where all relevant procedures have been exhausted"."""
        earlier = {
            Trigger.EXPECTATIONS_CLARIFIED,
            Trigger.INFORMAL_MEETING_ARRANGED,
            Trigger.CONDITIONS_IMPOSED,
        }
        return any(step.trigger in earlier for step in self.steps)

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


# --- fold -----------------------------------------------------------------------------------

E = TypeVar("E", bound=ev.Event)
_Apply = Callable[[CaseView, ev.EventMeta, Any], CaseView]
_APPLY: dict[type[ev.Event], _Apply] = {}


def _on(cls: type[E]) -> Callable[[Callable[[CaseView, ev.EventMeta, E], CaseView]], _Apply]:
    def register(fn: Callable[[CaseView, ev.EventMeta, E], CaseView]) -> _Apply:
        _APPLY[cls] = fn
        return fn

    return register


def fold(events: Sequence[tuple[ev.EventMeta, ev.Event]]) -> CaseView | None:
    """The view after `events` (None if there are none). `HistoryError` if they break the
    rules: the first must open the case, each step must be allowed by the table."""
    view: CaseView | None = None
    for meta, event in events:
        view = apply(view, meta, event)
    return view


def apply(view: CaseView | None, meta: ev.EventMeta, event: ev.Event) -> CaseView:
    if view is None:
        if not isinstance(event, ev.CaseOpened):
            raise HistoryError(f"the first event must open the case, not {event.KIND}")
        return CaseView(
            case_id=event.case_id,
            reference=event.reference,
            school_id=event.school_id,
            person=event.person,
            opened_by=meta.actor_id,
            opened_at=meta.at,
            command_ids=frozenset({meta.command_id}),
            last_seq=meta.seq,
        )
    if isinstance(event, ev.CaseOpened):
        raise HistoryError(f"case {view.case_id} is opened twice")
    trigger = event.trigger
    before = view.state
    if trigger is not None:
        try:
            after = next_state(before, trigger)
        except NotAllowedNow:
            raise HistoryError(
                f"case {view.case_id} seq {meta.seq}: {event.KIND} is not allowed "
                f"at stage {before.value}"
            ) from None
        view = replace(
            view,
            state=after,
            steps=(
                *view.steps,
                StepRecord(trigger, meta.actor_id, meta.at, meta.command_id, before, after),
            ),
        )
    handler = _APPLY.get(type(event))
    if handler is None:
        raise HistoryError(f"no fold rule for {event.KIND}")
    view = handler(view, meta, event)
    return replace(view, command_ids=view.command_ids | {meta.command_id}, last_seq=meta.seq)


def _set_incident(view: CaseView, no: int, **changes: Any) -> CaseView:
    record = view.incident(no)
    if record is None:
        raise HistoryError(f"case {view.case_id}: no incident {no}")
    incidents = list(view.incidents)
    incidents[no - 1] = replace(record, **changes)
    return replace(view, incidents=tuple(incidents))


def _respond(
    view: CaseView, meta: ev.EventMeta, incident_no: int, trigger: Trigger, reason: str = ""
) -> CaseView:
    record = view.incident(incident_no)
    if record is None:
        raise HistoryError(f"case {view.case_id}: no incident {incident_no}")
    response = ResponseRecord(trigger, incident_no, meta.actor_id, meta.at, reason)
    return _set_incident(view, incident_no, responses=(*record.responses, response))


def _latest_no(view: CaseView) -> int:
    return view.latest_incident.no if view.latest_incident else 0


def _set_letter(view: CaseView, letter_id: str, **changes: Any) -> CaseView:
    letter = view.letter(letter_id)
    if letter is None:
        raise HistoryError(f"case {view.case_id}: no letter {letter_id}")
    return replace(
        view,
        letters=tuple(
            replace(x, **changes) if x.letter_id == letter_id else x for x in view.letters
        ),
    )


def _cancel_pending_meeting(view: CaseView, reason: str) -> CaseView:
    meetings = view.informal_meetings
    if meetings and meetings[-1].held_on is None and meetings[-1].cancelled_reason is None:
        meetings = (*meetings[:-1], replace(meetings[-1], cancelled_reason=reason))
    return replace(view, informal_meetings=meetings)


@_on(ev.IncidentReported)
def _incident(view: CaseView, meta: ev.EventMeta, e: ev.IncidentReported) -> CaseView:
    if e.incident_no != len(view.incidents) + 1:
        raise HistoryError(f"case {view.case_id}: incident {e.incident_no} out of order")
    record = IncidentRecord(e.incident_no, e.details, meta.actor_id, meta.at)
    return replace(view, incidents=(*view.incidents, record), closed_reason=None, closed_at=None)


@_on(ev.StatementAdded)
def _statement(view: CaseView, meta: ev.EventMeta, e: ev.StatementAdded) -> CaseView:
    record = view.incident(e.incident_no)
    if record is None:
        raise HistoryError(f"case {view.case_id}: no incident {e.incident_no}")
    added = StatementRecord(e.statement, meta.actor_id, meta.at)
    return _set_incident(view, e.incident_no, statements=(*record.statements, added))


@_on(ev.PersonDetailsUpdated)
def _person(view: CaseView, meta: ev.EventMeta, e: ev.PersonDetailsUpdated) -> CaseView:
    return replace(view, person=e.person)


@_on(ev.RiskAssessed)
def _assessed(view: CaseView, meta: ev.EventMeta, e: ev.RiskAssessed) -> CaseView:
    record = view.incident(e.incident_no)
    if record is None:
        raise HistoryError(f"case {view.case_id}: no incident {e.incident_no}")
    added = AssessmentRecord(e.assessment, meta.actor_id, meta.at)
    return _set_incident(view, e.incident_no, assessments=(*record.assessments, added))


@_on(ev.NoFurtherActionRecorded)
def _nfa(view: CaseView, meta: ev.EventMeta, e: ev.NoFurtherActionRecorded) -> CaseView:
    return _respond(view, meta, e.incident_no, Trigger.NO_FURTHER_ACTION, e.reason)


@_on(ev.ExpectationsClarified)
def _warned(view: CaseView, meta: ev.EventMeta, e: ev.ExpectationsClarified) -> CaseView:
    view = _respond(view, meta, e.incident_no, Trigger.EXPECTATIONS_CLARIFIED)
    return replace(view, window=ReplyWindow(e.letter_id, LetterKind.WARNING))


@_on(ev.InformalMeetingArranged)
def _meeting(view: CaseView, meta: ev.EventMeta, e: ev.InformalMeetingArranged) -> CaseView:
    view = _respond(view, meta, e.incident_no, Trigger.INFORMAL_MEETING_ARRANGED)
    record = InformalMeetingRecord(
        e.incident_no, e.meeting_at, e.location, e.staff_attending, meta.actor_id, meta.at
    )
    return replace(view, informal_meetings=(*view.informal_meetings, record))


@_on(ev.InformalMeetingHeld)
def _held(view: CaseView, meta: ev.EventMeta, e: ev.InformalMeetingHeld) -> CaseView:
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


@_on(ev.InformalMeetingCancelled)
def _cancelled(view: CaseView, meta: ev.EventMeta, e: ev.InformalMeetingCancelled) -> CaseView:
    return _cancel_pending_meeting(view, e.reason)


@_on(ev.ConditionsImposed)
def _conditions(view: CaseView, meta: ev.EventMeta, e: ev.ConditionsImposed) -> CaseView:
    view = _respond(view, meta, e.incident_no, Trigger.CONDITIONS_IMPOSED, e.reason)
    view = _cancel_pending_meeting(view, "overtaken by conditions")
    sanction = SanctionRecord(
        kind=SanctionKind.CONDITIONS,
        provisional=True,
        imposed_on=e.imposed_on,
        imposed_by=meta.actor_id,
        incident_no=e.incident_no,
        reason=e.reason,
        letter_id=e.letter_id,
        conditions=e.conditions,
    )
    return replace(view, sanction=sanction, window=ReplyWindow(e.letter_id, LetterKind.CONDITIONS))


@_on(ev.BanImposed)
def _ban(view: CaseView, meta: ev.EventMeta, e: ev.BanImposed) -> CaseView:
    view = _respond(view, meta, e.incident_no, Trigger.BAN_IMPOSED, e.reason)
    view = _cancel_pending_meeting(view, "overtaken by a ban")
    sanction = SanctionRecord(
        kind=SanctionKind.BAN,
        provisional=True,
        imposed_on=e.imposed_on,
        imposed_by=meta.actor_id,
        incident_no=e.incident_no,
        reason=e.reason,
        letter_id=e.letter_id,
        until=e.until,
        arrangements=e.arrangements,
        extreme_violence_ground=e.extreme_violence_ground,
    )
    # A ban overtakes any review in progress: the committee reviews the new ban later.
    reviews = view.reviews
    if view.current_review is not None:
        reviews = (*reviews[:-1], replace(reviews[-1], overtaken=True))
    return replace(
        view,
        sanction=sanction,
        window=ReplyWindow(e.letter_id, LetterKind.BAN),
        review_anchor=None,
        reviews=reviews,
    )


@_on(ev.RemovedFromPremises)
def _removed(view: CaseView, meta: ev.EventMeta, e: ev.RemovedFromPremises) -> CaseView:
    view = _respond(view, meta, _latest_no(view), Trigger.REMOVED_FROM_PREMISES, e.notes)
    record = RemovalRecord(e.removed_at, e.removed_by, e.remover_name, e.notes, meta.actor_id)
    return replace(view, removals=(*view.removals, record))


@_on(ev.ReferredToComplaints)
def _complaints(view: CaseView, meta: ev.EventMeta, e: ev.ReferredToComplaints) -> CaseView:
    view = _respond(view, meta, _latest_no(view), Trigger.REFERRED_TO_COMPLAINTS, e.reason)
    return replace(view, complaint_referrals=(*view.complaint_referrals, e.reason))


@_on(ev.RepresentationReceived)
def _representation(view: CaseView, meta: ev.EventMeta, e: ev.RepresentationReceived) -> CaseView:
    window = view.window
    if window is None or window.letter_id != e.letter_id:
        raise HistoryError(f"case {view.case_id}: representation for a letter not awaited")
    record = RepresentationRecord(
        e.letter_id,
        e.letter_dated,
        e.received_on,
        e.summary,
        meta.actor_id,
        meta.at,
        late=window.closed_on is not None,
    )
    return replace(
        view,
        window=replace(window, representation=record),
        representations=(*view.representations, record),
    )


@_on(ev.RepresentationWindowClosed)
def _window_closed(
    view: CaseView, meta: ev.EventMeta, e: ev.RepresentationWindowClosed
) -> CaseView:
    window = view.window
    if window is None or window.letter_id != e.letter_id:
        raise HistoryError(f"case {view.case_id}: closing a window that is not open")
    return replace(view, window=replace(window, closed_on=e.closed_on))


@_on(ev.ChairDecided)
def _chair(view: CaseView, meta: ev.EventMeta, e: ev.ChairDecided) -> CaseView:
    sanction, window = view.sanction, view.window
    if sanction is None or window is None:
        raise HistoryError(f"case {view.case_id}: Chair decided with nothing provisional")
    record = ChairDecisionRecord(
        e.outcome,
        e.sanction,
        e.reason,
        e.decided_on,
        meta.actor_id,
        meta.at,
        e.letter_id,
        window.letter_id,
        window.representation,
        window.closed_on,
    )
    view = replace(view, chair_decisions=(*view.chair_decisions, record), window=None)
    if e.outcome is ChairOutcome.CONFIRM:
        confirmed = replace(
            sanction, provisional=False, confirmed_on=e.decided_on, confirmed_by=meta.actor_id
        )
        return replace(view, sanction=confirmed, review_anchor=e.decided_on)
    return replace(view, sanction=None, review_anchor=None)


@_on(ev.ProgressMeetingHeld)
def _progress(view: CaseView, meta: ev.EventMeta, e: ev.ProgressMeetingHeld) -> CaseView:
    record = ProgressMeetingRecord(e.held_on, e.notes, meta.actor_id)
    return replace(view, progress_meetings=(*view.progress_meetings, record))


@_on(ev.ReviewScheduled)
def _review(view: CaseView, meta: ev.EventMeta, e: ev.ReviewScheduled) -> CaseView:
    if view.sanction is None:
        raise HistoryError(f"case {view.case_id}: review with no sanction")
    record = ReviewRecord(
        e.review_no, view.sanction.kind, e.meeting_on, meta.actor_id, meta.at, e.letter_id
    )
    return replace(view, reviews=(*view.reviews, record))


def _set_current_review(view: CaseView, review_no: int, **changes: Any) -> CaseView:
    current = view.current_review
    if current is None or current.review_no != review_no:
        raise HistoryError(f"case {view.case_id}: review {review_no} is not in progress")
    return replace(view, reviews=(*view.reviews[:-1], replace(current, **changes)))


@_on(ev.ReviewRescheduled)
def _rescheduled(view: CaseView, meta: ev.EventMeta, e: ev.ReviewRescheduled) -> CaseView:
    return _set_current_review(view, e.review_no, meeting_on=e.meeting_on)


@_on(ev.ReviewStatementReceived)
def _review_statement(
    view: CaseView, meta: ev.EventMeta, e: ev.ReviewStatementReceived
) -> CaseView:
    statement = ReviewStatementRecord(e.letter_dated, e.received_on, e.summary, meta.actor_id)
    return _set_current_review(view, e.review_no, statement=statement)


@_on(ev.ReviewOutcomeRecorded)
def _review_outcome(view: CaseView, meta: ev.EventMeta, e: ev.ReviewOutcomeRecorded) -> CaseView:
    current, sanction = view.current_review, view.sanction
    if current is None or sanction is None:
        raise HistoryError(f"case {view.case_id}: review outcome with no review in progress")
    view = _set_current_review(
        view,
        e.review_no,
        outcome=e.outcome,
        reason=e.reason,
        outcome_by=meta.actor_id,
        outcome_at=meta.at,
        outcome_letter_id=e.letter_id,
    )
    if e.outcome is ReviewOutcome.REMOVE:
        return replace(view, sanction=None, review_anchor=None)
    if e.outcome is ReviewOutcome.EXTEND:
        sanction = replace(sanction, until=e.until)
    elif e.outcome is ReviewOutcome.VARY:
        sanction = replace(sanction, conditions=e.conditions)
    elif e.outcome is ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS:
        sanction = replace(
            sanction,
            kind=SanctionKind.CONDITIONS,
            conditions=e.conditions,
            until=None,
            arrangements=None,
        )
    return replace(view, sanction=sanction, review_anchor=current.meeting_on)


@_on(ev.BreachRecorded)
def _breach(view: CaseView, meta: ev.EventMeta, e: ev.BreachRecorded) -> CaseView:
    if view.sanction is None:
        raise HistoryError(f"case {view.case_id}: breach with no sanction")
    record = BreachRecord(
        e.occurred_at, e.summary, e.incident_no, meta.actor_id, view.sanction.kind
    )
    return replace(view, breaches=(*view.breaches, record))


@_on(ev.CaseClosed)
def _closed(view: CaseView, meta: ev.EventMeta, e: ev.CaseClosed) -> CaseView:
    return replace(view, closed_reason=e.reason, closed_at=meta.at, window=None)


@_on(ev.LetterRequired)
def _letter(view: CaseView, meta: ev.EventMeta, e: ev.LetterRequired) -> CaseView:
    if view.letter(e.letter_id) is not None:
        raise HistoryError(f"case {view.case_id}: letter {e.letter_id} required twice")
    record = LetterRecord(
        e.letter_id,
        e.letter,
        e.addressee,
        e.signer,
        e.cc,
        e.reply_within_school_days,
        meta.actor_id,
        meta.at,
    )
    return replace(view, letters=(*view.letters, record))


@_on(ev.LetterDrafted)
def _drafted(view: CaseView, meta: ev.EventMeta, e: ev.LetterDrafted) -> CaseView:
    return _set_letter(view, e.letter_id, draft_ref=e.draft_ref, draft_error=None)


@_on(ev.LetterDraftFailed)
def _draft_failed(view: CaseView, meta: ev.EventMeta, e: ev.LetterDraftFailed) -> CaseView:
    return _set_letter(view, e.letter_id, draft_error=e.error)


@_on(ev.LetterSent)
def _sent(view: CaseView, meta: ev.EventMeta, e: ev.LetterSent) -> CaseView:
    return _set_letter(view, e.letter_id, sent_on=e.sent_on)


@_on(ev.LetterWithdrawn)
def _withdrawn(view: CaseView, meta: ev.EventMeta, e: ev.LetterWithdrawn) -> CaseView:
    return _set_letter(view, e.letter_id, withdrawn_reason=e.reason)


@_on(ev.NotificationRequired)
def _notify(view: CaseView, meta: ev.EventMeta, e: ev.NotificationRequired) -> CaseView:
    if view.notification(e.notification_id) is not None:
        return view  # the same prompt asked for twice is one prompt
    record = NotificationRecord(e.notification_id, e.kind, e.roles, meta.at)
    return replace(view, notifications=(*view.notifications, record))


@_on(ev.NotificationSent)
def _notified(view: CaseView, meta: ev.EventMeta, e: ev.NotificationSent) -> CaseView:
    if view.notification(e.notification_id) is None:
        raise HistoryError(f"case {view.case_id}: no notification {e.notification_id}")
    return replace(
        view,
        notifications=tuple(
            replace(n, sent=True) if n.notification_id == e.notification_id else n
            for n in view.notifications
        ),
    )


def folded_event_types() -> frozenset[type[ev.Event]]:
    """Every event type `apply` accepts (a unit test compares it with EVENT_TYPES)."""
    return frozenset(_APPLY) | {ev.CaseOpened}
