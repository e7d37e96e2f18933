"""A client that behaves like Microsoft Teams towards the bot under test.

It sends activities as a given user in a given tenant, with the loopback connector as
serviceUrl and a real token from the loopback identity provider; it reads the cards the
bot sent (from the connector's recordings, or an invoke response) and presses their
buttons the way Teams does:

- inputs are filled by id or by label; an id or label the card does not have is refused;
- `isRequired` inputs left empty stop the press (Teams shows the errorMessage and sends
  nothing) — `CardProblem` is raised;
- `Action.Submit` becomes a message whose `value` is the action's data merged with the
  inputs (an `imBack` submit becomes a typed message instead);
- `Action.Execute` becomes an `adaptiveCard/action` invoke whose `value.action` is
  `{type, verb, data}` with data merged with the inputs;
- an action sends (and checks) the inputs of the card it is on and of the cards that card
  is shown in, not those of another `Action.ShowCard`'s card.

Values are sent as Teams sends them: strings; a multi-select is comma-joined; a toggle is
its valueOn/valueOff. Inputs left empty are not sent.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.harness.connector import LoopbackConnector
from tests.harness.idp import LoopbackIdentityProvider, TokenKind

ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
INVOKE_CARD = "application/vnd.microsoft.card.adaptive"


class CardProblem(AssertionError):
    """The test asked for something Teams would not let a user do with this card."""


@dataclass(frozen=True)
class TeamsUser:
    aad_object_id: str
    name: str
    tenant_id: str

    @property
    def channel_id(self) -> str:
        return f"29:{self.aad_object_id}"

    @property
    def personal_conversation_id(self) -> str:
        return f"a:personal-chat-{self.aad_object_id}"


@dataclass(frozen=True)
class BotResponse:
    """The bot's HTTP answer to one activity."""

    activity_id: str
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def invoke_card(self) -> Mapping[str, Any] | None:
        """The card of an invoke response of type adaptive card (None otherwise)."""
        if isinstance(self.body, Mapping) and self.body.get("type") == INVOKE_CARD:
            value = self.body.get("value")
            return value if isinstance(value, Mapping) else None
        return None


@dataclass(frozen=True)
class SentCard:
    """A card the bot posted: the card and where it is (to reply to it)."""

    card: Mapping[str, Any]
    conversation_id: str
    message_id: str

    def inputs(self) -> list[Mapping[str, Any]]:
        return list(_inputs(self.card))

    def actions(self) -> list[Mapping[str, Any]]:
        return list(_actions(self.card))

    def action(self, title: str) -> Mapping[str, Any]:
        found = [a for a in self.actions() if a.get("title") == title]
        if not found:
            titles = [a.get("title") for a in self.actions()]
            raise CardProblem(f"the card has no button {title!r}; it has {titles}")
        return found[0]

    def text(self) -> str:
        """Every TextBlock's text, one per line (for assertions on wording)."""
        return "\n".join(
            str(e.get("text")) for e in _walk(self.card) if e.get("type") == "TextBlock"
        )


@dataclass
class TeamsClient:
    session: aiohttp.ClientSession
    bot_url: str  # base URL of the bot; activities go to {bot_url}/api/messages
    connector: LoopbackConnector
    idp: LoopbackIdentityProvider | None  # None: send no token (local development mode)
    app_id: str = ""
    bot_id: str = "28:safe-premises-bot"
    bot_name: str = "Safe Premises"
    channel_id: str = "msteams"
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    # --- building and sending activities --------------------------------------------

    def activity(self, user: TeamsUser, activity_type: str, **fields: Any) -> dict[str, Any]:
        """An activity from `user` in their personal chat with the bot, as Teams shapes it."""
        activity: dict[str, Any] = {
            "type": activity_type,
            "id": f"f:test-{next(self._ids)}",
            "channelId": self.channel_id,
            "serviceUrl": self.connector.service_url,
            "from": {"id": user.channel_id, "name": user.name, "aadObjectId": user.aad_object_id},
            "recipient": {"id": self.bot_id, "name": self.bot_name},
            "conversation": {
                "id": user.personal_conversation_id,
                "conversationType": "personal",
                "tenantId": user.tenant_id,
            },
            "channelData": {"tenant": {"id": user.tenant_id}},
            "locale": "en-GB",
        }
        activity.update(fields)
        return activity

    def token(self, kind: TokenKind = TokenKind.VALID, *, service_url: str | None = None) -> str:
        if self.idp is None:
            raise CardProblem("this client has no identity provider to mint tokens")
        return self.idp.mint(
            kind, audience=self.app_id, service_url=service_url or self.connector.service_url
        )

    async def post(
        self,
        activity: Mapping[str, Any],
        *,
        authorization: str | None = None,
        token_kind: TokenKind | None = TokenKind.VALID,
    ) -> BotResponse:
        """POST `activity` to the bot. By default with a valid token (when there is an
        identity provider); `authorization` sends that header verbatim instead."""
        headers = {"Content-Type": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        elif self.idp is not None and token_kind is not None:
            headers["Authorization"] = f"Bearer {self.token(token_kind)}"
        async with self.session.post(
            f"{self.bot_url}/api/messages", json=activity, headers=headers
        ) as response:
            text = await response.text()
            body: Any = None
            if text and response.content_type == "application/json":
                body = await response.json()
            headers = dict(response.headers)
            return BotResponse(str(activity.get("id")), response.status, body, headers)

    async def say(self, user: TeamsUser, text: str) -> BotResponse:
        """`user` types `text` in their personal chat with the bot."""
        return await self.post(self.activity(user, "message", text=text, textFormat="plain"))

    async def install(self, user: TeamsUser) -> list[BotResponse]:
        """`user` installs the app: Teams sends installationUpdate, then conversationUpdate."""
        installed = self.activity(user, "installationUpdate", action="add")
        added = self.activity(
            user,
            "conversationUpdate",
            membersAdded=[{"id": self.bot_id}],
        )
        return [await self.post(installed), await self.post(added)]

    # --- reading what the bot sent --------------------------------------------------

    def cards_for(self, user: TeamsUser) -> list[SentCard]:
        """Every card the bot posted in `user`'s personal chat, oldest first."""
        return [
            SentCard(card, recorded.conversation_id, recorded.id)
            for recorded, card in self.connector.cards_in(user.personal_conversation_id)
        ]

    def last_card(self, user: TeamsUser) -> SentCard:
        cards = self.cards_for(user)
        if not cards:
            raise CardProblem("the bot has sent this user no card")
        return cards[-1]

    # --- pressing buttons -------------------------------------------------------------

    async def press(
        self,
        user: TeamsUser,
        card: SentCard,
        title: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        token_kind: TokenKind | None = TokenKind.VALID,
        activity_id: str | None = None,
    ) -> BotResponse:
        """`user` fills `inputs` (by id or label) and presses the button titled `title`
        (with a token of `token_kind`, as `post`; the activity's id `activity_id` if
        given, else a fresh one)."""
        action = card.action(title)
        values = _fill(card, inputs or {})
        kind = action.get("type")
        data = action.get("data")
        if kind == "Action.Execute":
            gathered = _gather(card, values, action)
            merged = {**(data if isinstance(data, Mapping) else {}), **gathered}
            invoke = self.activity(
                user,
                "invoke",
                name=ADAPTIVE_CARD_ACTION,
                replyToId=card.message_id,
                value={
                    "action": {
                        "type": "Action.Execute",
                        "title": title,
                        "verb": action.get("verb"),
                        "data": merged,
                    },
                    "trigger": "manual",
                },
            )
            invoke["channelData"]["source"] = {"name": "message"}
            invoke["channelData"]["legacy"] = {"replyToId": card.message_id}
            if activity_id is not None:
                invoke["id"] = activity_id
            return await self.post(invoke, token_kind=token_kind)
        if kind == "Action.Submit":
            msteams = data.get("msteams") if isinstance(data, Mapping) else None
            if isinstance(msteams, Mapping) and msteams.get("type") == "imBack":
                message = self.activity(
                    user, "message", text=str(msteams.get("value", "")), textFormat="plain"
                )
                return await self.post(message, token_kind=token_kind)
            gathered = _gather(card, values, action)
            base = {k: v for k, v in (data or {}).items() if k != "msteams"}
            return await self.post(
                self.activity(
                    user, "message", replyToId=card.message_id, value={**base, **gathered}
                ),
                token_kind=token_kind,
            )
        raise CardProblem(f"pressing a {kind} is not something this client does")


# --- card walking ---------------------------------------------------------------------------


def _walk(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        yield node
        for key, value in node.items():
            if key not in ("data", "choices"):
                yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _inputs(card: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for element in _walk(card):
        kind = element.get("type")
        if isinstance(kind, str) and kind.startswith("Input."):
            yield element


def _actions(card: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for element in _walk(card):
        kind = element.get("type")
        if isinstance(kind, str) and kind.startswith("Action.") and "title" in element:
            yield element


def _default(element: Mapping[str, Any]) -> str:
    if element.get("type") == "Input.Toggle":
        return str(element.get("value", element.get("valueOff", "false")))
    value = element.get("value")
    return "" if value is None else str(value)


def _fill(card: SentCard, inputs: Mapping[str, Any]) -> dict[str, str]:
    """Input id -> value, after the user typed `inputs` (keyed by id or by label)."""
    elements = card.inputs()
    values = {str(e["id"]): _default(e) for e in elements}
    by_key: dict[str, Mapping[str, Any]] = {}
    for element in elements:
        by_key[str(element["id"])] = element
        for label_key in ("label", "title"):
            if isinstance(element.get(label_key), str):
                by_key.setdefault(element[label_key], element)
    for key, typed in inputs.items():
        target = by_key.get(key)
        if target is None:
            known = sorted(values)
            raise CardProblem(f"the card has no input {key!r} (by id or label); it has {known}")
        values[str(target["id"])] = _as_teams_value(target, typed)
    return values


def _as_teams_value(element: Mapping[str, Any], typed: Any) -> str:
    kind = element.get("type")
    if kind == "Input.Toggle":
        if isinstance(typed, bool):
            return str(
                element.get("valueOn", "true") if typed else element.get("valueOff", "false")
            )
        allowed = {str(element.get("valueOn", "true")), str(element.get("valueOff", "false"))}
        if str(typed) not in allowed:
            raise CardProblem(f"toggle {element['id']!r} takes {sorted(allowed)} or a bool")
        return str(typed)
    if kind == "Input.ChoiceSet":
        chosen: Sequence[str] = (
            [str(v) for v in typed] if isinstance(typed, list | tuple) else [str(typed)]
        )
        offered = {str(c.get("value")) for c in element.get("choices", [])}
        unknown = [c for c in chosen if c not in offered]
        if unknown:
            raise CardProblem(f"choice set {element['id']!r} offers no {unknown}")
        if len(chosen) > 1 and not element.get("isMultiSelect"):
            raise CardProblem(f"choice set {element['id']!r} takes one choice")
        return ",".join(chosen)
    return str(typed)


def _own(node: Any) -> Iterator[Mapping[str, Any]]:
    """The elements of one card, not those inside the cards of its Action.ShowCards."""
    if isinstance(node, Mapping):
        yield node
        for key, value in node.items():
            if key in ("data", "choices") or (
                key == "card" and node.get("type") == "Action.ShowCard"
            ):
                continue
            yield from _own(value)
    elif isinstance(node, list):
        for item in node:
            yield from _own(item)


def _cards_to(card: Mapping[str, Any], action: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The card holding `action` and every card it is shown in (outermost first)."""
    if any(element is action for element in _own(card)):
        return [card]
    for element in _own(card):
        shown = element.get("card") if element.get("type") == "Action.ShowCard" else None
        if isinstance(shown, Mapping):
            inner = _cards_to(shown, action)
            if inner:
                return [card, *inner]
    return []


def _gather(card: SentCard, values: Mapping[str, str], action: Mapping[str, Any]) -> dict[str, str]:
    """The inputs Teams sends with `action`, after checking the required ones are filled:
    those of the card the action is on and of the cards that card is shown in (Adaptive
    Cards' `associatedInputs: auto`), not those of another Action.ShowCard's card."""
    if action.get("associatedInputs") == "none":
        return {}
    scope = [
        e
        for shown in _cards_to(card.card, action) or [card.card]
        for e in _own(shown)
        if isinstance(e.get("type"), str) and str(e["type"]).startswith("Input.")
    ]
    missing = [
        str(e.get("errorMessage") or e["id"])
        for e in scope
        if e.get("isRequired") and not values.get(str(e["id"]))
    ]
    if missing:
        raise CardProblem(
            "Teams would not send this: required inputs are empty: " + "; ".join(missing)
        )
    ids = {str(e["id"]) for e in scope}
    return {key: value for key, value in values.items() if value != "" and key in ids}
