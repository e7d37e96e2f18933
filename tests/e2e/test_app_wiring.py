"""The app opens the application layer's adapters inside its own lifetime, on its one HTTP
session, and closes them when it stops: adapters that speak HTTP (Graph) share the app's
session instead of opening their own, and nothing is opened before the app starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import aiohttp

from casework.bootstrap import STORE_FILE, embedded, prepare
from casework.pipeline import Casework
from tests.builders import at
from tests.casework_world import EXAMPLE_CONFIG
from tests.e2e.conftest import StartBot, services_for_tests
from tests.fakes import FixedClock


async def test_the_adapters_open_on_the_apps_session_and_close_with_the_app(
    start_bot: StartBot, tmp_path: Path
) -> None:
    prepared = prepare(EXAMPLE_CONFIG)
    clock = FixedClock(at(date(2026, 1, 12), 9))
    seen: dict[str, object] = {}

    @asynccontextmanager
    async def open_casework(session: aiohttp.ClientSession) -> AsyncIterator[Casework]:
        seen["session"] = session
        async with embedded(prepared, tmp_path, clock, session) as casework:
            seen["casework"] = casework
            yield casework
        seen["closed"] = True

    services = services_for_tests(open_casework=open_casework)
    assert not (tmp_path / STORE_FILE).exists()  # nothing is opened before the app starts
    async with start_bot(services=services) as bot:
        assert (tmp_path / STORE_FILE).exists()
        async with aiohttp.ClientSession() as client, client.get(f"{bot.url}/readyz") as response:
            assert response.status == 200
        assert "closed" not in seen
        app_session = seen["session"]
        assert isinstance(app_session, aiohttp.ClientSession)
        assert not app_session.closed
    assert seen["closed"] is True
    assert app_session.closed  # the app's one session, closed with the app


async def test_readiness_names_a_closed_store(start_bot: StartBot, tmp_path: Path) -> None:
    prepared = prepare(EXAMPLE_CONFIG)
    clock = FixedClock(at(date(2026, 1, 12), 9))
    async with embedded(prepared, tmp_path, clock) as casework:
        services = services_for_tests(casework=casework)
        async with start_bot(services=services) as bot, aiohttp.ClientSession() as client:
            casework.close()  # the store is gone
            async with client.get(f"{bot.url}/readyz") as response:
                assert response.status == 503
                body = await response.json()
    assert body["reasons"] == ["the case store does not answer (StoreUnavailable)"]
