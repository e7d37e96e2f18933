"""Record that the defined period of a ban or conditions ended (the sweeper records it by
itself the day after the end date; the head may, should it not have run). No inputs: the
facts, and one button."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.step_form import StepView

VERB = "period.end"


def build(view: StepView) -> Card:
    return step_form.simple(
        view,
        "The defined period has ended",
        [],
        "Record that it ended",
        VERB,
        "It has not been recorded:",
    )
