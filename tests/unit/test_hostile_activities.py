"""Hostile activities, without HTTP: mentions stripped in linear time, identifiers made fit
for a log line, and every wrongly typed or too deeply nested activity refused as a
`ValueError` (which the app answers 400) before botbuilder reads it."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.activity_shape import MAX_DEPTH, is_timestamp
from bot.auth import parse_activity
from bot.routing import MAX_LOGGED_CHARS, MAX_TEXT_CHARS, Inbound, loggable, strip_mentions

# The expression the bot used before: kept here as the definition of the result.
OLD_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def activity(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "message",
        "id": "f:1",
        "channelId": "msteams",
        "serviceUrl": "https://smba.example/",
        "from": {"id": "29:x", "name": "Sam", "aadObjectId": "b1"},
        "recipient": {"id": "28:bot", "name": "Safe Premises"},
        "conversation": {"id": "a:1", "conversationType": "personal", "tenantId": "t"},
        "channelData": {"tenant": {"id": "t"}},
        "text": "help",
    }
    base.update(fields)
    return base


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


# --- mentions ---------------------------------------------------------------------------


@given(st.lists(st.sampled_from(["<at>", "</at>", "<AT>", "</At>", "x", " ", "\n", "<", ">"])))
def test_strip_mentions_gives_what_the_old_expression_gave(pieces: list[str]) -> None:
    text = "".join(pieces)

    assert strip_mentions(text) == OLD_MENTION.sub(" ", text)


def test_stripping_100_kb_of_unclosed_mentions_takes_milliseconds_not_seconds() -> None:
    # The old expression took about 10 s on this (quadratic); linear time takes ~10 ms.
    text = "<at>" * 25_000
    started = time.perf_counter()

    stripped = strip_mentions(text)

    assert time.perf_counter() - started < 0.25
    assert stripped == text


def test_an_activity_of_100_kb_of_mentions_is_read_quickly_and_only_up_to_the_limit() -> None:
    started = time.perf_counter()

    inbound = Inbound.from_activity(activity(text="<at>" * 25_000 + "report"))

    assert time.perf_counter() - started < 0.25
    assert len(inbound.text) <= MAX_TEXT_CHARS
    assert Inbound.from_activity(activity(text="<at>Safe Premises</at> report")).text == "report"


# --- log lines --------------------------------------------------------------------------


@given(st.text())
def test_loggable_identifiers_are_short_and_plain(value: str) -> None:
    shown = loggable(value)

    assert len(shown) <= MAX_LOGGED_CHARS + 3
    assert shown.isascii()
    assert shown.isprintable()
    assert " " not in shown


def test_a_forged_log_line_in_an_activity_id_stays_on_one_line() -> None:
    forged = "f:1\n2026-03-02 10:00:00 WARNING bot.auth refused activity x"

    inbound = Inbound.from_activity(activity(id=forged, text="help"))

    assert "\n" not in inbound.log_id
    assert inbound.log_id.startswith("f:1?2026-03-02?10:00:00?WARNING")
    assert loggable("a" * 500) == "a" * MAX_LOGGED_CHARS + "..."
    assert loggable(None) == loggable("") == "(none)"
    assert loggable("f:1234567890abcdef") == "f:1234567890abcdef"  # a Teams id, unchanged


# --- wrongly typed and deeply nested activities -------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("from", "29:someone"),
        ("from", ["29:someone"]),
        ("conversation", "a:1"),
        ("conversation", {"id": "a:1", "isGroup": "yes"}),
        ("recipient", 28),
        ("membersAdded", {"id": "28:bot"}),
        ("membersAdded", ["28:bot"]),
        ("membersAdded", [{"id": ["28:bot"]}]),
        ("attachments", {"contentType": "text/plain"}),
        ("attachments", [{"contentType": 5}]),
        ("entities", "mention"),
        ("entities", [["mention"]]),
        ("timestamp", "yesterday"),
        ("timestamp", 1767225600),
        ("timestamp", "0001-01-01T00:00:00+01:00"),
        ("localTimestamp", "2026-13-01T00:00:00Z"),
        ("id", 12),
        ("id", {"id": "f:1"}),
        ("text", ["help"]),
        ("historyDisclosed", "true"),
        ("suggestedActions", {"actions": [{"title": 1}]}),
        ("textHighlights", [{"occurrence": "1"}]),
        ("semanticAction", {"entities": {"x": "y"}}),
        ("relatesTo", {"user": "29:x"}),
        ("listenFor", "help"),
    ],
)
def test_a_wrongly_typed_field_is_refused_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValueError, match=re.escape(f"activity.{field}")) as refused:
        parse_activity(body(activity(**{field: value})))

    assert "\n" not in str(refused.value)


def test_well_typed_activities_are_accepted() -> None:
    parse_activity(body(activity()))
    parse_activity(
        body(
            activity(
                timestamp="2026-03-02T09:15:00.1234567Z",
                localTimestamp="2026-03-02T09:15:00.123+00:00",
                membersAdded=[{"id": "28:bot"}],
                attachments=[{"contentType": "text/html", "content": "<p>hi</p>"}],
                entities=[{"type": "clientInfo", "locale": "en-GB"}],
                value={"action": {"verb": "x", "data": {"n": [1, 2, {"deep": None}]}}},
                conversation={"id": "a:1", "isGroup": False, "tenantId": "t"},
                recipient=None,
            )
        )
    )


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 990, 1_000, 100_000])
def test_deeply_nested_json_is_refused_in_words(depth: int) -> None:
    nested = "[" * depth + "]" * depth
    raw = b'{"type": "message", "value": ' + nested.encode() + b"}"

    with pytest.raises(ValueError, match="nested more than") as refused:
        parse_activity(raw)

    assert "\n" not in str(refused.value)


def test_nesting_up_to_the_limit_is_accepted() -> None:
    nested: Any = None
    for _ in range(MAX_DEPTH - 1):
        nested = [nested]

    parse_activity(
        body({"type": "message", "serviceUrl": "https://smba.example/", "value": nested[0]})
    )


def test_a_lone_surrogate_anywhere_is_refused() -> None:
    raw = b'{"type": "message", "text": "help", "channelData": {"x": "\\ud800"}}'

    with pytest.raises(ValueError, match="not valid Unicode"):
        parse_activity(raw)


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("2026-03-02T09:15:00.1234567Z", True),
        ("2026-03-02T10:15:00.123+01:00", True),
        ("2026-03-02T10:15:00", True),
        ("2026-03-02 10:15:00Z", False),
        ("2026-03-02T10:15Z", False),
        ("2026-03-02T10:15:00.12345678Z", False),
        ("0001-01-01T00:00:00+01:00", False),  # before year 1 in UTC
        ("9999-12-31T23:59:59-01:00", False),  # after year 9999 in UTC
        ("2026-02-30T10:15:00Z", False),
    ],
)
def test_timestamps_are_what_botbuilder_can_read(text: str, accepted: bool) -> None:
    assert is_timestamp(text) is accepted
