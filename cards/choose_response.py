"""Choose the school's response (policy, "The school's response"), for the head: one button
per response, each opening only the fields that response needs (no further action: the
reason; a warning: whether a meeting is offered; conditions: the standard conditions and any
other; a ban: the reasons, the arrangements for meetings and for pupils' drop-off and
collection, the police statement after an assault, the extreme-violence ground and any end
date). Each sends the same verb with the response it is for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards.common import Card, Choice, Element, bullets, card, execute, heading, paragraph
from cards.inputs import ChoiceSetInput, TextInput, ToggleInput, keep_typed, with_field_problems

VERB = "response.choose"
RESPONSE_KEY = "response"

NO_FURTHER_ACTION = "no-further-action"
WARNING = "warning"
CONDITIONS = "conditions"
BAN = "ban"

NFA_REASON = TextInput(
    "nfaReason",
    "Why no further action",
    "Give the reason for no further action.",
    multiline=True,
    max_length=2000,
)
MEETING_OFFERED = ToggleInput("meetingOffered", "Offer a meeting to discuss it in the letter")
STANDARD = ChoiceSetInput(
    "standardConditions", "Standard conditions (letter 2)", "", expanded=True, multi=True
)
OTHER = TextInput(
    "otherConditions",
    "Any other conditions, one a line",
    required=False,
    multiline=True,
    max_length=2000,
)
CONDITIONS_REASON = TextInput(
    "conditionsReason",
    "Why conditions are needed",
    "Give the reason for the conditions.",
    multiline=True,
    max_length=2000,
)
BAN_REASON = TextInput(
    "banReason",
    "Why a ban is needed",
    "Give the reason for the ban.",
    multiline=True,
    max_length=2000,
)
MEETINGS = TextInput(
    "banMeetings",
    "Arrangements for meetings at school about pupils",
    "Say how meetings about pupils will be arranged.",
    multiline=True,
    max_length=1000,
)
DROP_OFF = TextInput(
    "banDropOff",
    "How pupils will be dropped off and collected",
    "Say how pupils will be dropped off and collected.",
    multiline=True,
    max_length=1000,
)
POLICE = TextInput(
    "banPolice",
    "After an assault: the statement that the police have been told",
    required=False,
    multiline=True,
    max_length=1000,
    placeholder="The matter has been reported to the local police.",
)
VIOLENCE = TextInput(
    "banViolence",
    "The extreme act of violence, if that is the ground (one sentence)",
    required=False,
    max_length=500,
)
UNTIL = "banUntil"  # an optional Input.Date: the ban's end date, if it has one


@dataclass(frozen=True)
class ChooseResponseView:
    reference: str
    person_name: str
    incident: str  # "Incident 1, Monday 12 January 2026: risk High"
    standard_conditions: Sequence[Choice]
    data: Mapping[str, Any]  # the ids every submit carries (`cards.actions.step_data`)
    earliest_until: str = ""  # YYYY-MM-DD: a ban's end date is after today
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def _optional(element: Element) -> Element:
    element = dict(element)
    element.pop("isRequired", None)
    element.pop("errorMessage", None)
    return element


def _response(
    title: str, response: str, inputs: list[Element], view: ChooseResponseView, intro: str = ""
) -> Element:
    keep_typed(inputs, view.values)
    body: list[Element] = [paragraph(intro)] if intro else []
    body += with_field_problems(inputs, view.at_fields)
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {
            "type": "AdaptiveCard",
            "body": body,
            "actions": [
                execute(
                    f"Record: {title.lower()}",
                    VERB,
                    {**view.data, RESPONSE_KEY: response},
                    style="positive",
                )
            ],
        },
    }


def build(view: ChooseResponseView) -> Card:
    body: list[Element] = [heading("Choose the school's response")]
    if view.problems:
        body += [
            {
                "type": "TextBlock",
                "text": "The response has not been recorded yet:",
                "color": "attention",
                "weight": "bolder",
                "wrap": True,
            },
            bullets(view.problems),
        ]
    body += [
        paragraph(f"Case **{view.reference}**: {view.person_name}"),
        paragraph(view.incident),
        paragraph("Choose one; only its questions are asked.", subtle=True),
    ]
    meeting = MEETING_OFFERED.element()
    meeting["value"] = "true"
    until: Element = {"type": "Input.Date", "id": UNTIL, "label": "End date, if the ban has one"}
    if view.earliest_until:
        until["min"] = view.earliest_until
    actions = [
        _response("No further action", NO_FURTHER_ACTION, [NFA_REASON.element()], view),
        _response(
            "Warning letter",
            WARNING,
            [meeting],
            view,
            "Letter 1 clarifies the school's expectations; the person has 10 school days to reply.",
        ),
        _response(
            "Conditions",
            CONDITIONS,
            [
                _optional(STANDARD.element(view.standard_conditions)),
                OTHER.element(),
                CONDITIONS_REASON.element(),
            ],
            view,
            "Letter 2: the conditions apply at once, pending the Chair's review.",
        ),
        _response(
            "Ban",
            BAN,
            [
                BAN_REASON.element(),
                MEETINGS.element(),
                DROP_OFF.element(),
                POLICE.element(),
                VIOLENCE.element(),
                until,
            ],
            view,
            "Letter 4: the ban applies at once, pending the Chair's review; the Chair of "
            "Trustees is told.",
        ),
    ]
    return card(
        body,
        actions,
        fallback="Choose the school's response: this card needs a Teams client that shows "
        "Adaptive Cards.",
    )
