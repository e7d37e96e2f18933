"""What each role must do next on a case, by when, and what the sweeper must do.

- `prompts_for(view, today, calendar)`: for each role, the next actions with their deadline
  (a `Deadline`, whose warning must be shown) and whether they are overdue (today > due).
- `open_deadlines(view, calendar)`: (role, action, due) rows for the store's due index,
  including the sweeper's own wake-up dates (role None).
- `due_reminders(view, today, calendar)` and `open_window_due(view, count)`: what the
  sweeper's commands are issued for (`rules.sweep.system_commands_due`); `follow_ups`:
  the due-soon, overdue and escalation reminders of people's dated steps among them.
- `pending_effects(view)`: letters still to draft and notifications still to send.
- `policy_review_prompt(last_review, today, calendar)`: the trust's two-yearly review.

Deadlines here are counted leniently (`rules.timeline.lenient`): when the school's term
dates do not reach far enough, the earliest possible date is given, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from rules import timeline as tl
from rules.behaviours import LetterKind, NotificationKind
from rules.calendar import Deadline, SchoolCalendar, format_day
from rules.core.view import CaseView, LetterRecord, NotificationRecord
from rules.roles import Role
from rules.state import CaseState


class Action(StrEnum):
    ASSESS_RISK = "assess-risk"
    CHOOSE_RESPONSE = "choose-response"
    ADD_CONTACT_DETAILS = "add-contact-details"
    SEND_LETTER = "send-letter"
    RECORD_INFORMAL_MEETING = "record-informal-meeting"
    DECIDE_AS_CHAIR = "decide-as-chair"
    SCHEDULE_REVIEW = "schedule-review"
    RESCHEDULE_REVIEW = "reschedule-review"
    RECORD_REVIEW_OUTCOME = "record-review-outcome"
    HOLD_PROGRESS_MEETING = "hold-progress-meeting"
    REPORT_POST = "report-post"
    ASK_POST_REMOVAL = "ask-post-removal"
    REVIEW_POLICY = "review-policy"
    # The sweeper's own steps (role None in open_deadlines):
    CLOSE_REPRESENTATION_WINDOW = "close-representation-window"
    SEND_REMINDERS = "send-reminders"
    END_SANCTION_PERIOD = "end-sanction-period"


@dataclass(frozen=True)
class Prompt:
    role: Role
    action: Action
    text: str
    deadline: Deadline | None  # None: the policy sets no date
    overdue: bool
    letter_id: str | None = None
    incident_no: int | None = None


@dataclass(frozen=True)
class DueEntry:
    """One row of the due index. `role` None: the sweeper's own step on that day."""

    role: Role | None
    action: Action
    due: date


@dataclass(frozen=True)
class Reminder:
    notification_id: str
    kind: NotificationKind
    roles: tuple[Role, ...]
    about: str = ""  # the step it follows up, in the rules' words
    due: date | None = None  # that step's due day


# The sweeper's follow-ups of people's dated steps. The policy sets the deadlines; these
# lead times and the escalation are the app's own, so that nothing is left overdue unseen.
DUE_SOON_SCHOOL_DAYS = 2  # the owner is reminded when this many school days are left
ESCALATE_AFTER_SCHOOL_DAYS = 2  # the head is told when a step is this far past its day
# The policy sets no date for the risk assessment, but the school's response waits on it:
# the head is told when an incident has no assessment two school days after its report.
ASSESS_WITHIN_SCHOOL_DAYS = 2  # the head's prompt says "two school days"
# Steps that have their own reminder ahead of the day (`REMINDER_LEAD_SCHOOL_DAYS`).
_REMINDED_AHEAD = frozenset({Action.SCHEDULE_REVIEW, Action.HOLD_PROGRESS_MEETING})


@dataclass(frozen=True)
class FollowUp:
    """One follow-up the sweeper sends on `on` (or later, if it was not running then)."""

    reminder: Reminder
    on: date
    superseded_by: str | None = None  # a due-soon reminder not sent once this one is


@dataclass(frozen=True)
class PendingEffects:
    letters: tuple[LetterRecord, ...]  # to draft (failed drafts included: retry)
    notifications: tuple[NotificationRecord, ...]  # to send


def _prompt(
    role: Role,
    action: Action,
    text: str,
    deadline: Deadline | None,
    today: date,
    *,
    letter_id: str | None = None,
    incident_no: int | None = None,
) -> Prompt:
    overdue = deadline is not None and today > deadline.due
    return Prompt(role, action, text, deadline, overdue, letter_id, incident_no)


def prompts_for(view: CaseView, today: date, calendar: SchoolCalendar) -> tuple[Prompt, ...]:
    """Every next action on the case, for every role, soonest deadline first."""
    count = tl.lenient(calendar)
    found: list[Prompt] = []
    add = found.append
    state = view.state
    if state is CaseState.CLOSED:
        return ()

    for incident in view.unassessed_incidents:
        text = f"Carry out the risk assessment for incident {incident.no}."
        for role in (Role.HEAD, Role.SENIOR):
            add(_prompt(role, Action.ASSESS_RISK, text, None, today, incident_no=incident.no))
    latest = view.latest_incident
    if latest is not None and latest.assessed and not latest.responses:
        text = f"Choose the school's response to incident {latest.no}."
        add(_prompt(Role.HEAD, Action.CHOOSE_RESPONSE, text, None, today, incident_no=latest.no))
    for incident in view.incidents:
        # "Inappropriate use of Social Media": report the post, and ask for its removal.
        if not incident.on_social_media:
            continue
        no = incident.no
        if not incident.post_reports:
            text = (
                f"Report the post of incident {no} to the site's 'report abuse' route, and "
                "record the report."
            )
            add(_prompt(Role.HEAD, Action.REPORT_POST, text, None, today, incident_no=no))
        if not incident.removal_requests:
            text = (
                f"Ask the person to remove the post of incident {no} at once (letter 1 can "
                "ask), and record the request."
            )
            add(_prompt(Role.HEAD, Action.ASK_POST_REMOVAL, text, None, today, incident_no=no))
    if not view.person.email and not view.person.postal_address:
        text = "Add the person's email or postal address: the letters go to them."
        add(_prompt(Role.HEAD, Action.ADD_CONTACT_DETAILS, text, None, today))

    for letter in view.letters:
        if letter.done:
            continue
        due = tl.letter_due(view, letter.letter_id, count)
        text = f"Send {letter.letter.label} and record the date it was sent."
        if letter.draft_blocked:
            text += (
                " The draft cannot be prepared automatically from the case's details, and "
                "will not be tried again until they are corrected: correct the person's "
                "details, or write it by hand."
            )
        elif letter.term_dates_end is not None:
            text += (
                " It cannot be drafted yet: its reply-by date falls after the school's last "
                f"configured term, which ends on {format_day(letter.term_dates_end)}, and no "
                "date is guessed. Ask the trust's administrator to add the term dates from "
                f"{format_day(letter.term_dates_end + timedelta(days=1))}; the draft follows."
            )
        elif letter.draft_error is not None:
            text += " The draft could not be prepared automatically: write it by hand."
        elif letter.dated_on is not None and today > letter.dated_on:
            # It goes later than it is dated: a fresh draft makes its dates agree.
            text += (
                f" The draft is dated {format_day(letter.dated_on)}: if it goes today, ask "
                "for a re-dated draft so that its date and reply-by date are right."
            )
        add(
            _prompt(letter.signer, Action.SEND_LETTER, text, due, today, letter_id=letter.letter_id)
        )

    if state is CaseState.MEETING_ARRANGED and view.informal_meetings:
        meeting = view.informal_meetings[-1]
        text = (
            f"Record the informal meeting of {format_day(meeting.meeting_at.date())}: "
            "notes and agreed actions."
        )
        add(_prompt(Role.HEAD, Action.RECORD_INFORMAL_MEETING, text, None, today))

    if state in (CaseState.CONDITIONS_WITH_CHAIR, CaseState.BAN_WITH_CHAIR):
        text = "Confirm or overturn the Headteacher/Principal's decision, and write to the person."
        add(
            _prompt(Role.CHAIR, Action.DECIDE_AS_CHAIR, text, tl.chair_deadline(view, count), today)
        )

    # A ban or conditions past their defined end are no longer in force, even on the day
    # before the sweeper records the end: nothing is prompted about them.
    period_end = tl.period_end_due(view)
    ended = period_end is not None and today >= period_end
    if state in (CaseState.CONDITIONS_CONFIRMED, CaseState.BAN_CONFIRMED) and not ended:
        due = tl.review_due(view, count)
        text = "Arrange the committee's review: set the meeting date and send letter 6."
        # With a defined end before the review would fall due, it ends by itself instead.
        ends_first = due is None and view.sanction is not None and view.sanction.until is not None
        if not ends_first:
            add(_prompt(Role.CLERK, Action.SCHEDULE_REVIEW, text, due, today))

    review = view.current_review
    if review is not None and not ended:
        deadline = tl.statement_deadline(view, count)
        if deadline is not None and review.meeting_on < deadline.due and review.statement is None:
            text = (
                f"Move the review meeting: the person has until {format_day(deadline.due)} "
                f"to give a statement, after the meeting on {format_day(review.meeting_on)}."
            )
            add(_prompt(Role.CLERK, Action.RESCHEDULE_REVIEW, text, Deadline(today), today))
        due = count.school_days_after(review.meeting_on, tl.DECISION_LETTER_SCHOOL_DAYS)
        text = (
            f"Record the committee's decision after its meeting on "
            f"{format_day(review.meeting_on)}; letter 7 follows."
        )
        add(_prompt(Role.CLERK, Action.RECORD_REVIEW_OUTCOME, text, due, today))

    if state in (CaseState.BAN_CONFIRMED, CaseState.BAN_UNDER_REVIEW) and not ended:
        # None for a person with no child at the school, or a ban that ends first.
        due = tl.progress_meeting_due(view, count)
        text = "Offer the annual meeting about the child's progress, and record it when held."
        if due is not None:
            add(_prompt(Role.HEAD, Action.HOLD_PROGRESS_MEETING, text, due, today))

    return tuple(sorted(found, key=_soonest_first))


def _soonest_first(prompt: Prompt) -> tuple[bool, date]:
    deadline = prompt.deadline
    return (deadline is None, deadline.due if deadline else date.min)


def open_deadlines(view: CaseView, calendar: SchoolCalendar) -> tuple[DueEntry, ...]:
    """Dated actions for the store's due index: the people's, and the sweeper's wake-ups."""
    count = tl.lenient(calendar)
    entries: list[DueEntry] = []
    if view.state is CaseState.CLOSED:
        return ()
    # `today` only decides "overdue", which the index does not keep.
    for prompt in prompts_for(view, view.opened_at.date(), calendar):
        if prompt.deadline is not None and prompt.action is not Action.RESCHEDULE_REVIEW:
            entries.append(DueEntry(prompt.role, prompt.action, prompt.deadline.due))
    window_due = open_window_due(view, count)
    if window_due is not None:
        entries.append(
            DueEntry(None, Action.CLOSE_REPRESENTATION_WINDOW, window_due + timedelta(days=1))
        )
    for remind_on in _reminder_dates(view, count):
        entries.append(DueEntry(None, Action.SEND_REMINDERS, remind_on))
    for follow_up in _follow_ups_open(view, calendar):
        entries.append(DueEntry(None, Action.SEND_REMINDERS, follow_up.on))
    period_end = tl.period_end_due(view)
    if period_end is not None:
        entries.append(DueEntry(None, Action.END_SANCTION_PERIOD, period_end))
    return tuple(sorted(entries, key=lambda e: (e.due, e.action.value)))


def open_window_due(view: CaseView, count: tl.Counter) -> date | None:
    window = view.window
    if window is None or window.over:
        return None
    if window.letter is LetterKind.WARNING and window.representation is not None:
        return None  # a reply to a warning ends its window
    deadline = tl.reply_deadline(view, count)
    return deadline.due if deadline else None


def _reminder_dates(view: CaseView, count: tl.Counter) -> list[date]:
    dates: list[date] = []
    if view.state in (CaseState.CONDITIONS_CONFIRMED, CaseState.BAN_CONFIRMED):
        remind = tl.review_reminder_from(view, count)
        if remind is not None and _review_reminder_id(view) not in _ids(view):
            dates.append(remind)
    if view.state in (CaseState.BAN_CONFIRMED, CaseState.BAN_UNDER_REVIEW):
        remind = tl.progress_reminder_from(view, count)
        if remind is not None and _progress_reminder_id(view) not in _ids(view):
            dates.append(remind)
    return dates


def follow_ups(view: CaseView, calendar: SchoolCalendar) -> tuple[FollowUp, ...]:
    """Every follow-up of the case's open, dated steps: due soon and overdue to the step's
    owner, and escalated to the head when left overdue (not for the head's own steps: the
    overdue reminder is the head's); and the head told of a risk assessment not recorded
    within `ASSESS_WITHIN_SCHOOL_DAYS` of its report. Ids are derived from the step and its
    due day, so each is sent once, and a step whose day moves is followed up afresh."""
    if view.state is CaseState.CLOSED:
        return ()
    count = tl.lenient(calendar)
    found: list[FollowUp] = []
    for incident in view.unassessed_incidents:
        due = count.school_days_after(incident.reported_at.date(), ASSESS_WITHIN_SCHOOL_DAYS).due
        about = f"Carry out the risk assessment for incident {incident.no}."
        key = f"follow-up:assessment-not-started:incident-{incident.no}"
        kind = NotificationKind.RISK_ASSESSMENT_NOT_STARTED
        found.append(
            FollowUp(Reminder(key, kind, (Role.HEAD,), about, due), due + timedelta(days=1))
        )
    # `today` only decides "overdue", which is not used here.
    for prompt in prompts_for(view, view.opened_at.date(), calendar):
        deadline = prompt.deadline
        if deadline is None or prompt.action is Action.RESCHEDULE_REVIEW:
            continue
        due = deadline.due
        step = f"{prompt.action.value}:{prompt.letter_id or ''}:{due.isoformat()}"
        overdue_id = f"follow-up:overdue:{step}"
        if prompt.action not in _REMINDED_AHEAD:
            soon = Reminder(
                f"follow-up:due-soon:{step}",
                NotificationKind.STEP_DUE_SOON,
                (prompt.role,),
                prompt.text,
                due,
            )
            on = count.school_days_before(due, DUE_SOON_SCHOOL_DAYS)
            found.append(FollowUp(soon, on, superseded_by=overdue_id))
        overdue = Reminder(
            overdue_id, NotificationKind.STEP_OVERDUE, (prompt.role,), prompt.text, due
        )
        found.append(FollowUp(overdue, due + timedelta(days=1)))
        if prompt.role is not Role.HEAD:
            escalated = Reminder(
                f"follow-up:escalated:{step}",
                NotificationKind.STEP_OVERDUE_ESCALATED,
                (Role.HEAD,),
                prompt.text,
                due,
            )
            on = count.school_days_after(due, ESCALATE_AFTER_SCHOOL_DAYS).due
            found.append(FollowUp(escalated, on))
    return tuple(found)


def _follow_ups_open(view: CaseView, calendar: SchoolCalendar) -> list[FollowUp]:
    sent = _ids(view)
    return [
        f
        for f in follow_ups(view, calendar)
        if f.reminder.notification_id not in sent and f.superseded_by not in sent
    ]


def _ids(view: CaseView) -> set[str]:
    return {n.notification_id for n in view.notifications}


def _review_reminder_id(view: CaseView) -> str:
    return f"reminder:review:{view.review_anchor}"


def _progress_reminder_id(view: CaseView) -> str:
    return f"reminder:progress-meeting:{view.progress_anchor}"


def due_reminders(view: CaseView, today: date, calendar: SchoolCalendar) -> tuple[Reminder, ...]:
    """Reminders whose day has come and that were not sent before (one per review and per
    year of a ban; each follow-up of `follow_ups` once)."""
    count = tl.lenient(calendar)
    reminders: list[Reminder] = []
    sent = _ids(view)
    if view.state in (CaseState.CONDITIONS_CONFIRMED, CaseState.BAN_CONFIRMED):
        remind = tl.review_reminder_from(view, count)
        key = _review_reminder_id(view)
        if remind is not None and today >= remind and key not in sent:
            reminders.append(Reminder(key, NotificationKind.REVIEW_DUE_SOON, (Role.CLERK,)))
    if view.state in (CaseState.BAN_CONFIRMED, CaseState.BAN_UNDER_REVIEW):
        remind = tl.progress_reminder_from(view, count)
        key = _progress_reminder_id(view)
        if remind is not None and today >= remind and key not in sent:
            kind = NotificationKind.PROGRESS_MEETING_DUE_SOON
            reminders.append(Reminder(key, kind, (Role.HEAD,)))
    for follow_up in _follow_ups_open(view, calendar):
        reminder = follow_up.reminder
        if today < follow_up.on:
            continue
        late = reminder.due is not None and today > reminder.due
        if follow_up.superseded_by is not None and late:
            continue  # no longer "due soon": the overdue reminder says so instead
        reminders.append(reminder)
    return tuple(reminders)


def pending_effects(view: CaseView) -> PendingEffects:
    """Undone effects for the sweeper: retry until an event marks each done."""
    return PendingEffects(
        letters=tuple(x for x in view.letters if x.needs_draft),
        notifications=tuple(n for n in view.notifications if not n.queued),
    )


def policy_review_prompt(last_review: date, today: date, calendar: SchoolCalendar) -> Prompt:
    """ "This Policy will be reviewed every two years": the trust's standing prompt."""
    deadline = tl.policy_review_due(last_review, calendar)
    text = (
        "Review the policy on managing aggressive behaviour from parents and visitors "
        f"(last reviewed {format_day(last_review)})."
    )
    return _prompt(Role.TRUST, Action.REVIEW_POLICY, text, deadline, today)


def _counter(calendar: SchoolCalendar, exact: bool) -> tl.Counter:
    return tl.strict(calendar) if exact else tl.lenient(calendar)


def letter_reply_by(
    letter: LetterRecord, calendar: SchoolCalendar, *, exact: bool = False
) -> Deadline | None:
    """The reply-by date for a letter: counted from its sent date (None until it is sent,
    or if it gives no right of reply). For a draft, pass the intended date to
    `provisional_reply_by`. `exact`: the calendar's answer or its `CalendarError`, never the
    earliest possible date (what a letter prints: issue 9, rule 6)."""
    if letter.sent_on is None or letter.reply_within_school_days is None:
        return None
    counted = _counter(calendar, exact).school_days_after(
        letter.sent_on, letter.reply_within_school_days
    )
    if letter.reply_by is not None and letter.reply_by > counted.due:
        return Deadline(letter.reply_by, counted.warning)  # never earlier than it says
    return counted


def provisional_reply_by(
    letter: LetterRecord, letter_date: date, calendar: SchoolCalendar, *, exact: bool = False
) -> Deadline | None:
    """The reply-by date to print on a draft dated `letter_date` (letter 6 states one). If
    the letter goes later, the recorded sent date counts, so the person never gets less.
    `exact` as for `letter_reply_by`."""
    if letter.reply_within_school_days is None:
        return None
    return _counter(calendar, exact).school_days_after(letter_date, letter.reply_within_school_days)
