"""The incident report (policy: "Definition of unacceptable behaviour", "Recording of
incidents"), first version: the form a member of staff fills in from Teams.

Submitting it is the Action.Execute verb `incident.report`, carrying a fresh `commandId`
so that a retried or double-clicked submit is recorded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.common import Card, Choice, Element, card, choices, execute, heading, paragraph

VERB = "incident.report"


@dataclass(frozen=True)
class IncidentReportView:
    command_id: str  # a fresh id per card
    schools: Sequence[Choice]  # the schools the reporter may report for
    relationships: Sequence[Choice]  # parent, carer, visitor
    channels: Sequence[Choice]  # in person, telephone, written or email, social media
    behaviours: Sequence[Choice]  # the policy's list of unacceptable behaviours
    affected: Sequence[Choice]  # staff, pupils, other parents, …


def build(view: IncidentReportView) -> Card:
    if not view.schools:
        raise ValueError("an incident report needs at least one school")
    data: dict[str, str] = {"commandId": view.command_id}
    body: list[Element] = [
        heading("Report an incident"),
        paragraph(
            "Record what happened, as facts: what was said and done, by whom, and who saw "
            "it. Fields marked with * are needed.",
        ),
    ]
    if len(view.schools) == 1:
        data["school"] = view.schools[0].value
        body.append(paragraph(f"School: **{view.schools[0].title}**"))
    else:
        body.append(
            _choice_set("school", "School", view.schools, "Choose the school where it happened.")
        )
    body += [
        _text("personName", "Name of the person", "Give the person's name.", max_length=200),
        _choice_set(
            "relationship",
            "They are a",
            view.relationships,
            "Say whether they are a parent, carer or visitor.",
            expanded=True,
        ),
        {
            "type": "Input.Date",
            "id": "incidentDate",
            "label": "Date of the incident",
            "isRequired": True,
            "errorMessage": "Give the date it happened.",
        },
        {
            "type": "Input.Time",
            "id": "incidentTime",
            "label": "Time (roughly is fine)",
            "isRequired": True,
            "errorMessage": "Give the time it happened, roughly if need be.",
        },
        _text(
            "location",
            "Where did it happen?",
            "Say where it happened, for example the school office or the gate.",
            max_length=300,
        ),
        _choice_set(
            "channel",
            "How did it reach the school?",
            view.channels,
            "Say how it happened: in person, by telephone, in writing or on social media.",
            expanded=True,
        ),
        _choice_set(
            "behaviours",
            "What behaviour was shown? (choose all that apply)",
            view.behaviours,
            "Choose at least one kind of behaviour.",
            expanded=True,
            multi=True,
        ),
        _choice_set(
            "affected",
            "Who was affected? (choose all that apply)",
            view.affected,
            "Choose who was affected.",
            expanded=True,
            multi=True,
        ),
        _text(
            "witnesses",
            "Witnesses",
            "",
            required=False,
            multiline=True,
            placeholder="Names of anyone who saw or heard it",
            max_length=1000,
        ),
        _toggle("policeCalled", "The police were called"),
        _toggle("assault", "Someone was assaulted (physically attacked)"),
        _text(
            "evidence",
            "Evidence",
            "",
            required=False,
            multiline=True,
            placeholder="For example CCTV, emails, screenshots, and where they are kept",
            max_length=1000,
        ),
        _text(
            "summary",
            "What happened?",
            "Describe what happened.",
            multiline=True,
            placeholder="The facts, in order: what was said and done",
            max_length=4000,
        ),
        _text(
            "effect",
            "What effect did it have?",
            "Describe the effect on staff, pupils or others.",
            multiline=True,
            placeholder="For example on staff, pupils or other parents",
            max_length=2000,
        ),
    ]
    return card(
        body,
        [execute("Submit report", VERB, data, style="positive")],
        fallback="Report an incident: this form needs a Teams client that shows Adaptive Cards.",
    )


def _text(
    input_id: str,
    label: str,
    error: str,
    *,
    required: bool = True,
    multiline: bool = False,
    placeholder: str = "",
    max_length: int = 0,
) -> Element:
    element: Element = {"type": "Input.Text", "id": input_id, "label": label}
    if required:
        element["isRequired"] = True
        element["errorMessage"] = error
    if multiline:
        element["isMultiline"] = True
    if placeholder:
        element["placeholder"] = placeholder
    if max_length:
        element["maxLength"] = max_length
    return element


def _choice_set(
    input_id: str,
    label: str,
    options: Sequence[Choice],
    error: str,
    *,
    expanded: bool = False,
    multi: bool = False,
) -> Element:
    if not options:
        raise ValueError(f"the choice set {input_id!r} has no choices")
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "choices": choices(options),
        "style": "expanded" if expanded else "compact",
        "isRequired": True,
        "errorMessage": error,
    }
    if multi:
        element["isMultiSelect"] = True
    return element


def _toggle(input_id: str, title: str) -> Element:
    return {
        "type": "Input.Toggle",
        "id": input_id,
        "title": title,
        "value": "false",
        "valueOn": "true",
        "valueOff": "false",
    }
