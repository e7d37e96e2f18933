"""Replies over HTTP in Microsoft 365 mode: the outbound token from the loopback Entra ID
(`BOT_AUTHORITY_HOST`), a token and a connector client only when something is sent, one
token over a thousand turns, a connector that never answers, a token that cannot be had,
and activities that name no usable serviceUrl."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.app import CONNECTORS, DELIVERER
from bot.outbound import msal_tokens
from bot.routing import AnyMessage, Inbound, OutgoingMessage, Reply, Route, Router
from bot.settings import Settings
from tests.e2e.conftest import StartBot, services_for_tests
from tests.harness import LoopbackConnector, LoopbackIdentityProvider
from tests.harness.certificates import app_certificate
from tests.harness.entra import CLIENT_SECRET
from tests.harness.identities import APP_ID, STAFF, StaticOutboundTokens

ONE_BACKEND = "replies and tokens for the Bot Connector, on stub routers with no case store"


@pytest.fixture
async def entra_http(idp: LoopbackIdentityProvider) -> AsyncIterator[requests.Session]:
    with idp.entra.http_client() as session:
        yield session


def microsoft_365_settings(idp: LoopbackIdentityProvider) -> Settings:
    return Settings(
        app_id=APP_ID,
        app_password=CLIENT_SECRET,
        openid_metadata_url=idp.metadata_url,
        authority_host=idp.authority_host,
    )


async def test_microsoft_365_mode_end_to_end_with_the_loopback_identity_provider(
    start_bot: StartBot,
    idp: LoopbackIdentityProvider,
    connector: LoopbackConnector,
    entra_http: requests.Session,
) -> None:
    settings = microsoft_365_settings(idp)
    # The real msal path, told only where the authority is and which certificate to trust.
    services = services_for_tests(outbound_tokens=msal_tokens(settings, http_client=entra_http))
    connector.expected_authorization = f"Bearer {idp.entra.access_token}"

    async with start_bot(settings=settings, services=services) as bot:
        response = await bot.client.say(STAFF, "help")  # a signed inbound token, minted

    assert response.status == 200
    (posted,) = bot.connector.recorded
    assert posted.authorization == f"Bearer {idp.entra.access_token}"
    assert posted.reply_to_id == response.activity_id
    assert posted.cards
    assert idp.entra.token_requests == 1
    assert idp.entra.tenants == ["botframework.com"]


@pytest.mark.parametrize(
    "activity",
    [
        pytest.param({"type": "typing"}, id="typing"),
        pytest.param(
            {
                "type": "invoke",
                "name": "adaptiveCard/action",
                "value": {"action": {"type": "Action.Execute", "verb": "nobody.handles.this"}},
            },
            id="invoke answered in its body",
        ),
        pytest.param({"type": "installationUpdate", "action": "remove"}, id="uninstalled"),
    ],
)
async def test_a_turn_that_sends_nothing_asks_for_no_token_and_builds_no_client(
    start_bot: StartBot, activity: dict[str, Any]
) -> None:
    tokens = StaticOutboundTokens()
    async with start_bot(services=services_for_tests(outbound_tokens=tokens)) as bot:
        fields = {k: v for k, v in activity.items() if k != "type"}
        response = await bot.client.post(bot.client.activity(STAFF, activity["type"], **fields))

        assert response.status == 200
        assert tokens.requests == 0
        assert bot.app[CONNECTORS].built == 0
        assert bot.connector.recorded == []


async def test_a_thousand_turns_ask_for_one_token_and_build_one_client(
    start_bot: StartBot,
    idp: LoopbackIdentityProvider,
    connector: LoopbackConnector,
    entra_http: requests.Session,
) -> None:
    settings = microsoft_365_settings(idp)
    services = services_for_tests(outbound_tokens=msal_tokens(settings, http_client=entra_http))
    connector.expected_authorization = f"Bearer {idp.entra.access_token}"

    async def ok(inbound: Inbound) -> Reply:
        return Reply(messages=(OutgoingMessage(text="ok"),))

    router = Router((Route(AnyMessage(), ok),))
    async with start_bot(settings=settings, services=services, router=router) as bot:
        statuses = [(await bot.client.say(STAFF, f"turn {n}")).status for n in range(1000)]

        assert set(statuses) == {200}
        assert len(bot.connector.recorded) == 1000
        assert idp.entra.token_requests == 1
        assert bot.app[CONNECTORS].built == 1


async def test_with_a_certificate_many_turns_are_answered_on_one_token(
    start_bot: StartBot,
    idp: LoopbackIdentityProvider,
    connector: LoopbackConnector,
    entra_http: requests.Session,
    tmp_path: Path,
) -> None:
    made = app_certificate()
    idp.entra.certificates.append(made.certificate_pem)  # uploaded to the app registration
    # The settings as the bot reads them at start-up, the certificate from its file.
    settings = Settings.from_environ(
        {
            "MicrosoftAppId": APP_ID,
            "MicrosoftAppCertificatePath": str(made.pem_file(tmp_path)),
            "BOT_OPENID_METADATA_URL": idp.metadata_url,
            "BOT_AUTHORITY_HOST": idp.authority_host,
        }
    )
    services = services_for_tests(outbound_tokens=msal_tokens(settings, http_client=entra_http))
    connector.expected_authorization = f"Bearer {idp.entra.access_token}"

    async with start_bot(settings=settings, services=services) as bot:
        statuses = [(await bot.client.say(STAFF, "help")).status for _ in range(50)]

        assert set(statuses) == {200}
        assert len(bot.connector.recorded) == 50
        assert {p.authorization for p in bot.connector.recorded} == {
            f"Bearer {idp.entra.access_token}"
        }
    assert idp.entra.token_requests == 1
    assert idp.entra.refusals == []
    assert [h["alg"] for h in idp.entra.assertion_headers] == ["PS256"]


async def test_a_connector_that_never_answers_holds_a_turn_only_for_the_outbound_timeout(
    start_bot: StartBot,
) -> None:
    async with start_bot(outbound_timeout_s=0.5) as bot:
        bot.connector.stall()
        started = time.perf_counter()
        response = await asyncio.wait_for(bot.client.say(STAFF, "help"), timeout=10)
        elapsed = time.perf_counter() - started

        assert response.status == 200
        assert bot.connector.stalled_requests == 1
        assert elapsed < 3.0
        assert bot.app[DELIVERER].parked == 1  # the help card will be tried again


async def test_a_reply_that_cannot_get_a_token_is_logged_and_queued_not_a_500(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    tokens = StaticOutboundTokens()
    tokens.failing = True
    async with start_bot(services=services_for_tests(outbound_tokens=tokens)) as bot:
        response = await bot.client.say(STAFF, "help")

        assert response.status == 200
        assert bot.connector.recorded == []
        assert bot.app[DELIVERER].parked == 1
    (logged,) = [r for r in caplog.records if "reply not posted" in r.getMessage()]
    assert response.activity_id in logged.getMessage()
    assert "kept for a retry" in logged.getMessage()


@pytest.mark.parametrize(
    "service_url",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("smba.trafficmanager.net/emea/", id="not absolute"),
        pytest.param("ftp://connector.example/", id="not http"),
        pytest.param("https:///no-host", id="no host"),
        pytest.param("https://connector.example:port/", id="bad port"),
        pytest.param(42, id="not a string"),
    ],
)
async def test_an_activity_without_a_usable_service_url_is_refused_with_400(
    start_bot: StartBot, service_url: Any
) -> None:
    tokens = StaticOutboundTokens()
    calls: list[Inbound] = []

    async def record(inbound: Inbound) -> Reply:
        calls.append(inbound)
        return Reply(messages=(OutgoingMessage(text="ok"),))

    router = Router((Route(AnyMessage(), record),))
    async with start_bot(services=services_for_tests(outbound_tokens=tokens), router=router) as bot:
        activity = bot.client.activity(STAFF, "message", text="help")
        if service_url is None:
            del activity["serviceUrl"]
        else:
            activity["serviceUrl"] = service_url
        # The token's serviceurl claim matches the activity, so only the URL is at fault.
        token = bot.idp.mint(audience=APP_ID, service_url=str(service_url or ""))
        started = time.perf_counter()
        response = await bot.client.post(activity, authorization=f"Bearer {token}")

    assert response.status == 400
    assert time.perf_counter() - started < 2.0
    assert calls == []
    assert tokens.requests == 0
    assert bot.connector.recorded == []
