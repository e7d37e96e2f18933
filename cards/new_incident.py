"""The head's *new incident* card (policy, "Recording of incidents", "Risk assessment"):
what was reported, the earlier incidents on this person, and a button that opens the risk
assessment. Pure: `build(NewIncidentView) -> dict`. The same card answers the Case card's
"See the new incident" and can be carried by the proactive prompt to the head
(`bot.flows.new_incident.card_for`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.actions import Button, open_case
from cards.common import Card, Element, Fact, card, fact_set, heading, paragraph, subheading

VERB = "incident.new"


@dataclass(frozen=True)
class NewIncidentView:
    reference: str
    school_name: str
    person: str  # "Jordan Example (parent)"
    facts: Sequence[Fact]  # when, where, how, reported by, behaviours, police, assault
    summary: str  # what happened, as reported
    effect: str
    earlier: Sequence[str]  # one line per earlier incident on this person; empty: none
    assess: Button | None  # "Start risk assessment" (None once it is assessed)
    problems: Sequence[str] = ()  # a submit this card does not make (it records nothing)


def build(view: NewIncidentView) -> Card:
    body: list[Element] = [heading("New incident")]
    body += [
        {"type": "TextBlock", "text": p, "color": "attention", "wrap": True} for p in view.problems
    ]
    body += [
        paragraph(f"Case **{view.reference}**, {view.school_name}: {view.person}"),
        fact_set(view.facts),
        subheading("What happened"),
        paragraph(view.summary),
        paragraph(f"Effect: {view.effect}", subtle=True),
        subheading("Earlier incidents on this person"),
        paragraph("\n".join(f"- {line}" for line in view.earlier))
        if view.earlier
        else paragraph("None recorded."),
    ]
    if view.assess is not None:
        body.append(
            paragraph(
                "Next: the risk assessment, by you or a senior member of staff you nominate.",
                subtle=True,
            )
        )
    else:
        body.append(paragraph("This incident has been assessed.", subtle=True))
    actions = [view.assess.element()] if view.assess is not None else []
    actions.append(open_case(view.reference).element())
    return card(
        body,
        actions,
        fallback=f"New incident on case {view.reference}: open it in Teams to read it.",
    )
