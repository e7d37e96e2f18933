"""My cases: each role's open cases at each school, a few lines each, with a button to open
each case. A member of staff sees their own reports' reference and stage only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.actions import open_case
from cards.common import Card, Element, card, heading, paragraph, subheading

# The card shows at most this many buttons, so that it stays short on a phone; any case
# can also be opened by typing its reference.
MAX_BUTTONS = 5


@dataclass(frozen=True)
class CaseLine:
    reference: str
    status: str  # the stage, in words
    person_name: str = ""  # "" when the reader may not see who the case is about
    next_action: str = ""
    next_deadline: str = ""  # "Friday 13 March 2026", or ""


@dataclass(frozen=True)
class CaseGroup:
    title: str  # "Oakfield Primary Academy, as Headteacher/Principal"
    cases: Sequence[CaseLine]
    more: bool = False  # there are more cases than the card shows


@dataclass(frozen=True)
class MyCasesView:
    groups: Sequence[CaseGroup]


def build(view: MyCasesView) -> Card:
    body: list[Element] = [heading("My cases")]
    if not any(group.cases for group in view.groups):
        body.append(paragraph("You have no open cases."))
    references: list[str] = []
    for group in view.groups:
        if not group.cases:
            continue
        body.append(subheading(group.title))
        for line in group.cases:
            references.append(line.reference)
            text = [
                f"**{line.reference}**" + (f" · {line.person_name}" if line.person_name else "")
            ]
            text.append(line.status)
            if line.next_action:
                text.append(
                    "Next: "
                    + line.next_action
                    + (f" (by {line.next_deadline})" if line.next_deadline else "")
                )
            body.append({"type": "TextBlock", "text": "  \n".join(text), "wrap": True})
        if group.more:
            body.append(paragraph("There are more cases than this card shows.", subtle=True))
    if references:
        body.append(
            paragraph(
                f"To open one, type **case** and its reference: case {references[0]}.",
                subtle=True,
            )
        )
    actions = [
        open_case(ref, f"Open {ref}").element()
        for ref in list(dict.fromkeys(references))[:MAX_BUTTONS]
    ]
    return card(body, actions, fallback="My cases.")
