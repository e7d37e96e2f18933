"""What each step's own function decides and records, checked field by field: the rules that
mutation testing (`make mutation`) found no test noticing once the step functions were
mutated (they are registered without a decorator, so mutmut reaches them)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from rules.behaviours import LetterKind, NotificationKind, Remover
from rules.commands import Command
from rules.core.view import ProgressMeetingRecord, RemovalRecord
from rules.errors import DetailMissing, InvalidDetails, Refusal, TooFewStaff
from rules.events import Event, LetterRequired, NotificationRequired
from rules.roles import Role
from rules.state import TRANSITIONS, CaseState, Trigger
from rules.steps.breach import RecordBreach
from rules.steps.closing import CaseClosed, CloseCase
from rules.steps.complaints import ReferredToComplaints, ReferToComplaints
from rules.steps.informal_meeting import (
    ArrangeInformalMeeting,
    CancelInformalMeeting,
    InformalMeetingArranged,
    InformalMeetingHeld,
    RecordInformalMeeting,
)
from rules.steps.letters import (
    LetterDraftFailed,
    RecordLetterDrafted,
    RecordLetterDraftFailed,
    RedateLetter,
)
from rules.steps.no_further_action import RecordNoFurtherAction
from rules.steps.progress_meeting import ProgressMeetingHeld, RecordProgressMeeting
from rules.steps.removal import RecordRemoval, RemovedFromPremises
from rules.steps.representations import RecordRepresentation
from tests.builders import at

from .rules_builders import Case, _wait_out_window, case_in


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


# --- responses 6 and 1: the complaints policy, no further action ------------------------------


def test_a_referral_to_complaints_asks_what_the_complaint_is_about() -> None:
    case = _assessed()
    refusal = _refusal(case, ReferToComplaints(case.next_id(), " "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give what the complaint is about."


def test_a_referral_to_complaints_is_the_incidents_response_with_its_reason() -> None:
    case = _assessed()
    [referred] = case.run(ReferToComplaints(case.next_id(), " About the teacher "))
    assert referred == ReferredToComplaints("About the teacher")
    latest = case.v.latest_incident
    assert latest is not None
    assert [(r.trigger, r.reason) for r in latest.responses] == [
        (Trigger.REFERRED_TO_COMPLAINTS, "About the teacher")
    ]
    assert case.v.complaint_referrals == ("About the teacher",)


def test_no_further_action_asks_for_the_reason() -> None:
    case = _assessed()
    refusal = _refusal(case, RecordNoFurtherAction(case.next_id(), ""))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give the reason for no action."


def test_no_further_action_is_the_incidents_response_with_its_reason() -> None:
    case = _assessed()
    case.run(RecordNoFurtherAction(case.next_id(), " Apology accepted "))
    latest = case.v.latest_incident
    assert latest is not None
    assert [(r.trigger, r.reason) for r in latest.responses] == [
        (Trigger.NO_FURTHER_ACTION, "Apology accepted")
    ]


# --- letters: a draft that failed, a draft re-dated --------------------------------------------


def _warning_letter() -> tuple[Case, str]:
    case = _assessed().warn()
    return case, case.v.letters[-1].letter_id


def _failed(case: Case, letter_id: str, error: str, **kw: object) -> list[Event]:
    return case.run(RecordLetterDraftFailed(case.next_id(), letter_id, error, **kw), system=True)  # type: ignore[arg-type]


def test_a_lasting_draft_failure_tells_the_signer_the_letter_cannot_be_drafted() -> None:
    case, letter_id = _warning_letter()
    events = _failed(case, letter_id, " No mailbox ", permanent=True)
    kind = NotificationKind.LETTER_CANNOT_BE_DRAFTED
    assert events == [
        LetterDraftFailed(letter_id, "No mailbox", True, None),
        NotificationRequired(f"{letter_id}:{kind.value}", kind, (Role.HEAD,)),
    ]
    letter = case.v.letter(letter_id)
    assert letter is not None
    assert letter.draft_blocked is True
    assert letter.draft_error == "No mailbox"


def test_the_same_lasting_failure_is_recorded_once_and_a_different_one_again() -> None:
    case, letter_id = _warning_letter()
    _failed(case, letter_id, "No mailbox", permanent=True)
    assert _failed(case, letter_id, "No mailbox", permanent=True) == []
    [again] = _failed(case, letter_id, "No template", permanent=True)
    assert again == LetterDraftFailed(letter_id, "No template", True, None)


def test_a_passing_draft_failure_is_recorded_each_time_it_happens() -> None:
    case, letter_id = _warning_letter()
    _failed(case, letter_id, "Timed out")
    [again] = _failed(case, letter_id, "Timed out")  # the prompt is not asked for twice
    assert again == LetterDraftFailed(letter_id, "Timed out", False, None)


def test_a_draft_failure_after_the_draft_was_recorded_changes_nothing() -> None:
    case, letter_id = _warning_letter()
    case.run(RecordLetterDrafted(case.next_id(), letter_id, "draft-1", case.today), system=True)
    assert _failed(case, letter_id, "Timed out") == []


def test_a_draft_failure_says_what_went_wrong() -> None:
    case, letter_id = _warning_letter()
    before = list(case.history)
    with pytest.raises(DetailMissing) as caught:
        _failed(case, letter_id, " ")
    assert str(caught.value) == "Please give what went wrong."
    assert case.history == before


def test_missing_term_dates_on_the_heads_own_letter_tell_the_head_once() -> None:
    case, letter_id = _warning_letter()
    end = case.today + timedelta(days=30)
    events = _failed(case, letter_id, "No term dates", permanent=True, term_dates_end=end)
    kind = NotificationKind.LETTER_NEEDS_TERM_DATES
    assert events[1] == NotificationRequired(f"{letter_id}:{kind.value}", kind, (Role.HEAD,))


def test_a_redated_draft_is_drafted_afresh_and_counted() -> None:
    case, letter_id = _warning_letter()
    case.run(
        RecordLetterDrafted(case.next_id(), letter_id, "draft-1", case.today, case.today),
        system=True,
    )
    for count in (1, 2):
        case.advance(1)
        case.run(RedateLetter(case.next_id(), letter_id))
        letter = case.v.letter(letter_id)
        assert letter is not None
        assert (letter.draft_ref, letter.dated_on, letter.reply_by) == (None, None, None)
        assert (letter.draft_error, letter.draft_blocked, letter.redated) == (None, False, count)
        _failed(case, letter_id, "No mailbox", permanent=True)
        case.run(
            RecordLetterDrafted(case.next_id(), letter_id, f"draft-{count + 1}", case.today),
            system=True,
        )


# --- response 5: removal from the premises; the progress meeting --------------------------------


def _banned_with_a_breach() -> Case:
    case = case_in(CaseState.BAN_CONFIRMED)
    case.run(RecordBreach(case.next_id(), at(case.today, 8), "Came onto the site"))
    return case


def _removal(case: Case, when: datetime, name: str = "PC Smith", notes: str = "") -> RecordRemoval:
    return RecordRemoval(case.next_id(), when, Remover.POLICE_OFFICER, name, notes)


def test_a_removal_needs_a_time_with_a_zone_and_not_in_the_future() -> None:
    case = _banned_with_a_breach()
    naive = at(case.today, 9).replace(tzinfo=None)
    assert (
        str(_refusal(case, _removal(case, naive))) == "The time of the removal needs a time zone."
    )
    later = at(case.today, 13)  # the case's clock says noon
    refusal = _refusal(case, _removal(case, later))
    assert str(refusal) == "The time of the removal cannot be in the future."


def test_a_removal_asks_who_removed_the_person() -> None:
    case = _banned_with_a_breach()
    refusal = _refusal(case, _removal(case, at(case.today, 9), name=" "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give who removed the person."


def test_a_removal_is_recorded_with_when_who_and_the_notes() -> None:
    case = _banned_with_a_breach()
    removed_at = at(case.today, 9)
    [removed] = case.run(_removal(case, removed_at, " PC Smith ", " Escorted to the gate "))
    assert removed == RemovedFromPremises(
        removed_at, Remover.POLICE_OFFICER, "PC Smith", "Escorted to the gate"
    )
    assert case.v.removals == (
        RemovalRecord(
            removed_at, Remover.POLICE_OFFICER, "PC Smith", "Escorted to the gate", "actor-1"
        ),
    )
    latest = case.v.latest_incident
    assert latest is not None
    assert (latest.responses[-1].trigger, latest.responses[-1].reason) == (
        Trigger.REMOVED_FROM_PREMISES,
        "Escorted to the gate",
    )


def test_a_breach_at_the_very_time_of_the_removal_grounds_it() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)
    case.run(RecordBreach(case.next_id(), at(case.today, 9), "Came onto the site"))
    case.run(_removal(case, at(case.today, 9)))
    assert len(case.v.removals) == 1


def _progress_meeting_due() -> Case:
    return case_in(next(s for s, t in TRANSITIONS.items() if Trigger.PROGRESS_MEETING_HELD in t))


def test_a_progress_meeting_dated_in_the_future_is_refused_naming_the_date() -> None:
    case = _progress_meeting_due()
    tomorrow = case.today + timedelta(days=1)
    refusal = _refusal(case, RecordProgressMeeting(case.next_id(), tomorrow, "Doing well"))
    assert str(refusal).startswith("The date of the meeting cannot be in the future (")


def test_a_progress_meeting_keeps_the_day_the_notes_and_who_recorded_it() -> None:
    case = _progress_meeting_due()
    [held] = case.run(RecordProgressMeeting(case.next_id(), case.today, " Doing well "))
    assert held == ProgressMeetingHeld(case.today, "Doing well")
    assert case.v.progress_meetings[-1] == ProgressMeetingRecord(
        case.today, "Doing well", "actor-1"
    )


def test_a_meeting_needs_two_staff_at_the_meeting() -> None:
    case = _assessed()
    meeting_at = at(case.today + timedelta(days=3))
    refusal = _refusal(
        case, ArrangeInformalMeeting(case.next_id(), meeting_at, "Office", ("A",), True, True)
    )
    assert isinstance(refusal, TooFewStaff)
    assert "At least two members of staff must be at the meeting" in str(refusal)


@pytest.mark.parametrize(("seating", "exits"), [(False, True), (True, False)])
def test_a_meeting_without_its_safety_checks_says_which_one_is_missing(
    seating: bool, exits: bool
) -> None:
    case = _assessed()
    meeting_at = at(case.today + timedelta(days=3))
    command = ArrangeInformalMeeting(
        case.next_id(), meeting_at, "Office", ("A", "B"), seating, exits
    )
    refusal = _refusal(case, command)
    assert [(f.label, f.value) for f in refusal.facts] == [
        ("Seating considered", "yes" if seating else "no"),
        ("Exits kept clear", "yes" if exits else "no"),
    ]


def test_an_arranged_meeting_records_that_its_safety_was_considered() -> None:
    case = _assessed()
    meeting_at = at(case.today + timedelta(days=3))
    command = ArrangeInformalMeeting(case.next_id(), meeting_at, "Office", ("A", "B"), True, True)
    arranged = case.run(command)[0]
    latest = case.v.latest_incident
    assert latest is not None
    assert arranged == InformalMeetingArranged(
        latest.no, meeting_at, "Office", ("A", "B"), True, True
    )


# --- the person's written comments (the right of reply) ----------------------------------------


def _warning_sent() -> tuple[Case, date]:
    case = _assessed().warn()
    case.send(case.v.letters[-1].letter.value)
    case.advance(1)
    return case, case.today


def test_comments_received_in_the_future_are_refused_naming_the_date() -> None:
    case, today = _warning_sent()
    tomorrow = today + timedelta(days=1)
    refusal = _refusal(case, RecordRepresentation(case.next_id(), today, tomorrow, "Sorry"))
    assert str(refusal).startswith("The date it was received cannot be in the future (")


def test_comments_dated_after_they_were_received_are_refused_saying_so() -> None:
    case, today = _warning_sent()
    refusal = _refusal(
        case, RecordRepresentation(case.next_id(), today, today - timedelta(days=1), "Sorry")
    )
    assert str(refusal) == "The person's letter cannot be dated after it was received."


def test_comments_ask_for_a_summary_of_what_the_person_wrote() -> None:
    case, today = _warning_sent()
    refusal = _refusal(case, RecordRepresentation(case.next_id(), today, today, "  "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give a summary of what the person wrote."
