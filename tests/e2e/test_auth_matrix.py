"""Inbound authentication over HTTP, against the app on a real loopback port.

Each broken token is refused with 401 (403 for another tenant), nothing is processed (the
connector records nothing), and the log line names the activity and the reason, never
the token. See docs/security.md for the botbuilder defects these tests close.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest

from bot.auth import InboundAuthPolicy
from tests.contracts import REPO_ROOT
from tests.e2e.conftest import BotUnderTest, StartBot
from tests.e2e.test_case_commands import STAFF as PRIYA  # the example trust's staff member
from tests.e2e.test_case_commands import Trust, trust  # noqa: F401 (the fixture, by name)
from tests.e2e.test_report_incident import complete_report
from tests.harness import TokenKind
from tests.harness.identities import FOREIGN_TENANT, OUTSIDER, STAFF

ONE_BACKEND = "who may talk is decided before any flow runs: most bots here have no case store"

# Each broken token, and the check that must refuse it (as the log line words it).
REFUSED_WITH_401 = {
    TokenKind.UNKNOWN_KID: "unknown signing key id",
    TokenKind.BAD_SIGNATURE: "signature does not verify",
    TokenKind.EXPIRED: "has expired",
    TokenKind.NOT_YET_VALID: "not valid yet",
    TokenKind.NO_EXPIRY: "no 'exp' claim",
    TokenKind.HS256: "algorithm 'HS256' is not allowed",
    TokenKind.ALG_NONE: "algorithm 'none' is not allowed",
    TokenKind.GARBAGE: "not a well-formed JWT",
    TokenKind.WRONG_AUDIENCE: "not for this bot",
    TokenKind.WRONG_ISSUER: "not issued by the Bot Connector",
    TokenKind.EMULATOR_ISSUER_V1: "not issued by the Bot Connector",
    TokenKind.EMULATOR_ISSUER_V2: "not issued by the Bot Connector",
    TokenKind.CHANNEL_NOT_ENDORSED: "not endorsed for channel 'msteams'",
    TokenKind.SERVICEURL_MISMATCH: "serviceurl does not match",
}


def test_every_kind_of_broken_token_is_in_the_matrix() -> None:
    assert set(REFUSED_WITH_401) == set(TokenKind) - {TokenKind.VALID}


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused activity")]


def _all_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records) + caplog.text


async def test_a_valid_token_is_processed(bot: BotUnderTest) -> None:
    response = await bot.client.say(STAFF, "help")

    assert response.status == 200
    assert len(bot.connector.recorded) == 1
    assert bot.connector.recorded[0].reply_to_id == response.activity_id


@pytest.mark.parametrize("kind", list(REFUSED_WITH_401), ids=lambda k: k.value)
async def test_a_broken_token_is_refused_with_401_and_nothing_is_processed(
    bot: BotUnderTest, kind: TokenKind, caplog: pytest.LogCaptureFixture
) -> None:
    token = bot.client.token(kind)
    activity = bot.client.activity(STAFF, "message", text="help")

    response = await bot.client.post(activity, authorization=f"Bearer {token}")

    assert response.status == 401
    assert bot.connector.recorded == []
    refusals = _refusals(caplog)
    assert len(refusals) == 1
    assert activity["id"] in refusals[0]
    assert REFUSED_WITH_401[kind] in refusals[0]
    assert token not in _all_logged(caplog)
    assert token.split(".")[0] not in _all_logged(caplog)


@pytest.mark.parametrize(
    "kind",
    [TokenKind.EXPIRED, TokenKind.WRONG_AUDIENCE, TokenKind.SERVICEURL_MISMATCH, None],
    ids=lambda k: k.value if k else "no-token",
)
async def test_a_refused_report_submit_records_no_case_on_either_backend(
    trust: Trust,  # noqa: F811
    kind: TokenKind | None,
) -> None:
    client, store = trust.bot.client, trust.casework.ports.store
    form = await trust.card_for(PRIYA, "report")
    values = complete_report(incidentDate="2026-01-12", incidentTime="08:30")

    refused = await client.press(PRIYA, form, "Submit report", values, token_kind=kind)

    assert refused.status == 401
    assert await store.cases_at("oakfield") == ()
    accepted = await client.press(PRIYA, form, "Submit report", values)  # the same, signed
    assert accepted.invoke_card is not None
    assert len(await store.cases_at("oakfield")) == 1


async def test_a_report_submit_from_another_tenant_records_no_case_on_either_backend(
    trust: Trust,  # noqa: F811
) -> None:
    form = await trust.card_for(PRIYA, "report")
    values = complete_report(incidentDate="2026-01-12", incidentTime="08:30")

    response = await trust.bot.client.press(OUTSIDER, form, "Submit report", values)

    assert response.status == 403
    assert await trust.casework.ports.store.cases_at("oakfield") == ()


async def test_no_authorization_header_is_refused_with_401(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    activity = bot.client.activity(STAFF, "message", text="help")

    response = await bot.client.post(activity, token_kind=None)

    assert response.status == 401
    assert bot.connector.recorded == []
    assert activity["id"] in _refusals(caplog)[0]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "token"])
async def test_a_header_that_is_not_a_bearer_token_is_refused(
    bot: BotUnderTest, header: str
) -> None:
    response = await bot.client.post(
        bot.client.activity(STAFF, "message", text="help"), authorization=header
    )

    assert response.status == 401
    assert bot.connector.recorded == []


async def test_another_tenant_is_refused_with_403(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    response = await bot.client.say(OUTSIDER, "help")

    assert response.status == 403
    assert bot.connector.recorded == []
    assert response.activity_id in _refusals(caplog)[0]


async def test_a_conversation_in_another_tenant_is_refused_with_403(bot: BotUnderTest) -> None:
    activity = bot.client.activity(STAFF, "message", text="help")
    activity["conversation"]["tenantId"] = FOREIGN_TENANT

    response = await bot.client.post(activity)

    assert response.status == 403
    assert bot.connector.recorded == []


async def test_an_activity_naming_no_tenant_is_refused_with_403(bot: BotUnderTest) -> None:
    activity = bot.client.activity(STAFF, "message", text="help")
    del activity["channelData"]
    del activity["conversation"]["tenantId"]

    response = await bot.client.post(activity)

    assert response.status == 403
    assert bot.connector.recorded == []


async def test_a_body_that_is_not_an_activity_is_refused_with_400(bot: BotUnderTest) -> None:
    async with bot.client.session.post(
        f"{bot.url}/api/messages",
        data=b"{not json",
        headers={"Authorization": f"Bearer {bot.client.token()}"},
    ) as response:
        assert response.status == 400
    assert bot.connector.recorded == []


async def test_a_stalled_key_endpoint_does_not_stall_the_app(start_bot: StartBot) -> None:
    policy = InboundAuthPolicy(key_fetch_timeout_s=1.0)
    async with start_bot(auth_policy=policy) as bot:
        bot.idp.stall()
        waiting = asyncio.create_task(bot.client.say(STAFF, "help"))
        await asyncio.wait_for(bot.idp.wait_until_stalled(), timeout=5)

        started = time.perf_counter()
        async with bot.client.session.get(f"{bot.url}/healthz") as health:
            assert health.status == 200
        elapsed = time.perf_counter() - started
        assert not waiting.done()

        response = await waiting

    assert elapsed < 0.5
    # No keys at all: 503, so that the Bot Connector retries rather than drops the message.
    assert response.status == 503
    assert bot.connector.recorded == []


async def test_unknown_key_ids_trigger_one_rate_limited_refresh(start_bot: StartBot) -> None:
    clock = _Monotonic()
    async with start_bot(auth_policy=InboundAuthPolicy(), monotonic=clock) as bot:
        assert (await bot.client.say(STAFF, "help")).status == 200
        assert bot.idp.jwks_requests == 1
        clock.advance(301)

        first = await bot.client.post(
            bot.client.activity(STAFF, "message", text="help"), token_kind=TokenKind.UNKNOWN_KID
        )
        second = await bot.client.post(
            bot.client.activity(STAFF, "message", text="help"), token_kind=TokenKind.UNKNOWN_KID
        )
        assert (first.status, second.status) == (401, 401)
        assert bot.idp.jwks_requests == 2

        # The rate limit also holds for unknown ids arriving together.
        clock.advance(301)
        together = await asyncio.gather(
            *(
                bot.client.post(
                    bot.client.activity(STAFF, "message", text="help"),
                    token_kind=TokenKind.UNKNOWN_KID,
                )
                for _ in range(5)
            )
        )
        assert {r.status for r in together} == {401}
        assert bot.idp.jwks_requests == 3
        # Known keys keep working from the cache.
        assert (await bot.client.say(STAFF, "help")).status == 200
        assert bot.idp.jwks_requests == 3


async def test_local_development_mode_accepts_unauthenticated_requests_on_loopback(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    async with start_bot(app_id="") as bot:
        response = await bot.client.say(STAFF, "help")
        foreign = await bot.client.say(OUTSIDER, "help")

    assert response.status == 200
    assert len(bot.connector.recorded) == 1
    assert bot.connector.recorded[0].authorization is None
    # The tenant check still applies without credentials.
    assert foreign.status == 403
    warnings = [r for r in caplog.records if "LOCAL DEVELOPMENT MODE" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelname == "WARNING"
    assert bot.idp.metadata_requests == 0


def test_local_development_mode_refuses_a_non_loopback_host() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("Microsoft") and key not in ("HOST", "PORT")
    }
    env.update(HOST="0.0.0.0", PORT="0", MicrosoftAppId="", MicrosoftAppPassword="")

    finished = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode != 0
    assert "refusing to start" in finished.stderr
    assert "loopback" in finished.stderr
    assert "'0.0.0.0'" in finished.stderr
    assert "Traceback" not in finished.stderr


class _Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
