"""The invoke response's body: a card is written as plain JSON, not through msrest (whose
serialiser was about 7% of a report turn's work), and the JSON is exactly what msrest wrote
for it; anything else still goes through msrest."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import adapter
from bot.routing import InvokeReply

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def through_msrest(reply: InvokeReply) -> Any:
    """msrest's JSON for the typed response, as the adapter wrote every answer before (the
    SDK's names are taken from the adapter, the one module that imports the SDK)."""
    typed = adapter.sdk().AdaptiveCardInvokeResponse(
        status_code=reply.status_code, type=reply.type, value=reply.value
    )
    return adapter.serializer_helper(typed)


@given(st.dictionaries(st.text(), JSON, max_size=6), st.sampled_from([200, 400, 500]))
def test_a_plain_json_answer_is_written_as_msrest_wrote_it(
    value: dict[str, Any], status: int
) -> None:
    reply = InvokeReply(status, "application/vnd.microsoft.card.adaptive", value)
    assert adapter.invoke_body(reply) == through_msrest(reply)


def test_a_card_answer_does_not_go_through_msrest(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: object) -> object:
        raise AssertionError("msrest was used")

    monkeypatch.setattr(adapter, "serializer_helper", refuse)
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]}

    body = adapter.invoke_body(InvokeReply.card(card))

    assert body == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.card.adaptive",
        "value": card,
    }
    assert body["value"] is not card  # a copy: the answer does not share the card


def test_a_value_that_is_not_plain_json_still_goes_through_msrest() -> None:
    reply = InvokeReply(200, "application/vnd.microsoft.card.adaptive", {"items": ("a", "b")})
    assert (
        adapter.invoke_body(reply)
        == through_msrest(reply)
        == {
            "statusCode": 200,
            "type": "application/vnd.microsoft.card.adaptive",
            "value": {"items": "('a', 'b')"},
        }
    )
