"""The card shown when something went wrong: what happened, the facts behind it (who, when,
which step, when a refusal carries them), what to do, and a reference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.common import Card, Element, Fact, card, fact_set, heading, paragraph


@dataclass(frozen=True)
class ErrorView:
    message: str  # written for the user: what happened and what to do next
    reference: str = ""  # quoted to whoever supports the bot; never personal data
    title: str = "Sorry, that did not work"
    facts: Sequence[Fact] = ()  # what the refusal rests on: "Recorded by" — "Graham Whitlock"


def build(view: ErrorView) -> Card:
    body: list[Element] = [
        heading(view.title),
        paragraph(view.message),
    ]
    if view.facts:
        body.append(fact_set(view.facts))
    if view.reference:
        body.append(
            paragraph(
                f"If this keeps happening, tell your IT support and quote: {view.reference}",
                subtle=True,
            )
        )
    return card(body, fallback=view.message)
