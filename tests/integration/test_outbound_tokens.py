"""Outbound tokens that cannot hang the bot: a bounded wait, single flight without a lock
held across the wait, backing off after a failure, a stuck msal thread that does not keep
the process alive, and msal itself against the loopback Entra ID (`BOT_AUTHORITY_HOST`)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.outbound import (
    CachedTokens,
    OutboundTokenError,
    TokenPolicy,
    TokensUnavailable,
    msal_tokens,
)
from bot.settings import Settings
from tests.harness import LoopbackIdentityProvider
from tests.harness.entra import CLIENT_SECRET
from tests.harness.identities import APP_ID, TRUST_TENANT

ROOT = Path(__file__).resolve().parents[2]
QUICK = TokenPolicy(timeout_s=0.2, first_backoff_s=30.0, max_backoff_s=120.0)


class Monotonic:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def never_answers() -> Iterator[threading.Event]:
    """An msal-like call that blocks until the test ends (a token endpoint that hangs)."""
    released = threading.Event()
    yield released
    released.set()


async def test_a_token_request_that_never_answers_gives_up_after_the_timeout(
    never_answers: threading.Event,
) -> None:
    def hangs() -> Mapping[str, Any]:
        never_answers.wait()
        return {"error": "released"}

    tokens = CachedTokens(hangs, policy=QUICK)

    started = time.perf_counter()
    with pytest.raises(OutboundTokenError, match=r"no answer within 0\.2 s"):
        await tokens.token()
    assert time.perf_counter() - started < 2.0


async def test_callers_share_one_request_and_none_waits_past_the_timeout(
    never_answers: threading.Event,
) -> None:
    def hangs() -> Mapping[str, Any]:
        never_answers.wait()
        return {"error": "released"}

    tokens = CachedTokens(hangs, policy=QUICK)

    started = time.perf_counter()
    outcomes = await asyncio.gather(*(tokens.token() for _ in range(20)), return_exceptions=True)

    assert all(isinstance(o, OutboundTokenError) for o in outcomes)
    # One request for all twenty; nobody queued behind another's wait.
    assert tokens.acquisitions == 1
    assert time.perf_counter() - started < 2.0


async def test_after_a_failure_it_backs_off_and_fails_fast_meanwhile() -> None:
    clock = Monotonic()
    answers: Iterator[Mapping[str, Any]] = iter(
        [
            {"error": "temporarily_unavailable"},
            {"error": "temporarily_unavailable"},
            {"access_token": "tok-1", "expires_in": 3600},
        ]
    )
    calls = 0

    def acquire() -> Mapping[str, Any]:
        nonlocal calls
        calls += 1
        return next(answers)

    policy = TokenPolicy(timeout_s=1.0, first_backoff_s=2.0, max_backoff_s=60.0)
    tokens = CachedTokens(acquire, policy=policy, monotonic=clock)

    with pytest.raises(OutboundTokenError, match="temporarily_unavailable"):
        await tokens.token()
    for _ in range(50):  # fifty activities during the back-off: no request at all
        with pytest.raises(TokensUnavailable):
            await tokens.token()
    assert calls == 1
    clock.now += 2.0
    with pytest.raises(OutboundTokenError):
        await tokens.token()
    assert calls == 2
    clock.now += 3.9  # the back-off doubled, to 4 s
    with pytest.raises(TokensUnavailable):
        await tokens.token()
    clock.now += 0.1
    assert await tokens.token() == "tok-1"
    assert calls == 3


async def test_a_late_answer_from_a_request_that_timed_out_is_used() -> None:
    released = threading.Event()

    def slow() -> Mapping[str, Any]:
        released.wait()
        return {"access_token": "late", "expires_in": 3600}

    tokens = CachedTokens(slow, policy=QUICK)
    with pytest.raises(OutboundTokenError):
        await tokens.token()

    released.set()
    for _ in range(100):
        await asyncio.sleep(0.01)
        try:
            assert await tokens.token() == "late"
            break
        except TokensUnavailable:
            continue
    else:
        pytest.fail("the late token was never used")
    assert tokens.acquisitions == 1


async def test_a_token_still_valid_is_used_while_its_renewal_fails() -> None:
    clock = Monotonic()
    answers: Iterator[Mapping[str, Any]] = iter(
        [{"access_token": "tok-1", "expires_in": 3600}, {"error": "invalid_request"}]
    )
    tokens = CachedTokens(lambda: next(answers), monotonic=clock)

    assert await tokens.token() == "tok-1"
    clock.now += 3600 - 60  # inside the renewal window, not yet expired
    assert await tokens.token() == "tok-1"  # renewal failed; the token still works
    assert await tokens.token() == "tok-1"  # backing off, still the valid token
    clock.now += 61
    with pytest.raises(OutboundTokenError):
        await tokens.token()


def test_a_thread_stuck_in_msal_does_not_keep_the_process_alive() -> None:
    # asyncio.run() joins the default executor at the end, and the interpreter joins its
    # threads at exit: a stuck asyncio.to_thread call would keep the process alive forever.
    program = textwrap.dedent(
        """
        import asyncio, threading
        from bot.outbound import CachedTokens, OutboundTokenError, TokenPolicy

        def stuck():
            threading.Event().wait()  # an HTTPS call that never returns

        async def main():
            tokens = CachedTokens(stuck, policy=TokenPolicy(timeout_s=0.2))
            try:
                await tokens.token()
            except OutboundTokenError:
                print("gave up", flush=True)

        asyncio.run(main())
        """
    )
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=30
    )

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "gave up"
    assert time.perf_counter() - started < 15


# --- msal against the loopback Entra ID ---------------------------------------------------


@pytest.fixture
def entra_http(idp: LoopbackIdentityProvider) -> Iterator[requests.Session]:
    """msal's HTTP client, trusting the loopback Entra ID; closed before it stops."""
    with idp.entra.http_client() as session:
        yield session


def _settings(idp: LoopbackIdentityProvider, **changes: Any) -> Settings:
    fields: dict[str, Any] = {
        "app_id": APP_ID,
        "app_password": CLIENT_SECRET,
        "authority_host": idp.authority_host,
    }
    fields.update(changes)
    return Settings(**fields)


async def test_msal_gets_the_token_from_the_configured_authority_host_once(
    idp: LoopbackIdentityProvider,
    entra_http: requests.Session,
) -> None:
    tokens = msal_tokens(_settings(idp), http_client=entra_http)

    got = [await tokens.token() for _ in range(100)]

    assert set(got) == {idp.entra.access_token}
    assert idp.entra.token_requests == 1
    assert idp.entra.discovery_requests == 1
    assert idp.entra.tenants == ["botframework.com"]  # multi-tenant: the Bot Framework's


async def test_a_single_tenant_app_asks_its_own_tenant(
    idp: LoopbackIdentityProvider, entra_http: requests.Session
) -> None:
    from bot.settings import AppType

    settings = _settings(idp, app_type=AppType.SINGLE_TENANT, app_tenant_id=TRUST_TENANT)
    tokens = msal_tokens(settings, http_client=entra_http)

    assert await tokens.token() == idp.entra.access_token
    assert idp.entra.tenants == [TRUST_TENANT]


async def test_a_stalled_token_endpoint_gives_up_after_the_timeout(
    idp: LoopbackIdentityProvider,
    entra_http: requests.Session,
) -> None:
    idp.entra.stall()
    tokens = msal_tokens(_settings(idp), policy=TokenPolicy(timeout_s=0.5), http_client=entra_http)

    started = time.perf_counter()
    with pytest.raises(OutboundTokenError):
        await tokens.token()
    assert time.perf_counter() - started < 3.0
    with pytest.raises(TokensUnavailable):  # and the next activity does not wait again
        await tokens.token()
    assert idp.entra.token_requests == 1


async def test_an_unreachable_authority_is_not_rediscovered_for_every_activity() -> None:
    # Nothing listens on port 9 of loopback: discovery fails at once.
    settings = Settings(app_id=APP_ID, app_password="x", authority_host="https://127.0.0.1:9")
    tokens = msal_tokens(settings, policy=TokenPolicy(timeout_s=2.0))

    with pytest.raises(OutboundTokenError, match="ConnectionError"):
        await tokens.token()
    for _ in range(20):
        with pytest.raises(TokensUnavailable):
            await tokens.token()
    assert tokens.acquisitions == 1


async def test_a_wrong_secret_names_msals_error_not_the_secret(
    idp: LoopbackIdentityProvider,
    entra_http: requests.Session,
) -> None:
    settings = _settings(idp, app_password="not-the-secret")
    tokens = msal_tokens(settings, http_client=entra_http)

    with pytest.raises(OutboundTokenError, match="invalid_client") as raised:
        await tokens.token()
    assert "not-the-secret" not in str(raised.value)
