"""The one module that uses the Bot Framework SDK (botbuilder 4.17.1): its schema.

A turn is: the router decides what to answer (`bot/flows/`), the invoke response goes
back in the HTTP body, and each message is posted to the Bot Connector
(`bot/connector.py`). botbuilder's `Activity` and `AdaptiveCardInvokeResponse` models
serialise what is sent, so the wire format is the SDK's own.

botbuilder's `CloudAdapter.process_activity` is not used: it builds a connector client
and a user-token client and asks for a token for every activity, before the bot has
decided to send anything (a typing activity, an invoke answered in its body), and a token
failure then answers 500 after a command was recorded. Here a token is asked for only
when a message is posted, and a message that cannot be posted is logged (activity id
only) and queued for a retry; the turn's HTTP answer does not depend on it. Inbound
authentication is `bot/auth.py`'s, done before `TeamsTurns.run` is called. Moving to the
Microsoft 365 Agents SDK means rewriting this module only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    InputHints,
)

from bot.auth import VerifiedCaller
from bot.connector import ConnectorClients, Delivery, ReplyNotPosted, ReplyRetries
from bot.flows.failures import answer
from bot.routing import ADAPTIVE_CARD_CONTENT_TYPE, Inbound, OutgoingMessage, Reply, Router

logger = logging.getLogger(__name__)

# Channels whose replies are not threaded on the activity they answer (botbuilder's rule).
_UNTHREADED_CHANNELS = ("directline", "webchat")


@dataclass(frozen=True)
class TurnResult:
    """What to answer on HTTP: a status and, for invokes, a JSON body."""

    status: int
    body: Any = None


class TeamsTurns:
    """Runs one authenticated activity through the router and posts what it says."""

    def __init__(
        self, router: Router, connectors: ConnectorClients, retries: ReplyRetries | None = None
    ) -> None:
        self._router = router
        self._connectors = connectors
        self._retries = retries

    async def run(self, activity_json: Mapping[str, Any], caller: VerifiedCaller) -> TurnResult:
        inbound = Inbound.from_activity(activity_json)
        reply: Reply = await answer(self._router, inbound)
        result = _http_answer(inbound, reply)
        if reply.messages:
            delivery = delivery_for(activity_json)
            for message in reply.messages:
                await self._post(delivery, _message_activity(activity_json, message), inbound)
        return result

    async def _post(self, delivery: Delivery, body: Mapping[str, Any], inbound: Inbound) -> None:
        try:
            await self._connectors.send(delivery, body)
        except ReplyNotPosted as error:
            queued = (
                error.retryable
                and self._retries is not None
                and self._retries.add(delivery, body, inbound.activity_id)
            )
            # The activity id only: the reply may hold what the user typed.
            logger.warning(
                "activity %s: reply not posted (%s); %s",
                inbound.activity_id,
                error.reason,
                "queued for a retry" if queued else "not retried",
            )


def _http_answer(inbound: Inbound, reply: Reply) -> TurnResult:
    if reply.invoke is not None and not isinstance(reply.invoke.value, dict):
        # A message response's value is a string (the contract's sample), which botbuilder's
        # typed model (a dict value) cannot serialise: it goes as the plain body.
        return TurnResult(200, reply.invoke.as_json())
    if reply.invoke is not None:
        # A typed body (not a dict), serialised exactly once.
        body = AdaptiveCardInvokeResponse(
            status_code=reply.invoke.status_code,
            type=reply.invoke.type,
            value=reply.invoke.value,
        )
        return TurnResult(200, serializer_helper(body))
    if inbound.type == "invoke":
        return TurnResult(501)
    return TurnResult(200)


def delivery_for(activity: Mapping[str, Any]) -> Delivery:
    """Where replies to `activity` go (botbuilder's `get_conversation_reference` rules)."""
    conversation = activity.get("conversation")
    conversation_id = conversation.get("id") if isinstance(conversation, dict) else None
    activity_id = activity.get("id")
    threaded = (
        activity.get("type") != "conversationUpdate"
        and activity.get("channelId") not in _UNTHREADED_CHANNELS
        and isinstance(activity_id, str)
        and bool(activity_id)
    )
    return Delivery(
        service_url=str(activity.get("serviceUrl")),
        conversation_id=str(conversation_id or ""),
        reply_to_id=str(activity_id) if threaded else None,
    )


def _message_activity(incoming: Mapping[str, Any], message: OutgoingMessage) -> dict[str, Any]:
    """The reply as the Bot Connector expects it, addressed as botbuilder addresses it."""
    source = Activity().deserialize(dict(incoming))
    outgoing = Activity(
        type=ActivityTypes.message,
        channel_id=source.channel_id,
        locale=source.locale,
        service_url=source.service_url,
        conversation=source.conversation or ConversationAccount(),
        from_property=source.recipient or ChannelAccount(),
        recipient=source.from_property or ChannelAccount(),
        input_hint=InputHints.accepting_input,
    )
    delivery = delivery_for(incoming)
    if delivery.reply_to_id:
        outgoing.reply_to_id = delivery.reply_to_id
    if message.text:
        outgoing.text = message.text
    if message.card is not None:
        outgoing.attachments = [
            Attachment(content_type=ADAPTIVE_CARD_CONTENT_TYPE, content=dict(message.card))
        ]
    body: dict[str, Any] = outgoing.serialize()
    return body
