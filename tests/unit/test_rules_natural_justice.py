"""Natural justice (issue 9): each rule the issue names, tested by the rule's name.

Every test here failed on the code before its rule was written (the right of reply cut short,
a ban on a step that never took effect, a head confirming their own ban, ...)."""

from __future__ import annotations

from datetime import date

import pytest

from rules.behaviours import ChairOutcome, ReviewOutcome
from rules.errors import (
    EarlierStepsRequired,
    ExtremeViolenceNotRecorded,
    InvalidDetails,
    LetterNotYetSent,
    LetterSentBeforeItsDate,
    MeetingTooEarly,
    NotAllowedNow,
    OwnDecision,
    RepresentationBeforeLetter,
    StatementWindowOpen,
    WindowStillOpen,
)
from rules.prompts import Action, prompts_for
from rules.state import CaseState, Trigger
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterDrafted, RecordLetterSent, RedateLetter
from rules.steps.reporting import ReportIncident
from rules.steps.representations import CloseRepresentationWindow, RecordRepresentation
from rules.steps.review import RecordReviewOutcome, RecordReviewStatement, ScheduleReview
from rules.timeline import reply_deadline, statement_deadline, strict
from tests.builders import POLICE, VIOLENCE, arrangements, at, incident, violent_incident
from tests.unit.rules_builders import Case, calendar, case_in, take


def _state(case: Case) -> CaseState:
    return case.state  # read afresh: mypy would keep the last assertion's narrowing


# --- 1. The right of reply runs in full -------------------------------------------------------


def _conditions_sent() -> tuple[Case, date]:
    case = Case().open().assess().impose_conditions()
    case.send("letter-2")
    return case, case.today


def test_right_of_reply_a_holding_reply_does_not_move_the_case_to_the_chair() -> None:
    case, _ = _conditions_sent()
    case.advance(1)
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "I will write more"))
    assert _state(case) is CaseState.CONDITIONS_PROVISIONAL
    with pytest.raises(NotAllowedNow):
        case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate"))


def test_right_of_reply_every_representation_in_the_window_reaches_the_chair() -> None:
    case, sent_on = _conditions_sent()
    case.advance(1)
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "Holding reply"))
    case.advance(7)
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "My full account"))
    assert _state(case) is CaseState.CONDITIONS_PROVISIONAL
    window_end = calendar().school_days_after(sent_on, 10).due
    case.today = window_end
    with pytest.raises(NotAllowedNow):
        case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate"))
    case.advance(1)
    case.close_window()
    assert _state(case) is CaseState.CONDITIONS_WITH_CHAIR
    case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate"))
    decision = case.v.last_chair_decision
    assert decision is not None
    assert [r.summary for r in decision.representations] == ["Holding reply", "My full account"]


def test_right_of_reply_nothing_more_to_add_in_writing_lets_the_chair_decide_early() -> None:
    case, _ = _conditions_sent()
    case.advance(1)
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "Nothing to add", True))
    assert _state(case) is CaseState.CONDITIONS_WITH_CHAIR
    case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate"))
    assert _state(case) is CaseState.CONDITIONS_CONFIRMED


def test_right_of_reply_a_representation_dated_before_the_letter_was_sent_is_refused() -> None:
    case = Case().open().assess().impose_conditions()
    case.advance(2)
    case.send("letter-2")
    with pytest.raises(RepresentationBeforeLetter, match="before Letter 2"):
        case.run(RecordRepresentation(case.next_id(), case.today.replace(day=12), case.today, "Hi"))


def test_right_of_reply_a_representation_before_the_letter_is_sent_is_refused() -> None:
    case = Case().open().assess().impose_conditions()
    with pytest.raises(LetterNotYetSent):
        case.run(RecordRepresentation(case.next_id(), case.today, case.today, "Hi"))


# --- 2. A ban only when procedures are exhausted, or on an extreme act of violence ----------


def _later_incident(case: Case) -> None:
    case.advance(1)
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    case.assess()


def test_ban_ground_a_warning_never_sent_does_not_exhaust_procedures() -> None:
    case = Case().open().assess().warn()
    _later_incident(case)
    with pytest.raises(EarlierStepsRequired):
        case.ban()


def test_ban_ground_a_cancelled_meeting_does_not_exhaust_procedures() -> None:
    case = Case().open()
    take(case, Trigger.INFORMAL_MEETING_ARRANGED)
    take(case, Trigger.INFORMAL_MEETING_CANCELLED)
    _later_incident(case)
    with pytest.raises(EarlierStepsRequired):
        case.ban()


def test_ban_ground_a_step_on_the_same_incident_does_not_exhaust_procedures() -> None:
    case = Case().open().assess().warn()
    case.send("letter-1")
    with pytest.raises(EarlierStepsRequired):
        case.ban()


def test_ban_ground_a_warning_sent_then_continued_aggression_exhausts_procedures() -> None:
    case = Case().open().assess().warn()
    case.send("letter-1")
    _later_incident(case)
    case.ban()
    assert _state(case) is CaseState.BAN_PROVISIONAL


def test_ban_ground_a_meeting_held_then_continued_aggression_exhausts_procedures() -> None:
    case = Case().open()
    take(case, Trigger.INFORMAL_MEETING_ARRANGED)
    take(case, Trigger.INFORMAL_MEETING_HELD)
    _later_incident(case)
    case.ban()
    assert _state(case) is CaseState.BAN_PROVISIONAL


def test_ban_ground_extreme_violence_needs_physical_behaviour_on_the_incident() -> None:
    case = Case().open().assess()  # shouting and a threat: no physical act
    with pytest.raises(ExtremeViolenceNotRecorded, match="Incident 1"):
        case.ban(ground="A threat of violence against a member of staff at the gate")


def test_ban_ground_extreme_violence_is_described_in_at_least_a_sentence() -> None:
    case = Case().open(violent_incident()).assess()
    with pytest.raises(InvalidDetails, match="at least a sentence"):
        case.ban(ground="x")
    case.ban(ground=VIOLENCE)
    assert _state(case) is CaseState.BAN_PROVISIONAL


# --- 3. Nobody reviews their own decision -----------------------------------------------------


def test_nobody_reviews_their_own_decision_whatever_roles_they_hold() -> None:
    case = Case().open(violent_incident()).assess()
    case.ban(ground=VIOLENCE)  # imposed by actor-1, who also holds the Chair's role here
    case.send("letter-4")
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "Nothing more", True))
    with pytest.raises(OwnDecision, match="nobody reviews their own decision"):
        case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Serious"), actor="actor-1")
    case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Serious"), actor="chair-2")
    assert _state(case) is CaseState.BAN_CONFIRMED


# --- 8. A police statement whenever the behaviours recorded are physical --------------------


def test_police_statement_asked_for_whenever_the_behaviours_are_physical() -> None:
    case = Case().open(violent_incident(assault=False)).assess()  # hitting, "assault" unticked
    with pytest.raises(InvalidDetails, match="reported to the local police"):
        case.run(ImposeBan(case.next_id(), "A punch", arrangements(""), None, VIOLENCE))
    case.run(ImposeBan(case.next_id(), "A punch", arrangements(POLICE), None, VIOLENCE))
    assert _state(case) is CaseState.BAN_PROVISIONAL


# --- 4. The date on the letter and the date the case counts from agree ----------------------


def _drafted(case: Case, letter_kind: str, reply_by: date | None = None) -> str:
    """The letter's draft recorded as the effects do: dated today, with its reply-by date."""
    letter = next(x for x in reversed(case.v.letters) if x.letter.value == letter_kind)
    printed = reply_by or calendar().school_days_after(case.today, 10).due
    command = RecordLetterDrafted(
        f"draft-{case.next_id()}", letter.letter_id, "draft-ref", case.today, printed
    )
    case.run(command, system=True)
    return letter.letter_id


def test_letter_dates_a_letter_cannot_be_recorded_as_sent_before_the_date_it_bears() -> None:
    case = Case().open().assess().impose_conditions()
    case.advance(1)  # drafted on Tuesday
    letter_id = _drafted(case, "letter-2")
    with pytest.raises(LetterSentBeforeItsDate, match="cannot have been sent on Monday"):
        case.run(RecordLetterSent(case.next_id(), letter_id, case.today.replace(day=12)))
    case.run(RecordLetterSent(case.next_id(), letter_id, case.today))


def test_letter_dates_the_window_closes_no_earlier_than_the_printed_reply_by_date() -> None:
    case = Case().open().assess().impose_conditions()
    printed = date(2026, 2, 2)  # later than 10 school days from the day it went
    letter_id = _drafted(case, "letter-2", reply_by=printed)
    case.run(RecordLetterSent(case.next_id(), letter_id, case.today))
    assert calendar().school_days_after(case.today, 10).due < printed
    deadline = reply_deadline(case.v, strict(calendar()))
    assert deadline is not None
    assert deadline.due == printed
    case.today = printed  # the person's printed last day: nothing closes on it
    with pytest.raises(WindowStillOpen):
        case.run(CloseRepresentationWindow(case.next_id()), system=True)
    case.advance(1)
    case.close_window()
    assert _state(case) is CaseState.CONDITIONS_WITH_CHAIR


def test_letter_dates_the_window_closes_no_earlier_than_10_school_days_from_sending() -> None:
    case = Case().open().assess().impose_conditions()
    letter_id = _drafted(case, "letter-2")
    case.advance(3)  # it went three days after the date it bears
    case.run(RecordLetterSent(case.next_id(), letter_id, case.today))
    deadline = reply_deadline(case.v, strict(calendar()))
    assert deadline is not None
    assert deadline.due == calendar().school_days_after(case.today, 10).due


def test_letter_dates_a_letter_going_later_than_dated_is_offered_a_redated_draft() -> None:
    case = Case().open().assess().impose_conditions()
    letter_id = _drafted(case, "letter-2")
    case.advance(2)
    (prompt,) = [
        p for p in prompts_for(case.v, case.today, calendar()) if p.action is Action.SEND_LETTER
    ]
    assert "ask for a re-dated draft" in prompt.text
    case.run(RedateLetter(case.next_id(), letter_id))
    letter = case.v.letter(letter_id)
    assert letter is not None
    assert (letter.draft_ref, letter.dated_on, letter.redated, letter.needs_draft) == (
        None,
        None,
        1,
        True,
    )
    _drafted(case, "letter-2")
    case.run(RecordLetterSent(case.next_id(), letter_id, case.today))
    assert _state(case) is CaseState.CONDITIONS_PROVISIONAL


# --- 9. Letter 6's statement is due before the committee meets ------------------------------


def test_review_statement_deadline_falls_at_least_a_school_day_before_the_meeting() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    statement_due = calendar().school_days_after(case.today, 10).due
    with pytest.raises(MeetingTooEarly):
        case.run(ScheduleReview(case.next_id(), statement_due))  # the meeting on the last day
    meeting_on = calendar().school_days_after(case.today, 11).due
    case.run(ScheduleReview(case.next_id(), meeting_on))
    case.send("letter-6")
    deadline = statement_deadline(case.v, strict(calendar()))
    assert deadline is not None
    assert deadline.due == statement_due
    assert calendar().school_days_after(deadline.due, 1).due <= meeting_on


def test_review_outcome_waits_for_the_statement_or_its_window_to_close() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    meeting_on = calendar().school_days_after(case.today, 11).due
    case.run(ScheduleReview(case.next_id(), meeting_on))
    letter_6 = case.v.letters[-1]
    printed = meeting_on  # letter 6 printed a statement-by date on the meeting day itself
    case.run(
        RecordLetterDrafted("draft-6", letter_6.letter_id, "d", case.today, printed), system=True
    )
    case.send("letter-6")
    case.today = meeting_on
    outcome = RecordReviewOutcome(case.next_id(), ReviewOutcome.MAINTAIN, "Compliant")
    with pytest.raises(StatementWindowOpen, match="statement"):
        case.run(outcome)
    case.run(RecordReviewStatement(case.next_id(), case.today, case.today, "I have complied"))
    case.run(outcome)
    assert _state(case) is CaseState.CONDITIONS_CONFIRMED
