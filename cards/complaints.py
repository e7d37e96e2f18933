"""Refer to the complaints policy: the one thing it asks is the reason, which the case records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import step_form
from cards.common import Card, paragraph
from cards.inputs import TextInput

VERB = "complaints.refer"

REASON = TextInput(
    "reason",
    "Why it goes to the complaints policy",
    "Give the reason for referring it to the complaints policy.",
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
            title="Refer to the complaints policy",
            intro=(
                paragraph(f"Case **{view.reference}**"),
                paragraph(
                    "Response 6: the matter is dealt with under the Trust Complaints Policy "
                    "instead."
                ),
            ),
            inputs=(REASON.element(),),
            submit="Refer it",
            verb=VERB,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
            not_recorded="The referral has not been recorded yet:",
        )
    )
