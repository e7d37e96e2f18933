"""The step card each proactive prompt carries (`bot.flows.prompt_steps`), built for its
recipient from the case as it stands, on the fakes: the step's own card, with the case's
version and a fresh command id on its buttons, only for someone who may take that step now;
nothing (the plain prompt card) for anyone else, for a case gone, or for the clerks'
channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from itertools import count
from typing import Any

from bot.flows.actions import case_version
from bot.flows.prompt_steps import STEP_FOR_KIND, PromptSteps
from cards.common import Card
from casework import bus
from casework.pipeline import Actor
from casework.ports import Notification
from rules.behaviours import ChairOutcome, NotificationKind
from rules.steps.chair import DecideAsChair
from tests.builders import at, person, violent_incident
from tests.cardschema import assert_valid_card, walk
from tests.case_paths import banned, with_chair
from tests.casework_world import (
    CHAIR,
    CLERK,
    HEAD,
    RIVERSIDE_HEAD,
    SENIOR,
    STAFF,
    FakeWorld,
    fake_world,
)
from tests.unit.test_step_actions import text_of

MONDAY = date(2026, 1, 12)


def steps_for(world: FakeWorld) -> PromptSteps:
    ids = count(1)
    return PromptSteps(world.casework, lambda: f"cmd-prompt-{next(ids)}")


def notice(kind: NotificationKind, case_id: str) -> Notification:
    return Notification(
        key=f"{case_id}:n1",
        case_id=case_id,
        school_id="oakfield",
        title="T",
        text="X",
        kind=kind.value,
        reference="OAK-2026-0001",
    )


async def card_for(
    world: FakeWorld, kind: NotificationKind, case_id: str, who: Actor
) -> Card | None:
    return await steps_for(world).card(notice(kind, case_id), f"user:{who.object_id}")


def buttons(card: Card) -> list[Mapping[str, Any]]:
    return [a for a in walk(card) if str(a.get("type", "")).startswith("Action.")]


async def new_report(world: FakeWorld) -> str:
    outcome = await bus.report_incident(
        world.casework,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(MONDAY, 8)),
    )
    return outcome.case_id


async def test_a_new_incident_prompt_carries_the_new_incident_card_for_the_head_and_senior() -> (
    None
):
    world = fake_world(at(MONDAY, 9))
    case_id = await new_report(world)
    folded = await world.casework.load_folded(case_id)
    assert folded is not None

    for who in (HEAD, SENIOR):
        card = await card_for(world, NotificationKind.INCIDENT_REPORTED, case_id, who)
        assert card is not None
        assert_valid_card(card)
        assert "New incident" in text_of(card)
        (start,) = [b for b in buttons(card) if b["title"] == "Start risk assessment"]
        assert start["data"]["version"] == case_version(folded.history)
        assert start["data"]["caseId"] == case_id

    # The reporter sees only the status of their report, another school's head nothing:
    # neither gets a step card (their prompt is the plain one).
    assert await card_for(world, NotificationKind.INCIDENT_REPORTED, case_id, STAFF) is None
    assert (
        await card_for(world, NotificationKind.INCIDENT_REPORTED, case_id, RIVERSIDE_HEAD) is None
    )


async def test_a_step_card_is_built_for_its_recipient_only_while_the_step_is_theirs() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 21), 10))

    decide = await card_for(world, NotificationKind.CHAIR_DECISION_NEEDED, case_id, CHAIR)
    assert decide is not None
    assert_valid_card(decide)
    (record,) = [b for b in buttons(decide) if b.get("verb") == "chair.decide"]
    assert record["data"]["commandId"] == "cmd-prompt-1"
    # The head may not decide: no decide card for her, whatever the prompt.
    assert await card_for(world, NotificationKind.CHAIR_DECISION_NEEDED, case_id, HEAD) is None

    # Once decided, a prompt still waiting is delivered without the step card.
    await bus.dispatch(
        world.casework, DecideAsChair("cmd-c", ChairOutcome.CONFIRM, "Fair"), CHAIR, case_id=case_id
    )
    assert await card_for(world, NotificationKind.CHAIR_DECISION_NEEDED, case_id, CHAIR) is None


async def test_the_review_due_prompt_carries_the_review_due_card_to_the_clerk_not_the_channel() -> (
    None
):
    world = fake_world(at(MONDAY, 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 21), 10))
    await bus.dispatch(
        world.casework, DecideAsChair("cmd-c", ChairOutcome.CONFIRM, "Fair"), CHAIR, case_id=case_id
    )
    world.clock.set(at(date(2026, 7, 1), 9))

    card = await card_for(world, NotificationKind.REVIEW_DUE_SOON, case_id, CLERK)
    assert card is not None
    assert_valid_card(card)
    assert "Review due" in text_of(card)
    assert "Set the meeting date" in [b["title"] for b in buttons(card)]
    channel = await steps_for(world).card(
        notice(NotificationKind.REVIEW_DUE_SOON, case_id), "channel:oakfield"
    )
    assert channel is None


async def test_a_letter_ready_prompt_carries_the_letter_drafted_card_to_its_signer() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned(world.casework, world.clock)

    card = await card_for(world, NotificationKind.LETTER_READY, case_id, HEAD)
    assert card is not None
    assert_valid_card(card)
    assert "Mark as sent" in [b["title"] for b in buttons(card)]
    assert await card_for(world, NotificationKind.LETTER_READY, case_id, CHAIR) is None


async def test_no_step_card_for_a_case_gone_or_a_kind_with_no_step() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned(world.casework, world.clock)

    assert await card_for(world, NotificationKind.INCIDENT_REPORTED, "no-such-case", HEAD) is None
    assert NotificationKind.BAN_IMPOSED not in STEP_FOR_KIND
    assert await card_for(world, NotificationKind.BAN_IMPOSED, case_id, HEAD) is None
    unknown = Notification(key="k", case_id=case_id, school_id="oakfield", kind="no-such-kind")
    assert await steps_for(world).card(unknown, f"user:{HEAD.object_id}") is None


async def test_a_due_soon_or_overdue_reminder_carries_the_step_it_follows_up() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 21), 10))
    steps = steps_for(world)

    def reminder(notification_id: str) -> Notification:
        kind = NotificationKind.STEP_OVERDUE
        return replace(notice(kind, case_id), key=f"{case_id}:{notification_id}")

    chair = f"user:{CHAIR.object_id}"
    card = await steps.card(reminder("follow-up:overdue:decide-as-chair::2026-02-03"), chair)
    assert card is not None
    assert "chair.decide" in [b.get("verb") for b in buttons(card)]
    # The Chair may also record the person's comments: only the step reminded of is carried.
    assert "representation.record" not in str(card)
    # A reminder of a step that is not the Chair's, or of no step we know: none.
    head_step = reminder("follow-up:overdue:choose-response::2026-02-03")
    assert await steps.card(head_step, chair) is None
    assert await steps.card(reminder("follow-up:overdue:no-such-action::x"), chair) is None
