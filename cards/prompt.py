"""The card a proactive prompt carries: what is needed on which case, and a button that
opens the case (Adaptive Card 1.5), which answers with the Case card and the actions that
are the reader's own (`bot/flows/case.py`).

Pure: `build(title, text, reference) -> dict`, and `card_for(PromptCardInputs) -> dict`,
the card for a prompt of a given kind. A prompt never carries personal details (names,
what happened): the title and text come from `casework.notifications.WORDING`, which names
the case by its reference only; the reader opens the case in Teams, where what they may
see is checked.

`CARD_FOR_KIND` is the one place where a step's own card plugs in for a kind of prompt
(the head's new-incident card, the clerk's review-due card). Every kind without an entry
carries the prompt card below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cards.common import Card, card

OPEN_CASE_VERB = "case.open"


@dataclass(frozen=True)
class PromptCardInputs:
    """What a proactive prompt knows: its kind, its wording and the case's reference."""

    kind: str  # a `NotificationKind` value ("" for none)
    title: str
    text: str
    reference: str


PromptCardBuilder = Callable[[PromptCardInputs], Card]


def build(title: str, text: str, reference: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": text, "wrap": True},
    ]
    actions: list[dict[str, Any]] = []
    if reference:
        actions.append(
            {
                "type": "Action.Execute",
                "title": f"Open case {reference}",
                "verb": OPEN_CASE_VERB,
                "data": {"reference": reference},
            }
        )
    return card(body, actions)


def _prompt_card(inputs: PromptCardInputs) -> Card:
    return build(inputs.title, inputs.text, inputs.reference)


# The card each kind of prompt carries, by its `rules.behaviours.NotificationKind` value,
# when it is not the prompt card. Empty for now: every prompt carries `build`'s card, whose
# button opens the Case card.
CARD_FOR_KIND: Mapping[str, PromptCardBuilder] = {}


def card_for(inputs: PromptCardInputs) -> Card:
    """The card a prompt of `inputs.kind` carries: its own builder's, else the prompt card."""
    return CARD_FOR_KIND.get(inputs.kind, _prompt_card)(inputs)
