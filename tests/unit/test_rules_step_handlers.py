"""What each step's own function decides and records, checked field by field: the rules that
mutation testing (`make mutation`) found no test noticing once the step functions were
mutated (they are registered without a decorator, so mutmut reaches them)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from rules.behaviours import LetterKind, NotificationKind, Remover, ReviewOutcome, SanctionKind
from rules.case import apply
from rules.commands import Command
from rules.core.view import (
    BreachRecord,
    ProgressMeetingRecord,
    RemovalRecord,
    ReplyWindow,
    ReviewStatementRecord,
    SanctionRecord,
)
from rules.details import Conditions
from rules.errors import (
    DetailMissing,
    HistoryError,
    InvalidDetails,
    NoBreachWhileBanned,
    Refusal,
    TooFewStaff,
)
from rules.events import Event, LetterRequired, NotificationRequired
from rules.roles import Role
from rules.state import TRANSITIONS, CaseState, Trigger
from rules.steps.ban import BanImposed, ImposeBan
from rules.steps.breach import BreachRecorded, RecordBreach
from rules.steps.closing import CaseClosed, CloseCase
from rules.steps.complaints import ReferredToComplaints, ReferToComplaints
from rules.steps.conditions import ImposeConditions
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
from rules.steps.period_end import PERIOD_ENDED_REASON, EndSanctionPeriod, SanctionPeriodEnded
from rules.steps.progress_meeting import ProgressMeetingHeld, RecordProgressMeeting
from rules.steps.removal import RecordRemoval, RemovedFromPremises
from rules.steps.reporting import ReportIncident
from rules.steps.representations import RecordRepresentation
from rules.steps.review import (
    RecordReviewOutcome,
    RecordReviewStatement,
    ReviewOutcomeRecorded,
    ReviewRescheduled,
    ReviewScheduled,
    ReviewStatementReceived,
)
from rules.wording import format_day
from tests.builders import POLICE, VIOLENCE, arrangements, at, incident, violent_incident

from .rules_builders import (
    BAN_UNTIL,
    START,
    Case,
    _meeting_day,
    _wait_out_window,
    case_in,
    conditions,
    take,
)


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


# --- responses 3 and 4, breaches, removals, reviews and the end of a period: what each step
# records, checked field by field (survivors of the mutation run of 4 December) ---------------


def _violent_case() -> Case:
    return Case().open(violent_incident(at(START, 8))).assess()


def _ban_command(case: Case, **changes: object) -> ImposeBan:
    command = ImposeBan(
        case.next_id(), "Punched the caretaker", arrangements(POLICE), None, VIOLENCE
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def test_a_ban_overtakes_the_meeting_to_be_held_and_is_recorded_as_provisional() -> None:
    case = _violent_case()
    _arrange(case)
    until = case.today + timedelta(days=90)
    imposed, letter, *_ = case.run(
        _ban_command(case, reason=" Punched the caretaker ", until=until)
    )
    assert isinstance(imposed, BanImposed)
    assert isinstance(letter, LetterRequired)
    view = case.v
    [meeting] = view.informal_meetings
    assert meeting.cancelled_reason == "overtaken by a ban"
    latest = view.latest_incident
    assert latest is not None
    response = latest.responses[-1]
    assert (response.trigger, response.reason, response.letter_id) == (
        Trigger.BAN_IMPOSED,
        "Punched the caretaker",
        letter.letter_id,
    )
    assert view.sanction == SanctionRecord(
        kind=SanctionKind.BAN,
        provisional=True,
        imposed_on=case.today,
        imposed_by="actor-1",
        incident_no=latest.no,
        reason="Punched the caretaker",
        letter_id=letter.letter_id,
        until=until,
        arrangements=arrangements(POLICE),
        extreme_violence_ground=VIOLENCE,
    )
    assert view.window == ReplyWindow(letter.letter_id, LetterKind.BAN)


def _ban_refused(case: Case, command: ImposeBan) -> str:
    return str(_refusal(case, command))


def test_a_ban_asks_for_its_reason_and_for_the_pupils_arrangements() -> None:
    case = _violent_case()
    given = arrangements(POLICE)
    assert _ban_refused(case, _ban_command(case, reason=" ")) == (
        "Please give the reason for the ban."
    )
    no_meetings = replace(given, meetings=" ")
    assert _ban_refused(case, _ban_command(case, arrangements=no_meetings)) == (
        "Please give the arrangements for meetings at school about pupils."
    )
    no_drop_off = replace(given, drop_off_and_collection="")
    assert _ban_refused(case, _ban_command(case, arrangements=no_drop_off)) == (
        "Please give how pupils will be dropped off and collected."
    )


def test_a_ban_after_physical_behaviour_asks_for_the_statement_to_the_police() -> None:
    case = _violent_case()
    command = _ban_command(case, arrangements=arrangements(" "))
    assert _ban_refused(case, command) == (
        "Physical behaviour led to this ban: add the statement that the matter has been "
        "reported to the local police."
    )


def test_a_ban_ending_today_is_refused_saying_its_end_must_be_after_today() -> None:
    case = _violent_case()
    assert _ban_refused(case, _ban_command(case, until=case.today)) == (
        "The end of the ban's period must be after today."
    )


def test_the_extreme_act_of_violence_is_described_in_at_least_five_words() -> None:
    case = _violent_case()
    assert _ban_refused(
        case, _ban_command(case, extreme_violence_ground="Punched the caretaker hard")
    ) == (
        "Describe the extreme act of violence in at least a sentence: what was done, and to whom."
    )
    case.run(_ban_command(case, extreme_violence_ground=" Punched the caretaker very hard "))
    assert case.v.sanction is not None
    assert case.v.sanction.extreme_violence_ground == "Punched the caretaker very hard"


def _conditions_under_review(reviews: int) -> Case:
    """Conditions confirmed, `reviews - 1` reviews decided, and one more in progress."""
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    for _ in range(reviews - 1):
        take(case, Trigger.REVIEW_SCHEDULED)
        _meeting_day(case)
        take(case, Trigger.REVIEW_MAINTAINED)
    take(case, Trigger.REVIEW_SCHEDULED)
    return case


@pytest.mark.parametrize("reviews", [1, 2])
def test_a_ban_overtakes_the_review_in_progress_and_keeps_the_reviews_before_it(
    reviews: int,
) -> None:
    case = _conditions_under_review(reviews)
    before = case.v.reviews
    assert len(before) == reviews
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    case.assess().ban()
    assert case.v.reviews == (*before[:-1], replace(before[-1], overtaken=True))
    assert case.v.current_review is None


def test_a_ban_after_a_decided_review_is_reviewed_from_its_own_start() -> None:
    case = _conditions_under_review(2)
    assert case.v.review_anchor is not None  # the first review's meeting
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    case.assess().ban()
    assert case.v.review_anchor is None


def test_conditions_overtake_the_meeting_to_be_held_and_are_recorded_as_provisional() -> None:
    case = _assessed()
    _arrange(case)
    _imposed, letter = case.run(
        ImposeConditions(case.next_id(), conditions(), " Repeated abuse at the gate ")
    )
    assert isinstance(letter, LetterRequired)
    view = case.v
    [meeting] = view.informal_meetings
    assert meeting.cancelled_reason == "overtaken by conditions"
    latest = view.latest_incident
    assert latest is not None
    response = latest.responses[-1]
    assert (response.trigger, response.reason, response.letter_id) == (
        Trigger.CONDITIONS_IMPOSED,
        "Repeated abuse at the gate",
        letter.letter_id,
    )
    assert view.sanction == SanctionRecord(
        kind=SanctionKind.CONDITIONS,
        provisional=True,
        imposed_on=case.today,
        imposed_by="actor-1",
        incident_no=latest.no,
        reason="Repeated abuse at the gate",
        letter_id=letter.letter_id,
        conditions=conditions(),
    )
    assert view.window == ReplyWindow(letter.letter_id, LetterKind.CONDITIONS)


def test_conditions_ask_for_their_reason() -> None:
    case = _assessed()
    refusal = _refusal(case, ImposeConditions(case.next_id(), conditions(), " "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give the reason for the conditions."


# --- breaches and removals --------------------------------------------------------------------


def test_a_breach_needs_a_time_with_a_zone_and_asks_what_happened() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)
    naive = at(case.today, 8).replace(tzinfo=None)
    refusal = _refusal(case, RecordBreach(case.next_id(), naive, "Came onto the site"))
    assert str(refusal) == "The time of the breach needs a time zone."
    refusal = _refusal(case, RecordBreach(case.next_id(), at(case.today, 8), " "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give what happened."


def test_a_breach_naming_an_incident_not_on_the_case_is_refused_naming_it() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)
    command = RecordBreach(case.next_id(), at(case.today, 8), "Came onto the site", 9)
    refusal = _refusal(case, command)
    assert str(refusal) == f"There is no incident 9 on case {case.v.reference}."


def test_a_breach_is_recorded_with_what_happened_its_incident_and_who_recorded_it() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)
    occurred = at(case.today, 8)
    [breach] = case.run(RecordBreach(case.next_id(), occurred, " Came onto the site ", 1))
    assert breach == BreachRecorded(occurred, "Came onto the site", 1)
    assert case.v.breaches == (
        BreachRecord(occurred, "Came onto the site", 1, "actor-1", SanctionKind.BAN),
    )


def test_a_history_recording_a_breach_with_no_sanction_in_force_is_broken() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)
    broken = replace(case.v, sanction=None)
    with pytest.raises(HistoryError) as caught:
        apply(
            broken, case.next_meta(), BreachRecorded(at(case.today, 8), "Came onto the site", None)
        )
    assert str(caught.value) == f"case {broken.case_id}: breach with no sanction"


def test_a_breach_of_the_conditions_before_the_ban_does_not_ground_a_removal() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    case.run(RecordBreach(case.next_id(), at(case.today, 8), "Came onto the site"))
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 9))))
    case.assess().ban()  # the same day as the breach of the conditions
    refusal = _refusal(case, _removal(case, at(case.today, 11)))
    assert isinstance(refusal, NoBreachWhileBanned)


def test_an_incident_on_the_day_the_ban_took_effect_grounds_a_removal() -> None:
    case = _violent_case().ban(VIOLENCE)
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 10))))
    case.run(_removal(case, at(case.today, 11)))
    assert len(case.v.removals) == 1


# --- the committee's review -------------------------------------------------------------------


def test_reviews_are_numbered_from_one_and_letter_6_is_copied_to_the_head() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    scheduled, letter = take(case, Trigger.REVIEW_SCHEDULED)
    assert isinstance(scheduled, ReviewScheduled)
    assert isinstance(letter, LetterRequired)
    assert scheduled.review_no == 1
    assert letter.cc == (Role.HEAD,)
    [review] = case.v.reviews
    assert (review.review_no, review.scheduled_by, review.scheduled_at) == (
        1,
        "actor-1",
        at(case.today, 12),
    )
    _meeting_day(case)
    take(case, Trigger.REVIEW_MAINTAINED)
    second, _ = take(case, Trigger.REVIEW_SCHEDULED)
    assert isinstance(second, ReviewScheduled)
    assert second.review_no == 2


def test_a_history_scheduling_a_review_with_no_sanction_in_force_is_broken() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    broken = replace(case.v, sanction=None)
    with pytest.raises(HistoryError) as caught:
        apply(broken, case.next_meta(), ReviewScheduled(1, case.today, "cmd-x:letter-6"))
    assert str(caught.value) == f"case {broken.case_id}: review with no sanction"


def test_a_history_changing_a_review_not_in_progress_is_broken() -> None:
    case = _conditions_under_review(1)
    with pytest.raises(HistoryError) as caught:
        apply(case.v, case.next_meta(), ReviewRescheduled(2, case.today))
    assert str(caught.value) == f"case {case.v.case_id}: review 2 is not in progress"


def _letter_6_sent(reviews: int = 1) -> Case:
    case = _conditions_under_review(reviews)
    case.send(LetterKind.REVIEW_STATEMENT_REQUEST.value)
    case.advance(3)
    return case


def test_a_review_statement_received_in_the_future_or_dated_after_it_is_refused() -> None:
    case = _letter_6_sent()
    today = case.today
    tomorrow = today + timedelta(days=1)
    refusal = _refusal(case, RecordReviewStatement(case.next_id(), today, tomorrow, "Sorry"))
    assert str(refusal).startswith("The date it was received cannot be in the future (")
    yesterday = today - timedelta(days=1)
    refusal = _refusal(case, RecordReviewStatement(case.next_id(), today, yesterday, "Sorry"))
    assert str(refusal) == "The statement cannot be dated after it was received."


def test_a_review_statement_asks_for_a_summary() -> None:
    case = _letter_6_sent()
    refusal = _refusal(case, RecordReviewStatement(case.next_id(), case.today, case.today, " "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give a summary of the statement."


@pytest.mark.parametrize("reviews", [1, 2])
def test_a_review_statement_is_kept_on_the_review_in_progress_with_its_dates(
    reviews: int,
) -> None:
    case = _letter_6_sent(reviews)
    before = case.v.reviews
    dated, received = case.today - timedelta(days=2), case.today - timedelta(days=1)
    [event] = case.run(RecordReviewStatement(case.next_id(), dated, received, " Sorry "))
    assert event == ReviewStatementReceived(reviews, dated, received, "Sorry")
    statement = ReviewStatementRecord(dated, received, "Sorry", "actor-1")
    assert case.v.reviews == (*before[:-1], replace(before[-1], statement=statement))


def _meeting_held() -> Case:
    case = case_in(CaseState.BAN_CONFIRMED)
    take(case, Trigger.REVIEW_SCHEDULED)
    _meeting_day(case)
    return case


def test_a_review_outcome_asks_for_the_committees_reasons() -> None:
    case = _meeting_held()
    refusal = _refusal(case, RecordReviewOutcome(case.next_id(), ReviewOutcome.MAINTAIN, " "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give the committee's reasons."


def test_a_new_end_date_must_be_after_the_meeting_and_after_the_current_end() -> None:
    case = _meeting_held()
    review = case.v.current_review
    assert review is not None
    refusal = _refusal(
        case,
        RecordReviewOutcome(
            case.next_id(), ReviewOutcome.EXTEND, "Contact continued", until=review.meeting_on
        ),
    )
    assert str(refusal) == "The new end date must be after the meeting."
    refusal = _refusal(
        case,
        RecordReviewOutcome(
            case.next_id(), ReviewOutcome.EXTEND, "Contact continued", until=BAN_UNTIL
        ),
    )
    assert str(refusal) == (
        f"It is in force until {format_day(BAN_UNTIL)}: to extend it, give the new end date, "
        "after that day."
    )


def test_a_maintained_ban_keeps_no_end_date_or_conditions_and_letter_7_goes_to_the_head() -> None:
    case = _meeting_held()
    later = BAN_UNTIL + timedelta(days=30)
    command = RecordReviewOutcome(
        case.next_id(), ReviewOutcome.MAINTAIN, " Still needed ", conditions(), later
    )
    outcome, letter = case.run(command)
    assert isinstance(letter, LetterRequired)
    assert outcome == ReviewOutcomeRecorded(
        1, ReviewOutcome.MAINTAIN, "Still needed", Conditions(), None, letter.letter_id
    )
    assert letter.cc == (Role.HEAD,)
    [review] = case.v.reviews
    assert (review.outcome_by, review.outcome_at, review.outcome_letter_id) == (
        "actor-1",
        at(case.today, 12),
        letter.letter_id,
    )
    assert case.v.sanction is not None
    assert case.v.sanction.until == BAN_UNTIL


def test_a_removal_by_the_committee_after_an_earlier_review_leaves_nothing_to_review_from() -> None:
    case = _conditions_under_review(2)
    assert case.v.review_anchor is not None
    _meeting_day(case)
    take(case, Trigger.REVIEW_REMOVED)
    assert case.v.sanction is None
    assert case.v.review_anchor is None


def test_varied_conditions_are_the_conditions_in_force() -> None:
    case = _conditions_under_review(1)
    _meeting_day(case)
    varied = Conditions((), ("No visits to the office",))
    case.run(RecordReviewOutcome(case.next_id(), ReviewOutcome.VARY, "Calmer now", varied))
    assert case.v.sanction is not None
    assert case.v.sanction.conditions == varied


def test_a_ban_replaced_by_conditions_keeps_no_ban_arrangements() -> None:
    case = _meeting_held()
    take(case, Trigger.REVIEW_REPLACED_BAN_WITH_CONDITIONS)
    sanction = case.v.sanction
    assert sanction is not None
    assert (sanction.kind, sanction.until, sanction.arrangements) == (
        SanctionKind.CONDITIONS,
        None,
        None,
    )
    assert sanction.conditions == conditions()


def test_a_history_recording_an_outcome_with_no_review_in_progress_is_broken() -> None:
    case = _meeting_held()
    broken = replace(case.v, reviews=())
    event = ReviewOutcomeRecorded(
        1, ReviewOutcome.MAINTAIN, "Still needed", Conditions(), None, "cmd-x:letter-7"
    )
    with pytest.raises(HistoryError) as caught:
        apply(broken, case.next_meta(), event)
    assert str(caught.value) == (
        f"case {broken.case_id}: review outcome with no review in progress"
    )


# --- the end of a defined period --------------------------------------------------------------


def _ban_under_review(reviews: int) -> Case:
    """A ban confirmed until `BAN_UNTIL`, `reviews - 1` reviews decided, one in progress."""
    case = case_in(CaseState.BAN_CONFIRMED)
    for _ in range(reviews - 1):
        take(case, Trigger.REVIEW_SCHEDULED)
        _meeting_day(case)
        take(case, Trigger.REVIEW_MAINTAINED)
    take(case, Trigger.REVIEW_SCHEDULED)
    return case


@pytest.mark.parametrize("reviews", [1, 2])
def test_the_end_of_the_period_ends_the_review_in_progress_and_keeps_those_before_it(
    reviews: int,
) -> None:
    case = _ban_under_review(reviews)
    before = case.v.reviews
    case.today = BAN_UNTIL + timedelta(days=1)
    case.run(EndSanctionPeriod(case.next_id()), system=True)
    view = case.v
    assert view.reviews == (*before[:-1], replace(before[-1], overtaken=True))
    assert view.current_review is None
    assert (view.sanction, view.review_anchor) == (None, None)
    assert view.period_ends == (BAN_UNTIL,)


def test_the_end_of_the_period_withdraws_only_the_unsent_letters_about_the_ban() -> None:
    case = _ban_under_review(2)
    case.today = BAN_UNTIL + timedelta(days=1)
    case.run(EndSanctionPeriod(case.next_id()), system=True)
    assert [(x.letter, x.sent_on is not None, x.withdrawn_reason) for x in case.v.letters] == [
        (LetterKind.BAN, True, None),
        (LetterKind.BAN_NOTICE_TO_CHAIR_OF_TRUSTEES, False, PERIOD_ENDED_REASON),
        (LetterKind.BAN_DECISION, False, PERIOD_ENDED_REASON),
        (LetterKind.REVIEW_STATEMENT_REQUEST, True, None),
        (LetterKind.REVIEW_OUTCOME, False, None),  # the last review's decision stands
        (LetterKind.REVIEW_STATEMENT_REQUEST, False, PERIOD_ENDED_REASON),
    ]


def test_the_end_of_a_provisional_bans_period_ends_the_right_of_reply() -> None:
    case = _violent_case()
    until = case.today + timedelta(days=1)
    case.run(_ban_command(case, until=until))
    case.send(LetterKind.BAN.value)
    before = case.v
    assert before.window is not None
    case.advance(2)
    case.run(EndSanctionPeriod(case.next_id()), system=True)
    after = case.v
    assert after.window is None
    assert after.period_ends == (until,)


def test_a_history_ending_a_period_with_no_sanction_in_force_is_broken() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)
    broken = replace(case.v, sanction=None)
    event = SanctionPeriodEnded(SanctionKind.BAN, BAN_UNTIL, "cmd-x:letter-4")
    with pytest.raises(HistoryError) as caught:
        apply(broken, case.next_meta(), event)
    assert str(caught.value) == (f"case {broken.case_id}: a period ended with no sanction in force")
