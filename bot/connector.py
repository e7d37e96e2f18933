"""Posting activities to the Bot Connector: on the app's one aiohttp session, bounded by
its timeout, with a token asked for only when something is sent.

botbuilder's `CloudAdapter` builds an msrest connector client and a user-token client for
every activity and asks for a token before the bot has decided to say anything; msrest's
send then runs in a thread pool with a 100-second timeout. Here one `ConversationClient`
per serviceUrl is built on the first send to it and reused, and each post is one aiohttp
request. The bodies are serialised by `bot/adapter.py` (botbuilder's schema); this module
sends JSON and knows nothing of botbuilder.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import yarl

from bot.outbound import OutboundTokenError, OutboundTokens

logger = logging.getLogger(__name__)

# Teams uses a handful of serviceUrls (one per region); a bound keeps a stream of odd ones
# (local development mode accepts any) from growing the cache without end.
MAX_CLIENTS = 32


class ReplyNotPosted(Exception):
    """The Bot Connector did not accept an activity. `reason` is safe to log."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class Delivery:
    """Where one outgoing activity goes: the conversation, and the activity it answers."""

    service_url: str
    conversation_id: str
    reply_to_id: str | None  # None: a fresh message in the conversation


class ConversationClient:
    """The Bot Connector's conversation operations at one serviceUrl."""

    def __init__(
        self, session: aiohttp.ClientSession, service_url: str, tokens: OutboundTokens | None
    ) -> None:
        self._session = session
        self._base = service_url.rstrip("/")
        self._tokens = tokens  # None: local development mode, no Authorization header

    async def send(self, delivery: Delivery, body: Mapping[str, Any]) -> str:
        """POST `body` (a serialised Activity); the id the connector gave it.

        Raises `ReplyNotPosted` for a token failure, a timeout, a refused or failed request.
        """
        conversation = quote(delivery.conversation_id, safe="")
        path = f"{self._base}/v3/conversations/{conversation}/activities"
        if delivery.reply_to_id:
            path += "/" + quote(delivery.reply_to_id, safe="")
        headers = {
            "Accept": "application/json",
            "x-ms-conversation-id": delivery.conversation_id,
        }
        if self._tokens is not None:
            try:
                headers["Authorization"] = f"Bearer {await self._tokens.token()}"
            except OutboundTokenError as error:
                raise ReplyNotPosted(str(error)) from None
        try:
            # encoded=True: the ids are quoted exactly as the Bot Framework SDKs quote them.
            async with self._session.post(
                yarl.URL(path, encoded=True), json=dict(body), headers=headers
            ) as response:
                if response.status not in (200, 201, 202):
                    raise ReplyNotPosted(
                        f"the Bot Connector answered {response.status}",
                        retryable=response.status == 429 or response.status >= 500,
                    )
                answer = await response.json(content_type=None) if response.status != 202 else {}
        except TimeoutError:
            raise ReplyNotPosted("the Bot Connector did not answer in time") from None
        except (aiohttp.ClientError, ValueError) as error:
            raise ReplyNotPosted(f"the request failed ({type(error).__name__})") from None
        sent_id = answer.get("id") if isinstance(answer, dict) else None
        return str(sent_id) if sent_id else ""


class ConnectorClients:
    """One `ConversationClient` per serviceUrl, built on first use and then reused."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        tokens: OutboundTokens | None,
        *,
        client: Callable[
            [aiohttp.ClientSession, str, OutboundTokens | None], ConversationClient
        ] = ConversationClient,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._client = client
        self._clients: OrderedDict[str, ConversationClient] = OrderedDict()
        self.built = 0  # clients constructed, for tests and diagnostics

    def for_service_url(self, service_url: str) -> ConversationClient:
        found = self._clients.get(service_url)
        if found is not None:
            self._clients.move_to_end(service_url)
            return found
        self.built += 1
        made = self._client(self._session, service_url, self._tokens)
        self._clients[service_url] = made
        if len(self._clients) > MAX_CLIENTS:
            self._clients.popitem(last=False)
        return made

    async def send(self, delivery: Delivery, body: Mapping[str, Any]) -> str:
        return await self.for_service_url(delivery.service_url).send(delivery, body)


@dataclass(frozen=True)
class RetryPolicy:
    """When a reply that could not be posted is tried again, and for how long."""

    delays_s: tuple[float, ...] = (5.0, 30.0, 120.0)
    max_pending: int = 1000


@dataclass
class _Pending:
    delivery: Delivery
    body: Mapping[str, Any]
    activity_id: str
    attempts: int = 0


class ReplyRetries:
    """Replies the Bot Connector did not accept, posted again later by `run()`.

    Held in memory for the app's lifetime: a restart loses them (the durable outbox for
    Teams deliveries is the application layer's, later). Each reply is tried again after
    each of `RetryPolicy.delays_s` and then given up, with a WARNING naming the activity.
    """

    def __init__(self, clients: ConnectorClients, policy: RetryPolicy | None = None) -> None:
        self._clients = clients
        self._policy = policy or RetryPolicy()
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self.waiting = 0  # queued and not yet delivered or given up
        self.delivered = 0
        self.abandoned = 0

    def add(self, delivery: Delivery, body: Mapping[str, Any], activity_id: str) -> bool:
        """Queue a reply; False (and it is dropped) when too many are already waiting."""
        if self.waiting >= self._policy.max_pending:
            self.abandoned += 1
            return False
        self.waiting += 1
        self._queue.put_nowait(_Pending(delivery, body, activity_id))
        return True

    async def run(self) -> None:
        """Retry queued replies until cancelled (one task per app)."""
        waiting: set[asyncio.Task[None]] = set()
        try:
            while True:
                pending = await self._queue.get()
                task = asyncio.create_task(self._retry(pending))
                waiting.add(task)
                task.add_done_callback(waiting.discard)
        finally:
            for task in waiting:
                task.cancel()

    async def _retry(self, pending: _Pending) -> None:
        for delay in self._policy.delays_s:
            await asyncio.sleep(delay)
            pending.attempts += 1
            try:
                await self._clients.send(pending.delivery, pending.body)
            except ReplyNotPosted as error:
                logger.info(
                    "activity %s: retry %d of the reply failed (%s)",
                    pending.activity_id,
                    pending.attempts,
                    error.reason,
                )
                if not error.retryable:
                    break
                continue
            self.waiting -= 1
            self.delivered += 1
            logger.info(
                "activity %s: reply posted on retry %d", pending.activity_id, pending.attempts
            )
            return
        self.waiting -= 1
        self.abandoned += 1
        logger.warning(
            "activity %s: reply given up after %d retries", pending.activity_id, pending.attempts
        )
