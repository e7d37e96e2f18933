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

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool = True,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status  # the connector's HTTP status (None: no answer, no token)
        self.retry_after_s = retry_after_s  # a 429's Retry-After, in seconds

    @property
    def gone(self) -> bool:
        """403/404: the app was removed or the user or conversation is gone, for good."""
        return self.status in (403, 404)


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
                        status=response.status,
                        retry_after_s=retry_after(response.headers.get("Retry-After")),
                    )
                answer = await response.json(content_type=None) if response.status != 202 else {}
        except TimeoutError:
            raise ReplyNotPosted("the Bot Connector did not answer in time") from None
        except (aiohttp.ClientError, ValueError) as error:
            raise ReplyNotPosted(f"the request failed ({type(error).__name__})") from None
        sent_id = answer.get("id") if isinstance(answer, dict) else None
        return str(sent_id) if sent_id else ""


def retry_after(value: str | None) -> float | None:
    """A Retry-After header in seconds (delta-seconds only; an HTTP date or junk: None),
    capped at an hour so a hostile or broken answer cannot park a delivery for ever."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return min(seconds, 3600.0)


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
