"""The derived records of a case: its row in the Cases list and its rows in the index of
open deadlines, computed from the case's view (pure), and written by the pipeline after
each append and by the catch-up.

The row also keeps what the listings need, so that no listing replays a case: who sees the
whole case (`seen_whole_by`), who reported on it, and every role's prompts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from casework.ports import CaseSummary, OpenDeadline, OpenPrompt, ReceptionEntry
from rules import timeline as tl
from rules.behaviours import SanctionKind
from rules.calendar import SchoolCalendar
from rules.case import CaseView
from rules.prompts import Action, Prompt, open_deadlines, pending_effects, prompts_for
from rules.roles import Role
from rules.state import CaseState, Trigger

UK = ZoneInfo("Europe/London")

# The sweeper's wake-up row for effects still undone (a failed draft, an unsent prompt).
COMPLETE_EFFECTS = "complete-effects"

_WITH_CHAIR = frozenset(
    {
        CaseState.CONDITIONS_PROVISIONAL,
        CaseState.CONDITIONS_WITH_CHAIR,
        CaseState.BAN_PROVISIONAL,
        CaseState.BAN_WITH_CHAIR,
    }
)
_REVIEW_TO_ARRANGE = frozenset({CaseState.CONDITIONS_CONFIRMED, CaseState.BAN_CONFIRMED})
_EVERY_CASE = frozenset({Role.HEAD, Role.SENIOR})  # see every case at their school


def seen_whole_by(view: CaseView) -> frozenset[Role]:
    """The roles, besides the head and senior staff (who see every case at their school),
    that see the whole case now (ARCHITECTURE.md, "People and what they may do")."""
    roles: set[Role] = set()
    if view.state in _WITH_CHAIR or view.chair_decisions:
        roles.add(Role.CHAIR)
    if view.reviews or view.state in _REVIEW_TO_ARRANGE:
        roles.add(Role.CLERK)
    if any(s.trigger is Trigger.BAN_IMPOSED for s in view.steps):
        roles.add(Role.TRUST)
    return frozenset(roles)


def _kept(view: CaseView, prompt: Prompt) -> OpenPrompt:
    # A review meeting to move is due the day it is read (`Deadline(today)`), whatever day
    # the row was written.
    on_the_day = prompt.action is Action.RESCHEDULE_REVIEW
    deadline = None if on_the_day else prompt.deadline
    return OpenPrompt(
        case_id=view.case_id,
        school_id=view.school_id,
        reference=view.reference,
        role=prompt.role,
        action=prompt.action.value,
        text=prompt.text,
        due=deadline.due if deadline else None,
        warning=deadline.warning if deadline else None,
        due_on_the_day=on_the_day,
        letter_id=prompt.letter_id,
        incident_no=prompt.incident_no,
    )


# What reception is told someone banned must not do (the ban letter's "not to enter the
# school premises"); conditions are listed in their own short form.
BANNED_FROM_PREMISES = "Must not come onto the school's premises (buildings or grounds)."


def reception_entry(view: CaseView) -> ReceptionEntry | None:
    """The case's line on reception's list: a ban (provisional ones too: they are in force
    until the Chair decides) or conditions in force. None once they are overturned, varied
    away, or the case is closed; a ban's end date is kept so that the list drops it after."""
    sanction = view.sanction
    if sanction is None or not view.state.sanction_in_force:
        return None
    if sanction.kind is SanctionKind.BAN:
        must_not: tuple[str, ...] = (BANNED_FROM_PREMISES,)
    else:
        must_not = tuple(c.label for c in sanction.conditions.standard) + tuple(
            text.strip() for text in sanction.conditions.other if text.strip()
        )
    return ReceptionEntry(
        case_id=view.case_id,
        school_id=view.school_id,
        person_name=view.person.name,
        banned=sanction.kind is SanctionKind.BAN,
        must_not=must_not,
        until=sanction.until if sanction.kind is SanctionKind.BAN else None,
    )


def project(
    view: CaseView, today: date, calendar: SchoolCalendar, now: datetime
) -> tuple[CaseSummary, list[OpenDeadline]]:
    """The case's row in the Cases list and its rows in the due index (pure)."""
    prompts = prompts_for(view, today, calendar)
    seen_by = seen_whole_by(view)
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
        seen_by=seen_by,
        reported_by=tuple(dict.fromkeys(i.reported_by for i in view.incidents)),
        # A role is prompted only on a case it sees whole.
        prompts=tuple(_kept(view, p) for p in prompts if p.role in _EVERY_CASE | seen_by),
        reception=reception_entry(view),
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
