"""The incident report (policy: "Definition of unacceptable behaviour", "Recording of
incidents"), first version: the form a member of staff fills in from Teams.

Submitting it is the Action.Execute verb `incident.report`, carrying a fresh `commandId`
so that a retried or double-clicked submit is recorded once. `parse` turns what was
submitted into a `ReportSubmission` (plain values, each checked against what the card
offered), or a `ValidationProblem` naming each field in plain words; the card is then built
again with what the person typed (`values`) and the problems listed at the top
(`problems`). Like every card module it stays pure (standard library only): turning the
submission into the rules' types, and checking the date is a real one and not in the
future, is the bot's (`bot/report_form.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards.common import Card, Choice, Element, bullets, card, choices, execute, heading, paragraph

VERB = "incident.report"


@dataclass(frozen=True)
class IncidentReportView:
    command_id: str  # a fresh id per card
    schools: Sequence[Choice]  # the schools the reporter may report for
    relationships: Sequence[Choice]  # parent, carer, visitor
    channels: Sequence[Choice]  # in person, telephone, written or email, social media
    behaviours: Sequence[Choice]  # the policy's list of unacceptable behaviours
    affected: Sequence[Choice]  # staff, pupils, other parents, …
    values: Mapping[str, str] = field(default_factory=dict)  # what was typed, by input id
    problems: Sequence[str] = ()  # why the last submit was not recorded, shown at the top


def build(view: IncidentReportView) -> Card:
    if not view.schools:
        raise ValueError("an incident report needs at least one school")
    data: dict[str, str] = {"commandId": view.command_id}
    body: list[Element] = [heading("Report an incident")]
    if view.problems:
        body += [
            {
                "type": "TextBlock",
                "text": "Your report has not been recorded yet:",
                "color": "attention",
                "weight": "bolder",
                "wrap": True,
            },
            bullets(view.problems),
        ]
    body.append(
        paragraph(
            "Record what happened, as facts: what was said and done, by whom, and who saw "
            "it. Fields marked with * are needed.",
        )
    )
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
    _keep_typed(body, view.values)
    return card(
        body,
        [execute("Submit report", VERB, data, style="positive")],
        fallback="Report an incident: this form needs a Teams client that shows Adaptive Cards.",
    )


def _keep_typed(body: list[Element], values: Mapping[str, str]) -> None:
    """Put back what the person typed, so a refused submit loses nothing."""
    for element in body:
        input_id = element.get("id")
        if isinstance(input_id, str) and input_id in values:
            element["value"] = str(values[input_id])


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


# --- parsing a submit ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSubmission:
    """A complete submit: every needed field present, every choice one the card offered."""

    command_id: str
    school_id: str
    person_name: str
    relationship: str
    incident_date: str  # YYYY-MM-DD, as Input.Date sends it
    incident_time: str  # HH:MM, as Input.Time sends it
    location: str
    channel: str
    behaviours: tuple[str, ...]
    affected: tuple[str, ...]
    summary: str
    effect: str
    witnesses: tuple[str, ...] = ()
    police_called: bool = False
    assault: bool = False
    evidence: str = ""


@dataclass(frozen=True)
class ValidationProblem:
    """Why a submit cannot be recorded: one plain sentence per problem, and what was
    submitted, to show the card again with it."""

    problems: tuple[str, ...]
    values: Mapping[str, str]


def submitted_values(data: Mapping[str, Any]) -> dict[str, str]:
    """The text inputs of a submit (Teams sends every value as a string)."""
    return {key: value for key, value in data.items() if isinstance(value, str)}


def parse(
    data: Mapping[str, Any], view: IncidentReportView
) -> ReportSubmission | ValidationProblem:
    """The report in `data` (an Action.Execute's data), checked against the card `view`
    offered, or every problem with it."""
    values = submitted_values(data)
    problems: list[str] = []

    def text(key: str, problem: str = "") -> str:
        value = values.get(key, "").strip()
        if not value and problem:
            problems.append(problem)
        return value

    def one(key: str, offered: Sequence[Choice], problem: str) -> str:
        value = text(key)
        if value not in {c.value for c in offered}:
            problems.append(problem)
        return value

    def several(key: str, offered: Sequence[Choice], problem: str) -> tuple[str, ...]:
        chosen = tuple(part.strip() for part in text(key).split(",") if part.strip())
        if not chosen or any(c not in {o.value for o in offered} for c in chosen):
            problems.append(problem)
        return chosen

    command_id = text("commandId", "This form is out of date: type “report” to get a new one.")
    school_id = one("school", view.schools, "Choose the school where it happened.")
    person_name = text("personName", "Give the person's name.")
    relationship = one(
        "relationship",
        view.relationships,
        "Say whether they are a parent, carer or visitor.",
    )
    incident_date = text("incidentDate")
    if not _looks_like_date(incident_date):
        problems.append("Give the date it happened.")
    incident_time = text("incidentTime")
    if not _looks_like_time(incident_time):
        problems.append("Give the time it happened, roughly if need be.")
    location = text("location", "Say where it happened, for example the school office or the gate.")
    channel = one(
        "channel",
        view.channels,
        "Say how it happened: in person, by telephone, in writing or on social media.",
    )
    behaviours = several(
        "behaviours", view.behaviours, "Choose at least one kind of behaviour from the list."
    )
    affected = several("affected", view.affected, "Choose who was affected from the list.")
    summary = text("summary", "Describe what happened.")
    effect = text("effect", "Describe the effect on staff, pupils or others.")
    if problems:
        return ValidationProblem(tuple(problems), values)
    return ReportSubmission(
        command_id=command_id,
        school_id=school_id,
        person_name=person_name,
        relationship=relationship,
        incident_date=incident_date,
        incident_time=incident_time,
        location=location,
        channel=channel,
        behaviours=behaviours,
        affected=affected,
        summary=summary,
        effect=effect,
        witnesses=tuple(line.strip() for line in text("witnesses").splitlines() if line.strip()),
        police_called=text("policeCalled") == "true",
        assault=text("assault") == "true",
        evidence=text("evidence"),
    )


def _digits(text: str, lengths: Sequence[int], separator: str) -> list[int] | None:
    parts = text.split(separator)
    if len(parts) != len(lengths):
        return None
    if any(len(p) != n or not p.isdigit() for p, n in zip(parts, lengths, strict=True)):
        return None
    return [int(p) for p in parts]


def _looks_like_date(text: str) -> bool:
    parts = _digits(text, (4, 2, 2), "-")
    return parts is not None and 1 <= parts[1] <= 12 and 1 <= parts[2] <= 31


def _looks_like_time(text: str) -> bool:
    parts = _digits(text[:5], (2, 2), ":")
    return parts is not None and parts[0] <= 23 and parts[1] <= 59
