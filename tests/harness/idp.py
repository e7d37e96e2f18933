"""A loopback identity provider playing login.botframework.com for the bot under test,
and (as `entra`, over HTTPS) Entra ID, which issues the bot's outbound tokens.

It serves OpenID metadata and a JWKS whose keys carry `endorsements` (the channels each
key may sign for), counts how often each is fetched, can stall (to test the bot's fetch
timeout), and mints RS256 tokens shaped like the Bot Connector's, valid or broken in one
named way each.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.harness.entra import LoopbackEntraId
from tests.harness.servers import serve

BOT_CONNECTOR_ISSUER = "https://api.botframework.com"
# The Bot Framework Emulator's issuers (v1 and v2 tokens): a bot in production must refuse them.
EMULATOR_ISSUER_V1 = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
EMULATOR_ISSUER_V2 = "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0"

TEAMS_KEY_ID = "loopback-msteams-key"
WEBCHAT_KEY_ID = "loopback-webchat-key"


class TokenKind(Enum):
    VALID = "valid"
    UNKNOWN_KID = "unknown key id"
    BAD_SIGNATURE = "bad signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    NO_EXPIRY = "no exp claim"
    HS256 = "alg HS256"
    ALG_NONE = "alg none"
    GARBAGE = "garbage"
    WRONG_AUDIENCE = "wrong audience"
    WRONG_ISSUER = "wrong issuer"
    EMULATOR_ISSUER_V1 = "emulator issuer v1"
    EMULATOR_ISSUER_V2 = "emulator issuer v2"
    CHANNEL_NOT_ENDORSED = "key not endorsed for the channel"
    SERVICEURL_MISMATCH = "serviceurl mismatch"


@cache
def _private_key(name: str) -> rsa.RSAPrivateKey:
    # Generated once per test process: RSA generation is slow and the keys are throwaway.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class LoopbackIdentityProvider:
    def __init__(self, *, wall_clock: Callable[[], float] = time.time) -> None:
        # The bot checks expiry against the real clock, so tokens are minted against it too.
        self._wall_clock = wall_clock
        self._keys = {
            TEAMS_KEY_ID: (_private_key("msteams"), ["msteams"]),
            WEBCHAT_KEY_ID: (_private_key("webchat"), ["webchat", "directline"]),
        }
        self._impostor = _private_key("impostor")
        self.metadata_requests = 0
        self.jwks_requests = 0
        self._stall: asyncio.Event | None = None
        self._stalled_request = asyncio.Event()
        self._serving: Any = None
        self.url = ""
        self.entra = LoopbackEntraId()

    # --- serving -----------------------------------------------------------------------

    async def __aenter__(self) -> LoopbackIdentityProvider:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/.well-known/keys", self._jwks)
        self._serving = serve(app)
        self.url = await self._serving.__aenter__()
        await self.entra.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()
        await self.entra.__aexit__(None, None, None)
        await self._serving.__aexit__(None, None, None)

    @property
    def authority_host(self) -> str:
        """Entra ID's authority host (`BOT_AUTHORITY_HOST`), ``https://127.0.0.1:PORT``."""
        return self.entra.authority_host

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    def stall(self) -> None:
        """Make the key endpoint hang until `release()` (or the end of the test)."""
        self._stall = asyncio.Event()

    async def wait_until_stalled(self) -> None:
        """Return once a key request is hanging on the stall."""
        await self._stalled_request.wait()

    def release(self) -> None:
        if self._stall is not None:
            self._stall.set()
            self._stall = None

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_requests += 1
        return web.json_response(
            {
                "issuer": BOT_CONNECTOR_ISSUER,
                "authorization_endpoint": "https://invalid.example/authorize",
                "jwks_uri": f"{self.url}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        self.jwks_requests += 1
        if self._stall is not None:
            self._stalled_request.set()
            await self._stall.wait()
        keys = []
        for kid, (private_key, endorsements) in self._keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
            jwk.update({"kid": kid, "use": "sig", "endorsements": endorsements})
            keys.append(jwk)
        return web.json_response({"keys": keys})

    # --- tokens ------------------------------------------------------------------------

    def mint(
        self,
        kind: TokenKind = TokenKind.VALID,
        *,
        audience: str,
        service_url: str,
        lifetime_s: int = 3600,
    ) -> str:
        """A token the Bot Connector would send with an activity, broken as `kind` says."""
        now = int(self._wall_clock())
        claims: dict[str, Any] = {
            "serviceurl": service_url,
            "nbf": now - 5,
            "exp": now + lifetime_s,
            "iss": BOT_CONNECTOR_ISSUER,
            "aud": audience,
        }
        kid = TEAMS_KEY_ID
        key: Any = self._keys[TEAMS_KEY_ID][0]
        if kind is TokenKind.UNKNOWN_KID:
            kid = "a-key-nobody-published"
        elif kind is TokenKind.BAD_SIGNATURE:
            key = self._impostor
        elif kind is TokenKind.EXPIRED:
            # Beyond the bot's five minutes of tolerated clock skew.
            claims.update(nbf=now - 7200, exp=now - 600)
        elif kind is TokenKind.NOT_YET_VALID:
            claims.update(nbf=now + 1200)
        elif kind is TokenKind.NO_EXPIRY:
            del claims["exp"]
        elif kind is TokenKind.WRONG_AUDIENCE:
            claims["aud"] = "some-other-bot"
        elif kind is TokenKind.WRONG_ISSUER:
            claims["iss"] = "https://api.botframework.example"
        elif kind is TokenKind.EMULATOR_ISSUER_V1:
            claims["iss"] = EMULATOR_ISSUER_V1
        elif kind is TokenKind.EMULATOR_ISSUER_V2:
            claims["iss"] = EMULATOR_ISSUER_V2
        elif kind is TokenKind.CHANNEL_NOT_ENDORSED:
            kid = WEBCHAT_KEY_ID
            key = self._keys[WEBCHAT_KEY_ID][0]
        elif kind is TokenKind.SERVICEURL_MISMATCH:
            claims["serviceurl"] = "https://smba.trafficmanager.net/emea/"
        elif kind is TokenKind.HS256:
            return jwt.encode(
                claims,
                "a-shared-secret-of-32-bytes-or-more!",
                algorithm="HS256",
                headers={"kid": TEAMS_KEY_ID},
            )
        elif kind is TokenKind.ALG_NONE:
            header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": TEAMS_KEY_ID}).encode())
            return f"{header}.{_b64(json.dumps(claims).encode())}."
        elif kind is TokenKind.GARBAGE:
            return "this.is-not-a.token"
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
