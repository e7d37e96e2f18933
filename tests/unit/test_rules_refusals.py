"""Refusals carry their facts as data: a title for the card's heading, the message in words
(worded once, in its class) and (label, value) facts, checked here without parsing sentences."""

from __future__ import annotations

import inspect
from datetime import date

import pytest

from rules import errors
from rules.behaviours import ChairOutcome
from rules.decide import DecisionContext, decide
from rules.errors import (
    AlreadyDone,
    CaseAlreadyExists,
    CaseNotFound,
    CommentsAlreadyDealtWith,
    DetailMissing,
    Fact,
    InvalidDetails,
    LetterAlreadySent,
    LetterAlreadyWithdrawn,
    LetterNotYetSent,
    MeetingNotYetHeld,
    MeetingTooEarly,
    NotAllowedNow,
    NotPermitted,
    Refusal,
    RepresentationAlreadyRecorded,
    ReviewStatementAlreadyRecorded,
    RiskAssessmentRequired,
    StatementNotYetRequested,
    TooFewStaff,
    WindowStillOpen,
)
from rules.permissions import check_permitted
from rules.roles import Role
from rules.state import CaseState, Trigger, next_state
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterDrafted
from rules.steps.reporting import AddStatement
from tests.builders import arrangements, at

from .rules_builders import calendar, case_in, statement

MONDAY_1_JUNE = date(2026, 6, 1)


def _facts(refusal: Refusal) -> dict[str, str]:
    return {fact.label: fact.value for fact in refusal.facts}


def test_already_done_says_who_did_which_step_when_and_where_the_case_is_now() -> None:
    refusal = AlreadyDone(
        step="Chair confirmed the decision",
        by="Graham Whitlock",
        on=MONDAY_1_JUNE,
        stage="Ban confirmed",
    )
    assert (
        refusal.message
        == str(refusal)
        == (
            "This can no longer be done: Graham Whitlock recorded “Chair confirmed the decision” "
            "on Monday 1 June 2026. The case is now at the stage “Ban confirmed”."
        )
    )
    assert refusal.title == "Already done"
    assert refusal.facts == (
        Fact("Recorded by", "Graham Whitlock"),
        Fact("On", "Monday 1 June 2026"),
        Fact("Step", "Chair confirmed the decision"),
        Fact("Stage now", "Ban confirmed"),
    )


def test_decide_gives_the_facts_of_the_step_that_got_there_first() -> None:
    case = case_in(CaseState.BAN_WITH_CHAIR)
    case.run(
        DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate"),
        frozenset({Role.CHAIR}),
        actor="chair-1",
    )
    ctx = DecisionContext(
        "chair-2",
        frozenset({Role.CHAIR}),
        at(case.today),
        case.today,
        calendar(),
        name_of={"chair-1": "Graham Whitlock"}.get,
    )
    with pytest.raises(AlreadyDone) as raised:
        decide(case.view, DecideAsChair("again", ChairOutcome.OVERTURN, "No"), ctx)
    assert _facts(raised.value) == {
        "Recorded by": "Graham Whitlock",
        "On": f"{case.today:%A} {case.today.day} {case.today:%B %Y}",
        "Step": Trigger.CHAIR_CONFIRMED.label,
        "Stage now": CaseState.BAN_CONFIRMED.label,
    }


def test_a_step_the_stage_does_not_allow_is_worded_once_for_the_table_and_for_decide() -> None:
    with pytest.raises(NotAllowedNow) as from_table:
        next_state(CaseState.OPEN, Trigger.CHAIR_CONFIRMED)
    case = case_in(CaseState.OPEN)
    with pytest.raises(NotAllowedNow) as from_decide:
        case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate"))
    assert type(from_table.value) is type(from_decide.value) is NotAllowedNow
    assert (
        from_table.value.message
        == from_decide.value.message
        == (
            "This cannot be done now: the case is at the stage “Open, no sanction”, where "
            "“Chair confirmed the decision” is not a step the policy allows."
        )
    )
    assert from_table.value.title == "Not possible at this stage"
    assert from_decide.value.facts == (
        Fact("Stage now", "Open, no sanction"),
        Fact("Step", "Chair confirmed the decision"),
    )


def test_not_permitted_names_the_action_the_roles_that_may_and_the_roles_held() -> None:
    command = ImposeBan("cmd-1", "Continued aggression", arrangements())
    with pytest.raises(NotPermitted) as raised:
        check_permitted(command, frozenset({Role.STAFF, Role.CLERK}), system=False)
    assert raised.value.message == (
        "Only the Headteacher/Principal can choose the school's response. "
        "You are recorded as: member of staff, Clerk to the Local Academy Committee."
    )
    assert raised.value.title == "Not allowed for your role"
    assert raised.value.facts == (
        Fact("Action", "choose the school's response"),
        Fact("Who may do it", "the Headteacher/Principal"),
        Fact("You are recorded as", "member of staff, Clerk to the Local Academy Committee"),
    )


def test_not_permitted_for_the_sweeper_and_for_a_step_only_the_system_takes() -> None:
    with pytest.raises(NotPermitted) as sweeper:
        check_permitted(AddStatement("cmd-1", 1, statement()), frozenset(), system=True)
    assert sweeper.value.message == "The automatic sweeper cannot add a statement."
    assert _facts(sweeper.value)["Asked by"] == "the automatic sweeper"
    # The clerk reading it in the log sees who may do the step instead.
    may = "the Headteacher/Principal, a nominated senior member of staff or a member of staff"
    assert _facts(sweeper.value)["Who may do it"] == may
    with pytest.raises(NotPermitted) as system_only:
        check_permitted(RecordLetterDrafted("cmd-2", "l-1", "d-1"), frozenset(Role), system=False)
    assert system_only.value.message == (
        "Only the system can record a letter draft; it is done automatically."
    )
    assert _facts(system_only.value)["Who may do it"] == "the system"


def test_a_refusal_worded_by_the_application_keeps_its_words_and_title() -> None:
    refusal = NotPermitted("This is done automatically and cannot be asked for.")
    assert refusal.message == "This is done automatically and cannot be asked for."
    assert refusal.facts == ()
    assert refusal.title == "Not allowed for your role"


def test_case_not_found_has_one_default_sentence() -> None:
    assert CaseNotFound().message == (
        "There is no such case: it may have been mistyped or never opened."
    )
    assert CaseNotFound().title == "No such case"
    assert CaseNotFound("There is no case you can open with that reference.").message == (
        "There is no case you can open with that reference."
    )
    exists = CaseAlreadyExists(reference="OAK-2026-0001")
    assert _facts(exists) == {"Case": "OAK-2026-0001"}


def test_deadline_refusals_carry_their_dates() -> None:
    still_open = WindowStillOpen(until=MONDAY_1_JUNE)
    assert still_open.message == (
        "The person has until the end of Monday 1 June 2026 to send written comments, so "
        "the window cannot be closed yet."
    )
    assert (still_open.title, _facts(still_open)) == (
        "Too early",
        {"Comments may arrive until": "Monday 1 June 2026"},
    )
    too_early = MeetingTooEarly(earliest=MONDAY_1_JUNE, letter_dated=date(2026, 5, 15))
    assert too_early.message == (
        "The meeting can be no earlier than Monday 1 June 2026: the person must have 10 school "
        "days from letter 6 (dated Friday 15 May 2026) to give a statement."
    )
    assert _facts(too_early) == {
        "Earliest meeting date": "Monday 1 June 2026",
        "Letter 6 dated": "Friday 15 May 2026",
    }
    not_yet = MeetingNotYetHeld(meeting_on=MONDAY_1_JUNE)
    assert not_yet.message == (
        "The committee meets on Monday 1 June 2026; its decision can be recorded from that day."
    )
    assert _facts(not_yet) == {"Committee meets on": "Monday 1 June 2026"}


def test_missing_steps_and_letters() -> None:
    assessment = RiskAssessmentRequired(incident_no=2)
    assert assessment.message.startswith("Incident 2 has not been risk-assessed yet.")
    assert (assessment.title, _facts(assessment)) == (
        "Risk assessment needed first",
        {"Incident": "2"},
    )
    unsent = LetterNotYetSent(letter="Letter 4: ban, pending review")
    assert unsent.message == (
        "Letter 4: ban, pending review has not been recorded as sent. The person's 10 school "
        "days count from the date it was sent: record that date first."
    )
    assert (unsent.title, _facts(unsent)) == (
        "Letter not yet sent",
        {"Letter": "Letter 4: ban, pending review"},
    )
    letter_6 = StatementNotYetRequested()
    assert isinstance(letter_6, LetterNotYetSent)
    assert letter_6.message.startswith("Letter 6 has not been recorded as sent: ")
    missing = DetailMissing(what="the reason for the ban")
    assert isinstance(missing, InvalidDetails)
    assert (missing.message, missing.title, _facts(missing)) == (
        "Please give the reason for the ban.",
        "Something is missing",
        {"Missing": "the reason for the ban"},
    )
    staff = TooFewStaff(where="at the meeting", named=1)
    assert staff.message.startswith("At least two members of staff must be at the meeting: ")
    assert _facts(staff) == {"Staff needed": "at least 2", "Staff named": "1"}


def test_the_other_already_done_refusals() -> None:
    comments = RepresentationAlreadyRecorded(
        letter_dated=date(2026, 5, 28), by="Pat Head", on=MONDAY_1_JUNE
    )
    assert comments.message == (
        "Written comments dated Thursday 28 May 2026 were already recorded by Pat Head on "
        "Monday 1 June 2026."
    )
    assert _facts(comments) == {
        "Comments dated": "Thursday 28 May 2026",
        "Recorded by": "Pat Head",
        "On": "Monday 1 June 2026",
    }
    statement = ReviewStatementAlreadyRecorded(received_on=MONDAY_1_JUNE)
    assert statement.message == (
        "A statement received on Monday 1 June 2026 is already recorded for this review."
    )
    sent = LetterAlreadySent(letter="Letter 1: warning", sent_on=MONDAY_1_JUNE)
    assert sent.message == "Letter 1: warning was recorded as sent on Monday 1 June 2026."
    assert _facts(sent) == {"Letter": "Letter 1: warning", "Sent on": "Monday 1 June 2026"}
    withdrawn = LetterAlreadyWithdrawn(letter="Letter 2: conditions", reason="Overtaken")
    assert withdrawn.message == "Letter 2: conditions was withdrawn: Overtaken"
    dealt_with = CommentsAlreadyDealtWith()
    assert dealt_with.message == (
        "The person's comments on this letter have already been dealt with."
    )
    for refusal in (comments, statement, sent, withdrawn, dealt_with):
        assert isinstance(refusal, AlreadyDone)
        assert isinstance(refusal, NotAllowedNow)
        assert refusal.title == "Already done"


def test_every_refusal_has_a_title_of_its_own() -> None:
    refusals = [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, Refusal) and cls is not Refusal
    ]
    assert len(refusals) > 20
    for cls in refusals:
        assert cls.TITLE != Refusal.TITLE, cls.__name__
