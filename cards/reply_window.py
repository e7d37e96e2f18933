"""Record that the person's 10 school days to reply passed without written comments (the
sweeper records it by itself the day after; the head or the Chair may, should it not have
run). No inputs: the facts, and one button."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.step_form import StepView

VERB = "window.close"


def build(view: StepView) -> Card:
    return step_form.simple(
        view,
        "No written comments arrived",
        [],
        "Record that none arrived",
        VERB,
        "It has not been recorded:",
    )
