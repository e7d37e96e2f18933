"""Close the case: the one thing it asks is the reason, which the case records."""

from __future__ import annotations

from dataclasses import replace

from cards import step_form
from cards.common import Card
from cards.inputs import TextInput
from cards.step_form import StepView

VERB = "case.close"

REASON = TextInput(
    "reason",
    "Why the case is closed",
    "Give the reason for closing the case.",
    multiline=True,
    max_length=2000,
)

ABOUT = (
    "Closing ends the case. Where the policy was used, trust governance is asked to "
    "review the policy."
)


def build(view: StepView) -> Card:
    return step_form.simple(
        replace(view, facts=(*view.facts, ABOUT)),
        "Close the case",
        [REASON.element()],
        "Close the case",
        VERB,
        "The case has not been closed yet:",
    )
