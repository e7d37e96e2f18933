"""Record a breach of the conditions or the ban in force: when it happened, in the school's
own time, and what happened."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import step_form
from cards.common import Card, paragraph
from cards.inputs import DateInput, TextInput, TimeInput

VERB = "breach.record"

DAY = DateInput("breachDate", "The date it happened", "Give the date it happened.")
TIME = TimeInput("breachTime", "The time", "Give the time it happened, roughly if need be.")
SUMMARY = TextInput(
    "breachSummary", "What happened", "Say what happened.", multiline=True, max_length=4000
)


@dataclass(frozen=True)
class BreachView:
    reference: str
    in_force: str  # "the ban, imposed on Monday 12 January 2026"
    today: str  # YYYY-MM-DD
    data: Mapping[str, Any]
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def build(view: BreachView) -> Card:
    return step_form.build(
        step_form.StepForm(
            title="Record a breach",
            intro=(
                paragraph(f"Case **{view.reference}**"),
                paragraph(f"In force: {view.in_force}."),
            ),
            inputs=(DAY.element(latest=view.today), TIME.element(), SUMMARY.element()),
            submit="Record the breach",
            verb=VERB,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
            not_recorded="The breach has not been recorded yet:",
        )
    )
