"""The case's deadlines, derived from the dates in its view and the school's calendar.

Events store dates (a letter sent on, a representation received on, a decision made on);
every deadline is computed here, so both the guards in `rules.decide` and the prompts in
`rules.prompts` count the same way.

Two ways of counting (`Counter`):
- `strict(calendar)`: the calendar's answer or its `CalendarError` (a Refusal). Used where a
  rule must be sure, e.g. before closing a representation window.
- `lenient(calendar)`: when the calendar cannot answer (usually: next year's term dates not
  yet entered), the EARLIEST date the deadline could be, with the calendar's message as the
  Deadline's warning. Used by prompts, reminders and the due index: a reminder that comes
  early is safe; a deadline that silently vanished would not be.

Choices where the policy is silent:
- A reply window ("within 10 school days of the date of this letter") counts from the date
  the letter was recorded as SENT. Until then it is pending: nothing can close it. It never
  closes before the reply-by date printed on the letter (issue 9, rule 4).
- The Chair's letter is due 10 school days after the person's letter: its date for
  conditions ("the date of the parent's letter"), the day it was received for a ban ("the
  receipt of their letter"); with no representation, after the window's last day; never
  from before the window's last day when the window ran its course.
- The clerk is reminded of a review 20 school days before it is due: enough to send
  letter 6 and still give the person 10 school days, ending at least one school day
  before the meeting (issue 9, rule 9).
- A review is due six months after the Chair's confirmation, then six months after each
  review meeting; a ban or conditions whose defined period ends before then are not
  reviewed: they end by themselves on their end date (issue 9, rule 5).
- The annual progress meeting under a confirmed ban is due on the school's next academic
  review day after confirmation, then on the first in a later school year than the last
  one held; a school that configured none: 12 months after confirmation, then 12 months
  after the last one held. None is due after the ban's defined end, and none for a person
  with no child at the school (issue 9, rule 7).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from rules.behaviours import LetterKind, SanctionKind
from rules.calendar import Deadline, SchoolCalendar, add_months, format_day
from rules.core.view import CaseView, RepresentationRecord
from rules.errors import CalendarError
from rules.state import CaseState

REPLY_WINDOW_SCHOOL_DAYS = 10  # letters 1, 2, 4 and 6
DECISION_LETTER_SCHOOL_DAYS = 10  # the Chair's letter; letter 7 after the meeting
REVIEW_MONTHS = 6
PROGRESS_MEETING_MONTHS = 12
POLICY_REVIEW_MONTHS = 24
REMINDER_LEAD_SCHOOL_DAYS = 20
_LOOKBACK_LIMIT = timedelta(days=200)  # counting back never goes further than this


class Counter(Protocol):
    @property
    def calendar(self) -> SchoolCalendar: ...

    def school_days_after(self, start: date, count: int) -> Deadline: ...

    def months_after(self, start: date, months: int) -> Deadline: ...

    def school_days_before(self, day: date, count: int) -> date: ...


@dataclass(frozen=True)
class _Strict:
    calendar: SchoolCalendar

    def school_days_after(self, start: date, count: int) -> Deadline:
        return self.calendar.school_days_after(start, count)

    def months_after(self, start: date, months: int) -> Deadline:
        return self.calendar.months_after(start, months)

    def school_days_before(self, day: date, count: int) -> date:
        """The latest date d with `count` school days in (d, day]: the last day something
        counted in school days can start and still end by `day`."""
        return _count_back(day, count, self.calendar.is_school_day)


@dataclass(frozen=True)
class _Lenient:
    calendar: SchoolCalendar

    def school_days_after(self, start: date, count: int) -> Deadline:
        try:
            return self.calendar.school_days_after(start, count)
        except CalendarError as error:
            return Deadline(start + timedelta(days=count), _earliest(error))

    def months_after(self, start: date, months: int) -> Deadline:
        try:
            return self.calendar.months_after(start, months)
        except CalendarError as error:
            return Deadline(add_months(start, months), _earliest(error))

    def school_days_before(self, day: date, count: int) -> date:
        # Days the calendar cannot answer for count as closed: the answer can only be earlier.
        calendar = self.calendar
        return _count_back(day, count, lambda d: calendar.covers(d) and calendar.is_school_day(d))


def _count_back(day: date, count: int, is_school_day: Callable[[date], bool]) -> date:
    found, current = 0, day + timedelta(days=1)
    while found < count:
        current -= timedelta(days=1)
        if day - current > _LOOKBACK_LIMIT:
            return current
        if is_school_day(current):
            found += 1
    return current - timedelta(days=1)


def _earliest(error: CalendarError) -> str:
    return f"{error} The date shown is the earliest it could be."


def strict(calendar: SchoolCalendar) -> Counter:
    return _Strict(calendar)


def lenient(calendar: SchoolCalendar) -> Counter:
    return _Lenient(calendar)


# --- the case's deadlines ---------------------------------------------------------------


def reply_deadline(view: CaseView, count: Counter) -> Deadline | None:
    """Last day for the person's comments on the letter awaiting a reply; None while that
    letter has not been recorded as sent (or nothing awaits a reply)."""
    letter = view.window_letter
    if letter is None or letter.sent_on is None:
        return None
    return _no_earlier_than_printed(
        count.school_days_after(letter.sent_on, REPLY_WINDOW_SCHOOL_DAYS), letter.reply_by
    )


def _no_earlier_than_printed(counted: Deadline, printed: date | None) -> Deadline:
    """The person never gets less time than their letter says: the later of the 10 school
    days from the day it was sent and the date printed on it."""
    if printed is not None and printed > counted.due:
        return Deadline(printed, counted.warning)
    return counted


def chair_deadline(view: CaseView, count: Counter) -> Deadline | None:
    """When the Chair's decision must be communicated (only while it is with the Chair)."""
    if view.state not in (CaseState.CONDITIONS_WITH_CHAIR, CaseState.BAN_WITH_CHAIR):
        return None
    return _chair_deadline_for(view, count)


def _chair_deadline_for(view: CaseView, count: Counter) -> Deadline | None:
    window, sanction = view.window, view.sanction
    if window is None or sanction is None:
        return None
    return _chair_count(sanction.kind, window.representation, window.closed_on, count)


def _chair_count(
    kind: SanctionKind,
    representation: RepresentationRecord | None,
    window_closed_on: date | None,
    count: Counter,
) -> Deadline | None:
    starts: list[date] = []
    if representation is not None:
        if kind is SanctionKind.CONDITIONS:
            starts.append(representation.letter_dated)  # "of the date of the parent's letter"
        else:
            starts.append(representation.received_on)  # "of the receipt of their letter"
    if window_closed_on is not None:
        # The Chair may not decide before the window closes, so never count from earlier.
        starts.append(window_closed_on)
    if not starts:
        return None
    start = max(starts)
    return count.school_days_after(start, DECISION_LETTER_SCHOOL_DAYS)


def chair_letter_due(view: CaseView, letter_id: str, count: Counter) -> Deadline | None:
    """Send-by date of the Chair's letter 3 or 5 `letter_id`."""
    for decision in view.chair_decisions:
        if decision.letter_id == letter_id:
            return _chair_count(
                decision.sanction, decision.representation, decision.window_closed_on, count
            )
    return None


def review_due(view: CaseView, count: Counter) -> Deadline | None:
    """When the committee's next review is due, while confirmed conditions or a ban stand."""
    sanction, anchor = view.sanction, view.review_anchor
    if sanction is None or sanction.provisional or anchor is None:
        return None
    due = count.months_after(anchor, REVIEW_MONTHS)
    if sanction.until is not None and sanction.until < due.due:
        return None  # it ends by itself before a review falls due (issue 9, rule 5)
    return due


def review_reminder_from(view: CaseView, count: Counter) -> date | None:
    due = review_due(view, count)
    if due is None:
        return None
    return count.school_days_before(due.due, REMINDER_LEAD_SCHOOL_DAYS)


STATEMENT_LEAD_SCHOOL_DAYS = 1  # the statement is due at least this long before the meeting


def earliest_review_meeting(letter_6_date: date, count: Counter) -> Deadline:
    """The meeting may be no earlier than one school day after the end of the person's 10
    school days to give a statement, counted from letter 6's date (issue 9, rule 9): the
    committee has the statement, or knows none came, before it meets."""
    return count.school_days_after(
        letter_6_date, REPLY_WINDOW_SCHOOL_DAYS + STATEMENT_LEAD_SCHOOL_DAYS
    )


def statement_deadline(view: CaseView, count: Counter) -> Deadline | None:
    """Last day for the person's statement for the review in progress (None until letter 6
    is recorded as sent)."""
    review = view.current_review
    if review is None:
        return None
    letter = view.letter(review.letter_id)
    if letter is None or letter.sent_on is None:
        return None
    counted = count.school_days_after(letter.sent_on, REPLY_WINDOW_SCHOOL_DAYS)
    return _no_earlier_than_printed(counted, letter.reply_by)


def letter_6_send_by(view: CaseView, count: Counter) -> Deadline | None:
    """The last day letter 6 can go and still leave 10 school days for the statement, ending
    at least one school day before the meeting."""
    review = view.current_review
    if review is None:
        return None
    lead = REPLY_WINDOW_SCHOOL_DAYS + STATEMENT_LEAD_SCHOOL_DAYS
    return Deadline(count.school_days_before(review.meeting_on, lead))


def review_letter_due(view: CaseView, letter_id: str, count: Counter) -> Deadline | None:
    """Letter 7 goes "within 10 school days of the date of the meeting"."""
    for review in view.reviews:
        if review.outcome_letter_id == letter_id:
            return count.school_days_after(review.meeting_on, DECISION_LETTER_SCHOOL_DAYS)
    return None


def progress_meeting_due(view: CaseView, count: Counter) -> Deadline | None:
    anchor, sanction = view.progress_anchor, view.sanction
    if anchor is None or sanction is None or not view.person.has_child_at_school:
        return None
    due = _progress_meeting_day(view, anchor, count)
    if sanction.until is not None and sanction.until < due.due:
        return None  # the ban ends before the meeting would fall due
    return due


def _progress_meeting_day(view: CaseView, anchor: date, count: Counter) -> Deadline:
    """ "At the time of the next Academic Review Day" (model letter 4), where the school
    has configured them: the first after the Chair's confirmation, then, one meeting a
    year, the first in a later school year than the last meeting held. With none
    configured, 12 months after the anchor; past the last configured one, the same, with
    a warning that the school's next review days are missing."""
    calendar = count.calendar
    if not calendar.academic_review_days:
        return count.months_after(anchor, PROGRESS_MEETING_MONTHS)
    held = bool(view.progress_meetings) and anchor != _confirmed_on(view)
    after = _last_day_of_school_year(anchor) if held else anchor
    day = calendar.academic_review_day_after(after)
    if day is not None:
        return Deadline(day)
    fallback = count.months_after(anchor, PROGRESS_MEETING_MONTHS)
    return Deadline(
        fallback.due,
        f"No academic review day is configured after {format_day(after)}: ask the trust's "
        "administrator to add the school's next ones. The date shown is 12 months after "
        f"{format_day(anchor)}.",
    )


def _confirmed_on(view: CaseView) -> date | None:
    return view.sanction.confirmed_on if view.sanction is not None else None


def _last_day_of_school_year(day: date) -> date:
    """31 August ending the school year (1 September to 31 August) that holds `day`."""
    return date(day.year if day.month < 9 else day.year + 1, 8, 31)


def period_end_due(view: CaseView) -> date | None:
    """The day the sweeper ends the ban or conditions in force: the day after their last
    day in force (None: no defined period, or nothing in force)."""
    sanction = view.sanction
    if sanction is None or sanction.until is None or not view.state.sanction_in_force:
        return None
    return sanction.until + timedelta(days=1)


def progress_reminder_from(view: CaseView, count: Counter) -> date | None:
    due = progress_meeting_due(view, count)
    if due is None:
        return None
    return count.school_days_before(due.due, REMINDER_LEAD_SCHOOL_DAYS)


def letter_due(view: CaseView, letter_id: str, count: Counter) -> Deadline | None:
    """Send-by date of a letter where the policy sets one (letters 3, 5, 6 and 7)."""
    letter = view.letter(letter_id)
    if letter is None:
        return None
    if letter.letter in (LetterKind.CONDITIONS_DECISION, LetterKind.BAN_DECISION):
        return chair_letter_due(view, letter_id, count)
    if letter.letter is LetterKind.REVIEW_OUTCOME:
        return review_letter_due(view, letter_id, count)
    if letter.letter is LetterKind.REVIEW_STATEMENT_REQUEST:
        review = view.current_review
        if review is not None and review.letter_id == letter_id:
            return letter_6_send_by(view, count)
    return None


def policy_review_due(last_review: date, calendar: SchoolCalendar) -> Deadline:
    """ "This Policy will be reviewed every two years": due two years after the last review."""
    return lenient(calendar).months_after(last_review, POLICY_REVIEW_MONTHS)
