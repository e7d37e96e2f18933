"""Deadlines: what each of this person's roles must do, overdue first, then soonest first,
then what has no date; and, for the head, the role holders who cannot be reached in Teams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.actions import open_case
from cards.common import Card, Element, bullets, card, heading, paragraph, subheading

MAX_BUTTONS = 5  # buttons on the card, so that it stays short on a phone


@dataclass(frozen=True)
class DeadlineLine:
    text: str  # what is to be done
    role: str  # as which role ("Headteacher/Principal")
    reference: str = ""  # the case ("" for the trust's own standing prompt)
    due: str = ""  # "Friday 13 March 2026", or "" for no date
    overdue: bool = False
    warning: str = ""


@dataclass(frozen=True)
class DeadlinesView:
    overdue: Sequence[DeadlineLine] = ()
    due: Sequence[DeadlineLine] = ()  # dated, not overdue, soonest first
    undated: Sequence[DeadlineLine] = ()
    unreachable: Sequence[str] = ()  # "Graham Whitlock, Chair (Oakfield)": not in Teams


def _line(line: DeadlineLine) -> Element:
    first = f"**{line.reference}**: {line.text}" if line.reference else f"**{line.text}**"
    rows = [first, f"As {line.role}"]
    if line.due:
        rows.append(("Was due " if line.overdue else "Due ") + line.due)
    if line.warning:
        rows.append(line.warning)
    block: Element = {"type": "TextBlock", "text": "  \n".join(rows), "wrap": True}
    if line.overdue:
        block["color"] = "Attention"
    return block


def build(view: DeadlinesView) -> Card:
    body: list[Element] = [heading("Deadlines")]
    sections = (
        ("Overdue", view.overdue),
        ("Coming up", view.due),
        ("No date set", view.undated),
    )
    if not any(items for _, items in sections):
        body.append(paragraph("Nothing is waiting for you."))
    references: list[str] = []
    for title, items in sections:
        if not items:
            continue
        body.append(subheading(title))
        for item in items:
            body.append(_line(item))
            if item.reference:
                references.append(item.reference)
    if view.unreachable:
        body += [
            subheading("Cannot be reached in Teams"),
            paragraph(
                "Safe Premises cannot reach these in Teams (the app is not installed, or "
                "not added to the channel), so their prompts wait. Tell them, or ask them "
                "to install it:"
            ),
            bullets(view.unreachable),
        ]
    actions = [
        open_case(ref, f"Open {ref}").element()
        for ref in list(dict.fromkeys(references))[:MAX_BUTTONS]
    ]
    return card(body, actions, fallback="Deadlines.")
