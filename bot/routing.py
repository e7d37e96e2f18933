"""Routing as data: a table of selectors to handlers, tested without HTTP or botbuilder.

An activity is first turned into an `Inbound` (plain data), then the first route whose
selector matches it runs. Handlers return a `Reply`: messages to post and, for a card
action, the invoke response. Nothing here imports botbuilder. The routes themselves are
the flows' (`bot/flows/`).

An activity is hostile until proved otherwise: its text is read up to `MAX_TEXT_CHARS`
only, mentions are removed in one pass (linear time, whatever the text), and anything
from it that goes into a log line goes through `loggable` first.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from cards.common import COMMAND_KEY

ADAPTIVE_CARD_ACTION = "adaptiveCard/action"
ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
INVOKE_CARD = "application/vnd.microsoft.card.adaptive"
INVOKE_MESSAGE = "application/vnd.microsoft.activity.message"
INVOKE_ERROR = "application/vnd.microsoft.error"

# Teams' conversation types read by more than one person: a team channel, a group chat.
SHARED_CONVERSATIONS = frozenset({"channel", "groupChat"})

# A Teams message holds at most about 28 KB; the bot reads the first word of a message
# only, so more than this is never read (and never costs more than this to read).
MAX_TEXT_CHARS = 32_000

_MENTION_TAG = re.compile(r"<(/?)at>", re.IGNORECASE)

# What a log line may show of an identifier taken from a request: these characters, and at
# most MAX_LOGGED_CHARS of them, so that no request can forge or flood a log line.
MAX_LOGGED_CHARS = 64
_LOGGABLE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:@/+=")


def loggable(value: object, limit: int = MAX_LOGGED_CHARS) -> str:
    """`value` (an id or a verb from a request) fit for a log line: every character other
    than ASCII letters, digits and `-_.:@/+=` shown as `?`, and cut to `limit` characters
    (then ending in `...`). Not a string, or empty: `(none)`."""
    if not isinstance(value, str) or not value:
        return "(none)"
    shown = "".join(c if c in _LOGGABLE else "?" for c in value[: limit + 1])
    return shown if len(shown) <= limit else shown[:limit] + "..."


def strip_mentions(text: str) -> str:
    """`text` with every `<at>…</at>` mention replaced by a space, in one pass.

    Same result as removing the regular expression `<at>.*?</at>` (case-insensitive, across
    lines) from left to right, which takes time quadratic in the number of unclosed `<at>`:
    here each tag is looked at once. An `<at>` that is never closed is kept, as it was.
    """
    pieces: list[str] = []
    kept_from = 0
    opened_at: int | None = None
    for tag in _MENTION_TAG.finditer(text):
        closing = tag.group(1) == "/"
        if opened_at is None and not closing:
            opened_at = tag.start()
        elif opened_at is not None and closing:
            pieces += [text[kept_from:opened_at], " "]
            kept_from = tag.end()
            opened_at = None
    pieces.append(text[kept_from:])
    return "".join(pieces)


@dataclass(frozen=True)
class Inbound:
    """What the bot needs from one activity, as plain data."""

    activity_id: str  # as sent; `log_id` is the form for log lines and cards
    type: str
    name: str = ""
    text: str = ""  # mentions of the bot removed, whitespace trimmed
    value: Any = None
    user_id: str = ""  # the channel's id for the user ("29:…")
    user_aad_object_id: str = ""  # Entra ID object id: identity in this product
    tenant_id: str = ""
    conversation_id: str = ""
    conversation_type: str = ""
    bot_id: str = ""
    members_added: tuple[str, ...] = ()
    installation_action: str = ""  # installationUpdate: add, remove, add-upgrade, …
    locale: str = ""

    @property
    def log_id(self) -> str:
        """The activity id, fit for a log line (see `loggable`)."""
        return loggable(self.activity_id)

    @property
    def command_word(self) -> str:
        """The first word of a typed message, lower case ("" for none).

        A card button that stands for a typed word (an `Action.Submit` whose data is
        `{"command": "report"}`) arrives as a message with no text and that `value`; it takes
        the same path as the typed word. Teams and the Playground both deliver it, unlike an
        `msteams` imBack, which the Playground ignores.
        """
        words = self.text.split()
        if words:
            return words[0].lower().strip(".!?")
        if isinstance(self.value, dict) and isinstance(self.value.get(COMMAND_KEY), str):
            return str(self.value[COMMAND_KEY]).strip().lower()
        return ""

    @property
    def card_action(self) -> Mapping[str, Any]:
        """`value.action` of an adaptiveCard/action invoke (Teams sends a plain object)."""
        if self.type != "invoke" or self.name != ADAPTIVE_CARD_ACTION:
            return {}
        action = self.value.get("action") if isinstance(self.value, dict) else None
        return action if isinstance(action, dict) else {}

    @property
    def verb(self) -> str:
        verb = self.card_action.get("verb")
        return verb if isinstance(verb, str) else ""

    @property
    def action_data(self) -> Mapping[str, Any]:
        data = self.card_action.get("data")
        return data if isinstance(data, dict) else {}

    @classmethod
    def from_activity(cls, activity: Mapping[str, Any]) -> Inbound:
        def obj(value: Any) -> Mapping[str, Any]:
            return value if isinstance(value, dict) else {}

        def text(value: Any) -> str:
            return value if isinstance(value, str) else ""

        sender = obj(activity.get("from"))
        conversation = obj(activity.get("conversation"))
        tenant = obj(obj(activity.get("channelData")).get("tenant"))
        members = activity.get("membersAdded")
        members_added = tuple(
            text(obj(m).get("id")) for m in (members if isinstance(members, list) else [])
        )
        return cls(
            activity_id=text(activity.get("id")),
            type=text(activity.get("type")),
            name=text(activity.get("name")),
            text=strip_mentions(text(activity.get("text"))[:MAX_TEXT_CHARS]).strip(),
            value=activity.get("value"),
            user_id=text(sender.get("id")),
            user_aad_object_id=text(sender.get("aadObjectId")),
            tenant_id=text(tenant.get("id")) or text(conversation.get("tenantId")),
            conversation_id=text(conversation.get("id")),
            conversation_type=text(conversation.get("conversationType")),
            bot_id=text(obj(activity.get("recipient")).get("id")),
            members_added=members_added,
            installation_action=text(activity.get("action")),
            locale=text(activity.get("locale")),
        )


# --- what handlers produce -------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to post in the conversation: text, an Adaptive Card, or both."""

    text: str = ""
    card: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class InvokeReply:
    """The body of an invoke response (AdaptiveCardInvokeResponse), always sent with HTTP 200.

    Teams reads `statusCode` in the body; the HTTP status stays 200 so that it shows the
    card or the message instead of a generic failure.
    """

    status_code: int
    type: str
    value: Any

    @classmethod
    def card(cls, card: Mapping[str, Any]) -> InvokeReply:
        return cls(200, INVOKE_CARD, dict(card))

    @classmethod
    def message(cls, text: str) -> InvokeReply:
        return cls(200, INVOKE_MESSAGE, text)

    @classmethod
    def error(cls, status_code: int, code: str, message: str) -> InvokeReply:
        return cls(status_code, INVOKE_ERROR, {"code": code, "message": message})

    def as_json(self) -> dict[str, Any]:
        return {"statusCode": self.status_code, "type": self.type, "value": self.value}


@dataclass(frozen=True)
class Reply:
    messages: tuple[OutgoingMessage, ...] = ()
    invoke: InvokeReply | None = None

    @classmethod
    def posting(cls, card: Mapping[str, Any]) -> Reply:
        """A reply that posts one card in the conversation."""
        return cls(messages=(OutgoingMessage(card=card),))


Handler = Callable[[Inbound], Awaitable[Reply]]


# --- selectors --------------------------------------------------------------------------


class Selector(Protocol):
    def matches(self, inbound: Inbound) -> bool: ...


@dataclass(frozen=True)
class TextCommand:
    """A typed message whose first word is one of `words` (case-insensitive)."""

    words: tuple[str, ...]

    def matches(self, inbound: Inbound) -> bool:
        return inbound.type == "message" and inbound.command_word in self.words


@dataclass(frozen=True)
class CardVerb:
    """An Action.Execute press (adaptiveCard/action invoke) with this verb."""

    verb: str

    def matches(self, inbound: Inbound) -> bool:
        return inbound.verb == self.verb and bool(inbound.verb)


@dataclass(frozen=True)
class AnyCardAction:
    """Any adaptiveCard/action invoke: the fallback for verbs nobody handles."""

    def matches(self, inbound: Inbound) -> bool:
        return inbound.type == "invoke" and inbound.name == ADAPTIVE_CARD_ACTION


@dataclass(frozen=True)
class AppInstalled:
    """installationUpdate with action "add": the app was installed in this conversation."""

    def matches(self, inbound: Inbound) -> bool:
        return inbound.type == "installationUpdate" and inbound.installation_action == "add"


@dataclass(frozen=True)
class BotAdded:
    """conversationUpdate that adds the bot itself to the conversation."""

    def matches(self, inbound: Inbound) -> bool:
        return (
            inbound.type == "conversationUpdate"
            and bool(inbound.bot_id)
            and inbound.bot_id in inbound.members_added
        )


@dataclass(frozen=True)
class AnyMessage:
    """Any message: the fallback for text the bot does not recognise."""

    def matches(self, inbound: Inbound) -> bool:
        return inbound.type == "message"


@dataclass(frozen=True)
class Route:
    selector: Selector
    handler: Handler
    name: str = ""
    # The handler records a command on a case (a report, a step): refused with 503 while
    # the effect worker is too far behind (`bot/admission.py`). Reading routes answer.
    records: bool = False


async def _nothing(inbound: Inbound) -> Reply:
    return Reply()


@dataclass(frozen=True)
class Router:
    """The first matching route wins; an activity no route matches gets no reply."""

    routes: Sequence[Route] = field(default_factory=tuple)

    def select(self, inbound: Inbound) -> Route | None:
        for route in self.routes:
            if route.selector.matches(inbound):
                return route
        return None

    def records(self, inbound: Inbound) -> bool:
        """Whether the route `inbound` goes to records a command."""
        route = self.select(inbound)
        return route is not None and route.records

    async def dispatch(self, inbound: Inbound) -> Reply:
        route = self.select(inbound)
        return await (route.handler if route else _nothing)(inbound)

    def with_routes(self, *routes: Route) -> Router:
        """A router trying `routes` before this one's (later issues add verbs this way)."""
        return Router((*routes, *self.routes))
