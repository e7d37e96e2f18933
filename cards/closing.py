"""Close the case: the one thing it asks is the reason, which the case records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import step_form
from cards.common import Card, paragraph
from cards.inputs import TextInput

VERB = "case.close"

REASON = TextInput(
    "reason",
    "Why the case is closed",
    "Give the reason for closing the case.",
    multiline=True,
    max_length=2000,
)


@dataclass(frozen=True)
class ReasonView:
    reference: str
    data: Mapping[str, Any]
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def build(view: ReasonView) -> Card:
    return step_form.build(
        step_form.StepForm(
            title="Close the case",
            intro=(
                paragraph(f"Case **{view.reference}**"),
                paragraph(
                    "Closing ends the case. Where the policy was used, trust governance "
                    "is asked to review the policy."
                ),
            ),
            inputs=(REASON.element(),),
            submit="Close the case",
            verb=VERB,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
            not_recorded="The case has not been closed yet:",
        )
    )
