"""Every refusal's words in full: its card title, its message and its facts.

A refusal is what a headteacher reads when the bot says no, and what a parent's adviser reads
when the case is challenged, so each sentence is checked whole, as written in
`rules.errors`, not by a fragment. The expected texts are written out here by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from rules import errors
from rules.errors import Fact, Refusal
from rules.roles import Role
from rules.wording import titles

MONDAY_1_JUNE = date(2026, 6, 1)
TUESDAY_16_JUNE = date(2026, 6, 16)
MON = "Monday 1 June 2026"
TUE = "Tuesday 16 June 2026"

# Each refusal is built inside its test (not when this module is imported), so that the test
# exercises the code as it is when the test runs.
REFUSALS: list[tuple[str, Callable[[], Refusal], str, str, tuple[tuple[str, str], ...]]] = [
    (
        "not permitted: a role that may not",
        lambda: errors.NotPermitted(
            what="choose the school's response", needed=[Role.HEAD], held=[Role.CLERK]
        ),
        "Not allowed for your role",
        "Only the Headteacher/Principal can choose the school's response. "
        "You are recorded as: Clerk to the Local Academy Committee.",
        (
            ("Action", "choose the school's response"),
            ("Who may do it", "the Headteacher/Principal"),
            ("You are recorded as", "Clerk to the Local Academy Committee"),
        ),
    ),
    (
        "not permitted: three roles may, the asker holds two others",
        lambda: errors.NotPermitted(
            what="record a statement",
            needed=[Role.STAFF, Role.HEAD, Role.SENIOR],
            held=[Role.TRUST, Role.CLERK],
        ),
        "Not allowed for your role",
        "Only the Headteacher/Principal, a nominated senior member of staff or a member of "
        "staff can record a statement. You are recorded as: Clerk to the Local Academy "
        "Committee, trust governance (chair of trustees or data protection officer).",
        (
            ("Action", "record a statement"),
            (
                "Who may do it",
                "the Headteacher/Principal, a nominated senior member of staff or a member "
                "of staff",
            ),
            (
                "You are recorded as",
                "Clerk to the Local Academy Committee, trust governance (chair of trustees or "
                "data protection officer)",
            ),
        ),
    ),
    (
        "not permitted: no role at the school",
        lambda: errors.NotPermitted(what="decide as the Chair", needed=[Role.CHAIR], held=[]),
        "Not allowed for your role",
        "Only the Chair of the Local Academy Committee can decide as the Chair. "
        "You are recorded as: no role at this school.",
        (
            ("Action", "decide as the Chair"),
            ("Who may do it", "the Chair of the Local Academy Committee"),
            ("You are recorded as", "no role at this school"),
        ),
    ),
    (
        "not permitted: the sweeper",
        lambda: errors.NotPermitted(what="impose a ban", needed=[Role.HEAD], sweeper=True),
        "Not allowed for your role",
        "The automatic sweeper cannot impose a ban.",
        (
            ("Action", "impose a ban"),
            ("Who may do it", "the Headteacher/Principal"),
            ("Asked by", "the automatic sweeper"),
        ),
    ),
    (
        "not permitted: only the system",
        lambda: errors.NotPermitted(what="close the window", held=[Role.HEAD]),
        "Not allowed for your role",
        "Only the system can close the window; it is done automatically.",
        (
            ("Action", "close the window"),
            ("Who may do it", "the system"),
            ("You are recorded as", "Headteacher/Principal"),
        ),
    ),
    (
        "not permitted: a message of its own",
        lambda: errors.NotPermitted("You are not in the school's directory."),
        "Not allowed for your role",
        "You are not in the school's directory.",
        (),
    ),
    (
        "no such case",
        lambda: errors.CaseNotFound(),
        "No such case",
        "There is no such case: it may have been mistyped or never opened.",
        (),
    ),
    (
        "case already open",
        lambda: errors.CaseAlreadyExists(reference="SP-2026-0001"),
        "The case is already open",
        "Case SP-2026-0001 already exists; the incident can be added to it.",
        (("Case", "SP-2026-0001"),),
    ),
    (
        "not allowed at this stage",
        lambda: errors.NotAllowedNow(stage="Ban confirmed", step="Impose a ban"),
        "Not possible at this stage",
        "This cannot be done now: the case is at the stage “Ban confirmed”, where “Impose a "
        "ban” is not a step the policy allows.",
        (("Stage now", "Ban confirmed"), ("Step", "Impose a ban")),
    ),
    (
        "no reply awaited",
        lambda: errors.NoReplyAwaited(),
        "Not possible at this stage",
        "No letter on this case is waiting for the person's comments.",
        (),
    ),
    (
        "closing without a response",
        lambda: errors.ResponseNotRecorded(incident_no=2),
        "Something is missing",
        "Record the school's response to incident 2 before closing the case (no further "
        "action is a response).",
        (("Incident", "2"),),
    ),
    (
        "the letter in force cannot be withdrawn",
        lambda: errors.LetterCannotBeWithdrawn(letter="Letter 4"),
        "Not possible at this stage",
        "Letter 4 starts the person's right to reply to the decision in force, so it cannot "
        "be withdrawn.",
        (("Letter", "Letter 4"),),
    ),
    (
        "someone else got there first",
        lambda: errors.AlreadyDone(
            step="Chair confirmed the decision",
            by="Graham Whitlock",
            on=MONDAY_1_JUNE,
            stage="Ban confirmed",
        ),
        "Already done",
        f"This can no longer be done: Graham Whitlock recorded “Chair confirmed the decision” "
        f"on {MON}. The case is now at the stage “Ban confirmed”.",
        (
            ("Recorded by", "Graham Whitlock"),
            ("On", MON),
            ("Step", "Chair confirmed the decision"),
            ("Stage now", "Ban confirmed"),
        ),
    ),
    (
        "comments already recorded",
        lambda: errors.RepresentationAlreadyRecorded(
            letter_dated=MONDAY_1_JUNE, by="Graham Whitlock", on=TUESDAY_16_JUNE
        ),
        "Already done",
        f"Written comments dated {MON} were already recorded by Graham Whitlock on {TUE}.",
        (("Comments dated", MON), ("Recorded by", "Graham Whitlock"), ("On", TUE)),
    ),
    (
        "comments already dealt with",
        lambda: errors.CommentsAlreadyDealtWith(),
        "Already done",
        "The person's comments on this letter have already been dealt with.",
        (),
    ),
    (
        "a second statement for one review",
        lambda: errors.ReviewStatementAlreadyRecorded(received_on=TUESDAY_16_JUNE),
        "Already done",
        f"A statement received on {TUE} is already recorded for this review.",
        (("Statement received on", TUE),),
    ),
    (
        "letter already sent",
        lambda: errors.LetterAlreadySent(letter="Letter 2", sent_on=MONDAY_1_JUNE),
        "Already done",
        f"Letter 2 was recorded as sent on {MON}.",
        (("Letter", "Letter 2"), ("Sent on", MON)),
    ),
    (
        "letter already withdrawn",
        lambda: errors.LetterAlreadyWithdrawn(letter="Letter 1", reason="a ban superseded it."),
        "Already done",
        "Letter 1 was withdrawn: a ban superseded it.",
        (("Letter", "Letter 1"), ("Reason", "a ban superseded it.")),
    ),
    (
        "details to check",
        lambda: errors.InvalidDetails("The end date must be after the start."),
        "Please check the details",
        "The end date must be after the start.",
        (),
    ),
    (
        "a detail missing",
        lambda: errors.DetailMissing(what="the reason for the ban"),
        "Something is missing",
        "Please give the reason for the ban.",
        (("Missing", "the reason for the ban"),),
    ),
    (
        "risk assessment first",
        lambda: errors.RiskAssessmentRequired(incident_no=3),
        "Risk assessment needed first",
        "Incident 3 has not been risk-assessed yet. The policy asks for the risk assessment "
        "first, so that the response is reasonable and proportionate.",
        (("Incident", "3"),),
    ),
    (
        "a ban needs earlier steps or extreme violence",
        lambda: errors.EarlierStepsRequired(),
        "Something is missing",
        "No earlier step has taken effect before a later incident on this case (a warning "
        "letter recorded as sent, an informal meeting held, or conditions in force). A ban "
        "without one needs the ground recorded: describe the extreme act of violence.",
        (("Missing", "the extreme act of violence that grounds the ban"),),
    ),
    (
        "no violence recorded on the incident",
        lambda: errors.ExtremeViolenceNotRecorded(incident_no=1),
        "No act of violence recorded",
        "Incident 1 records no physical behaviour (hitting, spitting, physical abuse) and no "
        "assault, so it cannot ground a ban as an extreme act of violence. Take the earlier "
        "steps the policy sets out first.",
        (("Incident", "1"),),
    ),
    (
        "nobody reviews their own decision",
        lambda: errors.OwnDecision(sanction="ban", imposed_on=MONDAY_1_JUNE),
        "Nobody reviews their own decision",
        f"You imposed the ban on {MON}, so you cannot confirm or overturn it: nobody reviews "
        "their own decision. Another Chair of the Local Academy Committee must decide.",
        (("Imposed on", MON),),
    ),
    (
        "two members of staff",
        lambda: errors.TooFewStaff(where="at the meeting", named=1),
        "Something is missing",
        "At least two members of staff must be at the meeting: “Members of school staff will "
        "always be accompanied by at least one other colleague at any such meeting.”",
        (("Staff needed", "at least 2"), ("Staff named", "1")),
    ),
    (
        "safety: exits not confirmed",
        lambda: errors.SafetyNotConsidered(seating_considered=True, exits_kept_clear=False),
        "Something is missing",
        "Before the meeting, confirm that the seating arrangements have been considered and "
        "that the exits cannot be blocked.",
        (("Seating considered", "yes"), ("Exits kept clear", "no")),
    ),
    (
        "safety: seating not confirmed",
        lambda: errors.SafetyNotConsidered(seating_considered=False, exits_kept_clear=True),
        "Something is missing",
        "Before the meeting, confirm that the seating arrangements have been considered and "
        "that the exits cannot be blocked.",
        (("Seating considered", "no"), ("Exits kept clear", "yes")),
    ),
    (
        "the reply window still open",
        lambda: errors.WindowStillOpen(until=TUESDAY_16_JUNE),
        "Too early",
        f"The person has until the end of {TUE} to send written comments, so the window "
        "cannot be closed yet.",
        (("Comments may arrive until", TUE),),
    ),
    (
        "the statement window still open",
        lambda: errors.StatementWindowOpen(until=TUESDAY_16_JUNE),
        "Too early",
        f"The person has until the end of {TUE} to give a statement for the review, and none "
        "has been recorded: the committee's decision can be recorded once it arrives or after "
        "that day.",
        (("Statement may arrive until", TUE),),
    ),
    (
        "letter not yet sent",
        lambda: errors.LetterNotYetSent(letter="Letter 4"),
        "Letter not yet sent",
        "Letter 4 has not been recorded as sent. The person's 10 school days count from the "
        "date it was sent: record that date first.",
        (("Letter", "Letter 4"),),
    ),
    (
        "comments dated before the letter",
        lambda: errors.RepresentationBeforeLetter(
            letter="Letter 2", sent_on=TUESDAY_16_JUNE, dated=MONDAY_1_JUNE
        ),
        "Not a reply to this letter",
        f"These comments are dated {MON}, before Letter 2 was sent on {TUE}, so they cannot "
        "be a reply to it. Record them as a statement on the incident instead, or check the "
        "dates.",
        (("Letter", "Letter 2"), ("Sent on", TUE), ("Comments dated", MON)),
    ),
    (
        "a letter sent before its date",
        lambda: errors.LetterSentBeforeItsDate(
            letter="Letter 2", dated_on=TUESDAY_16_JUNE, sent_on=MONDAY_1_JUNE
        ),
        "Before the letter's date",
        f"Letter 2 is dated {TUE}, so it cannot have been sent on {MON}. Record the day it "
        "actually went, or ask for a re-dated draft.",
        (("Letter", "Letter 2"), ("Letter dated", TUE), ("Sent on", MON)),
    ),
    (
        "letter 6 not yet sent",
        lambda: errors.StatementNotYetRequested(),
        "Letter not yet sent",
        "Letter 6 has not been recorded as sent: the person must be invited to give a "
        "statement before the committee decides.",
        (("Letter", "Letter 6"),),
    ),
    (
        "the review meeting too early",
        lambda: errors.MeetingTooEarly(earliest=TUESDAY_16_JUNE, letter_dated=MONDAY_1_JUNE),
        "Too early",
        f"The meeting can be no earlier than {TUE}: the person must have 10 school days from "
        f"letter 6 (dated {MON}) to give a statement.",
        (("Earliest meeting date", TUE), ("Letter 6 dated", MON)),
    ),
    (
        "the review meeting not yet held",
        lambda: errors.MeetingNotYetHeld(meeting_on=TUESDAY_16_JUNE),
        "Too early",
        f"The committee meets on {TUE}; its decision can be recorded from that day.",
        (("Committee meets on", TUE),),
    ),
    (
        "a ban with no end date",
        lambda: errors.PeriodNotEnded(sanction="ban", until=None),
        "Too early",
        "The ban has no end date: it stays in force until it is reviewed.",
        (),
    ),
    (
        "conditions with no end date",
        lambda: errors.PeriodNotEnded(sanction="conditions", until=None),
        "Too early",
        "The conditions have no end date: they stay in force until they are reviewed.",
        (),
    ),
    (
        "a ban not yet ended",
        lambda: errors.PeriodNotEnded(sanction="ban", until=TUESDAY_16_JUNE),
        "Too early",
        f"The ban is in force until {TUE} inclusive: it ends by itself the day after.",
        (("In force until", TUE),),
    ),
    (
        "conditions not yet ended",
        lambda: errors.PeriodNotEnded(sanction="conditions", until=TUESDAY_16_JUNE),
        "Too early",
        f"The conditions are in force until {TUE} inclusive: they end by themselves the day after.",
        (("In force until", TUE),),
    ),
    (
        "a removal needs a nuisance while banned",
        lambda: errors.NoBreachWhileBanned(banned_on=MONDAY_1_JUNE),
        "Something is missing",
        "A removal under section 547 is for a banned person who continues to cause a "
        f"nuisance, and nothing has been recorded since the ban of {MON}. Record the breach "
        "of the ban (or report the incident) first, then the removal.",
        (("Banned since", MON),),
    ),
    (
        "a statement withheld",
        lambda: errors.DisclosureNotDecided(incident_no=1, statement_no=2, withheld=True),
        "Disclosure decision needed first",
        "The Headteacher/Principal decided not to release statement 2 of incident 1, so it "
        "cannot be shown to the person. A new decision to release it must be recorded first.",
        (("Incident", "1"), ("Statement", "2")),
    ),
    (
        "a statement with no disclosure decision",
        lambda: errors.DisclosureNotDecided(incident_no=1, statement_no=2, withheld=False),
        "Disclosure decision needed first",
        "No disclosure decision is recorded for statement 2 of incident 1. The "
        "Headteacher/Principal must first decide whether to release it, weighing the risk "
        "of retaliation to the witness.",
        (("Incident", "1"), ("Statement", "2")),
    ),
    (
        "the calendar cannot answer",
        lambda: errors.CalendarError("No term dates reach Monday 1 June 2026."),
        "The school calendar cannot answer",
        "No term dates reach Monday 1 June 2026.",
        (),
    ),
]


@pytest.mark.parametrize(
    ("build", "title", "message", "facts"),
    [pytest.param(*row[1:], id=row[0]) for row in REFUSALS],
)
def test_each_refusal_gives_its_title_its_whole_message_and_its_facts(
    build: Callable[[], Refusal], title: str, message: str, facts: tuple[tuple[str, str], ...]
) -> None:
    refusal = build()
    assert refusal.title == title
    assert refusal.message == message
    assert str(refusal) == message
    assert refusal.facts == tuple(Fact(label, value) for label, value in facts)


def test_every_refusal_class_has_its_words_checked_here() -> None:
    checked = {type(row[1]()) for row in REFUSALS}
    defined = {
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, Refusal) and cls is not Refusal
    }
    assert defined <= checked, sorted(c.__name__ for c in defined - checked)


def test_roles_are_named_in_the_policys_order_and_no_role_is_nobody() -> None:
    assert titles([Role.CLERK, Role.HEAD]) == (
        "the Headteacher/Principal or the Clerk to the Local Academy Committee"
    )
    assert titles([]) == "nobody"  # a message to no role (narrative) says so
