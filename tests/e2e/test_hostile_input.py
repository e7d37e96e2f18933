"""Hostile and broken requests to the running app over loopback HTTP, each answered with a
4xx (or a 503 with Retry-After under overload) and one log line without a traceback:
wrongly typed activities, JSON nested a thousand deep, forged log lines, a body that never
finishes arriving, a client that leaves mid-body, a flood of mentions, and more activities
at once than the bot takes on."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.admission import RequestLimits
from bot.app import ADMISSION, create_app
from bot.flows import default_router
from bot.routing import CardVerb, Inbound, InvokeReply, Reply, Route, Router, TextCommand
from bot.services import BotServices
from bot.settings import Settings
from tests.e2e.conftest import services_for_tests
from tests.harness import LoopbackConnector, LoopbackIdentityProvider, TeamsClient, serve
from tests.harness.identities import APP_ID, STAFF

ONE_BACKEND = "malformed and oversized requests refused before any flow runs; no case store"

pytestmark = pytest.mark.filterwarnings("error")


@dataclass
class Hostile:
    url: str
    app: web.Application
    client: TeamsClient
    session: aiohttp.ClientSession

    async def post_raw(self, body: bytes, *, token: bool = True) -> tuple[int, str]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {self.client.token()}"
        async with self.session.post(
            f"{self.url}/api/messages", data=body, headers=headers
        ) as response:
            return response.status, await response.text()


StartHostile = Callable[..., AbstractAsyncContextManager[Hostile]]


@pytest.fixture
async def start_hostile(
    idp: LoopbackIdentityProvider, connector: LoopbackConnector
) -> AsyncIterator[StartHostile]:
    async with aiohttp.ClientSession() as session:

        @asynccontextmanager
        async def start(
            *,
            limits: RequestLimits | None = None,
            services: BotServices | None = None,
            router: Router | None = None,
        ) -> AsyncIterator[Hostile]:
            settings = Settings(
                app_id=APP_ID, app_password="unused", openid_metadata_url=idp.metadata_url
            )
            app = create_app(
                settings, services or services_for_tests(), router=router, limits=limits
            )
            async with serve(app) as url:
                client = TeamsClient(session, url, connector, idp, app_id=APP_ID)
                yield Hostile(url, app, client, session)

        yield start


@pytest.fixture
async def hostile(start_hostile: StartHostile) -> AsyncIterator[Hostile]:
    async with start_hostile() as running:
        yield running


def one_line_each(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Every record logged, after checking none has a traceback or a second line."""
    for record in caplog.records:
        assert record.exc_info is None, f"a traceback was logged: {record.getMessage()}"
        assert "\n" not in record.getMessage(), f"a record has two lines: {record.getMessage()!r}"
    return list(caplog.records)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("from", "29:someone"),
        ("conversation", ["a:1"]),
        ("recipient", 28),
        ("membersAdded", {"id": "28:bot"}),
        ("attachments", "a card"),
        ("entities", [["mention"]]),
        ("timestamp", "yesterday at noon"),
        ("id", {"forged": True}),
    ],
)
async def test_a_wrongly_typed_activity_field_is_a_400_in_one_log_line(
    hostile: Hostile, caplog: pytest.LogCaptureFixture, field: str, value: Any
) -> None:
    caplog.set_level(logging.INFO)
    activity = hostile.client.activity(STAFF, "message", text="help")
    activity[field] = value

    status, text = await hostile.post_raw(json.dumps(activity).encode())

    assert status == 400
    assert f"activity.{field}" in text
    (record,) = one_line_each(caplog)
    assert record.levelno == logging.WARNING
    assert f"with 400: activity.{field}" in record.getMessage()
    assert hostile.client.connector.recorded == []


@pytest.mark.parametrize("depth", [100, 1_000, 50_000])
async def test_json_nested_deeply_is_a_400_in_one_log_line(
    hostile: Hostile, caplog: pytest.LogCaptureFixture, depth: int
) -> None:
    caplog.set_level(logging.INFO)
    nested = ("[" * depth + "]" * depth).encode()
    body = b'{"type": "message", "text": "help", "value": ' + nested + b"}"

    status, text = await hostile.post_raw(body)

    assert status == 400
    assert "Traceback" not in text
    (record,) = one_line_each(caplog)
    assert "nested more than" in record.getMessage()


async def test_a_forged_log_line_in_the_activity_id_is_logged_sanitised(
    hostile: Hostile, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    forged = "f:1\nWARNING bot.app everything is fine " + "x" * 500
    activity = hostile.client.activity(STAFF, "message", text="help", id=forged)

    # Refused before authentication (no token): the id is logged, sanitised and cut.
    status, _ = await hostile.post_raw(json.dumps(activity).encode(), token=False)

    assert status == 401
    (record,) = one_line_each(caplog)
    assert "f:1?WARNING?bot.app?everything?is?fine?xxx" in record.getMessage()
    assert "x" * 100 not in record.getMessage()


async def test_a_forged_log_line_in_a_card_verb_is_logged_sanitised(
    hostile: Hostile, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    invoke = hostile.client.activity(
        STAFF,
        "invoke",
        name="adaptiveCard/action",
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "incident.report\nINFO forged",
                "data": {"commandId": "cmd\nINFO casework.pipeline case appended"},
            }
        },
    )

    response = await hostile.client.post(invoke)

    assert response.status == 200
    assert response.body["statusCode"] == 400
    (record,) = [r for r in one_line_each(caplog) if r.name.startswith("bot.flows")]
    assert "incident.report?INFO?forged" in record.getMessage()


async def test_a_flood_of_mentions_is_answered_at_once(hostile: Hostile) -> None:
    # 100 KB of unclosed mentions took the old expression about 10 s on the event loop.
    started = time.perf_counter()

    response = await hostile.client.say(STAFF, "<at>" * 25_000)

    assert response.status == 200
    assert time.perf_counter() - started < 2.0
    assert "did not understand" in hostile.client.last_card(STAFF).text()


async def raw_connection(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host, port = url.removeprefix("http://").split(":")
    return await asyncio.open_connection(host, int(port))


async def test_a_body_that_never_finishes_arriving_is_a_408(
    start_hostile: StartHostile, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with start_hostile(limits=RequestLimits(body_timeout_s=0.3)) as bot:
        reader, writer = await raw_connection(bot.url)
        started = time.perf_counter()
        writer.write(
            b"POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"type": "mess'
        )
        await writer.drain()

        status_line = await asyncio.wait_for(reader.readline(), 5)

        assert status_line.startswith(b"HTTP/1.1 408")
        assert time.perf_counter() - started < 2.0
        writer.close()
        await writer.wait_closed()
    (record,) = [r for r in one_line_each(caplog) if r.name.startswith("bot")]
    assert "408" in record.getMessage()


async def test_a_client_that_leaves_mid_body_is_one_line_not_an_error(
    hostile: Hostile, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aiohttp")
    caplog.set_level(logging.INFO)
    _, writer = await raw_connection(hostile.url)
    writer.write(
        b"POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"type": "mess'
    )
    await writer.drain()
    await asyncio.sleep(0.1)
    writer.close()
    await writer.wait_closed()

    for _ in range(50):
        if caplog.records:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)

    records = one_line_each(caplog)
    assert [r.levelno for r in records] == [logging.INFO]
    assert "a client left before its request" in records[0].getMessage()


async def test_more_activities_than_the_bot_takes_on_get_a_quick_503(
    start_hostile: StartHostile, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    release = asyncio.Event()

    async def slow(inbound: Inbound) -> Reply:
        await release.wait()
        return Reply()

    services = services_for_tests()
    router = default_router(services).with_routes(Route(TextCommand(("slow",)), slow))
    limits = RequestLimits(max_in_flight=1, max_waiting=1, retry_after_s=3)
    async with start_hostile(limits=limits, services=services, router=router) as bot:
        working = [asyncio.create_task(bot.client.say(STAFF, "slow")) for _ in range(2)]
        for _ in range(200):
            if bot.app[ADMISSION].admitted == 2:
                break
            await asyncio.sleep(0.01)
        assert bot.app[ADMISSION].admitted == 2

        started = time.perf_counter()
        activity = bot.client.activity(STAFF, "message", text="help")
        headers = {"Authorization": f"Bearer {bot.client.token()}"}
        async with bot.session.post(
            f"{bot.url}/api/messages", json=activity, headers=headers
        ) as refused:
            assert refused.status == 503
            assert refused.headers["Retry-After"] == "3"
        async with bot.session.get(f"{bot.url}/healthz") as health:
            assert health.status == 200
        assert time.perf_counter() - started < 1.0

        release.set()
        answered = await asyncio.gather(*working)

    assert [r.status for r in answered] == [200, 200]
    refusals = [r for r in one_line_each(caplog) if "503" in r.getMessage()]
    assert len(refusals) == 1


async def test_commands_get_a_quick_503_while_the_effects_owed_are_past_their_bound(
    start_hostile: StartHostile,
) -> None:
    recorded: list[str] = []

    async def record(inbound: Inbound) -> Reply:
        recorded.append(inbound.verb)
        return Reply(invoke=InvokeReply.message("recorded"))

    services = services_for_tests()
    router = default_router(services).with_routes(
        Route(CardVerb("decide"), record, "decide", records=True)
    )
    limits = RequestLimits(max_effects_waiting=3, retry_after_s=4)
    async with start_hostile(limits=limits, services=services, router=router) as bot:
        press = bot.client.activity(
            STAFF,
            "invoke",
            name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": "decide", "data": {}}},
        )
        waiting = [4]
        bot.app[ADMISSION].effects_waiting = lambda: waiting[0]

        refused = await bot.client.post(press)
        assert refused.status == 503
        assert refused.headers["Retry-After"] == "4"  # the Bot Connector retries after it
        assert refused.body["statusCode"] == 503  # an error response: the card is kept
        assert "busy" in refused.body["value"]["message"]
        assert recorded == []  # nothing recorded
        helped = await bot.client.say(STAFF, "help")  # a reading turn is answered
        assert helped.status == 200

        waiting[0] = 3  # the worker caught up to the bound: the same press succeeds
        accepted = await bot.client.post(press)
        assert accepted.status == 200
        assert recorded == ["decide"]
