"""A thin Microsoft Graph client on the app's one aiohttp session (docs/graph.md says why
not the official SDK).

What it guarantees:

- every attempt is bounded (`RetryPolicy.attempt_timeout_s`), and so is the number of
  attempts (`RetryPolicy.max_attempts`);
- 429, 503 and 504 are retried after the wait Graph asks for in `Retry-After` (whole or
  fractional seconds, or an HTTP date; the larger of it and `RateLimit-Reset` when both
  are sent), otherwise after a capped exponential backoff with jitter. A wait longer than
  `RetryPolicy.max_wait_s` is not slept: `GraphThrottled` says how long Graph asked for;
- a write that may have happened is never repeated blindly: when a POST's response is
  lost (timeout, dropped connection, 504), `GraphOutcomeUnknown` is raised at once; the
  caller retries after looking for what it wrote (the SharePoint store finds an item by
  its unique key). A request that never got a connection is retried like any other;
- `$batch` sends at most 20 requests a batch (more are split, keeping `dependsOn` chains
  together), checks each member's status and retries throttled members (and those that
  failed only because a throttled one did, 424);
- every request carries a decorated User-Agent (`ISV|Company|App/Version`), which
  SharePoint throttles last;
- errors are `GraphError` subclasses naming the operation (the path with its ids
  replaced, so no mailbox address or item id), the status and Graph's error code; never
  a token, a query or a body.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp

from graph.tokens import TokenProvider

logger = logging.getLogger(__name__)

GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
MAX_BATCH_REQUESTS = 20
RETRIED_STATUSES = frozenset({429, 503, 504})
# Path segments that are names, not ids: kept in error messages and log lines.
_LITERAL_SEGMENTS = frozenset(
    {
        "sites", "lists", "items", "fields", "columns", "users", "messages", "attachments",
        "groups", "members", "$batch", "teams", "channels", "versions", "mailFolders",
        "microsoft.graph.createUploadSession", "createUploadSession", "microsoft.graph.send",
        "send", "drive", "root", "permissions",
    }
)  # fmt: skip
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH"})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    first_backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    # A longer Retry-After is not waited for here: the caller is told, and can defer.
    max_wait_s: float = 60.0
    attempt_timeout_s: float = 30.0
    connect_timeout_s: float = 5.0


def decorated_user_agent(company: str, app: str, version: str, *, isv: bool = True) -> str:
    """`ISV|Company|App/Version`, the form SharePoint asks of Graph traffic."""
    for part in (company, app, version):
        if not part or "|" in part or "/" in part or any(c.isspace() for c in part.strip()):
            raise ValueError(
                "each part of the User-Agent must be non-empty, with no '|', '/' or spaces"
            )
    return f"{'ISV' if isv else 'NONISV'}|{company}|{app}/{version}"


# --- errors --------------------------------------------------------------------------


class GraphError(Exception):
    """A Graph request that did not succeed. The message names the operation (ids
    replaced), the status and Graph's error code: safe to log, never personal data."""

    def __init__(
        self,
        operation: str,
        status: int | None,
        code: str = "",
        *,
        detail: str = "",
        request_id: str = "",
    ) -> None:
        self.operation = operation
        self.status = status
        self.code = code
        self.request_id = request_id
        parts = [f"Graph {operation} failed"]
        if status is not None:
            parts.append(f"with {status}")
        if code:
            parts.append(f"({code})")
        message = " ".join(parts)
        if detail:
            message += f": {detail}"
        if request_id:
            message += f" [request-id {request_id}]"
        super().__init__(message)


class GraphThrottled(GraphError):
    """Still throttled after the allowed attempts, or asked to wait longer than allowed."""

    def __init__(self, *args: Any, retry_after_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_s = retry_after_s


class GraphUnavailable(GraphError):
    """Graph could not be reached or kept failing (503, 504, timeouts, dropped
    connections) for a request that is safe to repeat."""


class GraphOutcomeUnknown(GraphUnavailable):
    """A write was sent but its answer was lost: it may or may not have happened. Retry
    only after looking for what was written (by its unique key), or the write doubles."""


class GraphNotFound(GraphError):
    pass


class GraphConflict(GraphError):
    """409: for a list item, a value in a column with unique values is already taken."""


class GraphPreconditionFailed(GraphError):
    """412: the item changed since it was read (its eTag no longer matches If-Match)."""


class GraphForbidden(GraphError):
    """403. `missing_permissions` names what Graph said the call needs, when it says."""

    def __init__(self, *args: Any, missing_permissions: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing_permissions = tuple(missing_permissions)


class GraphUnauthorized(GraphError):
    """401: the token was refused."""


class GraphBadRequest(GraphError):
    """400 and other refusals of the request itself."""


_PERMISSION = re.compile(r"\b(?:[A-Z][A-Za-z]+\.)+(?:[A-Z][A-Za-z]+)\b")


def _missing_permissions(message: str) -> list[str]:
    """Permission names in Graph's 403 message ("... API requires one of 'Mail.ReadWrite'.
    Roles on the request 'Sites.Selected'."): those required, not those held."""
    required = message.split("Roles on the request", 1)[0]
    found: list[str] = []
    for name in _PERMISSION.findall(required):
        if name not in found and name.split(".", 1)[0] not in ("Microsoft", "System"):
            found.append(name)
    return found


def operation_name(method: str, url: str) -> str:
    """`PATCH /sites/{id}/lists/{id}/items/{id}/fields`: the path with ids replaced."""
    path = url.split("?", 1)[0]
    if "://" in path:
        path = "/" + path.split("://", 1)[1].split("/", 1)[-1]
    segments = [s for s in path.split("/") if s]
    if segments and segments[0] in ("v1.0", "beta"):
        segments = segments[1:]
    named = [s if s in _LITERAL_SEGMENTS else "{id}" for s in segments]
    return f"{method} /{'/'.join(named)}"


def error_for(
    operation: str,
    status: int,
    body: Any,
    headers: Mapping[str, str],
    *,
    retry_after_s: float | None = None,
) -> GraphError:
    error = body.get("error") if isinstance(body, Mapping) else None
    code = str(error.get("code", ""))[:80] if isinstance(error, Mapping) else ""
    message = str(error.get("message", "")) if isinstance(error, Mapping) else ""
    request_id = str(headers.get("request-id", ""))[:64]
    common: dict[str, Any] = {"code": code, "request_id": request_id}
    if status == 429:
        return GraphThrottled(operation, status, retry_after_s=retry_after_s, **common)
    if status in (503, 504):
        return GraphUnavailable(operation, status, **common)
    if status == 404:
        return GraphNotFound(operation, status, **common)
    if status == 409:
        return GraphConflict(operation, status, **common)
    if status == 412:
        return GraphPreconditionFailed(operation, status, **common)
    if status == 401:
        return GraphUnauthorized(operation, status, **common)
    if status == 403:
        missing = _missing_permissions(message)
        detail = (
            f"the app lacks the permission {' or '.join(missing)}"
            if missing
            else "access denied (for Sites.Selected, check the site grant)"
        )
        return GraphForbidden(
            operation, status, detail=detail, missing_permissions=missing, **common
        )
    if 400 <= status < 500:
        return GraphBadRequest(operation, status, **common)
    return GraphUnavailable(operation, status, **common)


# --- waits ---------------------------------------------------------------------------


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """The wait Graph asks for: `Retry-After` as seconds (whole or fractional) or an HTTP
    date, and the larger of it and `RateLimit-Reset` when both are given."""
    waits: list[float] = []
    value = headers.get("Retry-After")
    if value is not None:
        parsed = _seconds(value)
        if parsed is None:
            try:
                when = email.utils.parsedate_to_datetime(value.strip())
            except (TypeError, ValueError):
                when = None
            if when is not None and when.tzinfo is not None:
                parsed = when.timestamp() - now
        if parsed is not None:
            waits.append(parsed)
    reset = headers.get("RateLimit-Reset")
    if reset is not None and (parsed_reset := _seconds(reset)) is not None:
        waits.append(parsed_reset)
    return max(0.0, *waits) if waits else None


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds == seconds and seconds != float("inf") else None


# --- requests and responses ----------------------------------------------------------


@dataclass(frozen=True)
class GraphResponse:
    status: int
    headers: Mapping[str, str]
    body: Any  # parsed JSON, or None for an empty body

    @property
    def etag(self) -> str | None:
        if isinstance(self.body, Mapping):
            for key in ("@odata.etag", "eTag"):
                if isinstance(self.body.get(key), str):
                    return str(self.body[key])
        return self.headers.get("ETag")


@dataclass(frozen=True)
class BatchRequest:
    """One member of a `$batch`: `url` is relative (`/sites/...`)."""

    id: str
    method: str
    url: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    depends_on: Sequence[str] = ()

    def as_json(self) -> dict[str, Any]:
        member: dict[str, Any] = {"id": self.id, "method": self.method, "url": self.url}
        headers = dict(self.headers)
        if self.body is not None:
            headers.setdefault("Content-Type", "application/json")
            member["body"] = self.body
        if headers:
            member["headers"] = headers
        if self.depends_on:
            member["dependsOn"] = list(self.depends_on)
        return member


@dataclass(frozen=True)
class BatchResponse:
    id: str
    status: int
    headers: Mapping[str, str]
    body: Any
    operation: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def raise_for_status(self) -> None:
        if not self.ok:
            raise error_for(self.operation, self.status, self.body, self.headers)


Sleep = Callable[[float], Awaitable[None]]


class GraphClient:
    """Graph over `session` (the app's one aiohttp session), authenticated by `tokens`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        tokens: TokenProvider,
        *,
        user_agent: str,
        base_url: str = GRAPH_BASE_URL,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        wall_clock: Callable[[], float] = time.time,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._user_agent = user_agent
        self._base_url = base_url.rstrip("/")
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._jitter = jitter

    @property
    def base_url(self) -> str:
        return self._base_url

    def _backoff(self, attempt: int) -> float:
        """Capped exponential backoff with jitter: half the step fixed, half random."""
        step = min(self._policy.first_backoff_s * 2 ** (attempt - 1), self._policy.max_backoff_s)
        return float(step / 2 + self._jitter() * step / 2)

    async def _wait_before_retry(
        self, operation: str, attempt: int, status: int | None, headers: Mapping[str, str]
    ) -> float | None:
        """Sleep before the next attempt; None if Graph asks for longer than allowed."""
        asked = retry_after_seconds(headers, self._wall_clock())
        wait = asked if asked is not None else self._backoff(attempt)
        if wait > self._policy.max_wait_s:
            return None
        logger.info(
            "Graph %s answered %s; attempt %d, retrying in %.2f s",
            operation,
            status if status is not None else "no response",
            attempt,
            wait,
        )
        await self._sleep(wait)
        return wait

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> GraphResponse:
        """One Graph call with the retry policy; `path` is relative to the base URL, or
        an absolute URL under it (an `@odata.nextLink`). Raises a `GraphError`."""
        method = method.upper()
        url = self._absolute(path)
        operation = operation_name(method, url)
        repeatable = method in _IDEMPOTENT_METHODS if idempotent is None else idempotent
        timeout = aiohttp.ClientTimeout(
            total=self._policy.attempt_timeout_s, connect=self._policy.connect_timeout_s
        )
        attempt = 0
        while True:
            attempt += 1
            token = await self._tokens.token()
            sent_headers = {
                "Authorization": f"Bearer {token}",
                "User-Agent": self._user_agent,
                "Accept": "application/json",
                **(headers or {}),
            }
            try:
                async with self._session.request(
                    method,
                    url,
                    json=json_body,
                    headers=sent_headers,
                    params=params,
                    timeout=timeout,
                    allow_redirects=False,
                ) as response:
                    raw = await response.read()
                    status = response.status
                    response_headers = {k: v for k, v in response.headers.items()}
            except (TimeoutError, aiohttp.ClientError) as error:
                # No connection was made, so nothing was sent: safe to repeat any request.
                never_sent = isinstance(
                    error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError
                )
                if never_sent:
                    reason = f"no connection ({type(error).__name__})"
                elif isinstance(error, TimeoutError):
                    reason = "no answer in time"
                else:
                    reason = type(error).__name__
                if not repeatable and not never_sent:
                    raise GraphOutcomeUnknown(
                        operation,
                        None,
                        detail=f"{reason}; the write may have happened, "
                        "look for it before writing again",
                    ) from None
                if attempt >= self._policy.max_attempts:
                    raise GraphUnavailable(
                        operation, None, detail=f"{reason} after {attempt} attempts"
                    ) from None
                await self._wait_before_retry(operation, attempt, None, {})
                continue
            body = _parse(raw)
            if 200 <= status < 300:
                return GraphResponse(status, response_headers, body)
            if status in RETRIED_STATUSES:
                if status == 504 and not repeatable:
                    raise GraphOutcomeUnknown(
                        operation,
                        status,
                        detail="the gateway timed out; the write may have happened, "
                        "look for it before writing again",
                        request_id=str(response_headers.get("request-id", ""))[:64],
                    )
                asked = retry_after_seconds(response_headers, self._wall_clock())
                if attempt < self._policy.max_attempts:
                    waited = await self._wait_before_retry(
                        operation, attempt, status, response_headers
                    )
                    if waited is not None:
                        continue
                raise error_for(operation, status, body, response_headers, retry_after_s=asked)
            raise error_for(operation, status, body, response_headers)

    def _absolute(self, path: str) -> str:
        if "://" in path:
            # Only links under the configured base get the token (a nextLink elsewhere
            # would hand it to another host).
            if not path.startswith(self._base_url + "/"):
                raise GraphBadRequest("GET (a link)", None, detail="a link outside Graph")
            return path
        return f"{self._base_url}/{path.lstrip('/')}"

    async def get(self, path: str, *, params: Mapping[str, str] | None = None) -> Any:
        return (await self.request("GET", path, params=params)).body

    async def pages(
        self, path: str, *, params: Mapping[str, str] | None = None, max_pages: int = 1000
    ) -> AsyncIterator[list[Any]]:
        """Each page's `value`, following `@odata.nextLink` (at most `max_pages`)."""
        link: str | None = path
        query = params
        for _ in range(max_pages):
            if link is None:
                return
            body = (await self.request("GET", link, params=query)).body
            query = None  # the next link carries its own query
            if not isinstance(body, Mapping) or not isinstance(body.get("value"), list):
                raise GraphBadRequest(operation_name("GET", link), 200, detail="no value list")
            yield list(body["value"])
            next_link = body.get("@odata.nextLink")
            link = next_link if isinstance(next_link, str) else None
        if link is not None:
            raise GraphBadRequest(
                operation_name("GET", path), None, detail=f"more than {max_pages} pages"
            )

    # --- $batch ----------------------------------------------------------------------

    async def batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
        """Run `requests` through `$batch`, 20 at most per batch, and answer every id.

        Members answered 429 or 503, or 504 if they are not a POST (and those that failed
        with 424 because of one), are sent again after the longest wait asked for, up to
        `max_attempts` times; any other status is the member's answer, for the caller to
        check (`raise_for_status`).
        """
        _check_batch(requests)
        results: dict[str, BatchResponse] = {}
        for chunk in _chunks(requests):
            results.update(await self._run_chunk(chunk))
        return results

    async def _run_chunk(self, chunk: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
        results: dict[str, BatchResponse] = {}
        pending = list(chunk)
        attempt = 0
        while pending:
            attempt += 1
            response = await self.request(
                "POST",
                "$batch",
                json_body={"requests": [r.as_json() for r in pending]},
                idempotent=all(r.method in _IDEMPOTENT_METHODS for r in pending),
            )
            answered = _batch_responses(response.body, pending)
            retry: list[BatchRequest] = []
            waits: list[float] = []
            for member in pending:
                reply = answered[member.id.lower()]
                results[member.id] = reply
                if _member_retried(member, reply.status) or reply.status == 424:
                    retry.append(member)
                    asked = retry_after_seconds(reply.headers, self._wall_clock())
                    if asked is not None:
                        waits.append(asked)
            # A 424 is retried only with what it depended on (directly or along a chain):
            # otherwise it is final.
            retry = _kept(retry, results)
            if not retry or attempt >= self._policy.max_attempts:
                return results
            wait = max(waits) if waits else self._backoff(attempt)
            if wait > self._policy.max_wait_s:
                return results
            logger.info(
                "Graph $batch: %d of %d members throttled or unavailable; retrying in %.2f s",
                len(retry),
                len(pending),
                wait,
            )
            await self._sleep(wait)
            # What a resent member depended on and is not resent has succeeded: the
            # dependency is met, and Graph refuses a dependsOn naming a request not sent.
            resent = {r.id.lower() for r in retry}
            pending = [
                replace(r, depends_on=tuple(d for d in r.depends_on if d.lower() in resent))
                for r in retry
            ]
        return results


def _member_retried(member: BatchRequest, status: int) -> bool:
    """429 and 503 mean the member was not run; a 504 may hide a write that happened."""
    if status == 504:
        return member.method in _IDEMPOTENT_METHODS
    return status in RETRIED_STATUSES


def _kept(
    retry: Sequence[BatchRequest], results: Mapping[str, BatchResponse]
) -> list[BatchRequest]:
    """The members to send again: those not run (throttled, unavailable), and each 424 whose
    dependency is sent again. Members come in order (a dependency before its dependants),
    so one pass follows a chain."""
    kept: list[BatchRequest] = []
    again: set[str] = set()
    for member in retry:
        if results[member.id].status != 424 or any(d.lower() in again for d in member.depends_on):
            kept.append(member)
            again.add(member.id.lower())
    return kept


def _check_batch(requests: Sequence[BatchRequest]) -> None:
    seen: set[str] = set()
    for member in requests:
        key = member.id.lower()
        if not member.id or key in seen:
            raise ValueError(f"batch request ids must be unique and non-empty: {member.id!r}")
        seen.add(key)
        if "://" in member.url or not member.url.startswith("/"):
            raise ValueError(f"batch request {member.id!r}: the url must be relative (/...)")
    for member in requests:
        for dependency in member.depends_on:
            if dependency.lower() not in seen:
                raise ValueError(f"batch request {member.id!r} depends on unknown {dependency!r}")


def _chunks(requests: Sequence[BatchRequest]) -> list[list[BatchRequest]]:
    """Batches of at most 20, in order, each dependsOn chain kept within one batch."""
    group_of: dict[str, int] = {}
    groups: list[list[BatchRequest]] = []
    for member in requests:
        linked = {group_of[d.lower()] for d in member.depends_on}
        if not linked:
            group_of[member.id.lower()] = len(groups)
            groups.append([member])
            continue
        target = min(linked)
        for other in sorted(linked - {target}, reverse=True):
            for moved in groups[other]:
                group_of[moved.id.lower()] = target
            groups[target].extend(groups[other])
            groups[other] = []
        groups[target].append(member)
        group_of[member.id.lower()] = target
    chunks: list[list[BatchRequest]] = []
    for group in (g for g in groups if g):
        if len(group) > MAX_BATCH_REQUESTS:
            raise ValueError(
                f"a dependsOn chain of {len(group)} requests does not fit one batch of "
                f"{MAX_BATCH_REQUESTS}"
            )
        if not chunks or len(chunks[-1]) + len(group) > MAX_BATCH_REQUESTS:
            chunks.append([])
        chunks[-1].extend(group)
    return chunks


def _batch_responses(body: Any, sent: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
    operations = {m.id.lower(): operation_name(m.method, m.url) for m in sent}
    replies = body.get("responses") if isinstance(body, Mapping) else None
    if not isinstance(replies, list):
        raise GraphBadRequest("POST /$batch", 200, detail="the answer has no responses list")
    answered: dict[str, BatchResponse] = {}
    for reply in replies:
        if not isinstance(reply, Mapping) or not isinstance(reply.get("status"), int):
            raise GraphBadRequest("POST /$batch", 200, detail="a response has no status")
        key = str(reply.get("id", "")).lower()
        if key not in operations:
            raise GraphBadRequest("POST /$batch", 200, detail="a response for an unsent id")
        headers = reply.get("headers")
        answered[key] = BatchResponse(
            id=str(reply["id"]),
            status=int(reply["status"]),
            headers=dict(headers) if isinstance(headers, Mapping) else {},
            body=reply.get("body"),
            operation=operations[key],
        )
    missing = [m.id for m in sent if m.id.lower() not in answered]
    if missing:
        raise GraphBadRequest(
            "POST /$batch", 200, detail=f"no response for {len(missing)} request(s)"
        )
    return answered


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
