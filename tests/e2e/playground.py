"""A driver for Microsoft 365 Agents Playground, the Teams-like client the end-to-end tier
talks through.

`PlaygroundProcess` runs the Playground (Node) in its own process group on a free
loopback port, pointed at a bot endpoint, and stops it with everything it started.
`PlaygroundClient` calls the same HTTP API and WebSocket the Playground's own page uses:
install the app, send a message, submit a card, send an `Action.Execute` invoke, and act
as another user through a custom activity. What the bot sends arrives on the WebSocket
and is collected in order; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiohttp

from bot.devserver import (
    PLAYGROUND_CONFIG,
    PLAYGROUND_PACKAGE,
    Child,
    playground_command,
    playground_environ,
    wait_for_listening_port,
    wait_until_answers,
)

ROOT = Path(__file__).resolve().parents[2]
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
DEFAULT_TIMEOUT = 10.0

Json = dict[str, Any]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def playground_missing() -> str | None:
    """Why the Playground cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not (ROOT / PLAYGROUND_PACKAGE / "cli.js").is_file():
        return "the Playground is not installed (make playground-deps)"
    return None


class PlaygroundProcess:
    """The Playground CLI on a free loopback port, as a context manager."""

    def __init__(
        self,
        bot_endpoint: str,
        work_dir: Path,
        *,
        config: Path = ROOT / PLAYGROUND_CONFIG,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.bot_endpoint = bot_endpoint
        self.work_dir = work_dir
        self.config = config
        self.output = work_dir / "playground-output.log"
        self._environ = dict(environ) if environ is not None else _minimal_environ()
        self._child: Child | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        node = shutil.which("node", path=self._environ.get("PATH"))
        if node is None:
            raise RuntimeError("Node.js is not installed")
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with self.output.open("wb") as output:
            self._child = Child(
                "Playground",
                playground_command(node, ROOT, self.bot_endpoint, free_port()),
                env=playground_environ(
                    self._environ, self.config, self.work_dir / "playground.log"
                ),
                cwd=self.work_dir,
                output=output,
            )
        try:
            self.port = wait_for_listening_port(self.output, self._child, timeout=timeout)
            wait_until_answers(self.base_url + "/", self._child, timeout=timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop()
            self._child = None

    def output_text(self) -> str:
        return (
            self.output.read_text(encoding="utf-8", errors="replace")
            if self.output.exists()
            else ""
        )

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _minimal_environ() -> dict[str, str]:
    # Only what Node needs: no proxies or credentials from the caller's shell.
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
    return {k: os.environ[k] for k in keep if k in os.environ}


@dataclass(frozen=True)
class BotMessage:
    """One thing the bot sent, as the Playground's page received it."""

    action: str  # createMessage or updateMessage
    conversation_id: str
    message_id: str
    text: str
    cards: tuple[Json, ...]  # the Adaptive Card contents, in attachment order
    raw: Json = field(repr=False)

    @classmethod
    def from_stream(cls, event: Json) -> BotMessage:
        message: Json = event.get("message") or {}
        attachments: list[Json] = message.get("attachments") or []
        return cls(
            action=str(event.get("action")),
            conversation_id=str(event.get("actionConversationId")),
            message_id=str(message.get("messageId") or message.get("id") or ""),
            text=str(message.get("text") or ""),
            cards=tuple(a["content"] for a in attachments if a.get("contentType") == ADAPTIVE_CARD),
            raw=event,
        )


@dataclass(frozen=True)
class InvokeResult:
    status: int
    body: Any


class PlaygroundClient:
    """The Playground's page, without the page: its HTTP API and its WebSocket."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, config: Json) -> None:
        self._session = session
        self.base_url = base_url
        self.config = config
        self.messages: list[BotMessage] = []
        self._cursor = 0
        self._arrived = asyncio.Condition()
        self._closed: str | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls, base_url: str, request_seconds: float = DEFAULT_TIMEOUT
    ) -> AsyncIterator[PlaygroundClient]:
        """Read the config and listen on the conversation stream until the block ends."""
        client_timeout = aiohttp.ClientTimeout(total=request_seconds)
        async with aiohttp.ClientSession(timeout=client_timeout) as session:
            async with session.get(f"{base_url}/_internal/v1/config") as response:
                response.raise_for_status()
                config: Json = (await response.json())["config"]
            client = cls(session, base_url, config)
            stream_url = (
                base_url.replace("http", "ws", 1) + "/_ws_conversation/v1/conversations/stream"
            )
            async with session.ws_connect(
                stream_url, timeout=aiohttp.ClientWSTimeout(ws_close=2)
            ) as ws:
                reader = asyncio.create_task(client._read(ws))
                try:
                    yield client
                finally:
                    reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await reader

    # --- who is who ----------------------------------------------------------------------

    @property
    def tenant_id(self) -> str:
        return str(self.config["tenantId"])

    @property
    def current_user(self) -> Json:
        user: Json = self.config["currentUser"]
        return user

    @property
    def personal_chat_id(self) -> str:
        return str(self.config["personalChat"]["id"])

    def user(self, user_id: str) -> Json:
        """A configured user (or the current user) by their Playground id."""
        for user in [self.current_user, *self.config["users"]]:
            if user["id"] == user_id:
                found: Json = user
                return found
        raise KeyError(user_id)

    # --- what the user does ---------------------------------------------------------------

    async def install(self, conversation_id: str | None = None) -> None:
        """Install the app: the bot receives installationUpdate and conversationUpdate."""
        conversation = conversation_id or self.personal_chat_id
        await self._post(f"/_debug/conversation/{conversation}/installation")

    async def send_text(self, text: str, conversation_id: str | None = None) -> str:
        """Type `text` in the message box; returns the message's id."""
        conversation = conversation_id or self.personal_chat_id
        body = {
            "type": "text",
            "text": text,
            "textFormat": "plain",
            "from": {"id": self.current_user["id"]},
        }
        answer = await self._post(f"/_conversation/v1/conversations/{conversation}/messages", body)
        return str(answer["messageId"])

    async def submit(
        self, reply_to_id: str, value: Json, conversation_id: str | None = None
    ) -> None:
        """Press an `Action.Submit` button on the card `reply_to_id` with these inputs."""
        body = {
            "conversation": {"id": conversation_id or self.personal_chat_id},
            "replyToId": reply_to_id,
            "value": value,
            "from": {"id": self.current_user["id"]},
        }
        await self._post("/_conversation/v1/submit", body)

    async def execute(
        self,
        reply_to_id: str,
        verb: str,
        data: Json,
        conversation_id: str | None = None,
    ) -> InvokeResult:
        """Press an `Action.Execute` button: the result is the bot's invoke response."""
        body = {
            "name": "adaptiveCard/action",
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}},
            "conversation": {"id": conversation_id or self.personal_chat_id},
            "from": {"id": self.current_user["id"]},
            "replyToId": reply_to_id,
        }
        async with self._session.post(f"{self.base_url}/_conversation/v1/invoke", json=body) as r:
            text = await r.text()
            return InvokeResult(r.status, json.loads(text) if text else None)

    async def send_as(self, user: Json, activity: Json, conversation_id: str | None = None) -> None:
        """Send `activity` as `user` (`id`, `name`, `aadObjectId`), whoever the current user is.

        The Playground forwards a custom activity as it is given, so the routing fields
        (service URL, conversation, recipient, tenant) come from its own template, as a
        real Teams activity would carry them. The bot's answer to an invoke sent this way
        is not returned; what it sends to the conversation arrives as usual.
        """
        conversation = conversation_id or self.personal_chat_id
        async with self._session.get(
            f"{self.base_url}/_internal/v1/customActivities/template",
            params={"conversationId": conversation},
        ) as response:
            response.raise_for_status()
            template: Json = await response.json()
        template.pop("type", None)
        sender = {k: user[k] for k in ("id", "name", "aadObjectId") if k in user}
        whole = {
            **template,
            "channelData": {"tenant": {"id": self.tenant_id}},
            **activity,
            "from": sender,
        }
        await self._post("/_internal/v1/customActivities", whole)

    # --- what the bot sent ----------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[BotMessage], bool] = lambda m: True,
        within: float = DEFAULT_TIMEOUT,
    ) -> BotMessage:
        """The next bot message (after the last one returned) that satisfies `predicate`."""
        try:
            async with asyncio.timeout(within):
                async with self._arrived:
                    while True:
                        while self._cursor < len(self.messages):
                            message = self.messages[self._cursor]
                            self._cursor += 1
                            if predicate(message):
                                return message
                        if self._closed is not None:
                            raise AssertionError(f"the Playground's stream closed: {self._closed}")
                        await self._arrived.wait()
        except TimeoutError:
            seen = [
                (m.action, m.text[:60], [c.get("body", [{}])[0] for c in m.cards])
                for m in self.messages
            ]
            raise AssertionError(
                f"no matching message from the bot within {within:.0f} s; received: {seen}"
            ) from None

    async def wait_for_card(
        self, containing: str = "", within: float = DEFAULT_TIMEOUT
    ) -> tuple[BotMessage, Json]:
        """The next bot message that carries an Adaptive Card (whose JSON contains
        `containing`, if given), and its first card. A proactive prompt may arrive in the
        same chat at any moment, as in Teams: `containing` names the answer awaited."""
        message = await self.wait_for(
            lambda m: any(containing in json.dumps(c) for c in m.cards), within
        )
        return message, message.cards[0]

    # --- plumbing ---------------------------------------------------------------------------

    async def _post(self, path: str, body: Json | None = None) -> Json:
        async with self._session.post(f"{self.base_url}{path}", json=body) as response:
            text = await response.text()
            if response.status >= 300:
                raise AssertionError(f"POST {path} answered {response.status}: {text}")
            return json.loads(text) if text else {}

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        reason = "closed by the Playground"
        try:
            async for frame in ws:
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    continue
                event = json.loads(frame.data)
                if event.get("action") in ("createMessage", "updateMessage"):
                    async with self._arrived:
                        self.messages.append(BotMessage.from_stream(event))
                        self._arrived.notify_all()
        except (aiohttp.ClientError, ValueError) as error:
            reason = repr(error)  # the waiting test reports it instead of timing out
        finally:
            async with self._arrived:
                self._closed = reason
                self._arrived.notify_all()


def card_inputs(card: Json) -> dict[str, Json]:
    """Every input element in a card, by id, however deeply it is nested."""
    found: dict[str, Json] = {}

    def visit(node: object) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            if isinstance(kind, str) and kind.startswith("Input.") and "id" in node:
                found[str(node["id"])] = node
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(card)
    return found


def card_actions(card: Json) -> list[Json]:
    """Every action in a card (top level, action sets, show-cards), in document order."""
    found: list[Json] = []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            if isinstance(kind, str) and kind.startswith("Action."):
                found.append(node)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(card)
    return found
