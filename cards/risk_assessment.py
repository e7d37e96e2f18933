"""The risk assessment (policy, "Risk assessment"): the seven questions, for the head or a
nominated senior member of staff, with the earlier incidents on this person pre-filled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import step_form
from cards.common import Card, Choice, paragraph
from cards.inputs import ChoiceSetInput, TextInput, ToggleInput

VERB = "risk.assess"

FORM_OF_ABUSE = TextInput(
    "formOfAbuse",
    "1. What form did the abuse take?",
    "Say what form the abuse took.",
    multiline=True,
    max_length=2000,
)
EVIDENCE = TextInput(
    "evidence",
    "2. What evidence is there?",
    "Say what evidence there is.",
    multiline=True,
    max_length=2000,
)
WITNESSES = TextInput(
    "witnessAccounts",
    "3. What do witnesses say happened?",
    "Say what witnesses say happened.",
    multiline=True,
    max_length=2000,
)
PREVIOUS = TextInput(
    "previousIncidents",
    "4. Are there previous incidents to consider?",
    "Say whether there are previous incidents to consider.",
    multiline=True,
    max_length=4000,
)
INTIMIDATED = ToggleInput("intimidated", "5. Were staff or pupils intimidated?")
INTIMIDATION_NOTES = TextInput(
    "intimidationNotes", "How (if they were)", required=False, multiline=True, max_length=2000
)
PROVOCATION = ToggleInput("provocation", "6. Was there any provocation?")
PROVOCATION_NOTES = TextInput(
    "provocationNotes", "What (if there was)", required=False, multiline=True, max_length=2000
)
RISK = ChoiceSetInput(
    "risk",
    "7. How high is the risk that this will be repeated, or of retaliation at the school's action?",
    "Choose how high the risk is.",
    expanded=True,
)


@dataclass(frozen=True)
class RiskAssessmentView:
    reference: str
    person_name: str
    incident: str  # "Incident 1, Monday 12 January 2026 at the main gate"
    summary: str  # what the reporter said happened
    previous: str  # the earlier incidents, pre-filled into question 4
    levels: Sequence[Choice]
    data: Mapping[str, Any]
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def build(view: RiskAssessmentView) -> Card:
    previous = PREVIOUS.element()
    previous["value"] = view.previous
    return step_form.build(
        step_form.StepForm(
            title="Risk assessment",
            intro=(
                paragraph(f"Case **{view.reference}**: {view.person_name}"),
                step_form.facts_paragraph([view.incident, f"Reported: {view.summary}"]),
            ),
            inputs=(
                FORM_OF_ABUSE.element(),
                EVIDENCE.element(),
                WITNESSES.element(),
                previous,
                INTIMIDATED.element(),
                INTIMIDATION_NOTES.element(),
                PROVOCATION.element(),
                PROVOCATION_NOTES.element(),
                RISK.element(view.levels),
            ),
            submit="Record the risk assessment",
            verb=VERB,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
            not_recorded="The risk assessment has not been recorded yet:",
        )
    )
