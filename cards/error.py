"""The card shown when something went wrong: what happened, what to do, and a reference."""

from __future__ import annotations

from dataclasses import dataclass

from cards.common import Card, card, heading, paragraph


@dataclass(frozen=True)
class ErrorView:
    message: str  # written for the user: what happened and what to do next
    reference: str = ""  # quoted to whoever supports the bot; never personal data
    title: str = "Sorry, that did not work"


def build(view: ErrorView) -> Card:
    body = [
        heading(view.title),
        paragraph(view.message),
    ]
    if view.reference:
        body.append(
            paragraph(
                f"If this keeps happening, tell your IT support and quote: {view.reference}",
                subtle=True,
            )
        )
    return card(body, fallback=view.message)
