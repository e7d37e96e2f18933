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

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from bot.settings import AppType, Settings
from graph.tokens import CachedTokens as SharedCachedTokens
from graph.tokens import TokenPolicy as TokenPolicy
from graph.tokens import TokenResult

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


def msal_tokens(
    settings: Settings, *, policy: TokenPolicy | None = None, http_client: Any = None
) -> CachedTokens:
    """Outbound tokens for the app registration described by `settings`, through msal.

    `http_client` is the `requests.Session` msal uses (default: a new one); every request
    on it is given `TokenPolicy.timeout_s`. Tests pass one that trusts their loopback
    identity provider's certificate.
    """
    chosen = policy or TokenPolicy()
    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        return CachedTokens(
            _managed_identity_acquirer(settings.app_id, chosen.timeout_s, http_client),
            policy=chosen,
        )
    tenant = (
        settings.app_tenant_id
        if settings.app_type is AppType.SINGLE_TENANT
        else settings.app_tenant_id or _MULTI_TENANT_AUTHORITY_TENANT
    )
    acquire = _client_secret_acquirer(
        settings.app_id,
        settings.app_password,
        f"{settings.authority_host}/{tenant}",
        timeout_s=chosen.timeout_s,
        http_client=http_client,
    )
    return CachedTokens(acquire, policy=chosen)


def _bounded(http_client: Any, timeout_s: float) -> Any:
    """`http_client` (or a new `requests.Session`) with a timeout on every request."""
    if http_client is None:
        import requests

        http_client = requests.Session()
    # requests has no session-wide timeout; msal bounds its own session the same way.
    http_client.request = functools.partial(http_client.request, timeout=timeout_s)
    return http_client


def _client_secret_acquirer(
    app_id: str, password: str, authority: str, *, timeout_s: float, http_client: Any
) -> Callable[[], TokenResult]:
    application: Any = None

    def acquire() -> TokenResult:
        nonlocal application
        import msal  # imported here: it is only needed once a token is

        if application is None:
            # Building the application performs tenant discovery over HTTPS, so it
            # happens here, in the worker thread, too; it is kept once it succeeds.
            application = msal.ConfidentialClientApplication(
                client_id=app_id,
                client_credential=password,
                authority=authority,
                http_client=_bounded(http_client, timeout_s),
                # The authority host is the operator's explicit choice (BOT_AUTHORITY_HOST);
                # instance discovery would ask login.microsoftonline.com to vouch for it.
                instance_discovery=False,
            )
        result: TokenResult = application.acquire_token_for_client(scopes=[BOT_CONNECTOR_SCOPE])
        return result

    return acquire


def _managed_identity_acquirer(
    client_id: str, timeout_s: float, http_client: Any
) -> Callable[[], TokenResult]:
    client: Any = None

    def acquire() -> TokenResult:
        nonlocal client
        import msal

        if client is None:
            client = msal.ManagedIdentityClient(
                msal.UserAssignedManagedIdentity(client_id=client_id),
                http_client=_bounded(http_client, timeout_s),
            )
        result: TokenResult = client.acquire_token_for_client(
            resource=BOT_CONNECTOR_SCOPE.removesuffix("/.default")
        )
        return result

    return acquire
