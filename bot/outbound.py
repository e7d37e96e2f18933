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

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.settings import AppType, Settings

logger = logging.getLogger(__name__)

BOT_CONNECTOR_SCOPE = "https://api.botframework.com/.default"
_MULTI_TENANT_AUTHORITY_TENANT = "botframework.com"


@dataclass(frozen=True)
class TokenPolicy:
    """Timings of outbound token acquisition."""

    # How long a caller waits for a token; also msal's own per-request HTTP timeout.
    timeout_s: float = 10.0
    first_backoff_s: float = 2.0
    max_backoff_s: float = 60.0
    renew_before_s: float = 300.0


class OutboundTokenError(Exception):
    """No token could be obtained for the Bot Connector (the reason never holds a secret)."""


class TokensUnavailable(OutboundTokenError):
    """A recent attempt failed and the next is not due yet: failing fast, not waiting."""


class OutboundTokens(Protocol):
    async def token(self) -> str:
        """A bearer token for the Bot Connector, valid for at least a few minutes."""
        ...


TokenResult = Mapping[str, Any]  # msal's answer: access_token, expires_in, or error
_Outcome = TokenResult | Exception


class CachedTokens:
    """Caches a token from a blocking `acquire` callable that runs in a daemon thread."""

    def __init__(
        self,
        acquire: Callable[[], TokenResult],
        *,
        policy: TokenPolicy | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._acquire = acquire
        self._policy = policy or TokenPolicy()
        self._monotonic = monotonic
        self._token: str | None = None
        self._renew_at = 0.0
        self._expires_at = 0.0
        self._attempt: asyncio.Future[_Outcome] | None = None
        self._timed_out: asyncio.Future[_Outcome] | None = None
        self._failures = 0
        self._retry_at = 0.0
        self._last_failure = ""
        self.acquisitions = 0  # attempts started, for tests and diagnostics

    async def token(self) -> str:
        if self._token is not None and self._monotonic() < self._renew_at:
            return self._token
        if self._monotonic() < self._retry_at:
            return self._still_valid_or_raise(
                TokensUnavailable(
                    f"no token for the Bot Connector: {self._last_failure}; "
                    f"next attempt in {self._retry_at - self._monotonic():.0f} s"
                )
            )
        if self._attempt is None:
            self._attempt = self._start()
        attempt = self._attempt
        try:
            # Shielded: a caller giving up must not cancel the attempt others share.
            await asyncio.wait_for(asyncio.shield(attempt), self._policy.timeout_s)
        except TimeoutError:
            if not attempt.done() and self._timed_out is not attempt:
                self._timed_out = attempt
                self._note_failure(f"no answer within {self._policy.timeout_s:g} s")
        if self._token is not None and self._monotonic() < self._renew_at:
            return self._token
        return self._still_valid_or_raise(
            OutboundTokenError(f"no token for the Bot Connector: {self._last_failure}")
        )

    def _still_valid_or_raise(self, error: OutboundTokenError) -> str:
        # Renewal starts five minutes early; until expiry the token in hand still works.
        if self._token is not None and self._monotonic() < self._expires_at:
            return self._token
        raise error

    def _start(self) -> asyncio.Future[_Outcome]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_Outcome] = loop.create_future()

        def resolve(outcome: _Outcome) -> None:
            if not future.done():
                future.set_result(outcome)

        def work() -> None:
            try:
                outcome: _Outcome = self._acquire()
            except Exception as error:  # handed to the loop, which records it
                outcome = error
            # The loop may have closed while msal was stuck: nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(resolve, outcome)

        future.add_done_callback(self._settle)
        self.acquisitions += 1
        threading.Thread(target=work, name="outbound-token", daemon=True).start()
        return future

    def _settle(self, future: asyncio.Future[_Outcome]) -> None:
        if self._attempt is future:
            self._attempt = None
        outcome = future.result()
        access_token = outcome.get("access_token") if isinstance(outcome, Mapping) else None
        if isinstance(access_token, str) and access_token:
            assert isinstance(outcome, Mapping)
            expires_in = float(outcome.get("expires_in", 3600))
            now = self._monotonic()
            self._token = access_token
            self._expires_at = now + expires_in
            self._renew_at = now + max(expires_in - self._policy.renew_before_s, 0.0)
            self._failures = 0
            self._retry_at = 0.0
            return
        if isinstance(outcome, Exception):
            # The exception's type only: msal's messages can echo request details.
            reason = type(outcome).__name__
        else:
            reason = str(outcome.get("error", "unknown error"))
        if self._timed_out is future:
            # Already counted when its waiters gave up; keep the reason it ended with.
            self._last_failure = reason
            return
        self._note_failure(reason)

    def _note_failure(self, reason: str) -> None:
        self._failures += 1
        backoff = min(
            self._policy.first_backoff_s * 2 ** (self._failures - 1), self._policy.max_backoff_s
        )
        self._retry_at = self._monotonic() + backoff
        self._last_failure = reason
        logger.warning(
            "no token for the Bot Connector (%s); failure %d, next attempt in %.0f s",
            reason,
            self._failures,
            backoff,
        )


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
