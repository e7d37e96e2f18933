"""The informal meeting (policy, "The school's response" 2) as three steps
(`bot.flows.actions`): the head arranges it as the response to the assessed incident (at
least two members of staff attending, the seating and the exits considered: the policy's
safety checklist, both needed), then records it as held (the follow-up letter is drafted)
or cancels it. Each check the rules make is made here first too, so that the problem is
shown next to its field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.forms import problems, step_view
from bot.flows.when import ahead, day
from cards import informal_meeting as cards
from cards.common import Card
from cards.inputs import Submitted, TextInput
from casework.projection import UK
from rules.case import CaseView
from rules.commands import Command
from rules.state import CaseState
from rules.steps.informal_meeting import (
    ArrangeInformalMeeting,
    CancelInformalMeeting,
    RecordInformalMeeting,
)
from rules.wording import format_day


def _awaiting(view: CaseView) -> bool:
    latest = view.latest_incident
    return latest is not None and latest.assessed and not latest.responses


def _staff(read: Submitted, field: TextInput) -> tuple[str, ...]:
    names = read.lines(field)
    if field.id not in read.at_fields and len(names) < 2:
        read.problem(field.error, field.id)
    return names


def _arranged(view: CaseView) -> str:
    pending = [
        m for m in view.informal_meetings if m.held_on is None and m.cancelled_reason is None
    ]
    if not pending:
        return "An informal meeting is arranged."
    meeting = pending[-1]
    local = meeting.meeting_at.astimezone(UK)
    return (
        f"Arranged for {format_day(local.date())} at {local:%H:%M}, {meeting.location}, "
        f"with {', '.join(meeting.staff_attending)}."
    )


# --- arrange ---------------------------------------------------------------------------------


def arrange_form(ctx: StepContext) -> Card:
    latest = ctx.view.latest_incident
    facts = [f"{ctx.view.person.name}, incident {latest.no if latest else ''}".rstrip(", ")]
    facts.append(
        "Staff will always be accompanied by at least one other colleague; consider the "
        "seating and make sure the exits cannot be blocked."
    )
    return cards.build_arrange(step_view(ctx, facts))


def arrange_parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    meeting_at = ahead(read, cards.MEETING_DAY, cards.MEETING_TIME, ctx.casework.now())
    location = read.text(cards.LOCATION)
    staff = _staff(read, cards.STAFF_ATTENDING)
    seating = read.toggle(cards.SEATING)
    exits = read.toggle(cards.EXITS)
    if not seating:
        read.problem("Consider the seating arrangements before the meeting.", cards.SEATING.id)
    if not exits:
        read.problem("Make sure the exits cannot be blocked before the meeting.", cards.EXITS.id)
    if read.problems or meeting_at is None:
        return problems(read)
    return ArrangeInformalMeeting(ctx.command_id, meeting_at, location, staff, seating, exits)


ARRANGE = register(
    StepAction(
        step="meeting.arrange",
        verb=cards.ARRANGE_VERB,
        title="Arrange an informal meeting",
        command=ArrangeInformalMeeting,
        form=arrange_form,
        parse=arrange_parse,
        done_title="Informal meeting arranged",
        offered_when=_awaiting,
    )
)


# --- held ------------------------------------------------------------------------------------


def held_form(ctx: StepContext) -> Card:
    return cards.build_held(step_view(ctx, [_arranged(ctx.view)]))


def held_parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    held_on = day(read, cards.HELD_ON, ctx.casework.today(), what="The date of the meeting")
    staff = _staff(read, cards.STAFF_PRESENT)
    notes = read.text(cards.NOTES)
    agreed = read.lines(cards.AGREED)
    if read.problems or held_on is None:
        return problems(read)
    return RecordInformalMeeting(ctx.command_id, held_on, staff, notes, agreed)


HELD = register(
    StepAction(
        step="meeting.held",
        verb=cards.HELD_VERB,
        title="Record the meeting",
        command=RecordInformalMeeting,
        form=held_form,
        parse=held_parse,
        done_title="Meeting recorded",
        offered_when=lambda view: view.state is CaseState.MEETING_ARRANGED,
    )
)


# --- cancelled -------------------------------------------------------------------------------


def cancel_form(ctx: StepContext) -> Card:
    return cards.build_cancel(step_view(ctx, [_arranged(ctx.view)]))


def cancel_parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    reason = read.text(cards.CANCEL_REASON)
    if read.problems:
        return problems(read)
    return CancelInformalMeeting(ctx.command_id, reason)


CANCEL = register(
    StepAction(
        step="meeting.cancel",
        verb=cards.CANCEL_VERB,
        title="Cancel the meeting",
        command=CancelInformalMeeting,
        form=cancel_form,
        parse=cancel_parse,
        done_title="Meeting cancelled",
        offered_when=lambda view: view.state is CaseState.MEETING_ARRANGED,
    )
)
