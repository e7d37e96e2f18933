"""The bot under test, served over HTTP on a loopback port, with a Teams-like client.

`bot` runs in authenticated mode (app id set, the loopback identity provider's metadata,
the loopback connector as serviceUrl); `start_bot` builds variants (local development
mode, another router, shorter key timeouts). `cases_kept_in` runs a suite with the cases
in SQLite and again in SharePoint (the Graph stand-in).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import OUTBOUND_TIMEOUT_S, create_app
from bot.auth import InboundAuthPolicy
from bot.routing import Router
from bot.services import BotServices
from bot.settings import Settings
from cards.common import Choice
from casework.bootstrap import Prepared, embedded
from casework.pipeline import Casework
from casework.ports import Clock
from tests.harness import LoopbackConnector, LoopbackIdentityProvider, TeamsClient, serve
from tests.harness.graph import GraphStandIn
from tests.harness.identities import APP_ID, TRUST_TENANT, StaticOutboundTokens, ready
from tests.harness.sharepoint import casework_on_sharepoint

SCHOOLS = (Choice("oak-primary", "Oak Primary School"), Choice("ash-academy", "Ash Academy"))


@dataclass
class BotUnderTest:
    url: str
    client: TeamsClient
    connector: LoopbackConnector
    idp: LoopbackIdentityProvider
    services: BotServices
    settings: Settings
    app: web.Application


StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]
CasesKeptIn = Callable[[Prepared, Path, Clock], AbstractAsyncContextManager[Casework]]


def services_for_tests(**overrides: object) -> BotServices:
    fields: dict[str, object] = {
        "tenant_id": TRUST_TENANT,
        "readiness": ready,
        "trust_name": "Oak Valley Learning Trust",
        "schools": SCHOOLS,
        "outbound_tokens": StaticOutboundTokens(),
    }
    fields.update(overrides)
    return BotServices(**fields)  # type: ignore[arg-type]


@pytest.fixture
def stand_ins() -> list[GraphStandIn]:
    """The Graph stand-ins `cases_kept_in` started for this test (none on SQLite)."""
    return []


@pytest.fixture(params=["sqlite", "sharepoint"])
def cases_kept_in(request: pytest.FixtureRequest, stand_ins: list[GraphStandIn]) -> CasesKeptIn:
    """Where the suites that take this fixture keep the cases: the embedded default
    (SQLite), then the Microsoft 365 configuration (`casework.bootstrap.microsoft365`) on
    the Graph stand-in. One suite, run on both."""
    if request.param == "sqlite":
        return embedded

    @asynccontextmanager
    async def on_sharepoint(
        prepared: Prepared, data_dir: Path, clock: Clock
    ) -> AsyncIterator[Casework]:
        async with casework_on_sharepoint(prepared, data_dir, clock) as (casework, graph):
            stand_ins.append(graph)
            yield casework

    return on_sharepoint


@pytest.fixture
async def start_bot(
    idp: LoopbackIdentityProvider, connector: LoopbackConnector
) -> AsyncIterator[StartBot]:
    async with aiohttp.ClientSession() as session:

        @asynccontextmanager
        async def start(
            *,
            app_id: str = APP_ID,
            services: BotServices | None = None,
            router: Router | None = None,
            auth_policy: InboundAuthPolicy | None = None,
            monotonic: Callable[[], float] | None = None,
            settings: Settings | None = None,
            outbound_timeout_s: float | None = None,
        ) -> AsyncIterator[BotUnderTest]:
            settings = settings or Settings(
                app_id=app_id,
                app_password="unused" if app_id else "",
                openid_metadata_url=idp.metadata_url,
            )
            app_id = settings.app_id
            chosen = services or services_for_tests()
            if not app_id:
                connector.expected_authorization = None
            app = create_app(
                settings,
                chosen,
                router=router,
                auth_policy=auth_policy,
                monotonic=monotonic,
                outbound_timeout_s=outbound_timeout_s or OUTBOUND_TIMEOUT_S,
                # The loopback connector's serviceUrl is http://127.0.0.1: let its
                # conversation references be stored, as Teams' https ones are.
                allow_loopback_http=True,
            )
            async with serve(app) as url:
                client = TeamsClient(
                    session, url, connector, idp if app_id else None, app_id=app_id
                )
                yield BotUnderTest(url, client, connector, idp, chosen, settings, app)

        yield start


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotUnderTest]:
    async with start_bot() as running:
        yield running
