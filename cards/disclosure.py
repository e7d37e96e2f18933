"""Statements and the person's request to see them (policy, "Recording of incidents": the
decision to show a statement weighs "the risk of retaliation to witnesses or
individuals"): the head decides whether one is shown, with the risk and the reasons; the
head or senior staff then record the day it was shown. One builder per card."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.inputs import ChoiceSetInput, DateInput, TextInput
from cards.step_form import StepView

DECIDE_VERB = "disclosure.decide"
RELEASED_VERB = "disclosure.released"

STATEMENT = ChoiceSetInput("disclosureStatement", "Which statement", "Choose the statement.")
RELEASE = ChoiceSetInput(
    "disclosureRelease", "Your decision", "Choose whether it is shown.", expanded=True
)
RISK = ChoiceSetInput(
    "retaliationRisk",
    "The risk of retaliation to the witness or the person who gave it",
    "Choose how high the risk of retaliation is.",
    expanded=True,
)
REASONS = TextInput(
    "disclosureReasons",
    "Your reasons",
    "Give your reasons, with the risk of retaliation weighed.",
    multiline=True,
    max_length=2000,
)
RELEASED_ON = DateInput("releasedOn", "The date it was shown", "Give the date it was shown.")


def build_decide(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Decide whether a statement is shown",
        [
            STATEMENT.element(view.choices[STATEMENT.id]),
            RELEASE.element(view.choices[RELEASE.id]),
            RISK.element(view.choices[RISK.id]),
            REASONS.element(),
        ],
        "Record the decision",
        DECIDE_VERB,
        "The decision has not been recorded yet:",
    )


def build_released(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Record that a statement was shown",
        [STATEMENT.element(view.choices[STATEMENT.id]), RELEASED_ON.element(latest=view.today)],
        "Record it",
        RELEASED_VERB,
        "It has not been recorded yet:",
    )
