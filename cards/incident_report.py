"""The incident report (policy: "Definition of unacceptable behaviour", "Recording of
incidents"), first version: the form a member of staff fills in from Teams.

Submitting it is the Action.Execute verb `incident.report`, carrying a fresh `commandId`
so that a retried or double-clicked submit is recorded once. `parse` turns what was
submitted into a `ReportSubmission` (plain values, each checked against what the card
offered, every text within its length and free of control characters, the date from 2000
on, the time a plain HH:MM), or a `ValidationProblem` naming each field in plain words; the
card is then built again with what the person typed (`values`), the problems listed at the
top (`problems`) and each one again under its field (`field_problems`). Like every card
module it stays pure (standard library only): turning the submission into the rules'
types, and checking the date and time exist in the UK and are not in the future, is the
reporting flow's (`bot/flows/reporting.py`). Each input is declared once below; `build`
and `parse` both use that declaration (`cards/inputs.py`). The limits are listed in
docs/input-limits.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards.common import (
    COMMAND_ID_KEY,
    Card,
    Choice,
    Element,
    bullets,
    card,
    execute,
    heading,
    paragraph,
)
from cards.inputs import (
    ChoiceSetInput,
    DateInput,
    Submitted,
    TextInput,
    TimeInput,
    ToggleInput,
    keep_typed,
    with_field_problems,
)

VERB = "incident.report"

# Each input once: the card builds its element from it and `parse` reads it back.
SCHOOL = ChoiceSetInput("school", "School", "Choose the school where it happened.")
PERSON_NAME = TextInput(
    "personName", "Name of the person", "Give the person's name.", max_length=200
)
RELATIONSHIP = ChoiceSetInput(
    "relationship",
    "They are a",
    "Say whether they are a parent, carer or visitor.",
    expanded=True,
)
INCIDENT_DATE = DateInput(
    "incidentDate",
    "Date of the incident",
    "Give the date it happened.",
    earliest="2000-01-01",
    too_early="Give a date from 1 January 2000 onwards.",
)
INCIDENT_TIME = TimeInput(
    "incidentTime",
    "Time (roughly is fine)",
    "Give the time it happened, roughly if need be.",
)
LOCATION = TextInput(
    "location",
    "Where did it happen?",
    "Say where it happened, for example the school office or the gate.",
    max_length=300,
)
CHANNEL = ChoiceSetInput(
    "channel",
    "How did it reach the school?",
    "Say how it happened: in person, by telephone, in writing or on social media.",
    expanded=True,
)
# A compact multi-select (a drop-down list on a phone, not eighteen checkboxes), its
# choices grouped by kind: verbal, physical, online or in writing, other.
BEHAVIOURS = ChoiceSetInput(
    "behaviours",
    "What behaviour was shown? (choose all that apply)",
    "Choose at least one kind of behaviour.",
    multi=True,
)
AFFECTED = ChoiceSetInput(
    "affected",
    "Who was affected? (choose all that apply)",
    "Choose who was affected.",
    expanded=True,
    multi=True,
)
# Witnesses: the people in the trust's list of staff at the reporter's schools, to pick
# from, and anyone else by name. A picker that searches the whole directory as one types
# (`choices.data`, Data.Query) is not in the Adaptive Card 1.5 schema, so the list is the
# directory's, sent with the card.
WITNESS_STAFF = ChoiceSetInput(
    "witnessStaff",
    "Staff who saw or heard it",
    "Choose the staff from the list.",
    multi=True,
)
WITNESSES = TextInput(
    "witnesses",
    "Anyone else who saw or heard it",
    required=False,
    multiline=True,
    placeholder="Their names, one a line",
    max_length=1000,
)
POLICE_CALLED = ToggleInput("policeCalled", "The police were called")
ASSAULT = ToggleInput("assault", "Someone was assaulted (physically attacked)")
EVIDENCE = TextInput(
    "evidence",
    "Evidence",
    required=False,
    multiline=True,
    placeholder="For example CCTV, emails, screenshots, and where they are kept",
    max_length=1000,
)
SUMMARY = TextInput(
    "summary",
    "What happened?",
    "Describe what happened.",
    multiline=True,
    placeholder="The facts, in order: what was said and done",
    max_length=4000,
)
EFFECT = TextInput(
    "effect",
    "What effect did it have?",
    "Describe the effect on staff, pupils or others.",
    multiline=True,
    placeholder="For example on staff, pupils or other parents",
    max_length=2000,
)


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
    field_problems: Mapping[str, str] = field(default_factory=dict)  # by input id, under it
    latest_date: str = ""  # YYYY-MM-DD: today in the school's time, the date picker's max
    staff: Sequence[Choice] = ()  # the staff who may be named as witnesses (value: their id)


# The policy's guidance for staff, in its own words, first on the card.
GUIDANCE = (
    "If anyone is in danger, call the police first: any member of staff is empowered to "
    "call the police requesting intervention to help maintain public order and/or personal "
    "safety. Staff have licence to end any conversation (face-to-face or on the telephone)."
)


def build(view: IncidentReportView) -> Card:
    if not view.schools:
        raise ValueError("an incident report needs at least one school")
    data: dict[str, str] = {COMMAND_ID_KEY: view.command_id}
    body: list[Element] = [
        heading("Report an incident"),
        {"type": "TextBlock", "text": GUIDANCE, "wrap": True, "color": "warning"},
    ]
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
        # One school is shown, not asked: the submit carries it as the input would.
        data[SCHOOL.id] = view.schools[0].value
        body.append(paragraph(f"School: **{view.schools[0].title}**"))
    else:
        body.append(SCHOOL.element(view.schools))
    summary, *incident = incident_elements(
        channels=view.channels,
        behaviours=view.behaviours,
        affected=view.affected,
        staff=view.staff,
        latest_date=view.latest_date,
    )
    body += [
        summary,  # the key fact, near the top
        PERSON_NAME.element(),
        RELATIONSHIP.element(view.relationships),
        *incident,
    ]
    keep_typed(body, view.values)
    return card(
        with_field_problems(body, view.field_problems),
        [execute("Submit report", VERB, data, style="positive")],
        fallback="Report an incident: this form needs a Teams client that shows Adaptive Cards.",
    )


def incident_elements(
    *,
    channels: Sequence[Choice],
    behaviours: Sequence[Choice],
    affected: Sequence[Choice],
    staff: Sequence[Choice],
    latest_date: str,
) -> list[Element]:
    """The incident's own inputs, "What happened?" first: the report card's, and the card
    that adds a later incident to a case (`cards.further_incident`)."""
    elements = [
        SUMMARY.element(),
        INCIDENT_DATE.element(latest=latest_date),
        INCIDENT_TIME.element(),
        LOCATION.element(),
        CHANNEL.element(channels),
        BEHAVIOURS.element(behaviours),
        AFFECTED.element(affected),
        EFFECT.element(),
    ]
    if staff:
        elements.append(_optional(WITNESS_STAFF.element(staff)))
    return [
        *elements,
        WITNESSES.element(),
        POLICE_CALLED.element(),
        ASSAULT.element(),
        EVIDENCE.element(),
    ]


def _optional(element: Element) -> Element:
    element = dict(element)
    element.pop("isRequired", None)
    element.pop("errorMessage", None)
    return element


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
class IncidentFields:
    """The incident's own answers, checked (`read_incident`): a report's, or a later
    incident's on a case already open."""

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
    """Why a submit cannot be recorded: one plain sentence per problem, what was
    submitted, to show the card again with it, and the problem of each input by its id."""

    problems: tuple[str, ...]
    values: Mapping[str, str]
    at_fields: Mapping[str, str] = field(default_factory=dict)


def _staff_named(read: Submitted, staff: Sequence[Choice]) -> tuple[str, ...]:
    """The names of the staff picked as witnesses (none is fine), each one the card offered."""
    if not read.values.get(WITNESS_STAFF.id, "").strip():
        return ()
    chosen = read.several(WITNESS_STAFF, staff)
    names = {c.value: c.title for c in staff}
    return tuple(names[c] for c in chosen if c in names)


def parse(
    data: Mapping[str, Any], view: IncidentReportView
) -> ReportSubmission | ValidationProblem:
    """The report in `data` (an Action.Execute's data), checked against the card `view`
    offered, or every problem with it."""
    read = Submitted(data)
    command_id = read.key(
        COMMAND_ID_KEY, "This form is out of date: type “report” to get a new one."
    )
    school_id = read.one(SCHOOL, view.schools)
    person_name = read.text(PERSON_NAME)
    relationship = read.one(RELATIONSHIP, view.relationships)
    incident = read_incident(
        read,
        channels=view.channels,
        behaviours=view.behaviours,
        affected=view.affected,
        staff=view.staff,
    )
    if read.problems:
        return ValidationProblem(tuple(read.problems), read.values, dict(read.at_fields))
    return ReportSubmission(
        command_id=command_id,
        school_id=school_id,
        person_name=person_name,
        relationship=relationship,
        incident_date=incident.incident_date,
        incident_time=incident.incident_time,
        location=incident.location,
        channel=incident.channel,
        behaviours=incident.behaviours,
        affected=incident.affected,
        summary=incident.summary,
        effect=incident.effect,
        witnesses=incident.witnesses,
        police_called=incident.police_called,
        assault=incident.assault,
        evidence=incident.evidence,
    )


def read_incident(
    read: Submitted,
    *,
    channels: Sequence[Choice],
    behaviours: Sequence[Choice],
    affected: Sequence[Choice],
    staff: Sequence[Choice],
) -> IncidentFields:
    """The incident's answers in `read`, each checked against what the card offered; each
    problem is recorded in `read` (its `problems` and `at_fields`), so the answers are only
    to be used when it has none."""
    incident_date = read.date(INCIDENT_DATE)
    incident_time = read.time(INCIDENT_TIME)
    location = read.text(LOCATION)
    channel = read.one(CHANNEL, channels)
    # The card's own messages ask to choose; once submitted, a choice may also be one the
    # card never offered, hence "from the list".
    chosen = read.several(
        BEHAVIOURS, behaviours, "Choose at least one kind of behaviour from the list."
    )
    groups = read.several(AFFECTED, affected, "Choose who was affected from the list.")
    summary = read.text(SUMMARY)
    effect = read.text(EFFECT)
    # The optional inputs have limits too, so they are read before deciding.
    witnesses = _staff_named(read, staff) + read.lines(WITNESSES)
    return IncidentFields(
        incident_date=incident_date,
        incident_time=incident_time,
        location=location,
        channel=channel,
        behaviours=chosen,
        affected=groups,
        summary=summary,
        effect=effect,
        witnesses=witnesses,
        police_called=read.toggle(POLICE_CALLED),
        assault=read.toggle(ASSAULT),
        evidence=read.text(EVIDENCE),
    )
