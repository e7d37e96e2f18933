"""The card a proactive prompt carries: what is needed on which case, and a button that
opens the case (Adaptive Card 1.5).

Pure: `build(title, text, reference) -> dict`. A prompt never carries personal details
(names, what happened): the title and text come from `casework.notifications.WORDING`,
which names the case by its reference only; the reader opens the case in Teams, where what
they may see is checked.
"""

from __future__ import annotations

from typing import Any

from cards.common import card

OPEN_CASE_VERB = "case.open"


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
