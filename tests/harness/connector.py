"""A loopback Bot Connector: the service the bot posts its replies to.

It implements the calls the bot makes (send to a conversation, reply to an activity,
update an activity, create a conversation), records each one, and checks each body
against the Bot Connector's own Swagger 2.0 definitions, translated to JSON Schema, and
every Adaptive Card attachment against the Adaptive Card 1.5 schema. A body that fails is
answered 400 and listed in `violations` (the fixtures fail the test on any).

Translating Swagger 2.0 `definitions` to JSON Schema (Draft 4), and the quirks met:
- Swagger's `$ref: "#/definitions/X"` resolves unchanged inside a document that keeps
  the definitions under `definitions`; sibling keywords beside `$ref` (descriptions) are
  ignored, as Draft 4 says.
- `x-ms-enum` / `x-nullable` extensions are dropped. `ActivityTypes` etc. are marked
  `modelAsString` (open enums); we keep them closed, since the bot only sends known types.
- `Activity.value`, `Activity.channelData` and `Attachment.content` are declared
  `type: object`, but channels put strings there (an HTML attachment's content is a
  string); they are relaxed to any JSON value. Adaptive Card content is then checked
  against the card schema instead.
- `format: date-time` is not enforced (jsonschema needs an extra package for it).
- Swagger has no `additionalProperties: false`; we add it to Activity, ChannelAccount,
  ConversationAccount and Attachment so that a misspelt field fails here.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from aiohttp import web
from jsonschema import Draft4Validator

from tests.cardschema import card_problems
from tests.contracts import load_contract
from tests.harness.servers import serve

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SWAGGER = "botframework-connector-v3.1.swagger.json"
_CLOSED = ("Activity", "ChannelAccount", "ConversationAccount", "Attachment")


@cache
def connector_schema() -> dict[str, Any]:
    """The Swagger definitions as one Draft 4 document (see the module docstring)."""
    definitions = copy.deepcopy(load_contract(SWAGGER)["definitions"])

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if not k.startswith("x-")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    definitions = strip(definitions)
    for name in _CLOSED:
        definitions[name]["additionalProperties"] = False
    activity = definitions["Activity"]["properties"]
    activity["value"] = {"description": activity["value"].get("description", "")}
    activity["channelData"] = {"description": activity["channelData"].get("description", "")}
    attachment = definitions["Attachment"]["properties"]
    attachment["content"] = {"description": attachment["content"].get("description", "")}
    return {"$schema": "http://json-schema.org/draft-04/schema#", "definitions": definitions}


@cache
def _validator(definition: str) -> Draft4Validator:
    schema = dict(connector_schema())
    schema["$ref"] = f"#/definitions/{definition}"
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def body_problems(body: Any, definition: str) -> list[str]:
    problems = [
        f"{definition} /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in _validator(definition).iter_errors(body)
    ]
    activities = [body] if definition == "Activity" else [body.get("activity")]
    for activity in activities:
        if not isinstance(activity, Mapping):
            continue
        for n, attachment in enumerate(activity.get("attachments") or []):
            if isinstance(attachment, Mapping) and attachment.get("contentType") == ADAPTIVE_CARD:
                content = attachment.get("content")
                if not isinstance(content, Mapping):
                    problems.append(f"attachment {n}: an Adaptive Card that is not an object")
                    continue
                problems += [f"attachment {n} card {p}" for p in card_problems(content)]
    return problems


@dataclass(frozen=True)
class Recorded:
    """One call the bot made to the connector."""

    method: str
    path: str
    conversation_id: str
    reply_to_id: str | None  # the activity replied to or updated (None when sent fresh)
    id: str  # the id the connector gave the activity (or conversation)
    body: Mapping[str, Any]
    authorization: str | None

    @property
    def cards(self) -> list[Mapping[str, Any]]:
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if isinstance(a, Mapping) and a.get("contentType") == ADAPTIVE_CARD
        ]


class LoopbackConnector:
    def __init__(self, *, expected_authorization: str | None = None) -> None:
        """`expected_authorization`: the exact Authorization header every call must carry
        (None: calls must carry none, as in local development mode)."""
        self.expected_authorization = expected_authorization
        self.recorded: list[Recorded] = []
        self.violations: list[str] = []
        self._ids = itertools.count(1)
        self._serving: Any = None
        self.url = ""
        self._stall: asyncio.Event | None = None
        self.stalled_requests = 0
        # Answers to give instead of accepting, one per send, oldest first:
        # (status, Retry-After header or None). See `answer_next`.
        self._answers: list[tuple[int, str | None]] = []
        self.refused: list[tuple[str, int]] = []  # (conversation id, status) answered instead
        self.arrivals: list[tuple[str, float]] = []  # (conversation id, loop time) accepted

    def answer_next(self, *answers: tuple[int, str | None]) -> None:
        """Answer the next sends with these statuses (e.g. (429, "3"), (503, None),
        (403, None)) instead of accepting them; afterwards, accept again."""
        self._answers += answers

    def stall(self) -> None:
        """Make every call hang, unanswered, until `release()` (or the end of the test)."""
        self._stall = asyncio.Event()

    def release(self) -> None:
        if self._stall is not None:
            self._stall.set()
            self._stall = None

    async def _stalling(self, request: web.Request) -> None:
        if self._stall is not None:
            self.stalled_requests += 1
            await self._stall.wait()

    async def __aenter__(self) -> LoopbackConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._send)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._send)
        self._serving = serve(app)
        self.url = await self._serving.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()
        await self._serving.__aexit__(None, None, None)

    @property
    def service_url(self) -> str:
        """The serviceUrl activities carry (Teams' end with a slash)."""
        return f"{self.url}/"

    def activities_in(self, conversation_id: str) -> list[Recorded]:
        return [r for r in self.recorded if r.conversation_id == conversation_id]

    def cards_in(self, conversation_id: str) -> list[tuple[Recorded, Mapping[str, Any]]]:
        return [(r, card) for r in self.activities_in(conversation_id) for card in r.cards]

    async def _send(self, request: web.Request) -> web.Response:
        await self._stalling(request)
        problem = self._check_authorization(request)
        body = await request.json()
        conversation = request.match_info["conversation"]
        problems = [problem] if problem else []
        problems += body_problems(body, "Activity")
        if isinstance(body, Mapping) and body.get("conversation", {}).get("id") not in (
            None,
            conversation,
        ):
            problems.append("Activity: conversation.id differs from the URL's conversation")
        if problems:
            self.violations += [f"{request.method} {request.path}: {p}" for p in problems]
            return web.json_response(
                {"error": {"code": "BadArgument", "message": problems[0]}}, status=400
            )
        if self._answers:
            status, retry_after = self._answers.pop(0)
            self.refused.append((conversation, status))
            headers = {"Retry-After": retry_after} if retry_after is not None else None
            return web.json_response(
                {"error": {"code": "Refused", "message": "answered by the test"}},
                status=status,
                headers=headers,
            )
        self.arrivals.append((conversation, asyncio.get_running_loop().time()))
        activity_id = request.match_info.get("activity")
        new_id = (
            activity_id if request.method == "PUT" and activity_id else f"sent-{next(self._ids)}"
        )
        self.recorded.append(
            Recorded(
                method=request.method,
                path=request.path,
                conversation_id=conversation,
                reply_to_id=activity_id,
                id=new_id,
                body=body,
                authorization=request.headers.get("Authorization"),
            )
        )
        return web.json_response({"id": new_id})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        await self._stalling(request)
        problem = self._check_authorization(request)
        body = await request.json()
        problems = ([problem] if problem else []) + body_problems(body, "ConversationParameters")
        if problems:
            self.violations += [f"POST {request.path}: {p}" for p in problems]
            return web.json_response(
                {"error": {"code": "BadArgument", "message": problems[0]}}, status=400
            )
        conversation_id = f"a:created-{next(self._ids)}"
        activity_id = f"sent-{next(self._ids)}"
        self.recorded.append(
            Recorded(
                method="POST",
                path=request.path,
                conversation_id=conversation_id,
                reply_to_id=None,
                id=activity_id,
                body=body,
                authorization=request.headers.get("Authorization"),
            )
        )
        return web.json_response(
            {"id": conversation_id, "activityId": activity_id, "serviceUrl": self.service_url}
        )

    def _check_authorization(self, request: web.Request) -> str:
        got = request.headers.get("Authorization")
        if got != self.expected_authorization:
            shown = "none" if got is None else "a different one"
            return f"Authorization header: expected the bot's token, got {shown}"
        return ""
