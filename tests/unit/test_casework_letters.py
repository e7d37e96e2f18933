"""The letters take the rules' own values: every member of each vocabulary a letter holds,
and each wording a letter derives from them, covered; and the letters the other paths call
for (1, 2, 3, the meeting follow-up) drafted in full from a case."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from casework import bus as uc
from casework.config import HeadTitle as ConfigHeadTitle
from casework.letters import LETTER_BUILDERS
from casework.notifications import WORDING
from casework.pipeline import DONE
from casework.sweeper import sweep
from rules import behaviours as rb
from rules.commands import COMMAND_TYPES, Command
from rules.details import Conditions
from rules.errors import NotPermitted
from rules.permissions import required_roles
from rules.state import CaseState, allowed
from rules.steps.chair import DecideAsChair
from rules.steps.conditions import ImposeConditions
from rules.steps.informal_meeting import ArrangeInformalMeeting, RecordInformalMeeting
from rules.steps.letters import RecordLetterDrafted, RecordLetterDraftFailed, RecordLetterSent
from rules.steps.notifications import (
    RecordNotificationDelivered,
    RecordNotificationQueued,
    RecordNotificationUndeliverable,
    SendDueReminders,
)
from rules.steps.reporting import ReportIncident
from rules.steps.review import review_trigger
from rules.steps.risk_assessment import AssessRisk
from rules.steps.warning import ClarifyExpectations
from templates import context as tc
from templates.conditions import STANDARD_CONDITIONS, imposing_lines, review_lines
from templates.errors import LetterError
from templates.examples import example_letters
from templates.render import LetterRenderer, LetterTemplates
from tests.builders import assessment, at, incident, person
from tests.casework_world import CHAIR, HEAD, STAFF, fake_world

MONDAY = date(2026, 1, 12)


def test_every_standard_condition_is_worded_in_both_lists_of_the_letters() -> None:
    assert set(STANDARD_CONDITIONS) == set(rb.StandardCondition)
    for key in rb.StandardCondition:
        only = Conditions((key,))
        for lines in (
            imposing_lines(only, "Headteacher", None),
            review_lines(only, "Headteacher", None),
        ):
            (line,) = lines
            assert line.strip(), key
            assert "{" not in line, key


def test_letter_7_words_every_review_step_the_table_allows_and_only_those() -> None:
    under_review = {
        rb.SanctionKind.CONDITIONS: CaseState.CONDITIONS_UNDER_REVIEW,
        rb.SanctionKind.BAN: CaseState.BAN_UNDER_REVIEW,
    }
    wordings: set[str] = set()
    for sanction, state in under_review.items():
        for outcome in rb.ReviewOutcome:
            possible = allowed(state, review_trigger(outcome))
            try:
                wordings.add(tc.review_outcome_wording(sanction, outcome))
                worded = True
            except LetterError:
                worded = False
            assert worded == possible, (sanction, outcome)
    assert wordings == set(tc.REVIEW_OUTCOME_WORDINGS)


def test_an_impossible_review_outcome_is_named_not_guessed() -> None:
    with pytest.raises(LetterError, match="cannot end in"):
        tc.review_outcome_wording(rb.SanctionKind.BAN, rb.ReviewOutcome.VARY)


def test_letter_6_words_every_group_the_rules_name() -> None:
    letter6 = example_letters()["letter-6-ban"]
    assert isinstance(letter6, tc.StatementRequestLetter)

    def towards(*groups: rb.AffectedGroup) -> str:
        return replace(letter6, affected_groups=frozenset(groups)).behaviour_towards

    expected = {
        rb.AffectedGroup.STAFF: "staff",
        rb.AffectedGroup.PUPILS: "pupils",
        rb.AffectedGroup.OTHER_PARENTS: "staff",
        rb.AffectedGroup.OTHER_VISITORS: "staff",
    }
    assert {group: towards(group) for group in rb.AffectedGroup} == expected
    assert towards() == "staff"
    assert towards(*rb.AffectedGroup) == "staff_and_pupils"


def test_the_letters_render_every_member_of_the_rules_vocabularies() -> None:
    assert ConfigHeadTitle is rb.HeadTitle  # the configuration's title is the rules' one
    assert rb.BanGround.recorded("") is rb.BanGround.PROCEDURES_EXHAUSTED
    assert rb.BanGround.recorded("Struck the deputy head") is rb.BanGround.EXTREME_VIOLENCE
    renderer = LetterRenderer(LetterTemplates.load())
    examples = example_letters()
    warning, notice = examples["letter-1-warning"], examples["ban-notice-trustees-extreme-violence"]
    letter3, letter6 = examples["letter-3-confirm-with-representation"], examples["letter-6-ban"]
    assert isinstance(warning, tc.WarningLetter)
    assert isinstance(notice, tc.BanNoticeToTrustees)
    assert isinstance(letter3, tc.ConditionsDecisionLetter)
    assert isinstance(letter6, tc.StatementRequestLetter)
    variants: list[tc.LetterData] = [
        *(replace(warning, relationship=r) for r in rb.Relationship),
        *(replace(notice, relationship=r) for r in rb.Relationship),
        *(replace(notice, ground=g) for g in rb.BanGround),
        *(replace(letter3, decision=d) for d in rb.ChairOutcome),
        *(replace(letter6, sanction=k) for k in rb.SanctionKind),
        *(
            replace(warning, common=replace(warning.common, school=school))
            for school in (replace(warning.common.school, head_title=t) for t in rb.HeadTitle)
        ),
    ]
    for data in variants:
        assert renderer.document(data).content


def test_every_letter_notification_and_command_is_covered() -> None:
    assert set(LETTER_BUILDERS) == set(rb.LetterKind)
    assert set(WORDING) == set(rb.NotificationKind)
    assert set(DONE) == set(COMMAND_TYPES)
    # The sweeper's and the pipeline's own bookkeeping, and nothing else, is issued by the
    # system alone: the bus refuses those from a person (test_the_bus_refuses_...).
    system_only = {cls for cls in COMMAND_TYPES if not required_roles(cls)}
    assert system_only == {
        RecordLetterDrafted,
        RecordLetterDraftFailed,
        RecordNotificationQueued,
        RecordNotificationDelivered,
        RecordNotificationUndeliverable,
        SendDueReminders,
    }


@pytest.mark.parametrize(
    "command",
    [
        RecordLetterDrafted("cmd-x", "cmd-ban:letter-4", "memory:draft"),
        RecordLetterDraftFailed("cmd-x", "cmd-ban:letter-4", "the mailbox was down"),
        RecordNotificationQueued("cmd-x", "cmd-report:incident-reported"),
        RecordNotificationDelivered("cmd-x", "cmd-report:incident-reported", "user:x"),
        RecordNotificationUndeliverable("cmd-x", "cmd-report:incident-reported", "user:x", "403"),
        SendDueReminders("cmd-x"),
    ],
    ids=lambda command: type(command).__name__,
)
async def test_the_bus_refuses_what_only_the_system_does(command: Command) -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = (
        await uc.report_incident(
            world.casework,
            STAFF,
            command_id="cmd-report",
            school_id="oakfield",
            person=person(),
            incident=incident(at(MONDAY, 8)),
        )
    ).case_id
    before = await world.store.load(case_id)
    with pytest.raises(NotPermitted, match="done automatically"):
        await uc.dispatch(world.casework, command, HEAD, case_id=case_id)
    assert await world.store.load(case_id) == before


async def test_conditions_letters_2_and_3_are_drafted_in_full() -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    case_id = (
        await uc.report_incident(
            cw,
            STAFF,
            command_id="cmd-report",
            school_id="oakfield",
            person=person(),
            incident=incident(at(MONDAY, 8)),
        )
    ).case_id
    await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    conditions = Conditions(
        (rb.StandardCondition.CONTACT_HEAD_OR_DEPUTY_ONLY,), ("No filming on the school site",)
    )
    imposed = await uc.dispatch(
        cw,
        ImposeConditions(command_id="cmd-conditions", conditions=conditions, reason="Threat"),
        HEAD,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        RecordLetterSent(
            command_id="cmd-sent", letter_id="cmd-conditions:letter-2", sent_on=MONDAY
        ),
        HEAD,
        case_id=case_id,
    )
    # No comments within 10 school days (to Monday 26 January): the sweeper closes the
    # window on the 27th and the Chair decides.
    world.clock.to_day(date(2026, 1, 27), 7)
    await sweep(cw, date(2026, 1, 27))
    world.clock.to_day(date(2026, 1, 28))
    decided = await uc.dispatch(
        cw,
        DecideAsChair(
            command_id="cmd-chair", outcome=rb.ChairOutcome.CONFIRM, reason="Proportionate"
        ),
        CHAIR,
        case_id=case_id,
    )

    assert imposed.letters_drafted == ("cmd-conditions:letter-2",)
    assert decided.letters_drafted == ("cmd-chair:letter-3",)
    assert decided.state is CaseState.CONDITIONS_CONFIRMED
    letter2 = world.drafts.drafts[f"{case_id}:cmd-conditions:letter-2"]
    letter3 = world.drafts.drafts[f"{case_id}:cmd-chair:letter-3"]
    assert letter2.signer.name == "Rachel Okafor"
    assert letter2.reply_by == date(2026, 1, 26)
    # the second contact configured for the school (issue 9, item 15)
    assert (
        "You may contact either the Headteacher or the Deputy Headteacher, Daniel Hughes"
        in letter2.text
    )
    assert "No filming on the school site" in letter2.text
    assert letter3.signer.name == "Graham Whitlock"
    assert letter3.reply_by is None
    assert "No filming on the school site" in letter3.text
    assert "Monday 12 January 2026" in letter3.text  # the date letter 2 was sent
    assert [r.name for r in letter3.cc] == ["Rachel Okafor"]


async def test_letter_1_and_the_meeting_follow_up_are_drafted_in_full() -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    case_id = (
        await uc.report_incident(
            cw,
            STAFF,
            command_id="cmd-report",
            school_id="oakfield",
            person=person(),
            incident=incident(at(MONDAY, 8)),
        )
    ).case_id
    await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    warned = await uc.dispatch(
        cw, ClarifyExpectations(command_id="cmd-warn"), HEAD, case_id=case_id
    )
    letter1 = world.drafts.drafts[f"{case_id}:cmd-warn:letter-1"]
    assert warned.letters_drafted == ("cmd-warn:letter-1",)
    assert letter1.reply_by == date(2026, 1, 26)
    assert "Monday 26 January 2026" in letter1.text
    assert "Jordan Example" in letter1.text

    world.clock.to_day(date(2026, 1, 13))
    await uc.dispatch(
        cw,
        ReportIncident(command_id="cmd-second", incident=incident(at(date(2026, 1, 13), 8))),
        STAFF,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess-2", incident_no=2, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        ArrangeInformalMeeting(
            command_id="cmd-arrange",
            meeting_at=at(date(2026, 1, 15), 15, 30),
            location="The head's office",
            staff_attending=("Rachel Okafor", "Daniel Hughes"),
            seating_considered=True,
            exits_kept_clear=True,
        ),
        HEAD,
        case_id=case_id,
    )
    world.clock.to_day(date(2026, 1, 15), 17)
    held = await uc.dispatch(
        cw,
        RecordInformalMeeting(
            command_id="cmd-held",
            held_on=date(2026, 1, 15),
            staff_present=("Rachel Okafor", "Daniel Hughes"),
            notes="Concerns about homework\nHow to raise concerns calmly",
            agreed_actions=("Concerns go through the office",),
        ),
        HEAD,
        case_id=case_id,
    )

    assert held.letters_drafted == ("cmd-held:meeting-follow-up",)
    follow_up = world.drafts.drafts[f"{case_id}:cmd-held:meeting-follow-up"]
    assert follow_up.reply_by is None
    for expected in ("How to raise concerns calmly", "Concerns go through the office", "3.30pm"):
        assert expected in follow_up.text
    # item 15: the signer (the head, Rachel Okafor) is the "me", not listed among the others
    assert "besides you and me, was Daniel Hughes." in follow_up.text
    assert "Rachel Okafor and" not in follow_up.text
