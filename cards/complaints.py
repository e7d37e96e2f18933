"""Refer to the complaints policy: the one thing it asks is the reason, which the case records."""

from __future__ import annotations

from dataclasses import replace

from cards import step_form
from cards.common import Card
from cards.inputs import TextInput
from cards.step_form import StepView

VERB = "complaints.refer"

REASON = TextInput(
    "reason",
    "Why it goes to the complaints policy",
    "Give the reason for referring it to the complaints policy.",
    multiline=True,
    max_length=2000,
)

ABOUT = "Response 6: the matter is dealt with under the Trust Complaints Policy instead."


def build(view: StepView) -> Card:
    return step_form.simple(
        replace(view, facts=(*view.facts, ABOUT)),
        "Refer to the complaints policy",
        [REASON.element()],
        "Refer it",
        VERB,
        "The referral has not been recorded yet:",
    )
