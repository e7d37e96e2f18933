"""Add a statement to an incident (policy, "Recording of incidents": statements from those
subjected to the behaviour and from witnesses): who gave it, when, and what it says."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.inputs import ChoiceSetInput, DateInput, TextInput, ToggleInput
from cards.step_form import StepView

VERB = "statement.add"

INCIDENT = ChoiceSetInput("statementIncident", "Which incident", "Choose the incident.")
AUTHOR = TextInput(
    "statementAuthor",
    "Who gave it",
    "Give the name of the person who gave the statement.",
    max_length=200,
)
PUPIL = ToggleInput("statementByPupil", "They are a pupil")
GIVEN_ON = DateInput("statementGivenOn", "The date it was given", "Give the date it was given.")
TEXT = TextInput(
    "statementText",
    "The statement",
    "Write the statement, or its words as given.",
    multiline=True,
    max_length=8000,
)


def build(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Add a statement",
        [
            INCIDENT.element(view.choices[INCIDENT.id]),
            AUTHOR.element(),
            PUPIL.element(),
            GIVEN_ON.element(latest=view.today),
            TEXT.element(),
        ],
        "Add the statement",
        VERB,
        "The statement has not been added yet:",
    )
