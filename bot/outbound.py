"""Tokens the bot presents when it calls the Bot Connector (replies, proactive messages).

msal's calls block (HTTPS round trips to Entra ID, and authority discovery when the msal
application is built), so they run in a worker thread, never on the event loop. What the
rest of the bot can rely on (docs/security.md, "Outbound"):

- a token is asked for only when something is about to be sent, and is cached until
  five minutes before it expires: one acquisition per token lifetime;
- one acquisition at a time (single flight), and nobody waits for it longer than
  `TokenPolicy.timeout_s`; no lock is held across the wait;
- after a failure the next attempt waits (backing off, doubling up to a minute), and
  meanwhile `token()` fails at once with `TokensUnavailable` instead of re-running
  discovery for every activity; a token that is still valid is used while renewal fails;
- the worker is a daemon thread, not the default executor's (`asyncio.to_thread`): the
  executor is joined at shutdown, so a thread stuck in msal would keep SIGTERM from
  stopping the process. A stuck thread is abandoned; its late answer is still used.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from bot.settings import AppType, Settings
from graph.tokens import (
    AppCredentials,
    ClientSecret,
    Credential,
    ManagedIdentity,
    TokenResult,
    token_acquirer,
)
from graph.tokens import CachedTokens as SharedCachedTokens
from graph.tokens import TokenPolicy as TokenPolicy

logger = logging.getLogger(__name__)

BOT_CONNECTOR_SCOPE = "https://api.botframework.com/.default"
_MULTI_TENANT_AUTHORITY_TENANT = "botframework.com"


class OutboundTokenError(Exception):
    """No token could be obtained for the Bot Connector (the reason never holds a secret)."""


class TokensUnavailable(OutboundTokenError):
    """A recent attempt failed and the next is not due yet: failing fast, not waiting."""


class OutboundTokens(Protocol):
    async def token(self) -> str:
        """A bearer token for the Bot Connector, valid for at least a few minutes."""
        ...


class CachedTokens(SharedCachedTokens):
    """The Bot Connector's token cache: the app's one token cache (`graph/tokens.py`),
    raising the Bot Connector's own errors."""

    error = OutboundTokenError
    unavailable = TokensUnavailable
    thread_name = "outbound-token"

    def __init__(
        self,
        acquire: Callable[[], TokenResult],
        *,
        policy: TokenPolicy | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(acquire, purpose="the Bot Connector", policy=policy, monotonic=monotonic)


def bot_connector_credentials(settings: Settings) -> AppCredentials:
    """Who the bot is when it asks for a Bot Connector token: the app registration with its
    certificate or secret (from its own tenant, or the Bot Framework's for a multi-tenant
    app), or the user-assigned managed identity whose client id is `MicrosoftAppId`."""
    credential: Credential
    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        credential = ManagedIdentity(settings.app_id)
    elif settings.app_certificate is not None:
        credential = settings.app_certificate
    else:
        credential = ClientSecret(settings.app_password)
    tenant = (
        settings.app_tenant_id
        if settings.app_type is AppType.SINGLE_TENANT
        else settings.app_tenant_id or _MULTI_TENANT_AUTHORITY_TENANT
    )
    return AppCredentials(settings.app_id, tenant, credential, settings.authority_host)


def msal_tokens(
    settings: Settings, *, policy: TokenPolicy | None = None, http_client: Any = None
) -> CachedTokens:
    """Outbound tokens for the app registration described by `settings`, through msal: the
    token provider Graph's tokens come from too (`graph.tokens.token_acquirer`), asked for
    the Bot Connector's scope.

    `http_client` is the `requests.Session` msal uses (default: a new one); every request
    on it is given `TokenPolicy.timeout_s`. Tests pass one that trusts their loopback
    identity provider's certificate.
    """
    chosen = policy or TokenPolicy()
    acquire = token_acquirer(
        bot_connector_credentials(settings),
        scope=BOT_CONNECTOR_SCOPE,
        timeout_s=chosen.timeout_s,
        http_client=http_client,
    )
    return CachedTokens(acquire, policy=chosen)
