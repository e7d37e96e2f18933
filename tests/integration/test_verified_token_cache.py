"""Inbound tokens verified once per token and key, every other check on every activity.

The Bot Connector sends the same token with every activity for up to an hour; its RS256
signature is checked the first time (`InboundAuthenticator._verified`), and again only when
the key published for its id changes. Its expiry, the channel's endorsement and the service
URL are checked on every activity, the cached token's included.
"""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import jwt
import pytest

from bot import auth
from bot.auth import InboundAuthenticator, InboundAuthPolicy, SigningKeys, Unauthenticated
from tests.harness import LoopbackIdentityProvider

APP_ID = "00000000-0000-4000-8000-00000000a99d"
SERVICE = "https://smba.trafficmanager.net/uk/"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    decode = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)  # bot.auth calls it as jwt.decode
    return seen


def authenticator(
    idp: LoopbackIdentityProvider,
    session: aiohttp.ClientSession,
    wall: Clock,
    monotonic: Clock | None = None,
) -> InboundAuthenticator:
    policy = InboundAuthPolicy()
    keys = SigningKeys(session, idp.metadata_url, policy, monotonic=monotonic or time.monotonic)
    return InboundAuthenticator(APP_ID, "tenant", keys, policy, wall_clock=wall)


def activity(service_url: str = SERVICE) -> dict[str, Any]:
    return {"type": "message", "channelId": "msteams", "serviceUrl": service_url}


async def test_the_same_token_is_verified_once(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession, decodes: list[str]
) -> None:
    check = authenticator(idp, session, Clock())
    token = idp.mint(audience=APP_ID, service_url=SERVICE)
    for _ in range(50):
        claims = await check._verify_token(f"Bearer {token}", activity())
        assert claims["serviceurl"] == SERVICE
    assert decodes == [token]
    other = idp.mint(audience=APP_ID, service_url=SERVICE, lifetime_s=1800)
    await check._verify_token(f"Bearer {other}", activity())
    assert decodes == [token, other]


async def test_a_kept_token_still_has_its_service_url_checked_on_every_activity(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession
) -> None:
    check = authenticator(idp, session, Clock())
    token = idp.mint(audience=APP_ID, service_url=SERVICE)
    await check._verify_token(f"Bearer {token}", activity())
    with pytest.raises(Unauthenticated, match="serviceurl does not match"):
        await check._verify_token(f"Bearer {token}", activity("https://attacker.example/"))
    with pytest.raises(Unauthenticated, match="not endorsed for channel"):
        await check._verify_token(f"Bearer {token}", {**activity(), "channelId": "webchat"})


async def test_a_kept_token_expires_as_any_other(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession
) -> None:
    wall = Clock()
    check = authenticator(idp, session, wall)
    token = idp.mint(audience=APP_ID, service_url=SERVICE, lifetime_s=600)
    await check._verify_token(f"Bearer {token}", activity())
    wall.now += 600 + InboundAuthPolicy().clock_skew_s + 1
    with pytest.raises(Unauthenticated, match="has expired"):
        await check._verify_token(f"Bearer {token}", activity())


async def test_a_token_is_verified_again_once_the_keys_are_fetched_again(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession, decodes: list[str]
) -> None:
    monotonic = Clock()
    check = authenticator(idp, session, Clock(), monotonic)
    token = idp.mint(audience=APP_ID, service_url=SERVICE)
    await check._verify_token(f"Bearer {token}", activity())
    monotonic.now += InboundAuthPolicy().key_cache_ttl_s + 1  # the keys are stale: fetched again
    await check._verify_token(f"Bearer {token}", activity())
    assert decodes == [token, token]
    assert idp.jwks_requests == 2


async def test_a_tampered_copy_of_a_kept_token_is_refused(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession
) -> None:
    check = authenticator(idp, session, Clock())
    token = idp.mint(audience=APP_ID, service_url=SERVICE)
    await check._verify_token(f"Bearer {token}", activity())
    head, body, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    with pytest.raises(Unauthenticated):
        await check._verify_token(f"Bearer {head}.{body}.{flipped}", activity())


async def test_at_most_so_many_tokens_are_kept(
    idp: LoopbackIdentityProvider, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "VERIFIED_TOKENS_KEPT", 3)
    check = authenticator(idp, session, Clock())
    tokens = [idp.mint(audience=APP_ID, service_url=SERVICE, lifetime_s=600 + i) for i in range(5)]
    for token in tokens:
        await check._verify_token(f"Bearer {token}", activity())
    assert list(check._verified) == tokens[2:]  # the oldest went first
