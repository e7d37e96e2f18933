"""Inbound authentication of Bot Connector requests, done here rather than by botbuilder.

botbuilder 4.17.1 validates inbound tokens with a blocking key fetch on the event loop,
answers 500 for most bad tokens, accepts emulator tokens and checks no tenant (see
docs/security.md). So every request to /api/messages is checked here first, with PyJWT,
and botbuilder is handed the already-verified identity.

The rules (Bot Framework "authenticate requests from the Bot Connector service"):
RS256 only; issuer exactly https://api.botframework.com; audience the bot's app id;
`exp` required, `nbf` honoured, five minutes of clock skew; the signing key endorsed for
the activity's channel; the `serviceurl` claim equal to the activity's serviceUrl; and,
for this product, the activity's tenant equal to the trust's tenant.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.activity_shape import MAX_DEPTH, check_shape

logger = logging.getLogger(__name__)

BOT_CONNECTOR_ISSUER = "https://api.botframework.com"
ALLOWED_ALGORITHM = "RS256"
# Verified tokens kept (`InboundAuthenticator._verified`): the Bot Connector uses a handful.
VERIFIED_TOKENS_KEPT = 256


@dataclass(frozen=True)
class InboundAuthPolicy:
    """Timings of inbound token checks and of the signing-key cache."""

    key_fetch_timeout_s: float = 5.0
    key_cache_ttl_s: float = 24 * 3600.0
    # An unknown key id triggers a refresh at most this often, so forged key ids cannot
    # make the bot hammer the key endpoint.
    min_refresh_interval_s: float = 300.0
    clock_skew_s: float = 300.0


class AuthFailure(Exception):
    """A request that must not be processed. `reason` is safe to log (never the token)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Unauthenticated(AuthFailure):
    def __init__(self, reason: str) -> None:
        super().__init__(401, reason)


class ForeignTenant(AuthFailure):
    def __init__(self, reason: str) -> None:
        super().__init__(403, reason)


class KeysUnavailable(AuthFailure):
    """The signing keys could not be fetched and none are cached: answer 503 so the
    Bot Connector retries the activity later instead of dropping it."""

    def __init__(self, reason: str) -> None:
        super().__init__(503, reason)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: Any  # a cryptography RSA public key
    endorsements: frozenset[str]


@dataclass(frozen=True)
class VerifiedCaller:
    """Who sent the activity, after every check passed."""

    claims: Mapping[str, Any]  # the token's claims; empty in local development mode
    authenticated: bool  # False in local development mode (no token checks)
    tenant_id: str


class SigningKeys:
    """The Bot Connector's OpenID metadata and signing keys, fetched without blocking.

    Fetched with a timeout on the app's one client session, cached for `key_cache_ttl_s`,
    refreshed when an unknown key id appears (at most once per `min_refresh_interval_s`).
    When a refresh fails the keys already held stay in use.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        metadata_url: str,
        policy: InboundAuthPolicy,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._session = session
        self._metadata_url = metadata_url
        self._policy = policy
        self._monotonic = monotonic
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()
        self.refreshes = 0  # completed fetch attempts, for tests and diagnostics

    async def key(self, kid: str) -> SigningKey | None:
        """The key with this id, or None if the key endpoint does not publish it."""
        if self._stale():
            await self._refresh(forced=False)
        found = self._keys.get(kid)
        if found is None and self._may_refresh_for_unknown_kid():
            await self._refresh(forced=True)
            found = self._keys.get(kid)
        if found is None and not self._keys:
            raise KeysUnavailable("the signing keys could not be fetched")
        return found

    def _stale(self) -> bool:
        if self._fetched_at is None:
            return self._attempt_allowed()
        expired = self._monotonic() - self._fetched_at >= self._policy.key_cache_ttl_s
        return expired and self._attempt_allowed()

    def _may_refresh_for_unknown_kid(self) -> bool:
        return self._attempt_allowed()

    def _attempt_allowed(self) -> bool:
        return (
            self._last_attempt is None
            or self._monotonic() - self._last_attempt >= self._policy.min_refresh_interval_s
        )

    async def _refresh(self, *, forced: bool) -> None:
        async with self._lock:
            # Another request may have refreshed while this one waited for the lock.
            if not self._attempt_allowed():
                return
            self._last_attempt = self._monotonic()
            try:
                keys = await asyncio.wait_for(
                    self._fetch(), timeout=self._policy.key_fetch_timeout_s
                )
            except (TimeoutError, aiohttp.ClientError, ValueError, KeyError) as error:
                logger.warning(
                    "fetching the Bot Connector signing keys failed (%s); keeping %d cached keys",
                    type(error).__name__,
                    len(self._keys),
                )
                return
            finally:
                self.refreshes += 1
            self._keys = keys
            self._fetched_at = self._monotonic()
            logger.info(
                "fetched %d Bot Connector signing keys (%s)",
                len(keys),
                "unknown key id" if forced else "cache empty or expired",
            )

    async def _fetch(self) -> dict[str, SigningKey]:
        import jwt  # PyJWT and cryptography: only with authentication on

        metadata = await self._get_json(self._metadata_url)
        jwks_uri = metadata["jwks_uri"]
        if not isinstance(jwks_uri, str):
            raise ValueError("jwks_uri is not a string")
        jwks = await self._get_json(jwks_uri)
        keys: dict[str, SigningKey] = {}
        for entry in jwks["keys"]:
            if not isinstance(entry, dict) or entry.get("kty") != "RSA" or "kid" not in entry:
                continue
            endorsements = entry.get("endorsements", [])
            if not isinstance(endorsements, list):
                continue
            try:
                public_key = jwt.PyJWK(entry, algorithm=ALLOWED_ALGORITHM).key
            except (jwt.PyJWKError, jwt.InvalidKeyError):
                logger.warning("skipping an unusable signing key %s", entry.get("kid"))
                continue
            keys[str(entry["kid"])] = SigningKey(
                kid=str(entry["kid"]),
                key=public_key,
                endorsements=frozenset(str(e) for e in endorsements),
            )
        return keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        async with self._session.get(url) as response:
            response.raise_for_status()
            body = await response.json(content_type=None)
        if not isinstance(body, dict):
            raise ValueError(f"{url} did not answer a JSON object")
        return body


@dataclass
class InboundAuthenticator:
    """Decides whether an activity posted to /api/messages may be processed."""

    app_id: str  # empty: local development mode, no token checks
    tenant_id: str
    keys: SigningKeys | None
    policy: InboundAuthPolicy = field(default_factory=InboundAuthPolicy)
    wall_clock: Callable[[], float] = time.time
    # Tokens whose signature, audience and issuer verified, with the key they verified with:
    # the Bot Connector sends the same token with every activity for up to an hour, and
    # checking its RS256 signature again each time is most of an authenticated turn's
    # cost. A token is taken from here only while the key published for its id is still
    # that key (a refresh of the keys makes new ones); its times, channel and service URL
    # are checked on every activity all the same.
    _verified: dict[str, tuple[str, SigningKey, dict[str, Any]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    async def authenticate(
        self, authorization: str | None, activity: Mapping[str, Any]
    ) -> VerifiedCaller:
        """Return the verified caller or raise `AuthFailure` (401, 403 or 503)."""
        if not self.app_id:
            tenant = check_tenant(activity, self.tenant_id)
            return VerifiedCaller(claims={}, authenticated=False, tenant_id=tenant)
        claims = await self._verify_token(authorization, activity)
        tenant = check_tenant(activity, self.tenant_id)
        return VerifiedCaller(claims=claims, authenticated=True, tenant_id=tenant)

    async def _verify_token(
        self, authorization: str | None, activity: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        if not authorization:
            raise Unauthenticated("no Authorization header")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("the Authorization header is not a bearer token")
        verified = self._verified.get(token)
        signing_key = None
        if verified is not None and self.keys is not None:
            kid, key, claims = verified
            signing_key = await self.keys.key(kid)
            if signing_key is not key:
                del self._verified[token]
                verified = None
        if verified is None:
            kid, signing_key, claims = await self._verify_signature(token)
            if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                del self._verified[next(iter(self._verified))]  # the oldest
            self._verified[token] = (kid, signing_key, claims)
        assert signing_key is not None

        now = self.wall_clock()
        skew = self.policy.clock_skew_s
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or now > exp + skew:
            raise Unauthenticated("the token has expired")
        nbf = claims.get("nbf")
        if nbf is not None and (not isinstance(nbf, int | float) or now + skew < nbf):
            raise Unauthenticated("the token is not valid yet")

        channel_id = activity.get("channelId")
        if not isinstance(channel_id, str) or channel_id not in signing_key.endorsements:
            raise Unauthenticated(
                f"the signing key is not endorsed for channel {str(channel_id)[:40]!r}"
            )
        service_url = activity.get("serviceUrl")
        if claims.get("serviceurl") != service_url or not service_url:
            raise Unauthenticated("the token's serviceurl does not match the activity")
        return claims

    async def _verify_signature(self, token: str) -> tuple[str, SigningKey, dict[str, Any]]:
        """(key id, key, claims) of a token whose signature, audience and issuer verify."""
        import jwt  # PyJWT and cryptography: only with authentication on

        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise Unauthenticated("the token is not a well-formed JWT") from None
        algorithm = header.get("alg")
        if algorithm != ALLOWED_ALGORITHM:
            raise Unauthenticated(f"token algorithm {str(algorithm)[:20]!r} is not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("the token names no signing key")
        if self.keys is None:
            raise KeysUnavailable("no signing key source is configured")
        signing_key = await self.keys.key(kid)
        if signing_key is None:
            raise Unauthenticated(f"unknown signing key id {kid[:64]!r}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=[ALLOWED_ALGORITHM],
                audience=self.app_id,
                issuer=BOT_CONNECTOR_ISSUER,
                # Time is checked by the caller against the injected clock, with our skew,
                # on every activity (a token kept in `_verified` included).
                options={
                    "require": ["exp", "iss", "aud"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise Unauthenticated("the token's signature does not verify") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated("the token is not for this bot (audience)") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("the token was not issued by the Bot Connector") from None
        except jwt.MissingRequiredClaimError as error:
            raise Unauthenticated(f"the token has no {error.claim!r} claim") from None
        except jwt.InvalidTokenError as error:
            raise Unauthenticated(f"the token is invalid ({type(error).__name__})") from None
        return kid, signing_key, claims


def check_tenant(activity: Mapping[str, Any], expected: str) -> str:
    """The activity's tenant, which must be the trust's (403 otherwise).

    An activity that names no tenant is refused too: identity in this product is the pair
    (tenant, Entra object id), and Teams always sends the tenant.
    """
    channel_data = activity.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    conversation = activity.get("conversation")
    conversation_tenant = conversation.get("tenantId") if isinstance(conversation, dict) else None
    if not tenant_id:
        raise ForeignTenant("the activity names no tenant (channelData.tenant.id)")
    if _norm(tenant_id) != _norm(expected):
        raise ForeignTenant("the activity comes from another tenant")
    if conversation_tenant and _norm(conversation_tenant) != _norm(expected):
        raise ForeignTenant("the conversation belongs to another tenant")
    return str(tenant_id)


def _norm(tenant_id: object) -> str:
    return str(tenant_id).strip().lower()


def activity_id_of(activity: Mapping[str, Any]) -> str:
    """The activity id for log lines (never anything personal)."""
    value = activity.get("id")
    return str(value)[:100] if value else "(no id)"


def parse_activity(body: bytes) -> dict[str, Any]:
    """The request body as an activity object, or ValueError (its message names what is
    wrong, never the body's content, so it may be logged).

    Besides being a JSON object with a `type`, the activity must have the shape botbuilder
    reads (`bot.activity_shape.check_shape`): every known field of the right type, nesting
    at most `MAX_DEPTH` deep, valid Unicode throughout. And it must name where replies go
    (`serviceUrl`, an absolute http(s) URL): without one, a reply would go to a default
    endpoint (botbuilder's: the public Bot Framework) or nowhere, after the command had run.
    """
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("the body is not JSON") from None
    except RecursionError:
        # json gives up around a thousand levels deep; check_shape refuses far fewer.
        raise ValueError(f"the activity is nested more than {MAX_DEPTH} deep") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
        raise ValueError("the body is not an activity")
    check_shape(parsed)
    if not is_service_url(parsed.get("serviceUrl")):
        raise ValueError("the activity has no serviceUrl that is an absolute http(s) URL")
    return parsed


def is_service_url(value: object) -> bool:
    """An absolute http(s) URL with a host, and nothing a URL should not hold."""
    if not isinstance(value, str) or value != value.strip() or len(value) > 2048:
        return False
    try:
        parsed = urlsplit(value)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return (
        parsed.scheme in ("http", "https")
        and bool(parsed.hostname)
        and not parsed.username
        and not parsed.password
        and not parsed.query
        and not parsed.fragment
        and not any(c.isspace() or ord(c) < 0x20 for c in value)
    )
