"""The Chair's decision ("Confirm or overturn"): the facts, the Headteacher/Principal's
decision and reasons, the person's representation or its absence, the date the decision
must be sent by, and the decision with its reason. Pressed, it is replaced by its outcome."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards.common import (
    Card,
    Choice,
    Element,
    bullets,
    card,
    execute,
    heading,
    paragraph,
    subheading,
)
from cards.inputs import ChoiceSetInput, TextInput, keep_typed, with_field_problems

VERB = "chair.decide"

OUTCOME = ChoiceSetInput(
    "outcome", "Your decision", "Choose whether you confirm or overturn it.", expanded=True
)
REASON = TextInput(
    "reason",
    "Your reasons (they go into your letter to the person)",
    "Give the reasons for your decision.",
    multiline=True,
    max_length=2000,
)
OUTCOMES = (
    Choice("confirm", "Confirm it"),
    Choice("overturn", "Overturn it"),
)


@dataclass(frozen=True)
class ChairDecisionView:
    reference: str
    person_name: str
    incidents: Sequence[str]  # the facts: each incident in a line ("Incident 1, …: …")
    sanction: str  # "conditions" or "ban"
    imposed: str  # "Imposed by Rachel Okafor on Monday 2 March 2026"
    terms: Sequence[str]  # the conditions, or what the ban says
    head_reason: str
    representations: Sequence[str]  # "Received Tuesday 10 March 2026: …", one each
    no_representation: str = ""  # what to say when there is none
    due: str = ""  # the date the decision letter must be sent by
    data: Mapping[str, Any] = field(default_factory=dict)  # the submit's data
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def build(view: ChairDecisionView) -> Card:
    body: list[Element] = [heading(f"Confirm or overturn the {view.sanction}")]
    if view.problems:
        body += [
            {
                "type": "TextBlock",
                "text": "Your decision has not been recorded yet:",
                "color": "attention",
                "weight": "bolder",
                "wrap": True,
            },
            bullets(view.problems),
        ]
    body += [
        paragraph(f"Case **{view.reference}**: {view.person_name}"),
        subheading("What happened"),
        bullets(view.incidents),
        subheading(f"The Headteacher/Principal's {view.sanction}"),
        paragraph(view.imposed),
    ]
    if view.terms:
        body.append(bullets(view.terms))
    body += [paragraph(f"Their reasons: {view.head_reason}"), subheading("The person's reply")]
    if view.representations:
        body += [paragraph(text) for text in view.representations]
    else:
        body.append(paragraph(view.no_representation or "No representation was received."))
    if view.due:
        body.append(paragraph(f"Your decision must be sent to the person by **{view.due}**."))
    inputs = [OUTCOME.element(OUTCOMES), REASON.element()]
    keep_typed(inputs, view.values)
    body += with_field_problems(inputs, view.at_fields)
    return card(
        body,
        [execute("Record my decision", VERB, dict(view.data), style="positive")],
        fallback=f"Confirm or overturn the {view.sanction} on case {view.reference}.",
    )
