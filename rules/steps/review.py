"""The committee's review of conditions or a ban in force, about every six months: the
clerk schedules the meeting and sends letter 6 (the person has 10 school days to give a
statement, ending at least one school day before the meeting), may move the meeting,
records the statement, then the committee's outcome (maintain, extend, vary, replace a ban
by conditions, remove) for letter 7. Without a statement the outcome waits until the
statement's window has closed (issue 9, rule 9)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, ClassVar

from rules import timeline as tl
from rules.behaviours import LetterKind, ReviewOutcome, SanctionKind
from rules.core.commands import Command, command
from rules.core.decide import (
    DecisionContext,
    chosen_conditions,
    decides,
    letter_required,
    past_day,
    required_text,
)
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds
from rules.core.permissions import permitted
from rules.core.view import CaseView, LetterRecord, ReviewRecord, ReviewStatementRecord
from rules.details import Conditions
from rules.errors import (
    HistoryError,
    InvalidDetails,
    MeetingNotYetHeld,
    MeetingTooEarly,
    ReviewStatementAlreadyRecorded,
    StatementNotYetRequested,
    StatementWindowOpen,
)
from rules.roles import Role
from rules.state import Trigger
from rules.wording import format_day

_REVIEW_TRIGGERS = {
    ReviewOutcome.MAINTAIN: Trigger.REVIEW_MAINTAINED,
    ReviewOutcome.EXTEND: Trigger.REVIEW_EXTENDED,
    ReviewOutcome.VARY: Trigger.REVIEW_VARIED,
    ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS: Trigger.REVIEW_REPLACED_BAN_WITH_CONDITIONS,
    ReviewOutcome.REMOVE: Trigger.REVIEW_REMOVED,
}


def review_trigger(outcome: ReviewOutcome) -> Trigger:
    return _REVIEW_TRIGGERS[outcome]


# --- commands ------------------------------------------------------------------------------


@permitted("schedule the committee's review", Role.CLERK, Role.HEAD)
@command
@dataclass(frozen=True)
class ScheduleReview(Command):
    """Sets the committee's meeting date and calls for letter 6."""

    DONE: ClassVar[str] = "Review scheduled: letter 6 is being drafted"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REVIEW_SCHEDULED,)
    command_id: str
    meeting_on: date


@permitted("move the committee's review", Role.CLERK, Role.HEAD)
@command
@dataclass(frozen=True)
class RescheduleReview(Command):
    DONE: ClassVar[str] = "Review moved"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REVIEW_RESCHEDULED,)
    command_id: str
    meeting_on: date


@permitted("record the statement for the review", Role.CLERK, Role.HEAD)
@command
@dataclass(frozen=True)
class RecordReviewStatement(Command):
    DONE: ClassVar[str] = "The person's statement for the review recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REVIEW_STATEMENT_RECEIVED,)
    command_id: str
    letter_dated: date
    received_on: date
    summary: str


@permitted("record the committee's decision", Role.CLERK)
@command
@dataclass(frozen=True)
class RecordReviewOutcome(Command):
    DONE: ClassVar[str] = "The committee's decision recorded: letter 7 is being drafted"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = tuple(review_trigger(o) for o in ReviewOutcome)
    command_id: str
    outcome: ReviewOutcome
    reason: str
    conditions: Conditions = field(default_factory=Conditions)  # for vary / replace
    until: date | None = None  # for extend, if the sanction gets a new end date

    def trigger(self) -> Trigger:
        return review_trigger(self.outcome)


# --- events --------------------------------------------------------------------------------


@event
@dataclass(frozen=True)
class ReviewScheduled(Event):
    KIND: ClassVar[str] = "review-scheduled"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REVIEW_SCHEDULED
    review_no: int
    meeting_on: date
    letter_id: str  # letter 6, the request for a statement


@event
@dataclass(frozen=True)
class ReviewRescheduled(Event):
    KIND: ClassVar[str] = "review-rescheduled"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REVIEW_RESCHEDULED
    review_no: int
    meeting_on: date


@event
@dataclass(frozen=True)
class ReviewStatementReceived(Event):
    KIND: ClassVar[str] = "review-statement-received"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REVIEW_STATEMENT_RECEIVED
    review_no: int
    letter_dated: date
    received_on: date
    summary: str


@event
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


# --- decide --------------------------------------------------------------------------------


def _check_meeting_date(meeting_on: date, letter_6_date: date, ctx: DecisionContext) -> None:
    earliest = tl.earliest_review_meeting(letter_6_date, tl.strict(ctx.calendar))
    if meeting_on < earliest.due:
        raise MeetingTooEarly(earliest=earliest.due, letter_dated=letter_6_date)


def _current_review_letter(view: CaseView) -> tuple[int, LetterRecord]:
    review = view.current_review
    assert review is not None  # the table allows this only under review
    letter = view.letter(review.letter_id)
    assert letter is not None
    return review.review_no, letter


def _schedule_review(view: CaseView, cmd: ScheduleReview, ctx: DecisionContext) -> list[Event]:
    # Letter 6 is assumed to go today; if it goes later, the prompts ask for a new date.
    _check_meeting_date(cmd.meeting_on, ctx.today, ctx)
    letter = letter_required(
        cmd,
        LetterKind.REVIEW_STATEMENT_REQUEST,
        Role.CLERK,
        (Role.HEAD,),
        tl.REPLY_WINDOW_SCHOOL_DAYS,
    )
    review_no = len(view.reviews) + 1
    return [ReviewScheduled(review_no, cmd.meeting_on, letter.letter_id), letter]


decides(ScheduleReview)(_schedule_review)


def _reschedule_review(view: CaseView, cmd: RescheduleReview, ctx: DecisionContext) -> list[Event]:
    review_no, letter = _current_review_letter(view)
    _check_meeting_date(cmd.meeting_on, letter.sent_on or ctx.today, ctx)
    return [ReviewRescheduled(review_no, cmd.meeting_on)]


decides(RescheduleReview)(_reschedule_review)


def _record_review_statement(
    view: CaseView, cmd: RecordReviewStatement, ctx: DecisionContext
) -> list[Event]:
    review_no, _letter6 = _current_review_letter(view)
    review = view.current_review
    assert review is not None
    if review.statement is not None:
        raise ReviewStatementAlreadyRecorded(received_on=review.statement.received_on)
    past_day(cmd.received_on, "The date it was received", ctx)
    if cmd.letter_dated > cmd.received_on:
        raise InvalidDetails("The statement cannot be dated after it was received.")
    summary = required_text(cmd.summary, "a summary of the statement")
    return [ReviewStatementReceived(review_no, cmd.letter_dated, cmd.received_on, summary)]


decides(RecordReviewStatement)(_record_review_statement)


def _record_review_outcome(
    view: CaseView, cmd: RecordReviewOutcome, ctx: DecisionContext
) -> list[Event]:
    review_no, letter6 = _current_review_letter(view)
    review = view.current_review
    assert review is not None
    if ctx.today < review.meeting_on:
        raise MeetingNotYetHeld(meeting_on=review.meeting_on)
    if letter6.sent_on is None:
        raise StatementNotYetRequested()
    if review.statement is None:
        # Without the statement, the committee decides only once its window has closed.
        _check_meeting_date(review.meeting_on, letter6.sent_on, ctx)
        deadline = tl.statement_deadline(view, tl.strict(ctx.calendar))
        assert deadline is not None  # letter 6 was sent
        if ctx.today <= deadline.due:
            raise StatementWindowOpen(until=deadline.due)
    reason = required_text(cmd.reason, "the committee's reasons")
    conditions = Conditions()
    if cmd.outcome in (ReviewOutcome.VARY, ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS):
        conditions = chosen_conditions(cmd.conditions)
    if cmd.until is not None and cmd.until <= review.meeting_on:
        raise InvalidDetails("The new end date must be after the meeting.")
    current_end = view.sanction.until if view.sanction is not None else None
    # A defined period is extended to a new, later end date (issue 9, rule 5): without one,
    # the extension would silently turn it into an open-ended sanction.
    extending = cmd.outcome is ReviewOutcome.EXTEND and current_end is not None
    if extending and current_end is not None and (cmd.until is None or cmd.until <= current_end):
        raise InvalidDetails(
            f"It is in force until {format_day(current_end)}: to extend it, give the "
            "new end date, after that day."
        )
    until = cmd.until if cmd.outcome is ReviewOutcome.EXTEND else None
    letter = letter_required(cmd, LetterKind.REVIEW_OUTCOME, Role.CLERK, (Role.HEAD,))
    return [
        ReviewOutcomeRecorded(review_no, cmd.outcome, reason, conditions, until, letter.letter_id),
        letter,
    ]


decides(RecordReviewOutcome)(_record_review_outcome)


# --- fold ----------------------------------------------------------------------------------


def _review_scheduled(view: CaseView, meta: EventMeta, e: ReviewScheduled) -> CaseView:
    if view.sanction is None:
        raise HistoryError(f"case {view.case_id}: review with no sanction")
    record = ReviewRecord(
        e.review_no, view.sanction.kind, e.meeting_on, meta.actor_id, meta.at, e.letter_id
    )
    return replace(view, reviews=(*view.reviews, record))


folds(ReviewScheduled)(_review_scheduled)


def _set_current_review(view: CaseView, review_no: int, **changes: Any) -> CaseView:
    current = view.current_review
    if current is None or current.review_no != review_no:
        raise HistoryError(f"case {view.case_id}: review {review_no} is not in progress")
    return replace(view, reviews=(*view.reviews[:-1], replace(current, **changes)))


def _review_rescheduled(view: CaseView, meta: EventMeta, e: ReviewRescheduled) -> CaseView:
    return _set_current_review(view, e.review_no, meeting_on=e.meeting_on)


folds(ReviewRescheduled)(_review_rescheduled)


def _review_statement_received(
    view: CaseView, meta: EventMeta, e: ReviewStatementReceived
) -> CaseView:
    statement = ReviewStatementRecord(e.letter_dated, e.received_on, e.summary, meta.actor_id)
    return _set_current_review(view, e.review_no, statement=statement)


folds(ReviewStatementReceived)(_review_statement_received)


def _review_outcome_recorded(view: CaseView, meta: EventMeta, e: ReviewOutcomeRecorded) -> CaseView:
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


folds(ReviewOutcomeRecorded)(_review_outcome_recorded)
