"""The Action.Execute framework for step decisions (bot/flows/actions.py), through the
router as the app runs it (`answer`), on the fakes: a pressed step acts once, a card the
case has moved on from answers with the current Case card, authorisation is the server's
whatever the card shows, and each card's refresh names the people whose actions it has."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import count
from typing import Any

import pytest

from bot.flows import default_router
from bot.flows.actions import NO_SUCH_CASE, OUT_OF_DATE, case_version
from bot.flows.failures import answer
from bot.routing import INVOKE_CARD, INVOKE_ERROR, Inbound, Reply, Router
from bot.services import BotServices
from cards.actions import OPEN_CASE, teams_user_id
from cards.common import Choice
from casework.pipeline import Actor
from casework.ports import Person, StoredEvent
from local.config_directory import ConfigDirectory
from rules.roles import Role
from rules.state import CaseState
from tests.builders import at
from tests.cardschema import assert_valid_card, walk
from tests.case_paths import banned, reported, with_chair
from tests.casework_world import (
    CHAIR,
    CLERK,
    HEAD,
    SENIOR,
    STAFF,
    FakeWorld,
    example_config,
    fake_world,
)

RIVERSIDE_CHAIR = Actor("a1000000-0000-4000-8000-000000000014")  # Catrin Evans
TENANT = example_config().tenant_id


@dataclass
class Bot:
    world: FakeWorld
    router: Router
    ids: count[int]

    async def send(self, actor: Actor, **fields: Any) -> Reply:
        activity: dict[str, Any] = {
            "id": f"act-{next(self.ids)}",
            "from": {"id": f"29:{actor.object_id}", "aadObjectId": actor.object_id},
            "recipient": {"id": "28:bot"},
            "conversation": {"id": f"chat-{actor.object_id}", "conversationType": "personal"},
            "channelData": {"tenant": {"id": TENANT}},
            **fields,
        }
        return await answer(self.router, Inbound.from_activity(activity))

    async def say(self, actor: Actor, text: str) -> Mapping[str, Any]:
        reply = await self.send(actor, type="message", text=text)
        card = reply.messages[-1].card
        assert card is not None
        assert_valid_card(card)
        return card

    async def press(
        self, actor: Actor, card: Mapping[str, Any], title: str, **inputs: str
    ) -> Reply:
        (action,) = [a for a in walk(card) if a.get("title") == title]
        return await self.send(
            actor,
            type="invoke",
            name="adaptiveCard/action",
            value={
                "action": {
                    "type": "Action.Execute",
                    "verb": action["verb"],
                    "data": {**action["data"], **inputs},
                }
            },
        )


def invoke_card(reply: Reply) -> Mapping[str, Any]:
    assert reply.invoke is not None
    assert reply.invoke.type == INVOKE_CARD, reply.invoke
    card: Mapping[str, Any] = reply.invoke.value
    assert_valid_card(card)
    return card


def text_of(card: Mapping[str, Any]) -> str:
    return "\n".join(str(e.get("text")) for e in walk(card) if e.get("type") == "TextBlock")


def titles(card: Mapping[str, Any]) -> list[str]:
    return [str(a.get("title")) for a in card.get("actions", [])]


def bot_for(world: FakeWorld) -> Bot:
    services = BotServices(
        tenant_id=TENANT,
        schools=tuple(Choice(s.id, s.name) for s in example_config().schools),
        casework=world.casework,
    )
    return Bot(world, default_router(services), count(1))


@pytest.fixture
async def chair_stage() -> tuple[Bot, str]:
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 21), 10))
    return bot_for(world), case_id


async def chair_form(bot: Bot) -> Mapping[str, Any]:
    case_card = await bot.say(CHAIR, "case OAK-2026-0001")
    return invoke_card(await bot.press(CHAIR, case_card, "Confirm or overturn"))


async def kinds(bot: Bot, case_id: str) -> list[str]:
    return [e.kind for e in await bot.world.store.load(case_id)]


async def test_a_double_pressed_decision_is_recorded_once(chair_stage: tuple[Bot, str]) -> None:
    bot, case_id = chair_stage
    form = await chair_form(bot)

    first = invoke_card(
        await bot.press(CHAIR, form, "Record my decision", outcome="confirm", reason="Serious")
    )
    second = invoke_card(
        await bot.press(CHAIR, form, "Record my decision", outcome="confirm", reason="Serious")
    )

    assert "Decision recorded" in text_of(first)
    assert "already recorded" not in text_of(first)
    assert "already recorded" in text_of(second)
    assert (await kinds(bot, case_id)).count("chair-decided") == 1
    # The outcome replaces the form: it has no decision button left to press.
    assert titles(first) == ["Open the case"]
    assert first["actions"][0]["verb"] == OPEN_CASE


async def test_a_card_the_case_has_moved_on_from_answers_with_the_current_case_card(
    chair_stage: tuple[Bot, str],
) -> None:
    bot, case_id = chair_stage
    old = await chair_form(bot)
    new = await chair_form(bot)
    invoke_card(await bot.press(CHAIR, new, "Record my decision", outcome="confirm", reason="x"))

    stale = invoke_card(
        await bot.press(CHAIR, old, "Record my decision", outcome="overturn", reason="y")
    )

    assert OUT_OF_DATE in text_of(stale)
    assert "Case OAK-2026-0001" in text_of(stale)
    assert CaseState.BAN_CONFIRMED.label in text_of(stale)
    assert (await kinds(bot, case_id)).count("chair-decided") == 1


async def test_the_bots_own_bookkeeping_does_not_make_a_card_out_of_date(
    chair_stage: tuple[Bot, str],
) -> None:
    bot, case_id = chair_stage
    history = tuple(await bot.world.store.load(case_id))
    last = history[-1]

    def then(kind: str) -> tuple[StoredEvent, ...]:
        return (*history, replace(last, seq=last.seq + 1, kind=kind))

    version = case_version(history)
    # The history already ends with a message delivered after the last step.
    assert last.kind == "notification-queued"
    assert version < last.seq
    for bookkeeping in (
        "notification-required",
        "notification-sent",
        "notification-queued",
        "notification-delivered",
        "notification-undeliverable",
        "letter-drafted",
        "letter-draft-failed",
    ):
        assert case_version(then(bookkeeping)) == version
    assert case_version(then("letter-sent")) == last.seq + 1


async def test_the_server_checks_every_field_whatever_the_card_said(
    chair_stage: tuple[Bot, str],
) -> None:
    bot, case_id = chair_stage
    form = await chair_form(bot)

    again = invoke_card(
        await bot.press(CHAIR, form, "Record my decision", outcome="abolish", reason="z" * 2001)
    )

    text = text_of(again)
    assert "Your decision has not been recorded yet" in text
    assert "Choose whether you confirm or overturn it." in text
    assert "at most 2,000 characters" in text
    # Next to its field as well as at the top.
    body = again["body"]
    reason_at = next(i for i, e in enumerate(body) if e.get("id") == "reason")
    assert "at most 2,000" in body[reason_at + 1]["text"]
    assert "chair-decided" not in await kinds(bot, case_id)


async def test_staff_cannot_decide(chair_stage: tuple[Bot, str]) -> None:
    bot, case_id = chair_stage
    form = await chair_form(bot)

    reply = await bot.press(STAFF, form, "Record my decision", outcome="overturn", reason="x")

    assert reply.invoke is not None
    assert reply.invoke.type == INVOKE_ERROR
    assert reply.invoke.value["message"] == NO_SUCH_CASE
    assert "chair-decided" not in await kinds(bot, case_id)


async def test_the_head_sees_no_decision_button_and_cannot_decide(
    chair_stage: tuple[Bot, str],
) -> None:
    bot, case_id = chair_stage
    head_card = await bot.say(HEAD, "case OAK-2026-0001")
    assert "Confirm or overturn" not in titles(head_card)

    form = await chair_form(bot)
    reply = await bot.press(HEAD, form, "Record my decision", outcome="overturn", reason="x")

    assert reply.invoke is not None
    assert reply.invoke.type == INVOKE_ERROR
    assert "Only the Chair of the Local Academy Committee" in reply.invoke.value["message"]
    assert "chair-decided" not in await kinds(bot, case_id)


class HeadAlsoChair(ConfigDirectory):
    """The example trust, where the head also holds the Chair's role at Oakfield."""

    def roles_of(self, object_id: str, school_id: str) -> frozenset[Role]:
        roles = super().roles_of(object_id, school_id)
        if object_id == HEAD.object_id and school_id == "oakfield":
            return roles | {Role.CHAIR}
        return roles

    def holders(self, school_id: str, role: Role) -> Sequence[Person]:
        found = list(super().holders(school_id, role))
        if school_id == "oakfield" and role is Role.CHAIR:
            found += list(super().holders(school_id, Role.HEAD))
        return found


async def test_the_head_cannot_confirm_their_own_decision() -> None:
    world = fake_world(at(date(2026, 1, 12), 9))
    world.casework.ports = type(world.casework.ports)(
        world.store,
        world.drafts,
        world.notifier,
        HeadAlsoChair(example_config()),
        world.clock,
    )
    case_id = await with_chair(world.casework, world.clock)
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    form = invoke_card(await bot.press(HEAD, case_card, "Confirm or overturn"))

    reply = await bot.press(HEAD, form, "Record my decision", outcome="confirm", reason="x")

    assert reply.invoke is not None
    assert reply.invoke.type == INVOKE_ERROR
    assert "nobody reviews their own decision" in reply.invoke.value["message"]
    assert "chair-decided" not in await kinds(bot, case_id)


async def test_a_chair_of_another_school_cannot_see_or_act_on_the_case(
    chair_stage: tuple[Bot, str],
) -> None:
    bot, case_id = chair_stage
    theirs = await bot.say(RIVERSIDE_CHAIR, "case OAK-2026-0001")
    nobodys = await bot.say(RIVERSIDE_CHAIR, "case OAK-2026-0999")
    assert NO_SUCH_CASE in text_of(theirs)
    # The same words, but for the activity id to quote.
    assert text_of(theirs).splitlines()[:-1] == text_of(nobodys).splitlines()[:-1]
    assert "Jordan Example" not in text_of(theirs)

    form = await chair_form(bot)
    reply = await bot.press(
        RIVERSIDE_CHAIR, form, "Record my decision", outcome="overturn", reason="x"
    )
    opened = await bot.send(
        RIVERSIDE_CHAIR,
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"verb": OPEN_CASE, "data": {"reference": "OAK-2026-0001"}}},
    )

    for refused in (reply, opened):
        assert refused.invoke is not None
        assert refused.invoke.type == INVOKE_ERROR
        assert refused.invoke.value["message"] == NO_SUCH_CASE
    assert "chair-decided" not in await kinds(bot, case_id)


async def test_the_case_card_refreshes_for_the_people_whose_actions_it_has(
    chair_stage: tuple[Bot, str],
) -> None:
    bot, _ = chair_stage
    head_card = await bot.say(HEAD, "case OAK-2026-0001")

    # The Chair decides; the head still has the notice to the Chair of Trustees to send,
    # either may record a late reply, and the head and senior staff may record a breach.
    # Nobody who may not see the case whole (the clerk, staff, another school) is asked to
    # refresh it.
    assert sorted(head_card["refresh"]["userIds"]) == sorted(
        teams_user_id(actor.object_id) for actor in (CHAIR, HEAD, SENIOR)
    )
    assert head_card["refresh"]["action"]["verb"] == "case.refresh"
    assert "Confirm or overturn" not in titles(head_card)
    assert {"Mark a letter as sent", "Record their written comments"} <= set(titles(head_card))
    refreshed = invoke_card(await bot.press(CHAIR, head_card, "Refresh"))
    assert titles(refreshed)[0] == "Confirm or overturn"


async def test_a_card_whose_ids_no_card_of_ours_could_carry_changes_nothing(
    chair_stage: tuple[Bot, str],
) -> None:
    bot, case_id = chair_stage
    form = await chair_form(bot)
    (submit,) = form["actions"]

    for forged in ("has a space", "x" * 65, ""):
        data = {**submit["data"], "commandId": forged, "outcome": "confirm", "reason": "x"}
        reply = await bot.send(
            CHAIR,
            type="invoke",
            name="adaptiveCard/action",
            value={"action": {"verb": submit["verb"], "data": data}},
        )
        assert reply.invoke is not None
        assert reply.invoke.type == INVOKE_ERROR
        assert "This card is incomplete" in reply.invoke.value["message"]
    forged_case = {**submit["data"], "caseId": "../" + case_id, "outcome": "confirm"}
    reply = await bot.send(
        CHAIR,
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"verb": submit["verb"], "data": {**forged_case, "reason": "x"}}},
    )
    assert reply.invoke is not None
    assert reply.invoke.value["message"] == NO_SUCH_CASE
    assert "chair-decided" not in await kinds(bot, case_id)


async def test_a_forged_response_gets_the_card_back_and_records_nothing() -> None:
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    choose = invoke_card(await bot.press(HEAD, case_card, "Choose a response"))
    before = await kinds(bot, case_id)

    for forged in ({"kind": "ban"}, ["ban"], "expel", None):
        (submit, *_) = [a for a in walk(choose) if a.get("verb") == "response.choose"]
        reply = await bot.send(
            HEAD,
            type="invoke",
            name="adaptiveCard/action",
            value={
                "action": {"verb": submit["verb"], "data": {**submit["data"], "response": forged}}
            },
        )
        again = invoke_card(reply)
        assert "Choose one of the responses on the card." in text_of(again)
    assert await kinds(bot, case_id) == before


async def test_no_further_action_then_closing_the_case_from_its_card() -> None:
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    choose = invoke_card(await bot.press(HEAD, case_card, "Choose a response"))
    invoke_card(await bot.press(HEAD, choose, "Record: no further action", nfaReason="A one-off"))

    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    assert {"Close the case", "Refer to complaints"} <= set(titles(case_card))
    close = invoke_card(await bot.press(HEAD, case_card, "Close the case"))
    refused = invoke_card(await bot.press(HEAD, close, "Close the case", reason="  "))
    assert "Give the reason for closing the case." in text_of(refused)
    closed = invoke_card(await bot.press(HEAD, refused, "Close the case", reason="Resolved"))

    assert "Case closed" in text_of(closed)
    assert (await kinds(bot, case_id))[-3:].count("case-closed") == 1
    after = await bot.say(HEAD, "case OAK-2026-0001")
    assert "Status: **Closed**" in text_of(after)
    # A statement may still arrive after closing (and be asked for), and a later incident
    # reopens the person's case: nothing else is offered.
    assert titles(after) == ["Report a further incident", "Add a statement"]


async def test_a_breach_and_a_removal_are_recorded_from_the_case_card() -> None:
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await banned(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 14), 10))
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    assert {"Record a breach", "Record a removal"} <= set(titles(case_card))

    breach = invoke_card(await bot.press(HEAD, case_card, "Record a breach"))
    future = invoke_card(
        await bot.press(
            HEAD,
            breach,
            "Record the breach",
            breachDate="2026-01-14",
            breachTime="11:00",
            breachSummary="Came to the gate",
        )
    )
    assert "The date and time cannot be in the future." in text_of(future)
    recorded = invoke_card(
        await bot.press(
            HEAD,
            future,
            "Record the breach",
            breachDate="2026-01-14",
            breachTime="08:40",
            breachSummary="Came to the gate",
        )
    )
    assert "Breach recorded" in text_of(recorded)

    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    removal = invoke_card(await bot.press(HEAD, case_card, "Record a removal"))
    removed = invoke_card(
        await bot.press(
            HEAD,
            removal,
            "Record the removal",
            removalDate="2026-01-14",
            removalTime="08:50",
            removedBy="police-officer",
            removerName="PC Example",
        )
    )
    assert "Removal recorded" in text_of(removed)
    history = await kinds(bot, case_id)
    assert history.count("breach-recorded") == 1
    assert history.count("removed-from-premises") == 1


async def test_the_clerk_takes_the_review_from_date_to_decision_on_the_case_card() -> None:
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 27), 16))
    bot = bot_for(world)
    chair_card = await bot.say(CHAIR, "case OAK-2026-0001")
    decide = invoke_card(await bot.press(CHAIR, chair_card, "Confirm or overturn"))
    invoke_card(await bot.press(CHAIR, decide, "Record my decision", outcome="confirm", reason="x"))

    world.clock.set(at(date(2026, 7, 1), 9))
    clerk_card = await bot.say(CLERK, "case OAK-2026-0001")
    set_date = invoke_card(await bot.press(CLERK, clerk_card, "Set the review date"))
    too_soon = invoke_card(await bot.press(CLERK, set_date, "Set the date", meetingOn="2026-07-02"))
    assert "has not been recorded yet" in text_of(too_soon)  # no time for a statement
    invoke_card(await bot.press(CLERK, too_soon, "Set the date", meetingOn="2026-07-20"))

    clerk_card = await bot.say(CLERK, "case OAK-2026-0001")
    sent_form = invoke_card(await bot.press(CLERK, clerk_card, "Mark a letter as sent"))
    letter = next(e for e in walk(sent_form) if e.get("id") == "letter")
    choice = next(c["value"] for c in letter["choices"] if "letter-6" in c["value"])
    invoke_card(
        await bot.press(CLERK, sent_form, "Record it as sent", letter=choice, sentOn="2026-07-01")
    )

    world.clock.set(at(date(2026, 7, 8), 10))
    clerk_card = await bot.say(CLERK, "case OAK-2026-0001")
    statement = invoke_card(await bot.press(CLERK, clerk_card, "Record their statement"))
    invoke_card(
        await bot.press(
            CLERK,
            statement,
            "Record it",
            statementDated="2026-07-07",
            statementReceived="2026-07-08",
            statementSummary="Asks to collect the child again",
        )
    )

    world.clock.set(at(date(2026, 7, 20), 18))
    clerk_card = await bot.say(CLERK, "case OAK-2026-0001")
    outcome = invoke_card(await bot.press(CLERK, clerk_card, "Record the committee's decision"))
    done = invoke_card(
        await bot.press(
            CLERK,
            outcome,
            "Record the decision",
            reviewOutcome="replace-ban-with-conditions",
            reviewReason="No further incident",
            reviewStandard="accompanied-to-meetings",
        )
    )

    assert "Committee's decision recorded" in text_of(done)
    assert "review-outcome-recorded" in await kinds(bot, case_id)
    listed = await bot.say(STAFF, "who is banned")
    assert "Under conditions" in text_of(listed)
    assert "Accompanied to any meeting" in text_of(listed)


async def test_a_ban_the_rules_refuse_gets_the_card_back_with_the_reason_and_what_was_typed() -> (
    None
):
    # No earlier step took effect and no extreme act of violence is described: the policy
    # allows no ban yet. The head sees why on the same card, with what she typed kept.
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    choose = invoke_card(await bot.press(HEAD, case_card, "Choose a response"))
    before = await kinds(bot, case_id)

    again = invoke_card(
        await bot.press(
            HEAD,
            choose,
            "Record: ban",
            banReason="Shouted at staff at the gate.",
            banMeetings="By telephone.",
            banDropOff="A relative brings the children.",
            banPolice="The matter has been reported to the local police.",
        )
    )

    words = text_of(again)
    assert "The response has not been recorded yet:" in words
    assert "No earlier step has taken effect before a later incident" in words
    assert "Shouted at staff at the gate." in str(again)
    assert await kinds(bot, case_id) == before


async def test_a_removal_with_no_breach_recorded_gets_the_card_back_saying_to_record_it_first() -> (
    None
):
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await banned(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 14), 10))
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    removal = invoke_card(await bot.press(HEAD, case_card, "Record a removal"))
    before = await kinds(bot, case_id)

    again = invoke_card(
        await bot.press(
            HEAD,
            removal,
            "Record the removal",
            removalDate="2026-01-14",
            removalTime="08:50",
            removedBy="police-officer",
            removerName="PC Example",
        )
    )

    assert "Record the breach of the ban (or report the incident) first" in text_of(again)
    assert "PC Example" in str(again)  # what was typed is kept
    assert await kinds(bot, case_id) == before
