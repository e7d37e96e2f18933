"""The card a proactive prompt carries (Adaptive Card 1.5): what is needed on which case,
then, for a person, the card of the step it asks for, built for them; and a button that
opens the case (`case.open`), which answers with the Case card and the reader's own actions
(`bot/flows/case.py`).

Pure: `build(title, text, reference)` is the plain prompt card; `card_for(inputs, step)` the
prompt with its step's card (`step`: built by `bot.flows.prompt_steps` for the reader, with
the case's version and a command id on its buttons; None: the plain prompt card);
`for_channel(inputs)` the card posted in a clerks' channel.

A prompt's title and text never carry personal details (names, what happened): they come
from `casework.notifications.WORDING`, which names the case by its reference only. A step's
card does, and goes only to a person's own chat, built for someone who may see the case
whole. A channel is read by everyone in it, so its card carries the title and text only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cards.common import Card, Element, card, paragraph

OPEN_CASE_VERB = "case.open"
# A Teams message holds about 28 KB: a prompt with its step's card larger than this (the
# card as JSON, in UTF-8) goes as the plain prompt card (`bot.deliver.prompt_card`).
MAX_PROMPT_CARD_BYTES = 24_000


@dataclass(frozen=True)
class PromptCardInputs:
    """What a proactive prompt knows: its kind, its wording and the case's reference."""

    kind: str  # a `NotificationKind` value ("" for none)
    title: str
    text: str
    reference: str


def _wording(title: str, text: str) -> list[Element]:
    return [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": text, "wrap": True},
    ]


def _open_button(reference: str) -> Element:
    return {
        "type": "Action.Execute",
        "title": f"Open case {reference}",
        "verb": OPEN_CASE_VERB,
        "data": {"reference": reference},
    }


def build(title: str, text: str, reference: str) -> dict[str, Any]:
    actions = [_open_button(reference)] if reference else []
    return card(_wording(title, text), actions)


def card_for(inputs: PromptCardInputs, step: Card | None = None) -> Card:
    """The prompt's title and text first (what it asks, as every prompt says it), then the
    step's card below a line, its buttons first and then "Open case" (in place of the
    step card's own button to open the case); without a step, the plain prompt card."""
    if step is None:
        return build(inputs.title, inputs.text, inputs.reference)
    body: list[Element] = _wording(inputs.title, inputs.text)
    step_body = [dict(element) for element in step.get("body", [])]
    if step_body:
        step_body[0] = {**step_body[0], "separator": True, "spacing": "Large"}
    # The step's own "Open the case" gives way to the prompt's, last, as on every prompt.
    actions = [
        dict(a)
        for a in step.get("actions", [])
        if not (
            a.get("verb") == OPEN_CASE_VERB
            and a.get("data", {}).get("reference") == inputs.reference
        )
    ]
    if inputs.reference:
        # Opening the case sends none of the step's inputs, so Teams does not ask for the
        # required ones first.
        actions.append({**_open_button(inputs.reference), "associatedInputs": "none"})
    return card([*body, *step_body], actions, fallback=inputs.title)


CHANNEL_NOTE = (
    "Everyone in this channel can read this message, so it says nothing more about the case. "
    "To see the case and act on it, press the button (what it shows is shown to you alone, "
    "and only if you may see the case), or type **case {reference}** in your own chat with "
    "Safe Premises."
)


def for_channel(inputs: PromptCardInputs) -> Card:
    """The card posted in a clerks' channel: the prompt's title and text, a note that the
    case is opened for each reader alone, and the button that opens it."""
    body = _wording(inputs.title, inputs.text)
    if inputs.reference:
        body.append(paragraph(CHANNEL_NOTE.format(reference=inputs.reference), subtle=True))
    actions = [_open_button(inputs.reference)] if inputs.reference else []
    return card(body, actions, fallback=inputs.title)
