"""Correct the details of the person the case is about: the letters are addressed with
them (name, email, postal address) and say which pupils they concern."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.inputs import ChoiceSetInput, TextInput
from cards.step_form import StepView

VERB = "person.update"

NAME = TextInput("personName", "Name", "Give the person's name.", max_length=200)
RELATIONSHIP = ChoiceSetInput(
    "relationship", "They are a", "Say whether they are a parent, carer or visitor.", expanded=True
)
EMAIL = TextInput("personEmail", "Email address", required=False, max_length=254)
ADDRESS = TextInput(
    "postalAddress",
    "Postal address, one line each",
    required=False,
    multiline=True,
    max_length=500,
)
PUPILS = TextInput(
    "pupils",
    "Pupils they are connected with, one a line (with their year)",
    required=False,
    multiline=True,
    max_length=500,
)


def build(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Update the person's details",
        [
            NAME.element(),
            RELATIONSHIP.element(view.choices[RELATIONSHIP.id]),
            EMAIL.element(),
            ADDRESS.element(),
            PUPILS.element(),
        ],
        "Save the details",
        VERB,
        "The details have not been saved yet:",
    )
