"""Tokens the bot presents when it calls the Bot Connector (replies, proactive messages).

botbuilder 4.17.1 asks msal for them from inside msrest's synchronous `signed_session`,
on the event loop: the first call and every renewal is a blocking HTTPS round trip to
Entra ID. Here msal runs in a worker thread (`asyncio.to_thread`), the token is cached
until five minutes before it expires, and botbuilder is handed a token already in hand
(see `bot/adapter.py`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from bot.settings import AppType, Settings

logger = logging.getLogger(__name__)

BOT_CONNECTOR_SCOPE = "https://api.botframework.com/.default"
_LOGIN = "https://login.microsoftonline.com/"
_MULTI_TENANT_AUTHORITY_TENANT = "botframework.com"
_RENEW_BEFORE_S = 300.0


class OutboundTokenError(Exception):
    """No token could be obtained for the Bot Connector (the reason never holds a secret)."""


class OutboundTokens(Protocol):
    async def token(self) -> str:
        """A bearer token for the Bot Connector, valid for at least a few minutes."""
        ...


TokenResult = Mapping[str, Any]  # msal's answer: access_token, expires_in, or error


class CachedTokens:
    """Caches a token from a blocking `acquire` callable that runs in a worker thread."""

    def __init__(
        self,
        acquire: Callable[[], TokenResult],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._acquire = acquire
        self._monotonic = monotonic
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if self._token is not None and self._monotonic() < self._renew_at:
            return self._token
        async with self._lock:
            if self._token is not None and self._monotonic() < self._renew_at:
                return self._token
            result = await asyncio.to_thread(self._acquire)
            access_token = result.get("access_token")
            if not isinstance(access_token, str) or not access_token:
                raise OutboundTokenError(
                    f"no token for the Bot Connector: {result.get('error', 'unknown error')}"
                )
            expires_in = float(result.get("expires_in", 3600))
            self._token = access_token
            self._renew_at = self._monotonic() + max(expires_in - _RENEW_BEFORE_S, 0.0)
            return access_token


def msal_tokens(settings: Settings) -> CachedTokens:
    """Outbound tokens for the app registration described by `settings`, through msal."""
    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        return CachedTokens(_managed_identity_acquirer(settings.app_id))
    tenant = (
        settings.app_tenant_id
        if settings.app_type is AppType.SINGLE_TENANT
        else settings.app_tenant_id or _MULTI_TENANT_AUTHORITY_TENANT
    )
    return CachedTokens(
        _client_secret_acquirer(settings.app_id, settings.app_password, _LOGIN + tenant)
    )


def _client_secret_acquirer(
    app_id: str, password: str, authority: str
) -> Callable[[], TokenResult]:
    application: Any = None

    def acquire() -> TokenResult:
        nonlocal application
        import msal  # imported here: it is only needed once a token is

        if application is None:
            # Building the application performs authority discovery over HTTPS, so it
            # happens here, in the worker thread, too.
            application = msal.ConfidentialClientApplication(
                client_id=app_id, client_credential=password, authority=authority
            )
        result: TokenResult = application.acquire_token_for_client(scopes=[BOT_CONNECTOR_SCOPE])
        return result

    return acquire


def _managed_identity_acquirer(client_id: str) -> Callable[[], TokenResult]:
    client: Any = None

    def acquire() -> TokenResult:
        nonlocal client
        import msal
        import requests

        if client is None:
            client = msal.ManagedIdentityClient(
                msal.UserAssignedManagedIdentity(client_id=client_id),
                http_client=requests.Session(),
            )
        result: TokenResult = client.acquire_token_for_client(
            resource=BOT_CONNECTOR_SCOPE.removesuffix("/.default")
        )
        return result

    return acquire
