"""The pipeline on the shared fakes: exactly once, conflicts, effects that fail, refusals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import date

import pytest

from casework import bus as uc
from casework.pipeline import COMPLETE_EFFECTS, Outcome, UnknownUser
from casework.ports import StoredEvent
from casework.sweeper import sweep
from rules.behaviours import ChairOutcome, NotificationKind
from rules.errors import AlreadyDone, NotPermitted
from rules.state import CaseState
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.risk_assessment import AssessRisk
from tests.builders import (
    POLICE,
    VIOLENCE,
    arrangements,
    assessment,
    at,
    person,
    violent_incident,
)
from tests.casework_world import (
    CHAIR,
    HEAD,
    RIVERSIDE_HEAD,
    SENIOR,
    STAFF,
    STRANGER,
    FakeWorld,
    fake_world,
)
from tests.fakes import InMemoryCaseStore

MONDAY = date(2026, 1, 12)


async def report(world: FakeWorld, command_id: str = "cmd-report") -> Outcome:
    return await uc.report_incident(
        world.casework,
        STAFF,
        command_id=command_id,
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(MONDAY, 8)),
    )


async def banned_case(world: FakeWorld) -> str:
    case_id = (await report(world)).case_id
    cw = world.casework
    await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        ImposeBan(
            command_id="cmd-ban",
            reason="A threat to a member of staff",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
        ),
        HEAD,
        case_id=case_id,
    )
    return case_id


async def with_chair(world: FakeWorld) -> str:
    case_id = await banned_case(world)
    cw = world.casework
    await uc.dispatch(
        cw,
        RecordLetterSent(command_id="cmd-sent", letter_id="cmd-ban:letter-4", sent_on=MONDAY),
        HEAD,
        case_id=case_id,
    )
    world.clock.to_day(date(2026, 1, 14))
    await uc.dispatch(
        cw,
        RecordRepresentation(
            command_id="cmd-comments",
            letter_dated=date(2026, 1, 13),
            received_on=date(2026, 1, 14),
            summary="Asks for the ban to be lifted",
            nothing_more_to_add=True,
        ),
        HEAD,
        case_id=case_id,
    )
    return case_id


async def events(world: FakeWorld, case_id: str) -> Sequence[StoredEvent]:
    return await world.store.load(case_id)


async def test_a_report_opens_a_case_and_prompts_the_head() -> None:
    world = fake_world(at(MONDAY, 9))

    outcome = await report(world)

    assert outcome.reference == "OAK-2026-0001"
    assert outcome.state is CaseState.OPEN
    assert not outcome.repeated
    assert [e.kind for e in outcome.events] == [
        "case-opened",
        "incident-reported",
        "notification-required",
    ]
    assert {e.actor_id for e in outcome.events} == {STAFF.object_id}
    (sent,) = world.notifier.sent.values()
    assert set(sent.recipients) == {HEAD.object_id, SENIOR.object_id}
    assert "OAK-2026-0001" in sent.text
    assert "Jordan" not in sent.text + sent.title  # no personal details in a prompt
    summary = await world.store.summary(outcome.case_id)
    assert summary is not None
    assert summary.status == "open"
    assert summary.next_action == "Carry out the risk assessment for incident 1."
    assert [p.action.value for p in outcome.prompts][:2] == ["assess-risk", "assess-risk"]


async def test_the_same_command_twice_gives_the_first_result_and_changes_nothing() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = (await report(world)).case_id
    cw = world.casework

    first = await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    before = await events(world, case_id)
    again = await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )

    assert not first.repeated
    assert again.repeated
    assert again.events == first.events
    assert again.state is first.state
    assert await events(world, case_id) == before


async def test_a_double_clicked_report_opens_one_case_and_spends_one_reference() -> None:
    world = fake_world(at(MONDAY, 9))

    first = await report(world, "cmd-report")
    again = await report(world, "cmd-report")
    other = await report(world, "cmd-other-report")

    assert again.repeated
    assert again.case_id == first.case_id
    assert again.reference == first.reference == "OAK-2026-0001"
    assert other.reference == "OAK-2026-0002"
    assert len(await world.store.cases_at("oakfield")) == 2


async def test_a_double_click_at_the_same_moment_still_opens_one_case() -> None:
    world = fake_world(at(MONDAY, 9))

    first, second = await asyncio.gather(report(world), report(world))

    assert first.case_id == second.case_id
    assert sorted([first.repeated, second.repeated]) == [False, True]
    assert len(await world.store.cases_at("oakfield")) == 1
    assert [e.seq for e in await events(world, first.case_id)] == [1, 2, 3, 4]


class RacingStore(InMemoryCaseStore):
    """The fake store, but every load yields to the event loop, so that two requests on
    one case both read it before either writes, as two instances of the bot would."""

    async def load(self, case_id: str) -> Sequence[StoredEvent]:
        history = await super().load(case_id)
        await asyncio.sleep(0)
        return history


async def test_of_two_conflicting_decisions_at_once_exactly_one_is_recorded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="casework.pipeline")
    racing = RacingStore()
    world = fake_world(at(MONDAY, 9), racing)
    case_id = await with_chair(world)
    world.clock.to_day(date(2026, 1, 15))

    results = await asyncio.gather(
        uc.dispatch(
            world.casework,
            DecideAsChair(
                command_id="cmd-confirm", outcome=ChairOutcome.CONFIRM, reason="Serious threat"
            ),
            CHAIR,
            case_id=case_id,
        ),
        uc.dispatch(
            world.casework,
            DecideAsChair(
                command_id="cmd-overturn",
                outcome=ChairOutcome.OVERTURN,
                reason="An apology was given",
            ),
            CHAIR,
            case_id=case_id,
        ),
        return_exceptions=True,
    )

    outcomes = [r for r in results if isinstance(r, Outcome)]
    refusals = [r for r in results if isinstance(r, BaseException)]
    assert len(outcomes) == 1
    assert len(refusals) == 1
    (refusal,) = refusals
    assert isinstance(refusal, AlreadyDone)
    assert "Graham Whitlock" in refusal.message
    assert "Thursday 15 January 2026" in refusal.message
    decided = [e for e in await racing.load(case_id) if e.kind == "chair-decided"]
    assert len(decided) == 1
    assert "lost a race" in caplog.text  # the loser really met a taken sequence number


async def test_a_failed_draft_leaves_the_decision_and_a_visible_failure_then_a_sweep() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = (await report(world)).case_id
    cw = world.casework
    await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    world.drafts.fail_next = 2  # the mailbox is down for both of the ban's letters

    outcome = await uc.dispatch(
        cw,
        ImposeBan(
            command_id="cmd-ban",
            reason="A threat to a member of staff",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
        ),
        HEAD,
        case_id=case_id,
    )

    assert outcome.state is CaseState.BAN_PROVISIONAL
    assert [f.effect_id for f in outcome.effect_failures] == [
        "cmd-ban:letter-4",
        "cmd-ban:ban-notice-to-chair-of-trustees",
    ]
    assert "simulated outage" in outcome.effect_failures[0].message
    assert world.drafts.drafts == {}
    _, view = await cw.load(case_id)
    assert view is not None
    letter = view.letter("cmd-ban:letter-4")
    assert letter is not None
    assert letter.draft_error is not None
    assert "simulated outage" in letter.draft_error
    failed = [n for n in world.notifier.sent.values() if "could not be drafted" in n.title]
    assert len(failed) == 2  # one prompt to the signer per letter
    assert all(n.recipients == (HEAD.object_id,) for n in failed)
    prompt = next(p for p in outcome.prompts if p.letter_id == "cmd-ban:letter-4")
    assert "write it by hand" in prompt.text
    wake_ups = [d for d in await world.store.due_by(MONDAY) if d.role is None]
    assert [d.action for d in wake_ups] == [COMPLETE_EFFECTS]

    report_ = await sweep(cw, MONDAY)

    assert report_.cases == (case_id,)
    assert report_.failures == ()
    assert len(world.drafts.drafts) == 2
    _, view = await cw.load(case_id)
    assert view is not None
    letter = view.letter("cmd-ban:letter-4")
    assert letter is not None
    assert letter.draft_ref is not None
    assert letter.draft_error is None
    assert [d for d in await world.store.due_by(MONDAY) if d.role is None] == []
    assert await sweep(cw, MONDAY) == type(report_)((), (), (), (), ())


async def test_a_notification_that_cannot_be_sent_stays_pending_until_the_sweeper_sends_it() -> (
    None
):
    world = fake_world(at(MONDAY, 9))
    world.notifier.fail_next = 1

    outcome = await report(world)

    assert [f.effect for f in outcome.effect_failures] == ["notification"]
    assert world.notifier.sent == {}
    assert [e.kind for e in await events(world, outcome.case_id)][-1] == "notification-required"

    await sweep(world.casework, MONDAY)

    assert len(world.notifier.sent) == 1
    kinds = [e.kind for e in await events(world, outcome.case_id)]
    assert kinds[-1] == "notification-queued"


async def test_an_unknown_user_is_refused_and_nothing_is_written() -> None:
    world = fake_world(at(MONDAY, 9))

    with pytest.raises(UnknownUser, match="does not know you"):
        await uc.report_incident(
            world.casework,
            STRANGER,
            command_id="cmd-report",
            school_id="oakfield",
            person=person(),
            incident=violent_incident(at(MONDAY, 8)),
        )

    assert await world.store.cases_at("oakfield") == ()
    assert (await report(world)).reference == "OAK-2026-0001"  # no reference was spent


async def test_someone_from_another_school_may_not_report_here() -> None:
    world = fake_world(at(MONDAY, 9))

    with pytest.raises(NotPermitted, match="no role at this school"):
        await uc.report_incident(
            world.casework,
            RIVERSIDE_HEAD,
            command_id="cmd-report",
            school_id="oakfield",
            person=person(),
            incident=violent_incident(at(MONDAY, 8)),
        )


async def test_a_refusal_changes_nothing() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = (await report(world)).case_id
    before = await events(world, case_id)
    summary = await world.store.summary(case_id)
    sent = dict(world.notifier.sent)

    with pytest.raises(NotPermitted, match="Only the Headteacher/Principal"):
        await uc.dispatch(
            world.casework,
            ImposeBan(
                command_id="cmd-ban",
                reason="x",
                arrangements=arrangements(),
                extreme_violence_ground="x",
            ),
            STAFF,
            case_id=case_id,
        )

    assert await events(world, case_id) == before
    assert await world.store.summary(case_id) == summary
    assert world.notifier.sent == sent
    assert world.drafts.drafts == {}


async def test_the_sweeper_closes_a_window_that_passed_and_prompts_the_chair() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned_case(world)
    cw = world.casework
    await uc.dispatch(
        cw,
        RecordLetterSent(command_id="cmd-sent", letter_id="cmd-ban:letter-4", sent_on=MONDAY),
        HEAD,
        case_id=case_id,
    )
    # 10 school days after Monday 12 January 2026 end on Monday 26 January; the sweeper
    # wakes the day after.
    wake = [d for d in await world.store.due_by(date(2026, 2, 1)) if d.role is None]
    assert [(d.action, d.due) for d in wake] == [("close-representation-window", date(2026, 1, 27))]
    assert (await sweep(cw, date(2026, 1, 26))).applied == ()

    world.clock.to_day(date(2026, 1, 27), 6)
    swept = await sweep(cw, date(2026, 1, 27))

    assert swept.applied == ("system:close-window:cmd-ban:letter-4",)
    _, view = await cw.load(case_id)
    assert view is not None
    assert view.state is CaseState.BAN_WITH_CHAIR
    chair_prompts = [
        n
        for n in world.notifier.sent.values()
        if n.key.endswith(NotificationKind.CHAIR_DECISION_NEEDED.value)
    ]
    assert [n.recipients for n in chair_prompts] == [(CHAIR.object_id,)]
