"""The committee's review, for the clerk (policy, "Review"): set the meeting date (letter 6
asks for the person's statement), record the statement, record the committee's decision
(letter 7). One builder per card; each is the shared step form (`cards.step_form`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import step_form
from cards.common import Card, Choice, Element, paragraph
from cards.inputs import ChoiceSetInput, DateInput, TextInput

DATE_VERB = "review.date"
STATEMENT_VERB = "review.statement"
OUTCOME_VERB = "review.outcome"

MEETING_ON = DateInput("meetingOn", "The date of the committee's meeting", "Give the date.")
LETTER_DATED = DateInput("statementDated", "The date on their statement", "Give the date on it.")
RECEIVED_ON = DateInput("statementReceived", "The date it arrived", "Give the date it arrived.")
STATEMENT = TextInput(
    "statementSummary",
    "What they wrote, in short",
    "Summarise the statement.",
    multiline=True,
    max_length=4000,
)
OUTCOME = ChoiceSetInput(
    "reviewOutcome", "The committee decided to", "Choose the decision.", expanded=True
)
REASON = TextInput(
    "reviewReason",
    "The committee's reasons",
    "Give the committee's reasons.",
    multiline=True,
    max_length=2000,
)
STANDARD = ChoiceSetInput(
    "reviewStandard",
    "Conditions from now on (to vary them, or in place of a ban)",
    "",
    expanded=True,
    multi=True,
)
OTHER = TextInput(
    "reviewOther",
    "Any other conditions, one a line",
    required=False,
    multiline=True,
    max_length=2000,
)
UNTIL = "reviewUntil"  # an optional Input.Date: a new end date, when the sanction is extended


@dataclass(frozen=True)
class ReviewView:
    reference: str
    facts: Sequence[str]  # "Conditions confirmed on …", "Review due by …"
    today: str  # YYYY-MM-DD
    data: Mapping[str, Any]
    outcomes: Sequence[Choice] = ()
    standard_conditions: Sequence[Choice] = ()
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def _form(view: ReviewView, title: str, inputs: Sequence[Element], submit: str, verb: str) -> Card:
    return step_form.build(
        step_form.StepForm(
            title=title,
            intro=(
                paragraph(f"Case **{view.reference}**"),
                step_form.facts_paragraph(view.facts),
            ),
            inputs=inputs,
            submit=submit,
            verb=verb,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
        )
    )


def build_date(view: ReviewView) -> Card:
    meeting = MEETING_ON.element()
    meeting["min"] = view.today
    return _form(view, "Set the review meeting's date", [meeting], "Set the date", DATE_VERB)


def build_statement(view: ReviewView) -> Card:
    inputs = [
        LETTER_DATED.element(latest=view.today),
        RECEIVED_ON.element(latest=view.today),
        STATEMENT.element(),
    ]
    return _form(view, "Record the person's statement", inputs, "Record it", STATEMENT_VERB)


def build_outcome(view: ReviewView) -> Card:
    standard = STANDARD.element(view.standard_conditions)
    standard.pop("isRequired", None)
    standard.pop("errorMessage", None)
    until: Element = {"type": "Input.Date", "id": UNTIL, "label": "New end date, if extended"}
    inputs = [OUTCOME.element(view.outcomes), REASON.element(), standard, OTHER.element(), until]
    return _form(
        view, "Record the committee's decision", inputs, "Record the decision", OUTCOME_VERB
    )
