"""The one module that uses the Bot Framework SDK (botbuilder 4.17.1): its schema.

A turn is: the router decides what to answer (`bot/flows/`), the invoke response goes
back in the HTTP body, and each message is posted to the Bot Connector
(`bot/connector.py`). What is sent is the JSON botbuilder's msrest models write (its
`Activity` and `AdaptiveCardInvokeResponse`): written directly when it is plain JSON, as
everything the bot builds is, and through the models otherwise; property tests hold the
direct JSON to msrest's. So the SDK is imported only when something is not plain JSON.

botbuilder's `CloudAdapter.process_activity` is not used: it builds a connector client
and a user-token client and asks for a token for every activity, before the bot has
decided to send anything (a typing activity, an invoke answered in its body), and a token
failure then answers 500 after a command was recorded. Here a token is asked for only
when a message is posted, and a message that cannot be posted is logged (activity id
only) and kept in a durable store for the deliverer to retry (`bot/deliver.py`); the
turn's HTTP answer does not depend on it. Inbound
authentication is `bot/auth.py`'s, done before `TeamsTurns.run` is called. Moving to the
Microsoft 365 Agents SDK means rewriting this module only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.auth import VerifiedCaller
from bot.connector import ConnectorClients, Delivery, ReplyNotPosted
from bot.conversations import reference_from
from bot.flows.failures import answer
from bot.routing import (
    ADAPTIVE_CARD_CONTENT_TYPE,
    Inbound,
    InvokeReply,
    OutgoingMessage,
    Reply,
    Router,
)
from casework.ports import Clock, Conversations, StoreUnavailable

logger = logging.getLogger(__name__)

# Channels whose replies are not threaded on the activity they answer (botbuilder's rule).
_UNTHREADED_CHANNELS = ("directline", "webchat")


class ReplyParking(Protocol):
    async def park_reply(
        self, delivery: Delivery, body: Mapping[str, Any], activity_id: str
    ) -> bool: ...


@dataclass(frozen=True)
class TurnResult:
    """What to answer on HTTP: a status and, for invokes, a JSON body."""

    status: int
    body: Any = None


class TeamsTurns:
    """Runs one authenticated activity through the router and posts what it says."""

    def __init__(
        self,
        router: Router,
        connectors: ConnectorClients,
        retries: ReplyParking | None = None,
        *,
        conversations: Conversations | None = None,
        clock: Clock | None = None,
        allow_loopback_http: bool = False,
    ) -> None:
        self._router = router
        self._connectors = connectors
        self._retries = retries
        self._conversations = conversations
        self._clock = clock
        self._allow_loopback_http = allow_loopback_http

    def records(self, activity_json: Mapping[str, Any]) -> bool:
        """Whether the activity is a command to record (a report, a step), not a reading."""
        return self._router.records(Inbound.from_activity(activity_json))

    async def run(self, activity_json: Mapping[str, Any], caller: VerifiedCaller) -> TurnResult:
        inbound = Inbound.from_activity(activity_json)
        await self._remember(activity_json, inbound)
        reply: Reply = await answer(self._router, inbound)
        result = _http_answer(inbound, reply)
        if reply.messages:
            delivery = delivery_for(activity_json)
            for message in reply.messages:
                await self._post(delivery, _message_activity(activity_json, message), inbound)
        return result

    async def _remember(self, activity: Mapping[str, Any], inbound: Inbound) -> None:
        """Refresh where this person (or channel) is reached, on every activity."""
        if self._conversations is None or self._clock is None:
            return
        reference = reference_from(
            activity, self._clock.now(), allow_loopback_http=self._allow_loopback_http
        )
        if reference is None:
            return
        try:
            await self._conversations.remember(reference)
        except StoreUnavailable:
            # The turn goes on: the next activity stores it again.
            logger.warning("activity %s: conversation reference not stored", inbound.activity_id)

    async def _post(self, delivery: Delivery, body: Mapping[str, Any], inbound: Inbound) -> None:
        try:
            await self._connectors.send(delivery, body)
        except ReplyNotPosted as error:
            queued = (
                error.retryable
                and self._retries is not None
                and await self._retries.park_reply(delivery, body, inbound.activity_id)
            )
            # The activity id only: the reply may hold what the user typed.
            logger.warning(
                "activity %s: reply not posted (%s); %s",
                inbound.activity_id,
                error.reason,
                "kept for a retry" if queued else "not retried",
            )


def _http_answer(inbound: Inbound, reply: Reply) -> TurnResult:
    if reply.invoke is not None and not isinstance(reply.invoke.value, dict):
        # A message response's value is a string (the contract's sample), which botbuilder's
        # typed model (a dict value) cannot serialise: it goes as the plain body.
        return TurnResult(200, reply.invoke.as_json())
    if reply.invoke is not None:
        return TurnResult(200, invoke_body(reply.invoke))
    if inbound.type == "invoke":
        return TurnResult(501)
    return TurnResult(200)


def sdk() -> Any:
    """botbuilder's schema (its msrest models), imported when first needed: every reply and
    answer the bot writes is plain JSON written directly, so a start and its first turns
    need none of the SDK (botbuilder's schema, msrest and its HTTP stack were about a tenth
    of the start's imports, `botbuilder.core` as much again)."""
    import botbuilder.schema

    return botbuilder.schema


def serializer_helper(model: Any) -> Any:
    """botbuilder's msrest serialiser of a schema model, imported when first needed."""
    from botbuilder.core.serializer_helper import serializer_helper as helper

    return helper(model)


class _NotPlainJson(Exception):
    pass


def _plain_json(value: Any) -> Any:
    """A copy of `value` if it is made only of JSON's own types (exactly `dict` with `str`
    keys, `list`, `str`, `int`, `float`, `bool`, None), else `_NotPlainJson`."""
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if kind is dict and all(type(key) is str for key in value):
        return {key: _plain_json(item) for key, item in value.items()}
    if kind is list:
        return [_plain_json(item) for item in value]
    raise _NotPlainJson


def invoke_body(invoke: InvokeReply) -> dict[str, Any]:
    """The invoke response's JSON, as msrest writes an `AdaptiveCardInvokeResponse`.

    A card or an error (a `dict` of JSON's own types, an `int` status and a `str` type), for
    which msrest's output is the same structure, is written directly: msrest's serialiser
    was about 7% of a report turn's work. Anything else goes through msrest, as before.
    """
    if type(invoke.status_code) is int and type(invoke.type) is str and type(invoke.value) is dict:
        try:
            value = _plain_json(invoke.value)
        except _NotPlainJson:
            pass
        else:
            return {"statusCode": invoke.status_code, "type": invoke.type, "value": value}
    typed = sdk().AdaptiveCardInvokeResponse(
        status_code=invoke.status_code, type=invoke.type, value=invoke.value
    )
    serialised: dict[str, Any] = serializer_helper(typed)
    return serialised


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


# What a reply takes from the activity it answers, as msrest reads it: the wire names of
# botbuilder's `ChannelAccount` and `ConversationAccount` (whose tenant is `tenantID`, so
# Teams' `tenantId` is not carried over, as botbuilder does not carry it).
_ADDRESSING = ("channelId", "locale", "serviceUrl", "conversation", "recipient", "from")
_ACCOUNT = ("id", "name", "aadObjectId", "role")
_CONVERSATION = ("isGroup", "conversationType", "id", "name", "aadObjectId", "role", "tenantID")


class _NotPlain(Exception):
    pass


def _account(value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    """An account of the activity as msrest reads and writes it back, for one of strings
    (and `isGroup` a bool); anything else (other types, `properties`) is `_NotPlain`."""
    if value is None:
        return {}
    if type(value) is not dict or "properties" in value:
        raise _NotPlain
    written: dict[str, Any] = {}
    for key in keys:
        item = value.get(key)
        if item is None:
            continue
        if type(item) is not (bool if key == "isGroup" else str):
            raise _NotPlain
        written[key] = item
    return written


def _addressed(incoming: Mapping[str, Any]) -> dict[str, Any]:
    """The reply's addressing, as botbuilder writes it through msrest: to whoever sent
    `incoming`, from its recipient, in its conversation. Written directly when the activity
    is of strings, as every channel's is (msrest's reading and writing of it was a fifth of a
    `help` turn's work); otherwise through msrest, as before."""
    try:
        fields = {k: incoming.get(k) for k in ("serviceUrl", "channelId", "locale")}
        if any(v is not None and type(v) is not str for v in fields.values()):
            raise _NotPlain
        body: dict[str, Any] = {"type": "message"}
        body.update((k, v) for k, v in fields.items() if v is not None)
        body["from"] = _account(incoming.get("recipient"), _ACCOUNT)
        body["conversation"] = _account(incoming.get("conversation"), _CONVERSATION)
        body["recipient"] = _account(incoming.get("from"), _ACCOUNT)
    except _NotPlain:
        schema = sdk()
        source = schema.Activity().deserialize(
            {k: incoming[k] for k in _ADDRESSING if k in incoming}
        )
        outgoing = schema.Activity(
            type=schema.ActivityTypes.message,
            channel_id=source.channel_id,
            locale=source.locale,
            service_url=source.service_url,
            conversation=source.conversation or schema.ConversationAccount(),
            from_property=source.recipient or schema.ChannelAccount(),
            recipient=source.from_property or schema.ChannelAccount(),
        )
        body = outgoing.serialize()
    body["inputHint"] = "acceptingInput"
    return body


def _with_card(body: dict[str, Any], card: Mapping[str, Any] | None) -> dict[str, Any]:
    """`body` with `card` as its one attachment, as msrest writes an `Attachment`.

    A card of JSON's own types (every card the bot builds) is copied in directly: msrest
    walked every element of it, about a third of a `help` turn's work, for the same JSON.
    Anything else goes through msrest, as before.
    """
    if card is None:
        return body
    try:
        content = _plain_json(dict(card))
    except _NotPlainJson:
        schema = sdk()
        attachment = schema.Activity(
            attachments=[
                schema.Attachment(content_type=ADAPTIVE_CARD_CONTENT_TYPE, content=dict(card))
            ]
        )
        body["attachments"] = attachment.serialize()["attachments"]
    else:
        body["attachments"] = [{"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": content}]
    return body


def _message_activity(incoming: Mapping[str, Any], message: OutgoingMessage) -> dict[str, Any]:
    """The reply as the Bot Connector expects it, addressed as botbuilder addresses it."""
    body = _addressed(incoming)
    delivery = delivery_for(incoming)
    if delivery.reply_to_id:
        body["replyToId"] = delivery.reply_to_id
    if message.text:
        body["text"] = message.text
    return _with_card(body, message.card)


def proactive_activity(
    *,
    channel_id: str,
    service_url: str,
    conversation_id: str,
    tenant_id: str,
    bot_id: str,
    text: str,
    card: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """A fresh message into a stored conversation (a proactive prompt), as botbuilder
    addresses one from a conversation reference (and writes it through msrest: directly
    when every part is a string, as the stored references' are)."""
    parts = (channel_id, service_url, conversation_id, tenant_id, bot_id, text)
    if all(type(part) is str for part in parts):
        body: dict[str, Any] = {
            "type": "message",
            "serviceUrl": service_url,
            "channelId": channel_id,
            "from": {"id": bot_id},
            "conversation": {"id": conversation_id},
            "text": text,
            "inputHint": "acceptingInput",
            "channelData": {"tenant": {"id": tenant_id}},
        }
        return _with_card(body, card)
    schema = sdk()
    outgoing = schema.Activity(
        type=schema.ActivityTypes.message,
        channel_id=channel_id,
        service_url=service_url,
        # The tenant as Teams reads it on a proactive message (botbuilder would write
        # `conversation.tenantID`, which the Bot Connector's schema does not have).
        conversation=schema.ConversationAccount(id=conversation_id),
        channel_data={"tenant": {"id": tenant_id}},
        from_property=schema.ChannelAccount(id=bot_id),
        text=text,
        input_hint=schema.InputHints.accepting_input,
    )
    return _with_card(outgoing.serialize(), card)
