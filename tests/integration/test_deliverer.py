"""The deliverer posts the outbox to Teams: once per recipient across instances, "sent" only
after a 2xx, Teams' limits respected, a refusal for good not retried."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.connector import ConnectorClients
from bot.deliver import Deliverer, DeliveryPolicy
from casework.ports import ConversationReference, Notification
from local.conversations import SqliteConversations
from local.outbox import SqliteOutbox
from local.replies import SqliteUnpostedReplies
from local.sqlite_store import Database
from tests.cardschema import assert_valid_card
from tests.fakes import FixedClock
from tests.harness import LoopbackConnector
from tests.harness.identities import StaticOutboundTokens

HEAD = "a1000000-0000-4000-8000-000000000001"
AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


@dataclass
class World:
    db: Database
    outbox: SqliteOutbox
    conversations: SqliteConversations
    clock: FixedClock
    recorded: list[tuple[str, Any]]
    session: aiohttp.ClientSession

    def deliverer(self, **policy: Any) -> Deliverer:
        async def record(case_id: str, command: Any) -> None:
            self.recorded.append((case_id, command))

        return Deliverer(
            ConnectorClients(self.session, StaticOutboundTokens()),
            self.clock,
            SqliteUnpostedReplies(self.db),
            queue=self.outbox,
            conversations=self.conversations,
            record=record,
            policy=DeliveryPolicy(**policy),
        )


@pytest.fixture
async def world(tmp_path: Path, connector: LoopbackConnector) -> AsyncIterator[World]:
    clock = FixedClock(AT)
    db = Database.open(tmp_path / "cases.sqlite3")
    conversations = SqliteConversations(db)
    await conversations.remember(
        ConversationReference(
            address=f"user:{HEAD}",
            service_url=connector.service_url,
            conversation_id=f"a:personal-chat-{HEAD}",
            tenant_id="tenant",
            bot_id="28:bot",
            updated_at=AT,
        )
    )
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield World(db, SqliteOutbox(db, clock), conversations, clock, [], session)
    db.close()


def prompt(n: int = 1, *, to: str = HEAD) -> Notification:
    return Notification(
        key=f"case-{n}:cmd-report:incident-reported",
        case_id=f"case-{n}",
        school_id="oakfield",
        recipients=(to,),
        title=f"Incident reported on case OAK-2026-{n:04d}",
        text="The risk assessment is needed.",
        kind="incident-reported",
        reference=f"OAK-2026-{n:04d}",
    )


async def states(world: World, n: int = 1) -> list[str]:
    return [state for _, state, _, _ in await world.outbox.deliveries(prompt(n).key)]


async def test_a_prompt_is_marked_sent_only_after_the_connector_answered_2xx(
    world: World, connector: LoopbackConnector
) -> None:
    await world.outbox.notify(prompt())
    connector.answer_next((503, None))
    deliverer = world.deliverer()
    await deliverer.deliver_due()
    assert await states(world) == ["waiting"]
    assert world.recorded == []
    world.clock.advance(timedelta(seconds=30))
    await deliverer.deliver_due()
    assert await states(world) == ["sent"]
    (posted,) = connector.recorded
    (card,) = posted.cards
    assert_valid_card(card)
    (button,) = card["actions"]
    assert (button["type"], button["verb"], button["data"]) == (
        "Action.Execute",
        "case.open",
        {"reference": "OAK-2026-0001"},
    )
    ((case_id, command),) = world.recorded
    assert (case_id, type(command).__name__, command.recipient) == (
        "case-1",
        "RecordNotificationDelivered",
        f"user:{HEAD}",
    )


async def test_two_deliverers_on_one_file_deliver_each_prompt_exactly_once(
    world: World, connector: LoopbackConnector
) -> None:
    for n in range(1, 21):
        await world.outbox.notify(prompt(n))
    second_db = Database.open(world.db.path)
    try:
        other = World(
            second_db,
            SqliteOutbox(second_db, world.clock),
            SqliteConversations(second_db),
            world.clock,
            world.recorded,
            world.session,
        )
        one, two = world.deliverer(batch=5), other.deliverer(batch=5)
        for _ in range(5):
            await asyncio.gather(one.deliver_due(), two.deliver_due())
    finally:
        second_db.close()
    texts = [r.body["text"] for r in connector.recorded]
    assert sorted(texts) == sorted(prompt(n).title for n in range(1, 21))
    assert one.sent > 0
    assert two.sent > 0
    # Both may record an outcome; its fixed command id makes it one event on the case.
    assert len({(case_id, command.command_id) for case_id, command in world.recorded}) == 20


async def test_a_429_waits_its_retry_after(world: World, connector: LoopbackConnector) -> None:
    await world.outbox.notify(prompt())
    connector.answer_next((429, "7"))
    deliverer = world.deliverer()
    await deliverer.deliver_due()
    world.clock.advance(timedelta(seconds=6))
    await deliverer.deliver_due()
    assert connector.recorded == []
    world.clock.advance(timedelta(seconds=1))
    await deliverer.deliver_due()
    assert len(connector.recorded) == 1
    assert await states(world) == ["sent"]


async def test_server_errors_back_off_30_s_2_min_10_min_then_hourly(
    world: World, connector: LoopbackConnector
) -> None:
    await world.outbox.notify(prompt())
    connector.answer_next(*[(502, None)] * 5)
    deliverer = world.deliverer()
    await deliverer.deliver_due()
    for wait_s in (30, 120, 600, 3600):
        world.clock.advance(timedelta(seconds=wait_s - 1))
        await deliverer.deliver_due()
        tried = len(connector.refused)
        world.clock.advance(timedelta(seconds=1))
        await deliverer.deliver_due()
        assert len(connector.refused) == tried + 1, wait_s
    world.clock.advance(timedelta(seconds=3600))
    await deliverer.deliver_due()
    assert await states(world) == ["sent"]


@pytest.mark.parametrize("status", [403, 404])
async def test_a_prompt_teams_refuses_for_good_is_undeliverable_and_not_retried(
    world: World, connector: LoopbackConnector, status: int
) -> None:
    await world.outbox.notify(prompt())
    connector.answer_next((status, None))
    deliverer = world.deliverer()
    await deliverer.deliver_due()
    assert await states(world) == ["undeliverable"]
    world.clock.advance(timedelta(days=2))
    await deliverer.deliver_due()
    assert len(connector.refused) == 1
    assert connector.recorded == []
    ((_, command),) = world.recorded
    assert type(command).__name__ == "RecordNotificationUndeliverable"
    assert str(status) in command.reason
    queued = await world.outbox.get(prompt().key)
    assert queued is not None
    assert queued.delivered_at is not None


async def test_a_recipient_without_a_conversation_waits_and_is_not_posted(
    world: World, connector: LoopbackConnector
) -> None:
    await world.outbox.notify(prompt(to="b2000000-0000-4000-8000-000000000009"))
    await world.deliverer().deliver_due()
    assert connector.recorded == []
    ((_, state, attempts, error),) = await world.outbox.deliveries(prompt().key)
    assert (state, attempts, error) == ("waiting", 1, "cannot be reached in Teams yet")


async def test_at_most_seven_messages_a_second_into_one_conversation(
    world: World, connector: LoopbackConnector
) -> None:
    for n in range(1, 16):
        await world.outbox.notify(prompt(n))
    await world.deliverer().deliver_due()
    times = sorted(t for _, t in connector.arrivals)
    assert len(times) == 15
    for i in range(len(times) - 7):
        assert times[i + 7] - times[i] >= 1.0, "eight messages within one second"
