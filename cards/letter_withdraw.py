"""Withdraw a letter that will not be sent (its signer, with the reason). A letter whose
reply window is what the case is waiting on cannot be withdrawn: the rules say so."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.inputs import ChoiceSetInput, TextInput
from cards.step_form import StepView

VERB = "letter.withdraw"

LETTER = ChoiceSetInput("withdrawLetter", "Which letter", "Choose the letter.", expanded=True)
REASON = TextInput(
    "withdrawReason",
    "Why it will not be sent",
    "Say why the letter will not be sent.",
    multiline=True,
    max_length=1000,
)


def build(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Withdraw a letter",
        [LETTER.element(view.choices[LETTER.id]), REASON.element()],
        "Withdraw it",
        VERB,
        "The letter has not been withdrawn:",
    )
