"""The policy's guardrails, one by one: each refusal is named and says what to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from rules.behaviours import ChairOutcome, Remover, ReviewOutcome, StandardCondition
from rules.calendar import format_day
from rules.commands import Command
from rules.decide import DecisionContext, decide
from rules.details import Conditions
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
    RiskAssessmentRequired,
    SafetyNotConsidered,
    TooFewStaff,
    WindowStillOpen,
)
from rules.roles import Role
from rules.state import CaseState, Trigger
from rules.steps.ban import ImposeBan
from rules.steps.breach import RecordBreach
from rules.steps.chair import DecideAsChair
from rules.steps.closing import CloseCase
from rules.steps.complaints import ReferToComplaints
from rules.steps.conditions import ImposeConditions
from rules.steps.informal_meeting import ArrangeInformalMeeting, RecordInformalMeeting
from rules.steps.letters import RecordLetterSent, WithdrawLetter
from rules.steps.no_further_action import RecordNoFurtherAction
from rules.steps.removal import RecordRemoval
from rules.steps.reporting import NewCase, ReportIncident
from rules.steps.representations import RecordRepresentation
from rules.steps.review import (
    RecordReviewOutcome,
    RecordReviewStatement,
    RescheduleReview,
    ScheduleReview,
)
from rules.steps.warning import ClarifyExpectations
from tests.builders import VIOLENCE, arrangements, at, incident, person, violent_incident

from .rules_builders import START, Case, calendar, case_in, conditions, take

RESPONSES = [
    RecordNoFurtherAction("r", "Resolved"),
    ClarifyExpectations("r"),
    ArrangeInformalMeeting(
        "r", at(c_day := case_in(CaseState.NEW).today), "Office", ("A", "B"), True, True
    ),
    ImposeConditions("r", conditions(), "Abuse"),
    ImposeBan("r", "Violence", arrangements("Reported to police"), None, VIOLENCE),
    ReferToComplaints("r", "Complaint"),
]


# --- risk assessment first -------------------------------------------------------------------


@pytest.mark.parametrize("command", RESPONSES, ids=lambda x: type(x).__name__)
def test_no_response_before_the_risk_assessment(command: Command) -> None:
    case = Case().open(violent_incident())
    with pytest.raises(RiskAssessmentRequired, match="Incident 1 has not been risk-assessed"):
        case.run(command)
    case.assess()
    case.run(command)
    assert case.v.latest_incident.responses  # type: ignore[union-attr]


def test_a_new_incident_needs_its_own_assessment_before_a_response() -> None:
    case = Case().open().assess()
    case.run(RecordNoFurtherAction(case.next_id(), "First time"))
    case.run(ReportIncident(case.next_id(), incident()))
    with pytest.raises(RiskAssessmentRequired, match="Incident 2"):
        case.run(ClarifyExpectations(case.next_id()))


def test_the_assessment_sees_the_previous_incidents() -> None:
    case = Case().open()
    case.run(ReportIncident(case.next_id(), incident(summary="A second incident at pick-up.")))
    assert [i.no for i in case.v.previous_incidents(2)] == [1]
    assert case.v.previous_incidents(2)[0].details.summary == incident().summary


# --- bans -------------------------------------------------------------------------------------


def test_a_ban_without_earlier_steps_needs_the_extreme_violence_ground() -> None:
    case = Case().open(violent_incident()).assess()
    with pytest.raises(EarlierStepsRequired, match="extreme act of violence"):
        case.ban(ground="")
    with pytest.raises(EarlierStepsRequired):
        case.ban(ground="   ")
    case.ban(ground="Punched the caretaker in the face.")
    assert case.v.sanction.extreme_violence_ground == "Punched the caretaker in the face."  # type: ignore[union-attr]


@pytest.mark.parametrize("earlier", [Trigger.EXPECTATIONS_CLARIFIED, Trigger.CONDITIONS_IMPOSED])
def test_a_ban_after_earlier_steps_needs_no_special_ground(earlier: Trigger) -> None:
    # Procedures exhausted: the earlier step took effect, then the aggression continued.
    case = Case().open()
    take(case, earlier)
    case.send("letter-1" if earlier is Trigger.EXPECTATIONS_CLARIFIED else "letter-2")
    case.advance(1)
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    case.assess()
    case.ban(ground="")
    assert case.state is CaseState.BAN_PROVISIONAL


def test_a_ban_after_an_assault_needs_the_police_statement() -> None:
    case = Case()
    case.run(
        ReportIncident(
            case.next_id(),
            incident(assault=True),
            NewCase("case-1", "OAK-2026-0001", "oak", person()),
        )
    )
    case.assess()
    with pytest.raises(InvalidDetails, match="reported to the local police"):
        case.run(ImposeBan(case.next_id(), "Assault", arrangements(""), None, VIOLENCE))
    case.run(
        ImposeBan(
            case.next_id(), "Assault", arrangements("Reported to the police."), None, VIOLENCE
        )
    )
    assert case.state is CaseState.BAN_PROVISIONAL


def test_a_ban_informs_the_chair_of_trustees_and_settles_the_arrangements() -> None:
    case = case_in(CaseState.BAN_PROVISIONAL)
    letters = {x.letter.value: x for x in case.v.letters}
    assert letters["ban-notice-to-chair-of-trustees"].addressee.value == "chair-of-trustees"
    assert letters["letter-4"].reply_within_school_days == 10
    fresh = Case().open().assess()
    no_arrangements = ImposeBan(
        fresh.next_id(),
        "Violence",
        replace(arrangements(), drop_off_and_collection=""),
        None,
        "Punched a teacher",
    )
    with pytest.raises(InvalidDetails, match="dropped off and collected"):
        fresh.run(no_arrangements)


def test_a_defined_period_must_end_after_today() -> None:
    case = Case().open().assess()
    with pytest.raises(InvalidDetails, match="after today"):
        case.run(ImposeBan(case.next_id(), "V", arrangements(), case.today, "Punched"))


# --- reasons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ImposeBan("x", " ", arrangements(), None, "Punched"),
        ImposeConditions("x", conditions(), ""),
        RecordNoFurtherAction("x", ""),
    ],
    ids=lambda x: type(x).__name__,
)
def test_every_sanction_needs_a_reason(command: Command) -> None:
    case = Case().open().assess()
    with pytest.raises(InvalidDetails, match="Please give"):
        case.run(command)


@pytest.mark.parametrize("outcome", list(ChairOutcome))
def test_the_chair_gives_a_reason(outcome: ChairOutcome) -> None:
    case = case_in(CaseState.CONDITIONS_WITH_CHAIR)
    with pytest.raises(InvalidDetails, match="reason for your decision"):
        case.run(DecideAsChair(case.next_id(), outcome, "  "))


def test_conditions_need_at_least_one_condition() -> None:
    case = Case().open().assess()
    with pytest.raises(InvalidDetails, match="at least one condition"):
        case.run(ImposeConditions(case.next_id(), Conditions((), ("  ",)), "Abuse"))
    case.run(
        ImposeConditions(
            case.next_id(), Conditions((StandardCondition.NO_CONTACT_WITH_STAFF,)), "Abuse"
        )
    )
    assert case.v.sanction.conditions.wording == (  # type: ignore[union-attr]
        StandardCondition.NO_CONTACT_WITH_STAFF.wording,
    )


# --- the Chair and the representation window ----------------------------------------------


def test_the_chair_cannot_decide_while_the_window_is_open() -> None:
    case = case_in(CaseState.CONDITIONS_PROVISIONAL)
    with pytest.raises(NotAllowedNow, match="pending the Chair's review"):
        case.run(
            DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Fine"), frozenset({Role.CHAIR})
        )


def test_the_window_counts_from_the_date_the_letter_was_sent() -> None:
    case = case_in(CaseState.CONDITIONS_PROVISIONAL)
    case.advance(30)
    with pytest.raises(LetterNotYetSent, match="count from the date it was sent"):
        case.close_window()
    sent_on = case.today
    case.send("letter-2", sent_on)
    due = calendar().school_days_after(sent_on, 10).due
    case.today = due
    with pytest.raises(WindowStillOpen, match="until the end of"):
        case.close_window()
    case.today = due + timedelta(days=1)
    case.close_window()
    assert case.state is CaseState.CONDITIONS_WITH_CHAIR
    assert case.v.window.closed_on == due  # type: ignore[union-attr]
    assert any(n.kind.value == "chair-decision-needed" for n in case.v.notifications)


def test_a_letter_cannot_be_recorded_as_sent_in_the_future_or_twice() -> None:
    case = case_in(CaseState.CONDITIONS_PROVISIONAL)
    letter = case.v.letters[-1].letter_id
    with pytest.raises(InvalidDetails, match="future"):
        case.run(RecordLetterSent(case.next_id(), letter, case.today + timedelta(days=1)))
    with pytest.raises(InvalidDetails, match="before it was called for"):
        case.run(RecordLetterSent(case.next_id(), letter, case.today - timedelta(days=1)))
    case.run(RecordLetterSent(case.next_id(), letter, case.today))
    with pytest.raises(AlreadyDone, match="recorded as sent on"):
        case.run(RecordLetterSent(case.next_id(), letter, case.today))


def test_the_letter_that_opens_a_window_cannot_be_withdrawn() -> None:
    case = case_in(CaseState.CONDITIONS_PROVISIONAL)
    with pytest.raises(NotAllowedNow, match="right to reply"):
        case.run(WithdrawLetter(case.next_id(), case.v.letters[-1].letter_id, "Changed mind"))


def test_a_representation_is_recorded_once_and_the_second_is_told_by_whom() -> None:
    fresh = case_in(CaseState.CONDITIONS_PROVISIONAL)
    fresh.send("letter-2")
    fresh.run(RecordRepresentation(fresh.next_id(), fresh.today, fresh.today, "Sorry"))
    ctx = DecisionContext(
        "actor-2",
        frozenset({Role.CHAIR}),
        at(fresh.today),
        fresh.today,
        calendar(),
        name_of={"actor-1": "Pat Head"}.get,
    )
    with pytest.raises(AlreadyDone, match="already recorded by Pat Head"):
        decide(fresh.view, RecordRepresentation("late", fresh.today, fresh.today, "Sorry"), ctx)


def test_a_late_representation_is_still_put_before_the_chair() -> None:
    case = case_in(CaseState.BAN_WITH_CHAIR)  # the window closed without one
    assert case.v.window.closed_on is not None  # type: ignore[union-attr]
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "Sorry"))
    assert case.v.window.representation.late  # type: ignore[union-attr]
    case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Serious"))
    assert case.v.last_chair_decision.representation.summary == "Sorry"  # type: ignore[union-attr]


def test_a_representation_needs_consistent_dates() -> None:
    case = case_in(CaseState.CONDITIONS_PROVISIONAL)
    with pytest.raises(InvalidDetails, match="dated after it was received"):
        case.run(
            RecordRepresentation(
                case.next_id(), case.today, case.today - timedelta(days=1), "Sorry"
            )
        )


# --- the second person to act is told what happened --------------------------------------------


def test_a_second_chair_decision_is_told_who_decided_and_when() -> None:
    case = case_in(CaseState.CONDITIONS_WITH_CHAIR)
    case.run(
        DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate"),
        frozenset({Role.CHAIR}),
        actor="chair-1",
    )
    names = {"chair-1": "Jo Chair"}
    ctx = DecisionContext(
        "chair-2",
        frozenset({Role.CHAIR}),
        at(case.today),
        case.today,
        calendar(),
        name_of=names.get,
    )
    with pytest.raises(AlreadyDone) as refusal:
        decide(case.view, DecideAsChair("other", ChairOutcome.OVERTURN, "No"), ctx)
    assert "Jo Chair recorded “Chair confirmed the decision”" in str(refusal.value)
    assert format_day(case.today) in str(refusal.value)
    assert "Conditions confirmed" in str(refusal.value)


def test_without_a_name_the_role_is_said() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    with pytest.raises(AlreadyDone, match="the Chair of the Local Academy Committee recorded"):
        case.run(DecideAsChair(case.next_id(), ChairOutcome.OVERTURN, "No"))


# --- removal ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [s for s in CaseState if s.ban_in_force], ids=str)
def test_removal_is_recorded_while_a_ban_is_in_force(state: CaseState) -> None:
    case = case_in(state)
    case.run(RecordBreach(case.next_id(), at(case.today, 8), "Came onto the site"))
    case.run(RecordRemoval(case.next_id(), at(case.today, 9), Remover.AUTHORISED_PERSON, "J Site"))
    assert case.v.removals[-1].removed_by is Remover.AUTHORISED_PERSON


@pytest.mark.parametrize(
    "state", [s for s in CaseState if not s.ban_in_force and s is not CaseState.NEW], ids=str
)
def test_no_removal_without_a_ban(state: CaseState) -> None:
    case = case_in(state)
    with pytest.raises(NotAllowedNow):
        case.run(RecordRemoval(case.next_id(), at(case.today, 9), Remover.POLICE_OFFICER, "PC"))


# --- informal meeting ------------------------------------------------------------------------


def test_an_informal_meeting_needs_two_staff_and_the_safety_checks() -> None:
    case = Case().open().assess()
    when = at(case.today + timedelta(days=2))
    with pytest.raises(TooFewStaff, match="at least one other"):
        case.run(ArrangeInformalMeeting(case.next_id(), when, "Office", ("Ms A",), True, True))
    with pytest.raises(TooFewStaff):
        case.run(
            ArrangeInformalMeeting(case.next_id(), when, "Office", ("Ms A", " Ms A"), True, True)
        )
    with pytest.raises(SafetyNotConsidered, match="exits"):
        case.run(ArrangeInformalMeeting(case.next_id(), when, "Office", ("A", "B"), True, False))
    with pytest.raises(SafetyNotConsidered, match="seating"):
        case.run(ArrangeInformalMeeting(case.next_id(), when, "Office", ("A", "B"), False, True))
    case.run(ArrangeInformalMeeting(case.next_id(), when, "Office", ("A", "B"), True, True))
    with pytest.raises(TooFewStaff):
        case.run(RecordInformalMeeting(case.next_id(), case.today, ("A",), "Talked"))
    events = case.run(RecordInformalMeeting(case.next_id(), case.today, ("A", "B"), "Talked"))
    assert case.state is CaseState.OPEN
    assert [x.letter.value for x in case.v.letters] == ["meeting-follow-up"]
    assert len(events) == 2


# --- the committee's review --------------------------------------------------------------------


def test_a_review_meeting_no_earlier_than_the_statement_window_allows() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    earliest = calendar().school_days_after(case.today, 11).due
    with pytest.raises(MeetingTooEarly) as refusal:
        case.run(ScheduleReview(case.next_id(), earliest - timedelta(days=1)))
    assert f"{earliest.day} {earliest:%B %Y}" in str(refusal.value)
    case.run(ScheduleReview(case.next_id(), earliest))
    assert case.state is CaseState.CONDITIONS_UNDER_REVIEW
    letter_6 = case.v.letters[-1]
    assert letter_6.letter.value == "letter-6"
    assert letter_6.signer is Role.CLERK


def test_moving_the_meeting_counts_from_the_date_letter_6_went() -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    case.advance(7)
    case.send("letter-6")
    earliest = calendar().school_days_after(case.today, 11).due
    with pytest.raises(MeetingTooEarly):
        case.run(RescheduleReview(case.next_id(), earliest - timedelta(days=1)))
    case.run(RescheduleReview(case.next_id(), earliest))
    assert case.v.current_review.meeting_on == earliest  # type: ignore[union-attr]


def test_no_outcome_before_the_meeting_or_without_letter_6() -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    review = case.v.current_review
    assert review is not None
    outcome = RecordReviewOutcome("o", ReviewOutcome.MAINTAIN, "Compliant")
    with pytest.raises(MeetingNotYetHeld, match="meets on"):
        case.run(outcome, frozenset({Role.CLERK}))
    case.today = review.meeting_on
    with pytest.raises(LetterNotYetSent, match="Letter 6"):
        case.run(outcome, frozenset({Role.CLERK}))


def test_a_meeting_held_before_the_statement_deadline_cannot_decide() -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    review = case.v.current_review
    assert review is not None
    case.today = review.meeting_on
    case.send("letter-6")  # sent late: the person's window runs past the meeting
    with pytest.raises(MeetingTooEarly):
        case.run(RecordReviewOutcome(case.next_id(), ReviewOutcome.MAINTAIN, "Compliant"))
    case.run(RecordReviewStatement(case.next_id(), case.today, case.today, "I have complied"))
    case.run(RecordReviewOutcome(case.next_id(), ReviewOutcome.MAINTAIN, "Compliant"))
    assert case.state is CaseState.CONDITIONS_CONFIRMED


@pytest.mark.parametrize("outcome", [ReviewOutcome.VARY])
def test_varying_needs_the_new_conditions(outcome: ReviewOutcome) -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    take_to_meeting = case.v.current_review
    assert take_to_meeting is not None
    case.send("letter-6", case.today)
    case.today = take_to_meeting.meeting_on
    with pytest.raises(InvalidDetails, match="at least one condition"):
        case.run(RecordReviewOutcome(case.next_id(), outcome, "Better", Conditions()))


def test_a_ban_cannot_be_varied_and_conditions_cannot_be_replaced_by_conditions() -> None:
    ban = case_in(CaseState.BAN_UNDER_REVIEW)
    with pytest.raises(NotAllowedNow):
        ban.run(RecordReviewOutcome(ban.next_id(), ReviewOutcome.VARY, "x", conditions()))
    cond = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    with pytest.raises(NotAllowedNow):
        cond.run(
            RecordReviewOutcome(
                cond.next_id(), ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS, "x", conditions()
            )
        )


# --- closing ----------------------------------------------------------------------------------


def test_a_case_cannot_close_with_an_incident_unanswered() -> None:
    case = Case().open()
    with pytest.raises(NotAllowedNow, match="response to incident 1"):
        case.run(CloseCase(case.next_id(), "Done"))


@pytest.mark.parametrize("state", [s for s in CaseState if s.sanction_in_force], ids=str)
def test_a_case_cannot_close_while_a_sanction_stands(state: CaseState) -> None:
    case = case_in(state)
    with pytest.raises(NotAllowedNow):
        case.run(CloseCase(case.next_id(), "Done"))


def test_closing_after_using_the_policy_prompts_the_trust_to_review_it() -> None:
    case = Case().open().assess()
    case.run(RecordNoFurtherAction(case.next_id(), "Apologised"))
    events = case.run(CloseCase(case.next_id(), "Resolved"))
    assert case.state is CaseState.CLOSED
    prompts = [e for e in events if type(e).__name__ == "NotificationRequired"]
    assert [(p.kind.value, p.roles) for p in prompts] == [  # type: ignore[attr-defined]
        ("policy-review-after-case", (Role.TRUST,))
    ]


def test_a_new_incident_reopens_a_closed_case() -> None:
    case = case_in(CaseState.CLOSED)
    case.run(ReportIncident(case.next_id(), incident()))
    assert case.state is CaseState.OPEN
    assert case.v.closed_reason is None
    assert len(case.v.incidents) == 2


# --- opening, ids, dates ---------------------------------------------------------------------


def test_only_reporting_an_incident_opens_a_case() -> None:
    case = Case()
    with pytest.raises(CaseNotFound):
        case.run(ReportIncident(case.next_id(), incident()))
    with pytest.raises(CaseNotFound):
        case.run(CloseCase(case.next_id(), "x"))
    case.open()
    with pytest.raises(CaseAlreadyExists, match="OAK-2026-0001"):
        case.run(
            ReportIncident(case.next_id(), incident(), NewCase("case-1", "R", "oak", person()))
        )


def test_the_same_command_id_is_applied_once() -> None:
    case = Case().open().assess()
    command = ImposeConditions("same-id", conditions(), "Abuse")
    first = case.run(command)
    assert first
    view = case.view
    assert case.run(command) == []
    assert case.view is view


@pytest.mark.parametrize(
    "details",
    [
        incident(summary=""),
        incident(effect=" "),
        incident(location=""),
        incident(reporter_name=""),
        incident(behaviours=()),
        incident(occurred_at=at(START + timedelta(days=2))),
        incident(occurred_at=at(START).replace(tzinfo=None)),
    ],
)
def test_an_incident_report_says_what_is_missing(details: object) -> None:
    case = Case()
    new = NewCase("case-1", "OAK-2026-0001", "oak", person())
    with pytest.raises(InvalidDetails):
        case.run(ReportIncident(case.next_id(), details, new))  # type: ignore[arg-type]
