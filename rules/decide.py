"""Command handlers: (view, command, context) -> events, or a named Refusal.

    decide(view: CaseView | None, command: Command, ctx: DecisionContext) -> list[Event]

In order, `decide`:
1. returns [] for a command id already in the case's history (a retry or double click that
   slipped past the store's own check appends nothing: idempotent by construction);
2. checks the actor's roles against `rules.permissions.PERMISSIONS` (`NotPermitted`, naming
   the role needed and the role the actor holds);
3. checks the step against `rules.state.TRANSITIONS` (`NotAllowedNow`; `AlreadyDone` when
   someone else's step made it impossible, saying who and when);
4. applies the command's own guards (the policy's fairness rules) and builds the events.

It never reads a clock: `ctx.now` and `ctx.today` (the school's local date) are given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from rules import commands as c
from rules import events as ev
from rules import timeline as tl
from rules.behaviours import (
    Addressee,
    LetterKind,
    NotificationKind,
    ReviewOutcome,
    SanctionKind,
)
from rules.calendar import SchoolCalendar, format_day
from rules.case import CaseView, IncidentRecord, LetterRecord, StepRecord
from rules.details import Conditions, IncidentDetails, PersonDetails
from rules.errors import (
    AlreadyDone,
    CaseAlreadyExists,
    CaseNotFound,
    EarlierStepsRequired,
    InvalidDetails,
    LetterNotYetSent,
    MeetingNotYetHeld,
    MeetingTooEarly,
    NotAllowedNow,
    NotPermitted,
    RiskAssessmentRequired,
    SafetyNotConsidered,
    TooFewStaff,
    WindowStillOpen,
)
from rules.permissions import check_permitted, permission_for, recorded_as, titles
from rules.prompts import due_reminders
from rules.roles import Role
from rules.state import CaseState, Trigger, allowed

SYSTEM_ACTOR = "system"


def _no_names(actor_id: str) -> str | None:
    return None


@dataclass(frozen=True)
class DecisionContext:
    """Who is asking, and when. `roles` are the actor's roles at the case's school;
    `system` is True only for the sweeper. `name_of` turns an actor id into a display name
    for "already confirmed by …" (None: the role is named instead)."""

    actor_id: str
    roles: frozenset[Role]
    now: datetime  # timezone-aware
    today: date  # the school's local date
    calendar: SchoolCalendar
    system: bool = False
    name_of: Callable[[str], str | None] = field(default=_no_names)


def decide(view: CaseView | None, command: c.Command, ctx: DecisionContext) -> list[ev.Event]:
    if view is not None and command.command_id in view.command_ids:
        return []
    check_permitted(command, ctx.roles, system=ctx.system)
    if view is None and not isinstance(command, c.ReportIncident):
        raise CaseNotFound("There is no such case: it may have been mistyped or never opened.")
    trigger = command.trigger()
    if trigger is not None:
        _check_stage(view, trigger, ctx)
    if isinstance(command, c.ReportIncident):
        return _report_incident(view, command, ctx)
    assert view is not None
    return _HANDLERS[type(command)](view, command, ctx)


# --- shared checks --------------------------------------------------------------------------

_TRIGGER_COMMAND = {t: cls for cls in c.COMMAND_TYPES for t in cls.TRIGGERS}


def _who(actor_id: str, trigger: Trigger, ctx: DecisionContext) -> str:
    name = ctx.name_of(actor_id)
    if name:
        return name
    if actor_id == SYSTEM_ACTOR:
        return "the system"
    return titles(permission_for(_TRIGGER_COMMAND[trigger]).roles)


def _check_stage(view: CaseView | None, trigger: Trigger, ctx: DecisionContext) -> None:
    state = view.state if view is not None else CaseState.NEW
    if allowed(state, trigger):
        return
    assert view is not None  # NEW allows the one command that has no view
    blocker = _blocking_step(view, trigger)
    if blocker is not None:
        raise AlreadyDone(
            f"This can no longer be done: {_who(blocker.by, blocker.trigger, ctx)} recorded "
            f"“{blocker.trigger.label}” on {format_day(blocker.at.date())}. "
            f"The case is now at the stage “{state.label}”."
        )
    raise NotAllowedNow(
        f"This cannot be done now: the case is at the stage “{state.label}”, where "
        f"“{trigger.label}” is not a step the policy allows."
    )


def _blocking_step(view: CaseView, trigger: Trigger) -> StepRecord | None:
    """The latest stage change, if the step was possible just before it."""
    for step in reversed(view.steps):
        if step.state_before is not step.state_after:
            return step if allowed(step.state_before, trigger) else None
    return None


def _text(value: str, what: str) -> str:
    if not value or not value.strip():
        raise InvalidDetails(f"Please give {what}.")
    return value.strip()


def _past(day: date, what: str, ctx: DecisionContext) -> date:
    if day > ctx.today:
        raise InvalidDetails(f"{what} cannot be in the future ({format_day(day)}).")
    return day


def _moment(at: datetime, what: str, ctx: DecisionContext) -> datetime:
    if at.tzinfo is None:
        raise InvalidDetails(f"{what} needs a time zone.")
    if at > ctx.now:
        raise InvalidDetails(f"{what} cannot be in the future.")
    return at


def _staff(names: tuple[str, ...], what: str) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
    if len(cleaned) < 2:
        raise TooFewStaff(
            f"At least two members of staff must be {what}: "
            "“Members of school staff will always be accompanied by at least one other "
            "colleague at any such meeting.”"
        )
    return cleaned


def _conditions(conditions: Conditions) -> Conditions:
    if conditions.is_empty:
        raise InvalidDetails("Choose at least one condition, or write one under “other”.")
    return Conditions(conditions.standard, tuple(t.strip() for t in conditions.other if t.strip()))


def _incident(view: CaseView, no: int) -> IncidentRecord:
    incident = view.incident(no)
    if incident is None:
        raise InvalidDetails(f"There is no incident {no} on case {view.reference}.")
    return incident


def _assessed_latest(view: CaseView) -> IncidentRecord:
    """The school's response follows "the completion of the risk assessment"."""
    latest = view.latest_incident
    assert latest is not None  # every case opens with an incident
    if not latest.assessed:
        raise RiskAssessmentRequired(
            f"Incident {latest.no} has not been risk-assessed yet. The policy asks for the risk "
            "assessment first, so that the response is reasonable and proportionate."
        )
    return latest


def _letter_id(command: c.Command, kind: LetterKind) -> str:
    return f"{command.command_id}:{kind.value}"


def _letter(
    command: c.Command,
    kind: LetterKind,
    signer: Role,
    cc: tuple[Role, ...],
    reply_within: int | None = None,
    addressee: Addressee = Addressee.PERSON,
) -> ev.LetterRequired:
    return ev.LetterRequired(_letter_id(command, kind), kind, addressee, signer, cc, reply_within)


def _notify_once(
    view: CaseView, notification_id: str, kind: NotificationKind, roles: tuple[Role, ...]
) -> list[ev.Event]:
    if view.notification(notification_id) is not None:
        return []
    return [ev.NotificationRequired(notification_id, kind, roles)]


def _validate_person(person: PersonDetails) -> PersonDetails:
    _text(person.name, "the person's name")
    return person


def _validate_incident(details: IncidentDetails, ctx: DecisionContext) -> None:
    _moment(details.occurred_at, "The time of the incident", ctx)
    _text(details.location, "where it happened")
    _text(details.summary, "a factual summary of what happened")
    _text(details.effect, "its effect on staff, pupils or others")
    _text(details.reporter_name, "the name of the member of staff reporting it")
    if not details.behaviours:
        raise InvalidDetails("Choose at least one kind of behaviour from the policy's list.")


# --- handlers -------------------------------------------------------------------------------

C = TypeVar("C", bound=c.Command)
_Handler = Callable[[CaseView, Any, DecisionContext], list[ev.Event]]
_HANDLERS: dict[type[c.Command], _Handler] = {}


def _handles(
    cls: type[C],
) -> Callable[[Callable[[CaseView, C, DecisionContext], list[ev.Event]]], _Handler]:
    def register(fn: Callable[[CaseView, C, DecisionContext], list[ev.Event]]) -> _Handler:
        _HANDLERS[cls] = fn
        return fn

    return register


def _report_incident(
    view: CaseView | None, cmd: c.ReportIncident, ctx: DecisionContext
) -> list[ev.Event]:
    _validate_incident(cmd.incident, ctx)
    opened: list[ev.Event] = []
    if view is None:
        if cmd.new_case is None:
            raise CaseNotFound("There is no such case. Choose “new case” to open one.")
        new = cmd.new_case
        _validate_person(new.person)
        opened = [ev.CaseOpened(new.case_id, new.reference, new.school_id, new.person)]
        number = 1
    else:
        if cmd.new_case is not None:
            raise CaseAlreadyExists(
                f"Case {view.reference} already exists; the incident can be added to it."
            )
        number = len(view.incidents) + 1
    notice_id = f"{cmd.command_id}:{NotificationKind.INCIDENT_REPORTED.value}"
    return [
        *opened,
        ev.IncidentReported(number, cmd.incident),
        ev.NotificationRequired(
            notice_id, NotificationKind.INCIDENT_REPORTED, (Role.HEAD, Role.SENIOR)
        ),
    ]


@_handles(c.AddStatement)
def _add_statement(view: CaseView, cmd: c.AddStatement, ctx: DecisionContext) -> list[ev.Event]:
    _incident(view, cmd.incident_no)
    _text(cmd.statement.author_name, "the name of the person giving the statement")
    _text(cmd.statement.text, "the statement")
    _past(cmd.statement.given_on, "The date of the statement", ctx)
    return [ev.StatementAdded(cmd.incident_no, cmd.statement)]


@_handles(c.UpdatePersonDetails)
def _update_person(
    view: CaseView, cmd: c.UpdatePersonDetails, ctx: DecisionContext
) -> list[ev.Event]:
    return [ev.PersonDetailsUpdated(_validate_person(cmd.person))]


@_handles(c.AssessRisk)
def _assess(view: CaseView, cmd: c.AssessRisk, ctx: DecisionContext) -> list[ev.Event]:
    _incident(view, cmd.incident_no)
    a = cmd.assessment
    _text(a.form_of_abuse, "what form the abuse took")
    _text(a.evidence, "what evidence there is")
    _text(a.witness_accounts, "what witnesses say happened")
    _text(a.previous_incidents, "whether there are previous incidents to consider")
    return [ev.RiskAssessed(cmd.incident_no, a)]


@_handles(c.RecordNoFurtherAction)
def _nfa(view: CaseView, cmd: c.RecordNoFurtherAction, ctx: DecisionContext) -> list[ev.Event]:
    latest = _assessed_latest(view)
    return [ev.NoFurtherActionRecorded(latest.no, _text(cmd.reason, "the reason for no action"))]


@_handles(c.ClarifyExpectations)
def _clarify(view: CaseView, cmd: c.ClarifyExpectations, ctx: DecisionContext) -> list[ev.Event]:
    latest = _assessed_latest(view)
    letter = _letter(cmd, LetterKind.WARNING, Role.HEAD, (Role.CHAIR,), tl.REPLY_WINDOW_SCHOOL_DAYS)
    return [ev.ExpectationsClarified(latest.no, letter.letter_id, cmd.meeting_offered), letter]


@_handles(c.ArrangeInformalMeeting)
def _arrange(view: CaseView, cmd: c.ArrangeInformalMeeting, ctx: DecisionContext) -> list[ev.Event]:
    latest = _assessed_latest(view)
    if cmd.meeting_at.tzinfo is None:
        raise InvalidDetails("The meeting time needs a time zone.")
    location = _text(cmd.location, "where the meeting will be held")
    staff = _staff(cmd.staff_attending, "at the meeting")
    if not (cmd.seating_considered and cmd.exits_kept_clear):
        raise SafetyNotConsidered(
            "Before the meeting, confirm that the seating arrangements have been considered "
            "and that the exits cannot be blocked."
        )
    return [ev.InformalMeetingArranged(latest.no, cmd.meeting_at, location, staff, True, True)]


@_handles(c.RecordInformalMeeting)
def _meeting_held(
    view: CaseView, cmd: c.RecordInformalMeeting, ctx: DecisionContext
) -> list[ev.Event]:
    _past(cmd.held_on, "The date of the meeting", ctx)
    staff = _staff(cmd.staff_present, "recorded as present")
    notes = _text(cmd.notes, "the main points of discussion")
    actions = tuple(a.strip() for a in cmd.agreed_actions if a.strip())
    letter = _letter(cmd, LetterKind.MEETING_FOLLOW_UP, Role.HEAD, ())
    return [ev.InformalMeetingHeld(cmd.held_on, staff, notes, actions, letter.letter_id), letter]


@_handles(c.CancelInformalMeeting)
def _meeting_cancelled(
    view: CaseView, cmd: c.CancelInformalMeeting, ctx: DecisionContext
) -> list[ev.Event]:
    return [ev.InformalMeetingCancelled(_text(cmd.reason, "why the meeting was cancelled"))]


@_handles(c.ImposeConditions)
def _impose_conditions(
    view: CaseView, cmd: c.ImposeConditions, ctx: DecisionContext
) -> list[ev.Event]:
    latest = _assessed_latest(view)
    conditions = _conditions(cmd.conditions)
    reason = _text(cmd.reason, "the reason for the conditions")
    letter = _letter(
        cmd, LetterKind.CONDITIONS, Role.HEAD, (Role.CHAIR,), tl.REPLY_WINDOW_SCHOOL_DAYS
    )
    return [
        ev.ConditionsImposed(latest.no, conditions, reason, ctx.today, letter.letter_id),
        letter,
    ]


@_handles(c.ImposeBan)
def _impose_ban(view: CaseView, cmd: c.ImposeBan, ctx: DecisionContext) -> list[ev.Event]:
    latest = _assessed_latest(view)
    reason = _text(cmd.reason, "the reason for the ban")
    ground = cmd.extreme_violence_ground.strip()
    if not view.earlier_steps_taken and not ground:
        raise EarlierStepsRequired(
            "No warning, meeting or conditions have been recorded on this case. A ban without "
            "them needs the ground recorded: describe the extreme act of violence."
        )
    arrangements = cmd.arrangements
    _text(arrangements.meetings, "the arrangements for meetings at school about pupils")
    _text(arrangements.drop_off_and_collection, "how pupils will be dropped off and collected")
    if latest.details.assault and not arrangements.police_statement.strip():
        raise InvalidDetails(
            "An assault led to this ban: add the statement that the matter has been reported "
            "to the local police."
        )
    if cmd.until is not None and cmd.until <= ctx.today:
        raise InvalidDetails("The end of the ban's period must be after today.")
    letter = _letter(cmd, LetterKind.BAN, Role.HEAD, (Role.CHAIR,), tl.REPLY_WINDOW_SCHOOL_DAYS)
    trustees = _letter(
        cmd,
        LetterKind.BAN_NOTICE_TO_CHAIR_OF_TRUSTEES,
        Role.HEAD,
        (),
        addressee=Addressee.CHAIR_OF_TRUSTEES,
    )
    return [
        ev.BanImposed(
            latest.no,
            reason,
            ctx.today,
            cmd.until,
            arrangements,
            ground,
            letter.letter_id,
            trustees.letter_id,
        ),
        letter,
        trustees,
    ]


@_handles(c.RecordRemoval)
def _removal(view: CaseView, cmd: c.RecordRemoval, ctx: DecisionContext) -> list[ev.Event]:
    # Not held back by the risk-assessment guard: it records what a police officer or an
    # authorised person did on the spot, while the ban (itself assessed) is in force.
    _moment(cmd.removed_at, "The time of the removal", ctx)
    name = _text(cmd.remover_name, "who removed the person")
    return [ev.RemovedFromPremises(cmd.removed_at, cmd.removed_by, name, cmd.notes.strip())]


@_handles(c.ReferToComplaints)
def _complaints(view: CaseView, cmd: c.ReferToComplaints, ctx: DecisionContext) -> list[ev.Event]:
    _assessed_latest(view)
    return [ev.ReferredToComplaints(_text(cmd.reason, "what the complaint is about"))]


@_handles(c.RecordRepresentation)
def _representation(
    view: CaseView, cmd: c.RecordRepresentation, ctx: DecisionContext
) -> list[ev.Event]:
    window = view.window
    if window is None:
        raise NotAllowedNow("No letter on this case is waiting for the person's comments.")
    if window.representation is not None:
        earlier = window.representation
        raise AlreadyDone(
            f"Written comments dated {format_day(earlier.letter_dated)} were already recorded "
            f"by {_who(earlier.recorded_by, Trigger.REPRESENTATION_RECEIVED, ctx)} on "
            f"{format_day(earlier.recorded_at.date())}."
        )
    _past(cmd.received_on, "The date it was received", ctx)
    if cmd.letter_dated > cmd.received_on:
        raise InvalidDetails("The person's letter cannot be dated after it was received.")
    summary = _text(cmd.summary, "a summary of what the person wrote")
    events: list[ev.Event] = [
        ev.RepresentationReceived(window.letter_id, cmd.letter_dated, cmd.received_on, summary)
    ]
    if window.letter is not LetterKind.WARNING:
        events += _chair_needed(view, window.letter_id)
    return events


def _chair_needed(view: CaseView, letter_id: str) -> list[ev.Event]:
    kind = NotificationKind.CHAIR_DECISION_NEEDED
    return _notify_once(view, f"{letter_id}:{kind.value}", kind, (Role.CHAIR,))


@_handles(c.CloseRepresentationWindow)
def _close_window(
    view: CaseView, cmd: c.CloseRepresentationWindow, ctx: DecisionContext
) -> list[ev.Event]:
    window, letter = view.window, view.window_letter
    if window is None or letter is None:
        raise NotAllowedNow("No letter on this case is waiting for the person's comments.")
    if window.representation is not None or window.closed_on is not None:
        raise AlreadyDone("The person's comments on this letter have already been dealt with.")
    if letter.sent_on is None:
        raise LetterNotYetSent(
            f"{letter.letter.label} has not been recorded as sent. The person's 10 school days "
            "count from the date it was sent: record that date first."
        )
    deadline = tl.reply_deadline(view, tl.strict(ctx.calendar))
    assert deadline is not None
    if ctx.today <= deadline.due:
        raise WindowStillOpen(
            f"The person has until the end of {format_day(deadline.due)} to send written "
            "comments, so the window cannot be closed yet."
        )
    events: list[ev.Event] = [ev.RepresentationWindowClosed(window.letter_id, deadline.due)]
    if window.letter is not LetterKind.WARNING:
        events += _chair_needed(view, window.letter_id)
    return events


@_handles(c.DecideAsChair)
def _chair(view: CaseView, cmd: c.DecideAsChair, ctx: DecisionContext) -> list[ev.Event]:
    sanction = view.sanction
    assert sanction is not None  # the table allows this only with a provisional sanction
    reason = _text(cmd.reason, "the reason for your decision")
    kind = (
        LetterKind.CONDITIONS_DECISION
        if sanction.kind is SanctionKind.CONDITIONS
        else LetterKind.BAN_DECISION
    )
    letter = _letter(cmd, kind, Role.CHAIR, (Role.HEAD,))
    return [
        ev.ChairDecided(cmd.outcome, sanction.kind, reason, ctx.today, letter.letter_id),
        letter,
    ]


@_handles(c.RecordProgressMeeting)
def _progress(view: CaseView, cmd: c.RecordProgressMeeting, ctx: DecisionContext) -> list[ev.Event]:
    _past(cmd.held_on, "The date of the meeting", ctx)
    return [ev.ProgressMeetingHeld(cmd.held_on, cmd.notes.strip())]


def _check_meeting_date(meeting_on: date, letter_6_date: date, ctx: DecisionContext) -> None:
    earliest = tl.earliest_review_meeting(letter_6_date, tl.strict(ctx.calendar))
    if meeting_on < earliest.due:
        raise MeetingTooEarly(
            f"The meeting can be no earlier than {format_day(earliest.due)}: the person must "
            f"have 10 school days from letter 6 (dated {format_day(letter_6_date)}) to give "
            "a statement."
        )


@_handles(c.ScheduleReview)
def _schedule(view: CaseView, cmd: c.ScheduleReview, ctx: DecisionContext) -> list[ev.Event]:
    # Letter 6 is assumed to go today; if it goes later, the prompts ask for a new date.
    _check_meeting_date(cmd.meeting_on, ctx.today, ctx)
    letter = _letter(
        cmd,
        LetterKind.REVIEW_STATEMENT_REQUEST,
        Role.CLERK,
        (Role.HEAD,),
        tl.REPLY_WINDOW_SCHOOL_DAYS,
    )
    review_no = len(view.reviews) + 1
    return [ev.ReviewScheduled(review_no, cmd.meeting_on, letter.letter_id), letter]


def _current_review_letter(view: CaseView) -> tuple[int, LetterRecord]:
    review = view.current_review
    assert review is not None  # the table allows this only under review
    letter = view.letter(review.letter_id)
    assert letter is not None
    return review.review_no, letter


@_handles(c.RescheduleReview)
def _reschedule(view: CaseView, cmd: c.RescheduleReview, ctx: DecisionContext) -> list[ev.Event]:
    review_no, letter = _current_review_letter(view)
    _check_meeting_date(cmd.meeting_on, letter.sent_on or ctx.today, ctx)
    return [ev.ReviewRescheduled(review_no, cmd.meeting_on)]


@_handles(c.RecordReviewStatement)
def _review_statement(
    view: CaseView, cmd: c.RecordReviewStatement, ctx: DecisionContext
) -> list[ev.Event]:
    review_no, _letter6 = _current_review_letter(view)
    review = view.current_review
    assert review is not None
    if review.statement is not None:
        raise AlreadyDone(
            f"A statement received on {format_day(review.statement.received_on)} is already "
            "recorded for this review."
        )
    _past(cmd.received_on, "The date it was received", ctx)
    if cmd.letter_dated > cmd.received_on:
        raise InvalidDetails("The statement cannot be dated after it was received.")
    summary = _text(cmd.summary, "a summary of the statement")
    return [ev.ReviewStatementReceived(review_no, cmd.letter_dated, cmd.received_on, summary)]


@_handles(c.RecordReviewOutcome)
def _review_outcome(
    view: CaseView, cmd: c.RecordReviewOutcome, ctx: DecisionContext
) -> list[ev.Event]:
    review_no, letter6 = _current_review_letter(view)
    review = view.current_review
    assert review is not None
    if ctx.today < review.meeting_on:
        raise MeetingNotYetHeld(
            f"The committee meets on {format_day(review.meeting_on)}; its decision can be "
            "recorded from that day."
        )
    if letter6.sent_on is None:
        raise LetterNotYetSent(
            "Letter 6 has not been recorded as sent: the person must be invited to give a "
            "statement before the committee decides."
        )
    if review.statement is None:
        _check_meeting_date(review.meeting_on, letter6.sent_on, ctx)
    reason = _text(cmd.reason, "the committee's reasons")
    conditions = Conditions()
    if cmd.outcome in (ReviewOutcome.VARY, ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS):
        conditions = _conditions(cmd.conditions)
    if cmd.until is not None and cmd.until <= review.meeting_on:
        raise InvalidDetails("The new end date must be after the meeting.")
    until = cmd.until if cmd.outcome is ReviewOutcome.EXTEND else None
    letter = _letter(cmd, LetterKind.REVIEW_OUTCOME, Role.CLERK, (Role.HEAD,))
    return [
        ev.ReviewOutcomeRecorded(
            review_no, cmd.outcome, reason, conditions, until, letter.letter_id
        ),
        letter,
    ]


@_handles(c.RecordBreach)
def _breach(view: CaseView, cmd: c.RecordBreach, ctx: DecisionContext) -> list[ev.Event]:
    _moment(cmd.occurred_at, "The time of the breach", ctx)
    if cmd.incident_no is not None:
        _incident(view, cmd.incident_no)
    summary = _text(cmd.summary, "what happened")
    return [ev.BreachRecorded(cmd.occurred_at, summary, cmd.incident_no)]


@_handles(c.CloseCase)
def _close(view: CaseView, cmd: c.CloseCase, ctx: DecisionContext) -> list[ev.Event]:
    latest = view.latest_incident
    if latest is not None and not latest.responses:
        raise NotAllowedNow(
            f"Record the school's response to incident {latest.no} before closing the case "
            "(no further action is a response)."
        )
    events: list[ev.Event] = [ev.CaseClosed(_text(cmd.reason, "why the case is closed"))]
    if view.policy_used:
        # "This Policy will be reviewed … following each incident where the policy is used."
        kind = NotificationKind.POLICY_REVIEW_AFTER_CASE
        events += _notify_once(view, f"{cmd.command_id}:{kind.value}", kind, (Role.TRUST,))
    return events


def _existing_letter(view: CaseView, letter_id: str) -> LetterRecord:
    letter = view.letter(letter_id)
    if letter is None:
        raise InvalidDetails(f"There is no letter {letter_id} on case {view.reference}.")
    return letter


def _check_signer(letter: LetterRecord, ctx: DecisionContext) -> None:
    if letter.signer not in ctx.roles and Role.HEAD not in ctx.roles:
        raise NotPermitted(
            f"Only {titles({letter.signer, Role.HEAD})} can record this about "
            f"{letter.letter.label}. You are recorded as: {recorded_as(ctx.roles)}."
        )


def _check_not_done(letter: LetterRecord) -> None:
    if letter.sent_on is not None:
        raise AlreadyDone(
            f"{letter.letter.label} was recorded as sent on {format_day(letter.sent_on)}."
        )
    if letter.withdrawn_reason is not None:
        raise AlreadyDone(f"{letter.letter.label} was withdrawn: {letter.withdrawn_reason}")


@_handles(c.RecordLetterSent)
def _letter_sent(view: CaseView, cmd: c.RecordLetterSent, ctx: DecisionContext) -> list[ev.Event]:
    letter = _existing_letter(view, cmd.letter_id)
    _check_signer(letter, ctx)
    _check_not_done(letter)
    _past(cmd.sent_on, "The date the letter was sent", ctx)
    if cmd.sent_on < letter.required_at.date():
        raise InvalidDetails(
            f"The letter cannot have been sent before it was called for "
            f"({format_day(letter.required_at.date())})."
        )
    return [ev.LetterSent(cmd.letter_id, cmd.sent_on)]


@_handles(c.WithdrawLetter)
def _withdraw(view: CaseView, cmd: c.WithdrawLetter, ctx: DecisionContext) -> list[ev.Event]:
    letter = _existing_letter(view, cmd.letter_id)
    _check_signer(letter, ctx)
    _check_not_done(letter)
    window = view.window
    if (
        window is not None
        and window.letter_id == letter.letter_id
        and view.state
        in (
            CaseState.WARNED,
            CaseState.CONDITIONS_PROVISIONAL,
            CaseState.BAN_PROVISIONAL,
        )
    ):
        raise NotAllowedNow(
            f"{letter.letter.label} starts the person's right to reply to the decision in "
            "force, so it cannot be withdrawn."
        )
    return [ev.LetterWithdrawn(cmd.letter_id, _text(cmd.reason, "why it will not be sent"))]


@_handles(c.RecordLetterDrafted)
def _drafted(view: CaseView, cmd: c.RecordLetterDrafted, ctx: DecisionContext) -> list[ev.Event]:
    letter = _existing_letter(view, cmd.letter_id)
    if letter.draft_ref == cmd.draft_ref or letter.done:
        return []  # the same draft recorded again, or the letter is no longer needed
    return [ev.LetterDrafted(cmd.letter_id, _text(cmd.draft_ref, "the draft's reference"))]


@_handles(c.RecordLetterDraftFailed)
def _draft_failed(
    view: CaseView, cmd: c.RecordLetterDraftFailed, ctx: DecisionContext
) -> list[ev.Event]:
    letter = _existing_letter(view, cmd.letter_id)
    if letter.draft_ref is not None or letter.done:
        return []
    kind = NotificationKind.LETTER_DRAFT_FAILED
    return [
        ev.LetterDraftFailed(cmd.letter_id, _text(cmd.error, "what went wrong")),
        *_notify_once(view, f"{letter.letter_id}:{kind.value}", kind, (letter.signer,)),
    ]


@_handles(c.RecordNotificationSent)
def _notified(
    view: CaseView, cmd: c.RecordNotificationSent, ctx: DecisionContext
) -> list[ev.Event]:
    notification = view.notification(cmd.notification_id)
    if notification is None:
        raise InvalidDetails(f"There is no notification {cmd.notification_id} on this case.")
    if notification.sent:
        return []
    return [ev.NotificationSent(cmd.notification_id)]


@_handles(c.SendDueReminders)
def _reminders(view: CaseView, cmd: c.SendDueReminders, ctx: DecisionContext) -> list[ev.Event]:
    return [
        ev.NotificationRequired(r.notification_id, r.kind, r.roles)
        for r in due_reminders(view, ctx.today, ctx.calendar)
    ]


def handled_commands() -> frozenset[type[c.Command]]:
    """Every command type `decide` accepts (a unit test compares it with COMMAND_TYPES)."""
    return frozenset(_HANDLERS) | {c.ReportIncident}
