"""Ask for a re-dated draft of a letter that did not go on the date it bears: it is drafted
afresh, dated the day it is drafted, so that the date on the letter and the person's days
to reply agree."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.inputs import ChoiceSetInput
from cards.step_form import StepView

VERB = "letter.redate"

LETTER = ChoiceSetInput("redateLetter", "Which letter", "Choose the letter.", expanded=True)


def build(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Re-date a letter",
        [LETTER.element(view.choices[LETTER.id])],
        "Draft it again, dated today",
        VERB,
        "No new draft has been asked for:",
    )
