"""What a well-formed activity looks like, checked before anything else reads it.

botbuilder turns the activity's JSON into its own model (msrest's deserializer) and fails
with an exception, which would be a 500, when a field has the wrong type: `from` a string,
`membersAdded` an object, `timestamp` not a date and time; and JSON nested deeply enough
makes it (or `json` itself) exceed Python's recursion limit. `check_shape` refuses all of
these first, so that they are a 400 in one log line.

`SHAPES` is the Bot Framework Activity schema as botbuilder-schema 4.17.1 declares it
(each model's `_attribute_map`, written out here because only `bot/adapter.py` may import
the SDK), with one difference: where msrest would turn a number into a string, a string
field must be a string (Teams never sends anything else). Every field may be `null` or
absent. Fields that are not in the schema are kept and not checked (msrest ignores them).
The end-to-end fuzzer (`tests/e2e/test_hostile_input.py`) holds the two together: any
activity this accepts must get through botbuilder without a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# Deeper than any activity Teams sends (an Adaptive Card in an attachment nests a few tens
# of levels at most), far below where recursion becomes a risk.
MAX_DEPTH = 64

# A type is a model name below, or one of msrest's: "str", "bool", "int", "iso-8601",
# "object" (any JSON value), "[T]" (a list of T) and "{T}" (an object whose values are T).
SHAPES: Mapping[str, Mapping[str, str]] = {
    "Activity": {
        "type": "str",
        "id": "str",
        "timestamp": "iso-8601",
        "localTimestamp": "iso-8601",
        "localTimezone": "str",
        "serviceUrl": "str",
        "channelId": "str",
        "from": "ChannelAccount",
        "conversation": "ConversationAccount",
        "recipient": "ChannelAccount",
        "textFormat": "str",
        "attachmentLayout": "str",
        "membersAdded": "[ChannelAccount]",
        "membersRemoved": "[ChannelAccount]",
        "reactionsAdded": "[MessageReaction]",
        "reactionsRemoved": "[MessageReaction]",
        "topicName": "str",
        "historyDisclosed": "bool",
        "locale": "str",
        "text": "str",
        "speak": "str",
        "inputHint": "str",
        "summary": "str",
        "suggestedActions": "SuggestedActions",
        "attachments": "[Attachment]",
        "entities": "[Entity]",
        "channelData": "object",
        "action": "str",
        "replyToId": "str",
        "label": "str",
        "valueType": "str",
        "value": "object",
        "name": "str",
        "relatesTo": "ConversationReference",
        "code": "str",
        "expiration": "iso-8601",
        "importance": "str",
        "deliveryMode": "str",
        "listenFor": "[str]",
        "textHighlights": "[TextHighlight]",
        "semanticAction": "SemanticAction",
        "callerId": "str",
    },
    "ChannelAccount": {
        "id": "str",
        "name": "str",
        "aadObjectId": "str",
        "role": "str",
        "properties": "object",
    },
    "ConversationAccount": {
        "isGroup": "bool",
        "conversationType": "str",
        "id": "str",
        "name": "str",
        "aadObjectId": "str",
        "role": "str",
        "tenantID": "str",
        # Teams spells it so; botbuilder ignores it, `check_tenant` reads it.
        "tenantId": "str",
        "properties": "object",
    },
    "Attachment": {
        "contentType": "str",
        "contentUrl": "str",
        "content": "object",
        "name": "str",
        "thumbnailUrl": "str",
    },
    "Entity": {"type": "str"},
    "MessageReaction": {"type": "str"},
    "SuggestedActions": {"to": "[str]", "actions": "[CardAction]"},
    "CardAction": {
        "type": "str",
        "title": "str",
        "image": "str",
        "text": "str",
        "displayText": "str",
        "value": "object",
        "channelData": "object",
        "imageAltText": "str",
    },
    "ConversationReference": {
        "activityId": "str",
        "user": "ChannelAccount",
        "bot": "ChannelAccount",
        "conversation": "ConversationAccount",
        "channelId": "str",
        "locale": "str",
        "serviceUrl": "str",
    },
    "TextHighlight": {"text": "str", "occurrence": "int"},
    "SemanticAction": {"id": "str", "entities": "{Entity}", "state": "str"},
}


class MalformedActivity(ValueError):
    """The body is JSON but not an activity botbuilder can read. The message names the
    field (a path such as `membersAdded[0].id`), never its content."""


def check_shape(activity: Mapping[str, Any]) -> None:
    """Raise `MalformedActivity` unless `activity` (already parsed JSON) is nested at most
    `MAX_DEPTH` deep, holds only valid Unicode text, and has every field of the Activity
    schema of the type the schema says."""
    if not _plainly_within_depth_and_text(activity):
        _check_depth_and_text(activity)  # says what is wrong (or finds nothing after all)
    _check(activity, "Activity", "activity")


def _plainly_within_depth_and_text(root: Any) -> bool:
    """True only if `_check_depth_and_text` would find nothing, found quickly: the text by
    writing the whole activity out as UTF-8 in one call (a lone surrogate fails it), the
    depth by walking only the objects and lists. False means: look properly."""
    try:
        json.dumps(root, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, TypeError, ValueError, RecursionError):
        return False
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def _check_depth_and_text(root: Any) -> None:
    # Iterative, so that the check itself cannot run out of stack.
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            children = node
        else:
            if isinstance(node, str) and not _is_unicode(node):
                raise MalformedActivity("the activity holds text that is not valid Unicode")
            continue
        if depth > MAX_DEPTH:
            raise MalformedActivity(f"the activity is nested more than {MAX_DEPTH} deep")
        stack.extend((child, depth + 1) for child in children)


def _is_unicode(text: str) -> bool:
    # JSON can carry a lone surrogate ("\ud800"), which no UTF-8 writer accepts.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(value: Any, kind: str, path: str) -> None:
    if value is None:
        return
    if kind.startswith("[") and kind.endswith("]"):
        if not isinstance(value, list):
            raise MalformedActivity(f"{path} is not a list")
        for index, item in enumerate(value):
            _check(item, kind[1:-1], f"{path}[{index}]")
    elif kind.startswith("{") and kind.endswith("}"):
        if not isinstance(value, dict):
            raise MalformedActivity(f"{path} is not an object")
        for item in value.values():
            _check(item, kind[1:-1], f"{path}.{{…}}")
    elif kind == "str":
        if not isinstance(value, str):
            raise MalformedActivity(f"{path} is not a string")
    elif kind == "bool":
        if not isinstance(value, bool):
            raise MalformedActivity(f"{path} is not true or false")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedActivity(f"{path} is not a whole number")
    elif kind == "iso-8601":
        if not isinstance(value, str) or not is_timestamp(value):
            raise MalformedActivity(f"{path} is not a date and time (ISO 8601)")
    elif kind == "object":
        return
    else:
        if not isinstance(value, dict):
            raise MalformedActivity(f"{path} is not an object")
        for field, field_kind in SHAPES[kind].items():
            _check(value.get(field), field_kind, f"{path}.{field}")


def is_timestamp(text: str) -> bool:
    """A date and time as the Bot Framework sends one ("2026-03-02T09:15:00.1234567Z",
    "2026-03-02T10:15:00.123+01:00"): seconds required, up to 7 decimals, a zone or none,
    and within the years 1 to 9999 once in UTC (what msrest can read)."""
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    stamp, fraction, zone = match.group("stamp", "fraction", "zone")
    # Python reads at most 6 decimals; the seventh only adds a tenth of a microsecond.
    decimals = f".{fraction[:6]}" if fraction else ""
    offset = "+00:00" if zone in ("Z", "z") else zone or ""
    try:
        moment = datetime.fromisoformat(f"{stamp}{decimals}{offset}")
        if moment.tzinfo is not None:
            moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return False
    return True


_TIMESTAMP = re.compile(
    r"(?P<stamp>[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]{1,7}))?"
    r"(?P<zone>[Zz]|[+-][0-9]{2}:[0-9]{2})?"
)
