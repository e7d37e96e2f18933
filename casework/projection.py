"""The derived records of a case: its row in the Cases list and its rows in the index of
open deadlines, computed from the case's view (pure), and written by the pipeline after
each append and by the catch-up."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from casework.ports import CaseSummary, OpenDeadline
from rules import timeline as tl
from rules.calendar import SchoolCalendar
from rules.case import CaseView
from rules.prompts import open_deadlines, pending_effects, prompts_for

UK = ZoneInfo("Europe/London")

# The sweeper's wake-up row for effects still undone (a failed draft, an unsent prompt).
COMPLETE_EFFECTS = "complete-effects"


def project(
    view: CaseView, today: date, calendar: SchoolCalendar, now: datetime
) -> tuple[CaseSummary, list[OpenDeadline]]:
    """The case's row in the Cases list and its rows in the due index (pure)."""
    prompts = prompts_for(view, today, calendar)
    dated = [p for p in prompts if p.deadline is not None]
    review_date = None
    if view.current_review is not None:
        review_date = view.current_review.meeting_on
    else:
        due = tl.review_due(view, tl.lenient(calendar))
        review_date = due.due if due else None
    summary = CaseSummary(
        case_id=view.case_id,
        reference=view.reference,
        school_id=view.school_id,
        person_name=view.person.name,
        status=view.state.value,
        next_action=prompts[0].text if prompts else None,
        next_deadline=dated[0].deadline.due if dated and dated[0].deadline else None,
        review_date=review_date,
        updated_at=now,
        projected_seq=view.last_seq,
    )
    deadlines = [
        OpenDeadline(view.case_id, view.school_id, entry.role, entry.action.value, entry.due)
        for entry in open_deadlines(view, calendar)
    ]
    pending = pending_effects(view)
    since = [x.required_at for x in pending.letters] + [
        n.required_at for n in pending.notifications
    ]
    if since:
        wake = min(since).astimezone(UK).date()
        deadlines.append(OpenDeadline(view.case_id, view.school_id, None, COMPLETE_EFFECTS, wake))
    return summary, deadlines
