"""Building blocks shared by the card builders (plain dicts, Adaptive Card schema 1.5)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

Card = dict[str, Any]
Element = dict[str, Any]


@dataclass(frozen=True)
class Choice:
    """One choice of a choice set: `value` is what the card submits, `title` what it shows."""

    value: str
    title: str


@dataclass(frozen=True)
class Fact:
    """One row of a FactSet: `label` ("Recorded by") and its `value` ("Graham Whitlock")."""

    label: str
    value: str


def card(body: Sequence[Element], actions: Sequence[Element] = (), *, fallback: str = "") -> Card:
    """A complete card. Top-level `msteams` is left out: it is not in the 1.5 schema."""
    built: Card = {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": list(body),
    }
    if actions:
        built["actions"] = list(actions)
    if fallback:
        built["fallbackText"] = fallback
    return built


def heading(text: str) -> Element:
    return {
        "type": "TextBlock",
        "text": text,
        "style": "heading",
        "size": "Large",
        "weight": "Bolder",
        "wrap": True,
    }


def subheading(text: str) -> Element:
    return {
        "type": "TextBlock",
        "text": text,
        "size": "Medium",
        "weight": "Bolder",
        "wrap": True,
        "spacing": "Large",
    }


def paragraph(text: str, *, subtle: bool = False) -> Element:
    block: Element = {"type": "TextBlock", "text": text, "wrap": True}
    if subtle:
        block["isSubtle"] = True
    return block


def bullets(items: Iterable[str]) -> Element:
    """A bulleted list (Markdown lists render in Teams' TextBlocks)."""
    return {"type": "TextBlock", "text": "\n".join(f"- {item}" for item in items), "wrap": True}


def fact_set(facts: Iterable[Fact]) -> Element:
    return {
        "type": "FactSet",
        "facts": [{"title": fact.label, "value": fact.value} for fact in facts],
    }


def choices(options: Iterable[Choice]) -> list[dict[str, str]]:
    return [{"title": option.title, "value": option.value} for option in options]


def execute(title: str, verb: str, data: dict[str, Any], *, style: str = "") -> Element:
    """An Action.Execute (Teams sends it to the bot as an adaptiveCard/action invoke)."""
    action: Element = {"type": "Action.Execute", "title": title, "verb": verb, "data": data}
    if style:
        action["style"] = style
    return action


# The data key of a button that stands for a typed word. The bot routes a submitted
# `{"command": "report"}` exactly like the typed word "report".
COMMAND_KEY = "command"

# The data key of the id that a card's Action.Execute carries, so that a retried or
# double-clicked submit is applied once (the case's events remember command ids).
COMMAND_ID_KEY = "commandId"


def say_button(title: str, word: str) -> dict[str, Any]:
    """A plain `Action.Submit` that acts as if the user had typed `word`.

    Not an `msteams` imBack: Microsoft 365 Agents Playground ignores those, while a plain
    submit works in Teams and the Playground alike.
    """
    return {"type": "Action.Submit", "title": title, "data": {COMMAND_KEY: word}}
