"""What every step's card has in common: its heading, the problems of a refused submit at
the top (each is also shown next to its field), the facts it rests on, its inputs with what
was typed put back, and its submit button carrying the ids of `cards.actions.step_data`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards.common import Card, Choice, Element, bullets, card, execute, heading, paragraph
from cards.inputs import keep_typed, with_field_problems


@dataclass(frozen=True)
class StepForm:
    title: str  # "Risk assessment"
    intro: Sequence[Element]  # the facts, as card elements
    inputs: Sequence[Element]
    submit: str  # the button's title
    verb: str
    data: Mapping[str, Any]
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)
    not_recorded: str = "This has not been recorded yet:"


def build(form: StepForm) -> Card:
    body: list[Element] = [heading(form.title)]
    if form.problems:
        body += [
            {
                "type": "TextBlock",
                "text": form.not_recorded,
                "color": "attention",
                "weight": "bolder",
                "wrap": True,
            },
            bullets(form.problems),
        ]
    body += list(form.intro)
    inputs = [dict(element) for element in form.inputs]
    keep_typed(inputs, form.values)
    body += with_field_problems(inputs, form.at_fields)
    return card(
        body,
        [execute(form.submit, form.verb, dict(form.data), style="positive")],
        fallback=f"{form.title}: this card needs a Teams client that shows Adaptive Cards.",
    )


def facts_paragraph(lines: Sequence[str]) -> Element:
    """Short facts, one a line (readable on a phone)."""
    return paragraph("  \n".join(lines))


@dataclass(frozen=True)
class StepView:
    """What the simpler step cards are built from: the case, the facts the step rests on,
    the ids its submit carries, and a refused submit's values and problems."""

    reference: str
    facts: Sequence[str]
    data: Mapping[str, Any]
    today: str = ""  # YYYY-MM-DD: the latest (or earliest) date a picker offers
    choices: Mapping[str, Sequence[Choice]] = field(default_factory=dict)  # by input id
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def simple(
    view: StepView,
    title: str,
    inputs: Sequence[Element],
    submit: str,
    verb: str,
    not_recorded: str = "This has not been recorded yet:",
) -> Card:
    """A step card from a `StepView`: its reference and facts first, then the inputs."""
    intro: list[Element] = [paragraph(f"Case **{view.reference}**")]
    if view.facts:
        intro.append(facts_paragraph(view.facts))
    return build(
        StepForm(
            title=title,
            intro=intro,
            inputs=inputs,
            submit=submit,
            verb=verb,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
            not_recorded=not_recorded,
        )
    )
