"""The boundary's own I/O against loopback servers: the signing-key cache (timeouts,
expiry, rate limit, failures) and outbound tokens acquired off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
import pytest

from bot.auth import InboundAuthPolicy, KeysUnavailable, SigningKeys
from bot.outbound import CachedTokens, OutboundTokenError
from tests.harness import LoopbackIdentityProvider
from tests.harness.idp import TEAMS_KEY_ID, WEBCHAT_KEY_ID


class Monotonic:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def keys_for(
    session: aiohttp.ClientSession, url: str, clock: Monotonic, **policy: float
) -> SigningKeys:
    return SigningKeys(session, url, InboundAuthPolicy(**policy), monotonic=clock)


async def test_keys_are_fetched_once_and_carry_their_endorsements(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession
) -> None:
    keys = keys_for(session, idp.metadata_url, Monotonic())

    teams = await keys.key(TEAMS_KEY_ID)
    webchat = await keys.key(WEBCHAT_KEY_ID)

    assert teams is not None
    assert teams.endorsements == {"msteams"}
    assert webchat is not None
    assert "msteams" not in webchat.endorsements
    assert (idp.metadata_requests, idp.jwks_requests) == (1, 1)


async def test_the_cache_expires_after_its_lifetime(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession
) -> None:
    clock = Monotonic()
    keys = keys_for(session, idp.metadata_url, clock, key_cache_ttl_s=3600)

    await keys.key(TEAMS_KEY_ID)
    clock.now += 3599
    await keys.key(TEAMS_KEY_ID)
    assert idp.jwks_requests == 1
    clock.now += 2
    await keys.key(TEAMS_KEY_ID)
    assert idp.jwks_requests == 2


async def test_an_unknown_key_id_refreshes_at_most_once_per_interval(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession
) -> None:
    clock = Monotonic()
    keys = keys_for(session, idp.metadata_url, clock, min_refresh_interval_s=300)

    assert await keys.key(TEAMS_KEY_ID) is not None
    assert await keys.key("forged") is None
    assert idp.jwks_requests == 1  # the first fetch was just now
    clock.now += 300
    assert await keys.key("forged") is None
    assert await keys.key("forged-again") is None
    assert idp.jwks_requests == 2


async def test_keys_that_cannot_be_fetched_at_all_are_unavailable_not_unauthorised(
    session: aiohttp.ClientSession,
) -> None:
    # Nothing listens on port 9 of loopback (discard): the fetch fails at once.
    keys = keys_for(session, "http://127.0.0.1:9/openid", Monotonic())

    with pytest.raises(KeysUnavailable):
        await keys.key(TEAMS_KEY_ID)


async def test_a_failed_refresh_keeps_the_keys_already_held(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession
) -> None:
    clock = Monotonic()
    keys = keys_for(session, idp.metadata_url, clock, key_cache_ttl_s=60, key_fetch_timeout_s=0.2)
    assert await keys.key(TEAMS_KEY_ID) is not None

    idp.stall()
    clock.now += 400  # expired and past the refresh interval
    started = time.perf_counter()
    still_known = await keys.key(TEAMS_KEY_ID)

    assert still_known is not None
    assert time.perf_counter() - started < 1.0
    assert idp.jwks_requests == 2


async def test_a_stalled_fetch_gives_up_after_the_timeout(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession
) -> None:
    keys = keys_for(session, idp.metadata_url, Monotonic(), key_fetch_timeout_s=0.3)
    idp.stall()

    started = time.perf_counter()
    with pytest.raises(KeysUnavailable):
        await keys.key(TEAMS_KEY_ID)

    assert 0.25 < time.perf_counter() - started < 1.5


async def test_outbound_tokens_are_acquired_in_a_worker_thread_without_blocking_the_loop() -> None:
    loop_thread = threading.get_ident()
    acquired_in: list[int] = []

    def slow_msal_like_acquire() -> Mapping[str, Any]:
        acquired_in.append(threading.get_ident())
        time.sleep(0.3)  # a blocking HTTPS round trip, as msal makes
        return {"access_token": "tok-1", "expires_in": 3600}

    tokens = CachedTokens(slow_msal_like_acquire)
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        for _ in range(10):
            await asyncio.sleep(0.02)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    token, _ = await asyncio.gather(tokens.token(), ticker())

    assert token == "tok-1"
    assert acquired_in
    assert acquired_in[0] != loop_thread
    assert max(gaps) < 0.15, "the event loop was blocked while the token was acquired"


async def test_outbound_tokens_are_cached_until_shortly_before_expiry() -> None:
    clock = Monotonic()
    issued = iter(["tok-1", "tok-2"])
    calls = 0

    def acquire() -> Mapping[str, Any]:
        nonlocal calls
        calls += 1
        return {"access_token": next(issued), "expires_in": 3600}

    tokens = CachedTokens(acquire, monotonic=clock)

    assert list(await asyncio.gather(tokens.token(), tokens.token())) == ["tok-1", "tok-1"]
    clock.now += 3600 - 301
    assert await tokens.token() == "tok-1"
    clock.now += 2  # now inside the last five minutes
    assert await tokens.token() == "tok-2"
    assert calls == 2


async def test_an_outbound_token_error_names_msals_error_not_the_secret() -> None:
    tokens = CachedTokens(lambda: {"error": "invalid_client", "error_description": "bad secret"})

    with pytest.raises(OutboundTokenError, match="invalid_client"):
        await tokens.token()
