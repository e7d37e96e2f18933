"""A reply's body for the Bot Connector: the activity it answers is read only for its
addressing, and a card of plain JSON is copied in rather than walked by msrest (which was
about a third of a `help` turn's work); the JSON is exactly what msrest wrote before, and
a card that is not plain JSON still goes through msrest."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import adapter
from bot.routing import ADAPTIVE_CARD_CONTENT_TYPE, OutgoingMessage

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
ACCOUNT = st.none() | st.fixed_dictionaries(
    {"id": st.text(max_size=12) | st.integers()},
    optional={
        "name": st.none() | st.text(max_size=12),
        "aadObjectId": st.text(max_size=12),
        "role": st.just("user"),
        "properties": st.dictionaries(st.text(max_size=4), JSON, max_size=2),
        "isGroup": st.booleans(),
        "tenantID": st.text(max_size=8),
        "unknown": JSON,
    },
)
ACTIVITY = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["message", "invoke", "conversationUpdate"]),
        "serviceUrl": st.just("https://smba.trafficmanager.net/uk/"),
    },
    optional={
        "id": st.text(max_size=12),
        "channelId": st.sampled_from(["msteams", "webchat"]),
        "locale": st.sampled_from(["en-GB", "cy", None]),
        "from": ACCOUNT,
        "recipient": ACCOUNT,
        "conversation": ACCOUNT
        | st.fixed_dictionaries(
            {"id": st.text(max_size=12)},
            optional={"conversationType": st.just("personal"), "tenantId": st.text(max_size=8)},
        ),
        "text": st.text(max_size=20),
        "value": JSON,
        "channelData": st.dictionaries(st.text(max_size=6), JSON, max_size=3),
    },
)


def through_msrest(incoming: dict[str, Any], message: OutgoingMessage) -> Any:
    """The body as the adapter wrote every reply before: the whole activity read by msrest,
    the card an msrest `Attachment` (the SDK's models are taken from the adapter, the one
    module that imports the SDK)."""
    sdk = adapter.sdk()
    source = sdk.Activity().deserialize(dict(incoming))
    outgoing = sdk.Activity(
        type="message",
        channel_id=source.channel_id,
        locale=source.locale,
        service_url=source.service_url,
        conversation=source.conversation or sdk.ConversationAccount(),
        from_property=source.recipient or sdk.ChannelAccount(),
        recipient=source.from_property or sdk.ChannelAccount(),
        input_hint="acceptingInput",
    )
    delivery = adapter.delivery_for(incoming)
    if delivery.reply_to_id:
        outgoing.reply_to_id = delivery.reply_to_id
    if message.text:
        outgoing.text = message.text
    if message.card is not None:
        outgoing.attachments = [
            sdk.Attachment(content_type=ADAPTIVE_CARD_CONTENT_TYPE, content=dict(message.card))
        ]
    return outgoing.serialize()


@given(ACTIVITY, st.text(max_size=20), st.none() | st.dictionaries(st.text(), JSON, max_size=5))
def test_a_reply_is_written_as_msrest_wrote_it(
    incoming: dict[str, Any], text: str, card: dict[str, Any] | None
) -> None:
    message = OutgoingMessage(text=text, card=card)
    assert adapter._message_activity(incoming, message) == through_msrest(incoming, message)


HELP = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hi"}]}
INCOMING = {
    "type": "message",
    "id": "f:1",
    "channelId": "msteams",
    "serviceUrl": "https://smba.trafficmanager.net/uk/",
    "from": {"id": "29:a", "aadObjectId": "a"},
    "recipient": {"id": "28:bot", "name": "Safe Premises"},
    "conversation": {"id": "a:chat", "conversationType": "personal", "tenantId": "t"},
    "text": "help",
    "channelData": {"tenant": {"id": "t"}},
}


def test_a_card_reply_is_not_walked_by_msrest(monkeypatch: pytest.MonkeyPatch) -> None:
    adapter.sdk()  # msrest, as the adapter imports it (only the adapter imports the SDK)
    serializer = sys.modules["msrest.serialization"].Serializer

    original = serializer.serialize_object

    def refuse(self: object, value: object, **kwargs: object) -> object:
        if value == HELP:
            raise AssertionError("msrest walked the card")
        # The proactive message's channel data goes through msrest, as it always has.
        return original(self, value, **kwargs)

    monkeypatch.setattr(serializer, "serialize_object", refuse)

    body = adapter._message_activity(INCOMING, OutgoingMessage(card=HELP))
    proactive = adapter.proactive_activity(
        channel_id="msteams",
        service_url="https://smba.trafficmanager.net/uk/",
        conversation_id="a:chat",
        tenant_id="t",
        bot_id="28:bot",
        text="",
        card=HELP,
    )

    for sent in (body, proactive):
        assert sent["attachments"] == [{"contentType": ADAPTIVE_CARD_CONTENT_TYPE, "content": HELP}]
        assert sent["attachments"][0]["content"] is not HELP  # a copy, not the bot's card


def test_a_reply_to_strings_is_addressed_without_msrest_others_read_only_the_addressing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[dict[str, Any]] = []
    activity = adapter.sdk().Activity
    original = activity.deserialize

    def deserialize(self: Any, data: dict[str, Any]) -> Any:
        read.append(data)
        return original(self, data)

    monkeypatch.setattr(activity, "deserialize", deserialize)

    adapter._message_activity(INCOMING, OutgoingMessage(text="Hello"))
    assert read == []

    odd = {**INCOMING, "from": {"id": 29, "properties": {"x": 1}}}
    body = adapter._message_activity(odd, OutgoingMessage(text="Hello"))
    assert [set(data) for data in read] == [
        {"channelId", "serviceUrl", "from", "recipient", "conversation"}
    ]
    assert body == through_msrest(odd, OutgoingMessage(text="Hello"))


def test_a_card_that_is_not_plain_json_still_goes_through_msrest() -> None:
    message = OutgoingMessage(card={"type": "AdaptiveCard", "body": ("a", "b")})
    body = adapter._message_activity(INCOMING, message)
    assert body == through_msrest(INCOMING, message)
    assert body["attachments"][0]["content"]["body"] == "('a', 'b')"


def proactive_through_msrest(parts: dict[str, str], card: dict[str, Any] | None) -> Any:
    """A proactive message as the adapter wrote every one before, through msrest."""
    sdk = adapter.sdk()
    outgoing = sdk.Activity(
        type="message",
        channel_id=parts["channel_id"],
        service_url=parts["service_url"],
        conversation=sdk.ConversationAccount(id=parts["conversation_id"]),
        channel_data={"tenant": {"id": parts["tenant_id"]}},
        from_property=sdk.ChannelAccount(id=parts["bot_id"]),
        text=parts["text"],
        input_hint="acceptingInput",
    )
    if card is not None:
        outgoing.attachments = [
            sdk.Attachment(content_type=ADAPTIVE_CARD_CONTENT_TYPE, content=card)
        ]
    return outgoing.serialize()


PARTS = st.fixed_dictionaries(
    {
        name: st.text(max_size=10)
        for name in ("channel_id", "service_url", "conversation_id", "tenant_id", "bot_id", "text")
    }
)


@given(PARTS, st.none() | st.dictionaries(st.text(), JSON, max_size=5))
def test_a_proactive_message_is_written_as_msrest_wrote_it(
    parts: dict[str, str], card: dict[str, Any] | None
) -> None:
    assert adapter.proactive_activity(card=card, **parts) == proactive_through_msrest(parts, card)
