"""Record a removal from the premises (response 5, section 547): when, by whom (a police
officer or a person the Local Academy Committee authorised), their name, and any notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import step_form
from cards.common import Card, Choice, paragraph
from cards.inputs import ChoiceSetInput, DateInput, TextInput, TimeInput

VERB = "removal.record"

DAY = DateInput("removalDate", "The date of the removal", "Give the date of the removal.")
TIME = TimeInput("removalTime", "The time", "Give the time of the removal, roughly if need be.")
REMOVER = ChoiceSetInput("removedBy", "Removed by", "Choose who removed the person.", expanded=True)
NAME = TextInput(
    "removerName", "Their name", "Give the name of whoever removed the person.", max_length=200
)
NOTES = TextInput("removalNotes", "Notes", required=False, multiline=True, max_length=2000)


@dataclass(frozen=True)
class RemovalView:
    reference: str
    removers: Sequence[Choice]
    today: str  # YYYY-MM-DD
    data: Mapping[str, Any]
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def build(view: RemovalView) -> Card:
    return step_form.build(
        step_form.StepForm(
            title="Record a removal from the premises",
            intro=(paragraph(f"Case **{view.reference}**"),),
            inputs=(
                DAY.element(latest=view.today),
                TIME.element(),
                REMOVER.element(view.removers),
                NAME.element(),
                NOTES.element(),
            ),
            submit="Record the removal",
            verb=VERB,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
            not_recorded="The removal has not been recorded yet:",
        )
    )
