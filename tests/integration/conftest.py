"""Fixtures for the integration tests: a plain aiohttp session, and for the Graph tests the
stand-in and a Graph client on one aiohttp session whose sleeps are recorded instead of
slept."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from graph.client import GraphClient, RetryPolicy, decorated_user_agent
from tests.harness.graph import GraphStandIn

USER_AGENT = decorated_user_agent("ExampleTrust", "SafePremises", "0.1.0")


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """One plain aiohttp session (a test module with its own timeouts defines its own)."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


class StaticGraphToken:
    """A token provider handing out the stand-in's token, counting requests."""

    def __init__(self, token: str) -> None:
        self._token = token
        self.requests = 0

    async def token(self) -> str:
        self.requests += 1
        return self._token


class RecordedSleeps:
    """`asyncio.sleep` for the client under test: records the waits, returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def graph() -> AsyncIterator[GraphStandIn]:
    async with GraphStandIn() as stand_in:
        yield stand_in
        assert not stand_in.violations, "requests Graph would refuse:\n" + "\n".join(
            stand_in.violations
        )


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def client(graph: GraphStandIn, http: aiohttp.ClientSession, sleeps: RecordedSleeps) -> GraphClient:
    return GraphClient(
        http,
        StaticGraphToken(graph.access_token),
        user_agent=USER_AGENT,
        base_url=graph.base_url,
        policy=RetryPolicy(attempt_timeout_s=2.0),
        sleep=sleeps,
        jitter=lambda: 0.5,
    )
