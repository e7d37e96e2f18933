"""Record the person's written comments (a representation) on the letter awaiting their
reply: when their letter is dated, when it arrived, what it says in short, and whether they
said they have nothing more to add (then the Chair may decide without waiting)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import step_form
from cards.common import Card, paragraph
from cards.inputs import DateInput, TextInput, ToggleInput

VERB = "representation.record"

LETTER_DATED = DateInput(
    "letterDated", "The date on their letter", "Give the date on their letter."
)
RECEIVED_ON = DateInput("receivedOn", "The date it arrived", "Give the date it arrived.")
SUMMARY = TextInput(
    "summary",
    "What they wrote, in short",
    "Summarise what the person wrote.",
    multiline=True,
    max_length=4000,
)
FINAL = ToggleInput("nothingMoreToAdd", "They say they have nothing more to add")


@dataclass(frozen=True)
class RepresentationView:
    reference: str
    awaiting: str  # "Letter 4: ban, pending review, sent on Tuesday 13 January 2026"
    reply_by: str  # "Tuesday 27 January 2026", or ""
    today: str  # YYYY-MM-DD: the latest date the pickers offer
    data: Mapping[str, Any]
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def build(view: RepresentationView) -> Card:
    intro = [
        paragraph(f"Case **{view.reference}**"),
        paragraph(f"Awaiting a reply: {view.awaiting}"),
    ]
    if view.reply_by:
        intro.append(paragraph(f"Their time to reply ends on {view.reply_by}.", subtle=True))
    return step_form.build(
        step_form.StepForm(
            title="Record the person's written comments",
            intro=intro,
            inputs=(
                LETTER_DATED.element(latest=view.today),
                RECEIVED_ON.element(latest=view.today),
                SUMMARY.element(),
                FINAL.element(),
            ),
            submit="Record their comments",
            verb=VERB,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
            not_recorded="Their comments have not been recorded yet:",
        )
    )
