"""A reply the Bot Connector did not accept is posted again later, and not for ever."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.adapter import TeamsTurns
from bot.auth import VerifiedCaller
from bot.connector import ConnectorClients, ReplyRetries, RetryPolicy
from bot.routing import AnyMessage, Inbound, OutgoingMessage, Reply, Route, Router
from tests.harness import LoopbackConnector, TeamsClient
from tests.harness.identities import STAFF, StaticOutboundTokens

CALLER = VerifiedCaller(claims={}, authenticated=True, tenant_id=STAFF.tenant_id)


async def ok(inbound: Inbound) -> Reply:
    return Reply(messages=(OutgoingMessage(text="ok"),))


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as client_session:
        yield client_session


async def test_a_reply_that_could_not_be_posted_is_posted_on_a_retry(
    session: aiohttp.ClientSession, connector: LoopbackConnector
) -> None:
    tokens = StaticOutboundTokens()
    connectors = ConnectorClients(session, tokens)
    retries = ReplyRetries(connectors, RetryPolicy(delays_s=(0.05, 0.05)))
    turns = TeamsTurns(Router((Route(AnyMessage(), ok),)), connectors, retries)
    client = TeamsClient(session, "", connector, None)
    running = asyncio.create_task(retries.run())
    try:
        tokens.failing = True
        result = await turns.run(client.activity(STAFF, "message", text="hi"), CALLER)
        assert result.status == 200
        assert connector.recorded == []
        tokens.failing = False
        for _ in range(100):
            await asyncio.sleep(0.01)
            if connector.recorded:
                break
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    (posted,) = connector.recorded
    assert posted.body["text"] == "ok"
    assert (retries.delivered, retries.waiting, retries.abandoned) == (1, 0, 0)


async def test_a_reply_is_given_up_after_its_retries(
    session: aiohttp.ClientSession, connector: LoopbackConnector
) -> None:
    tokens = StaticOutboundTokens()
    tokens.failing = True
    connectors = ConnectorClients(session, tokens)
    retries = ReplyRetries(connectors, RetryPolicy(delays_s=(0.01, 0.01)))
    turns = TeamsTurns(Router((Route(AnyMessage(), ok),)), connectors, retries)
    client = TeamsClient(session, "", connector, None)
    running = asyncio.create_task(retries.run())
    try:
        await turns.run(client.activity(STAFF, "message", text="hi"), CALLER)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if retries.abandoned:
                break
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running

    assert (retries.delivered, retries.waiting, retries.abandoned) == (0, 0, 1)
    assert tokens.requests == 3  # the turn's attempt and two retries
    assert connector.recorded == []
