"""Tokens the app presents to Microsoft Graph, from one msal client kept for the app's life.

One cache for any scope; the Bot Connector's tokens (`bot/outbound.py`) use it too:

- a token is asked for only when a request is about to be made, and is cached until
  `TokenPolicy.renew_before_s` before it expires: one acquisition per token lifetime;
- one acquisition at a time (single flight); nobody waits for it longer than
  `TokenPolicy.timeout_s` (`GraphTokenError` then), and no lock is held across the wait;
- after a failure the next attempt waits (backing off, doubling up to a minute), and
  meanwhile `token()` fails at once with `GraphTokensUnavailable`; a token that is still
  valid is used while its renewal fails;
- msal's calls block (HTTPS to Entra ID, and tenant discovery when the msal application
  is built), so they run off the event loop in a daemon thread rather than through
  `asyncio.to_thread`: the default executor is joined at shutdown, so a thread stuck in
  msal would keep the process from stopping. A stuck thread is abandoned; its late
  answer is still used;
- error messages name what failed (msal's error code, or the exception's type), never a
  secret, a token or msal's free-text description, which can echo request details.

Credentials: a client secret, a certificate (private key and certificate, PEM), or a
managed identity (Azure App Service's identity endpoint, or the VM's IMDS; msal picks the
one the environment offers). The authority host is configurable, so tests use the
loopback identity provider.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

logger = logging.getLogger(__name__)

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"


@dataclass(frozen=True)
class TokenPolicy:
    """Timings of token acquisition."""

    # How long a caller waits for a token; also msal's own per-request HTTP timeout.
    timeout_s: float = 10.0
    first_backoff_s: float = 2.0
    max_backoff_s: float = 60.0
    renew_before_s: float = 300.0


class GraphTokenError(Exception):
    """No token could be obtained (the message never holds a secret or a token)."""


class GraphTokensUnavailable(GraphTokenError):
    """A recent attempt failed and the next is not due yet: failing fast, not waiting."""


class TokenProvider(Protocol):
    async def token(self) -> str:
        """A bearer token, valid for at least a few minutes."""
        ...


@dataclass(frozen=True)
class ClientSecret:
    value: str = field(repr=False)


@dataclass(frozen=True)
class ClientCertificate:
    """The app registration's certificate: its private key and the certificate, PEM."""

    private_key_pem: bytes = field(repr=False)
    certificate_pem: bytes

    @property
    def expires(self) -> datetime.datetime:
        """When the certificate stops being valid (UTC)."""
        from cryptography import x509

        return x509.load_pem_x509_certificate(self.certificate_pem).not_valid_after_utc

    @property
    def thumbprint(self) -> str:
        """Its SHA-1 thumbprint, upper-case hex: what the app registration's
        *Certificates & secrets* page and App Service's `WEBSITE_LOAD_CERTIFICATES` show."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        certificate = x509.load_pem_x509_certificate(self.certificate_pem)
        return certificate.fingerprint(hashes.SHA1()).hex().upper()


@dataclass(frozen=True)
class ManagedIdentity:
    """Azure hosting's identity; `client_id` names a user-assigned one (empty: system)."""

    client_id: str = ""


Credential = ClientSecret | ClientCertificate | ManagedIdentity


@dataclass(frozen=True)
class AppCredentials:
    """Who the app is to Entra ID, and where Entra ID is (scheme and host only)."""

    client_id: str
    tenant_id: str
    credential: Credential
    authority_host: str = DEFAULT_AUTHORITY_HOST


TokenResult = Mapping[str, Any]  # msal's answer: access_token, expires_in, or error
_Outcome = TokenResult | Exception


class CachedTokens:
    """Caches a token from a blocking `acquire` callable that runs in a daemon thread.

    The one cache for every token the app asks for: Graph's here, and the Bot Connector's
    (`bot/outbound.py`), which names its own error types through `error`/`unavailable`."""

    error: ClassVar[type[Exception]] = GraphTokenError
    unavailable: ClassVar[type[Exception]] = GraphTokensUnavailable
    thread_name: ClassVar[str] = "graph-token"

    def __init__(
        self,
        acquire: Callable[[], TokenResult],
        *,
        purpose: str = "Microsoft Graph",
        policy: TokenPolicy | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._acquire = acquire
        self._purpose = purpose
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
                self.unavailable(
                    f"no token for {self._purpose}: {self._last_failure}; "
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
            self.error(f"no token for {self._purpose}: {self._last_failure}")
        )

    def _still_valid_or_raise(self, error: Exception) -> str:
        # Renewal starts early; until expiry the token in hand still works.
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
        threading.Thread(target=work, name=self.thread_name, daemon=True).start()
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
            reason = str(outcome.get("error", "unknown error"))[:100]
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
            "no token for %s (%s); failure %d, next attempt in %.0f s",
            self._purpose,
            reason,
            self._failures,
            backoff,
        )


def graph_tokens(
    credentials: AppCredentials,
    *,
    scope: str = GRAPH_SCOPE,
    policy: TokenPolicy | None = None,
    http_client: Any = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> CachedTokens:
    """Tokens for `scope` (Graph's by default) for the app `credentials` describe.

    Build it once, at start-up, and keep it: the msal client inside (and its cache) lives
    as long as this object. `http_client` is the `requests.Session` msal uses (default: a
    new one); every request on it is given `TokenPolicy.timeout_s`. Tests pass one that
    trusts their loopback identity provider's certificate.
    """
    chosen = policy or TokenPolicy()
    acquire = token_acquirer(
        credentials, scope=scope, timeout_s=chosen.timeout_s, http_client=http_client
    )
    return CachedTokens(acquire, policy=chosen, monotonic=monotonic)


def token_acquirer(
    credentials: AppCredentials, *, scope: str, timeout_s: float, http_client: Any = None
) -> Callable[[], TokenResult]:
    """The blocking call that asks Entra ID (or the managed identity endpoint) for a token
    for `scope`, for a `CachedTokens` to run: Graph's here, the Bot Connector's in
    `bot/outbound.py`. It keeps its msal client (and msal's cache) for its own life."""
    # Made now (no I/O), so that every later attempt shares one bounded session.
    bounded = _bounded(http_client, timeout_s)
    credential = credentials.credential
    if isinstance(credential, ManagedIdentity):
        return _managed_identity_acquirer(credential, scope, bounded)
    return _confidential_client_acquirer(credentials, credential, scope, bounded)


def _bounded(http_client: Any, timeout_s: float) -> Any:
    """`http_client` (or a new `requests.Session`) with a timeout on every request."""
    if http_client is None:
        import requests

        http_client = requests.Session()
    # requests has no session-wide timeout; msal bounds its own session the same way.
    http_client.request = functools.partial(http_client.request, timeout=timeout_s)
    return http_client


def _msal_credential(credential: ClientSecret | ClientCertificate) -> Any:
    if isinstance(credential, ClientSecret):
        return credential.value
    # No "thumbprint": given the certificate, msal names it by its SHA-256 thumbprint (the
    # x5t#S256 header) and signs with PS256, as Entra ID prefers; a SHA-1 thumbprint would
    # make it fall back to x5t and RS256.
    return {
        "private_key": credential.private_key_pem.decode(),
        "public_certificate": credential.certificate_pem.decode(),
    }


def _confidential_client_acquirer(
    credentials: AppCredentials,
    credential: ClientSecret | ClientCertificate,
    scope: str,
    http_client: Any,
) -> Callable[[], TokenResult]:
    application: Any = None
    authority = f"{credentials.authority_host.rstrip('/')}/{credentials.tenant_id}"

    def acquire() -> TokenResult:
        nonlocal application
        import msal  # imported here: it is only needed once a token is

        if application is None:
            # Building the application performs tenant discovery over HTTPS, so it
            # happens here, in the worker thread, too; it is kept once it succeeds.
            application = msal.ConfidentialClientApplication(
                client_id=credentials.client_id,
                client_credential=_msal_credential(credential),
                authority=authority,
                http_client=http_client,
                # The authority host is the operator's explicit choice; instance
                # discovery would ask login.microsoftonline.com to vouch for it.
                instance_discovery=False,
            )
        result: TokenResult = application.acquire_token_for_client(scopes=[scope])
        return result

    return acquire


def _managed_identity_acquirer(
    credential: ManagedIdentity, scope: str, http_client: Any
) -> Callable[[], TokenResult]:
    client: Any = None

    def acquire() -> TokenResult:
        nonlocal client
        import msal

        if client is None:
            identity: Any = (
                msal.UserAssignedManagedIdentity(client_id=credential.client_id)
                if credential.client_id
                else msal.SystemAssignedManagedIdentity()
            )
            client = msal.ManagedIdentityClient(identity, http_client=http_client)
        # Managed identity endpoints take a resource, not a scope.
        result: TokenResult = client.acquire_token_for_client(
            resource=scope.removesuffix("/.default")
        )
        return result

    return acquire
