"""What each step's own function decides and records, checked field by field: the rules that
mutation testing (`make mutation`) found no test noticing once the step functions were
mutated (they are registered without a decorator, so mutmut reaches them)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from rules.behaviours import LetterKind, NotificationKind
from rules.commands import Command
from rules.errors import DetailMissing, InvalidDetails, Refusal, TooFewStaff
from rules.events import LetterRequired, NotificationRequired
from rules.roles import Role
from rules.state import Trigger
from rules.steps.closing import CaseClosed, CloseCase
from rules.steps.informal_meeting import (
    ArrangeInformalMeeting,
    CancelInformalMeeting,
    InformalMeetingHeld,
    RecordInformalMeeting,
)
from tests.builders import at

from .rules_builders import Case, _wait_out_window


def _assessed() -> Case:
    return Case().open().assess()


def _arrange(case: Case, when: datetime | None = None, location: str = "The office") -> None:
    meeting_at = when if when is not None else at(case.today + timedelta(days=3))
    case.run(
        ArrangeInformalMeeting(
            case.next_id(), meeting_at, location, (" Head ", "Deputy", "Head"), True, True
        )
    )


def _refusal(case: Case, command: Command) -> Refusal:
    before = list(case.history)
    with pytest.raises(Refusal) as caught:
        case.run(command)
    assert case.history == before  # a refusal changes nothing
    return caught.value


# --- response 2: the informal meeting ---------------------------------------------------------


def test_a_meeting_time_without_a_time_zone_is_refused_saying_so() -> None:
    case = _assessed()
    naive = at(case.today + timedelta(days=3)).replace(tzinfo=None)
    refusal = _refusal(
        case, ArrangeInformalMeeting(case.next_id(), naive, "Office", ("A", "B"), True, True)
    )
    assert isinstance(refusal, InvalidDetails)
    assert str(refusal) == "The meeting time needs a time zone."


def test_a_meeting_with_no_place_asks_where_it_will_be_held() -> None:
    case = _assessed()
    meeting_at = at(case.today + timedelta(days=3))
    refusal = _refusal(
        case, ArrangeInformalMeeting(case.next_id(), meeting_at, "  ", ("A", "B"), True, True)
    )
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give where the meeting will be held."


def test_an_arranged_meeting_records_its_time_place_staff_and_who_arranged_it() -> None:
    case = _assessed()
    meeting_at = at(case.today + timedelta(days=3))
    _arrange(case, meeting_at, "  The office ")
    [meeting] = case.v.informal_meetings
    latest = case.v.latest_incident
    assert latest is not None
    assert meeting.incident_no == latest.no
    assert meeting.meeting_at == meeting_at
    assert meeting.location == "The office"
    assert meeting.staff_attending == ("Head", "Deputy")
    assert meeting.arranged_by == "actor-1"
    assert meeting.arranged_at == at(case.today, 12)
    assert [r.trigger for r in latest.responses] == [Trigger.INFORMAL_MEETING_ARRANGED]


def test_a_meeting_record_dated_in_the_future_is_refused_naming_the_date() -> None:
    case = _assessed()
    _arrange(case)
    tomorrow = case.today + timedelta(days=1)
    refusal = _refusal(
        case, RecordInformalMeeting(case.next_id(), tomorrow, ("A", "B"), "Talked", ())
    )
    assert isinstance(refusal, InvalidDetails)
    assert str(refusal).startswith("The date of the meeting cannot be in the future (")


def test_a_meeting_record_needs_two_staff_recorded_as_present() -> None:
    case = _assessed()
    _arrange(case)
    refusal = _refusal(
        case, RecordInformalMeeting(case.next_id(), case.today, ("A", " A "), "Talked", ())
    )
    assert isinstance(refusal, TooFewStaff)
    assert "At least two members of staff must be recorded as present" in str(refusal)


def test_a_meeting_record_asks_for_the_main_points_of_discussion() -> None:
    case = _assessed()
    _arrange(case)
    refusal = _refusal(case, RecordInformalMeeting(case.next_id(), case.today, ("A", "B"), " ", ()))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give the main points of discussion."


def test_a_held_meeting_keeps_who_was_there_the_notes_the_actions_and_its_follow_up() -> None:
    case = _assessed()
    _arrange(case)
    command = RecordInformalMeeting(
        case.next_id(), case.today, ("A", "B"), " Talked it through ", (" Stay calm ", " ")
    )
    held, letter = case.run(command)
    assert isinstance(letter, LetterRequired)
    assert held == InformalMeetingHeld(
        case.today, ("A", "B"), "Talked it through", ("Stay calm",), letter.letter_id
    )
    assert letter == LetterRequired(
        f"{command.command_id}:{LetterKind.MEETING_FOLLOW_UP.value}",
        LetterKind.MEETING_FOLLOW_UP,
        letter.addressee,
        Role.HEAD,
        (),
        None,
    )
    [meeting] = case.v.informal_meetings
    assert meeting.held_on == case.today
    assert meeting.staff_present == ("A", "B")
    assert meeting.notes == "Talked it through"
    assert meeting.agreed_actions == ("Stay calm",)
    assert meeting.letter_id == letter.letter_id
    assert meeting.location == "The office"  # what was arranged is kept


def test_the_meeting_held_is_the_latest_one_arranged_and_the_cancelled_ones_stay() -> None:
    case = _assessed()
    for reason in ("The parent was ill", "The room was needed"):
        _arrange(case, location=reason)
        case.run(CancelInformalMeeting(case.next_id(), f" {reason} "))
    _arrange(case, location="The hall")
    case.run(RecordInformalMeeting(case.next_id(), case.today, ("A", "B"), "Talked", ()))
    meetings = case.v.informal_meetings
    assert [m.location for m in meetings] == [
        "The parent was ill",
        "The room was needed",
        "The hall",
    ]
    assert [m.cancelled_reason for m in meetings] == [
        "The parent was ill",
        "The room was needed",
        None,
    ]
    assert [m.held_on for m in meetings] == [None, None, case.today]


def test_cancelling_a_meeting_asks_why_it_was_cancelled() -> None:
    case = _assessed()
    _arrange(case)
    refusal = _refusal(case, CancelInformalMeeting(case.next_id(), "  "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give why the meeting was cancelled."


# --- closing the case -------------------------------------------------------------------------


def _warned_and_window_closed() -> Case:
    case = _assessed().warn()
    _wait_out_window(case)
    case.close_window()
    return case


def test_closing_a_case_asks_why_it_is_closed() -> None:
    case = _warned_and_window_closed()
    refusal = _refusal(case, CloseCase(case.next_id(), " "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give why the case is closed."


def test_a_closed_case_keeps_the_reason_and_the_time_and_awaits_no_reply() -> None:
    case = _warned_and_window_closed()
    assert case.v.window is not None  # the warning's window, closed
    command = CloseCase(case.next_id(), "  Resolved by the meeting ")
    closed, *rest = case.run(command)
    assert closed == CaseClosed("Resolved by the meeting")
    view = case.v
    assert view.closed_reason == "Resolved by the meeting"
    assert view.closed_at == at(case.today, 12)
    assert view.window is None
    kind = NotificationKind.POLICY_REVIEW_AFTER_CASE
    assert rest == [NotificationRequired(f"{command.command_id}:{kind.value}", kind, (Role.TRUST,))]
