"""The app opens the application layer's adapters inside its own lifetime, on its one HTTP
session, and closes them when it stops: adapters that speak HTTP (Graph) share the app's
session instead of opening their own, and nothing is opened before the app starts."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import aiohttp

from bot import __main__ as entry_point
from bot.settings import Settings, StoreKind
from casework.bootstrap import STORE_FILE, GraphSetup, embedded, microsoft365, prepare
from casework.pipeline import Casework
from graph.provision import provision
from tests.builders import at
from tests.casework_world import EXAMPLE_CONFIG
from tests.e2e.conftest import StartBot, services_for_tests
from tests.fakes import FixedClock
from tests.harness.graph import GraphStandIn
from tests.harness.sharepoint import USER_AGENT, StandInToken, site_url, stand_in_client

ONE_BACKEND = (
    "checks each configuration's wiring by name (embedded and microsoft365), so it picks its own"
)


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


async def test_the_sharepoint_configuration_opens_on_the_apps_session_and_is_asked_if_ready(
    start_bot: StartBot, tmp_path: Path
) -> None:
    prepared = prepare(EXAMPLE_CONFIG)
    clock = FixedClock(at(date(2026, 1, 12), 9))
    async with GraphStandIn() as graph:
        site = graph.add_site()
        async with aiohttp.ClientSession() as http:
            await provision(
                stand_in_client(graph, http),
                site_url(site),
                prepared.config.school_ids,
                say=lambda _: None,
            )
        setup = GraphSetup(
            StandInToken(graph.access_token),
            site_url(site),
            base_url=graph.base_url,
            user_agent=USER_AGENT,
        )
        services = services_for_tests(
            open_casework=functools.partial(microsoft365, prepared, tmp_path, clock, setup)
        )
        before = len(graph.requests)
        async with start_bot(services=services) as bot, aiohttp.ClientSession() as client:
            assert len(graph.requests) > before  # the site and its lists were found at start
            async with client.get(f"{bot.url}/readyz") as response:
                assert response.status == 200
            graph.fail(100_000, status=503)  # SharePoint is down
            async with client.get(f"{bot.url}/readyz") as response:
                assert response.status == 503
                assert (await response.json())["reasons"]
            graph.clear_faults()
    assert not graph.violations


def test_the_entry_point_wires_the_store_the_settings_choose() -> None:
    prepared = prepare(EXAMPLE_CONFIG)
    sharepoint = Settings(
        app_id="app-1",
        app_password="unused",
        app_tenant_id="tenant-1",
        store=StoreKind.SHAREPOINT,
        sharepoint_site="https://trust.sharepoint.com/sites/cases",
        graph_base_url="http://127.0.0.1:9/v1.0",
    )

    chosen = entry_point.open_casework(sharepoint, prepared)
    default = entry_point.open_casework(Settings(), prepared)

    assert isinstance(chosen, functools.partial)
    assert chosen.func is microsoft365
    (setup,) = [a for a in chosen.args if isinstance(a, GraphSetup)]
    assert setup.site_url == "https://trust.sharepoint.com/sites/cases"
    assert setup.base_url == "http://127.0.0.1:9/v1.0"
    assert isinstance(default, functools.partial)
    assert default.func is embedded
