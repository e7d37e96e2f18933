"""A reply the Bot Connector did not accept is kept durably, posted again by the deliverer
(after a restart too), and not for ever."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.adapter import TeamsTurns
from bot.auth import VerifiedCaller
from bot.connector import ConnectorClients
from bot.deliver import Deliverer, DeliveryPolicy
from bot.routing import AnyMessage, Inbound, OutgoingMessage, Reply, Route, Router
from local.replies import SqliteUnpostedReplies
from local.sqlite_store import Database
from tests.fakes import FixedClock
from tests.harness import LoopbackConnector, TeamsClient
from tests.harness.identities import STAFF, StaticOutboundTokens

CALLER = VerifiedCaller(claims={}, authenticated=True, tenant_id=STAFF.tenant_id)
POLICY = DeliveryPolicy(reply_delays_s=(5.0, 30.0, 120.0))


async def ok(inbound: Inbound) -> Reply:
    return Reply(messages=(OutgoingMessage(text="ok"),))


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as client_session:
        yield client_session


def _deliverer(
    session: aiohttp.ClientSession, tokens: StaticOutboundTokens, db: Database, clock: FixedClock
) -> Deliverer:
    return Deliverer(
        ConnectorClients(session, tokens), clock, SqliteUnpostedReplies(db), policy=POLICY
    )


async def test_a_reply_that_could_not_be_posted_is_posted_from_the_store_after_a_restart(
    session: aiohttp.ClientSession, connector: LoopbackConnector, tmp_path: Path
) -> None:
    clock = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))
    tokens = StaticOutboundTokens()
    tokens.failing = True
    db = Database.open(tmp_path / "cases.sqlite3")
    first = _deliverer(session, tokens, db, clock)
    turns = TeamsTurns(Router((Route(AnyMessage(), ok),)), first.connectors, first)
    client = TeamsClient(session, "", connector, None)
    result = await turns.run(client.activity(STAFF, "message", text="hi"), CALLER)
    assert result.status == 200
    assert connector.recorded == []
    db.close()  # the process stops; nothing in memory survives

    tokens.failing = False
    reopened = Database.open(tmp_path / "cases.sqlite3")
    try:
        after_restart = _deliverer(session, tokens, reopened, clock)
        await after_restart.deliver_due()
        assert connector.recorded == []  # not due before its first delay
        clock.advance(timedelta(seconds=5))
        await after_restart.deliver_due()
        (posted,) = connector.recorded
        assert posted.body["text"] == "ok"
        assert await SqliteUnpostedReplies(reopened).count() == 0
        await after_restart.deliver_due()
        assert len(connector.recorded) == 1  # posted once
    finally:
        reopened.close()


async def test_a_reply_is_given_up_after_its_retries(
    session: aiohttp.ClientSession, connector: LoopbackConnector, tmp_path: Path
) -> None:
    clock = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))
    tokens = StaticOutboundTokens()
    tokens.failing = True
    db = Database.open(tmp_path / "cases.sqlite3")
    try:
        deliverer = _deliverer(session, tokens, db, clock)
        turns = TeamsTurns(Router((Route(AnyMessage(), ok),)), deliverer.connectors, deliverer)
        client = TeamsClient(session, "", connector, None)
        await turns.run(client.activity(STAFF, "message", text="hi"), CALLER)
        for delay in (5, 30, 120, 3600):
            clock.advance(timedelta(seconds=delay))
            await deliverer.deliver_due()
        assert (deliverer.replies_posted, deliverer.replies_abandoned) == (0, 1)
        assert tokens.requests == 4  # the turn's attempt and three retries
        assert await SqliteUnpostedReplies(db).count() == 0
        assert connector.recorded == []
    finally:
        db.close()
