"""The first cards: each validates against Adaptive Card 1.5 and says what it must."""

from __future__ import annotations

from typing import Any

import pytest

from cards import error, help, incident_report, welcome
from cards.common import Choice, Fact
from tests.cardschema import assert_valid_card, card_problems, walk

SCHOOLS = (Choice("oak", "Oak Primary School"), Choice("ash", "Ash Academy"))
BEHAVIOURS = (Choice("shouting", "Shouting"), Choice("threat", "Threat"))


def report_view(schools: tuple[Choice, ...] = SCHOOLS) -> incident_report.IncidentReportView:
    return incident_report.IncidentReportView(
        command_id="cmd-123",
        schools=schools,
        relationships=(Choice("parent", "Parent"), Choice("carer", "Carer")),
        channels=(Choice("in-person", "In person"), Choice("telephone", "Telephone")),
        behaviours=BEHAVIOURS,
        affected=(Choice("staff", "Staff"), Choice("pupils", "Pupils")),
    )


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        str(e["id"]): dict(e) for e in walk(card) if str(e.get("type", "")).startswith("Input.")
    }


def text_of(card: dict[str, Any]) -> str:
    return "\n".join(str(e["text"]) for e in walk(card) if e.get("type") == "TextBlock")


@pytest.mark.parametrize(
    "breakage",
    [
        {"type": "Input.Text", "label": "an input with no id"},
        {"type": "Input.Bogus", "id": "x"},
        {"type": "TextBlock"},
    ],
)
def test_the_validator_fails_a_broken_element(breakage: dict[str, Any]) -> None:
    card = welcome.build(welcome.WelcomeView("Trust"))
    assert card_problems(card) == []
    card["body"].append(breakage)

    assert card_problems(card)
    with pytest.raises(AssertionError, match=r"Adaptive Card 1\.5"):
        assert_valid_card(card)


def test_the_validator_fails_top_level_msteams() -> None:
    card = welcome.build(welcome.WelcomeView("Trust"))
    card["msteams"] = {"width": "Full"}

    assert card_problems(card)


def test_the_validator_fails_duplicate_input_ids() -> None:
    card = incident_report.build(report_view())
    card["body"].append({"type": "Input.Text", "id": "summary"})

    assert "input id 'summary' is used twice" in card_problems(card)


def test_welcome() -> None:
    card = welcome.build(welcome.WelcomeView("Oak Valley Learning Trust"))

    assert_valid_card(card)
    assert "Oak Valley Learning Trust" in text_of(card)
    assert "msteams" not in card
    titles = [a["title"] for a in card["actions"]]
    assert titles == ["Report an incident", "Help"]
    assert card["actions"][0]["data"] == {"command": "report"}


@pytest.mark.parametrize("unrecognised", [False, True])
def test_help(unrecognised: bool) -> None:
    card = help.build(help.HelpView(unrecognised=unrecognised))

    assert_valid_card(card)
    text = text_of(card)
    assert ("did not understand" in text) is unrecognised
    for role in ("Headteacher", "Chair of the Local Academy Committee", "Clerk"):
        assert role in text
    assert "10 school days" in text


def test_error_card_quotes_the_reference() -> None:
    card = error.build(error.ErrorView(message="Nothing was changed.", reference="f:abc"))

    assert_valid_card(card)
    assert "Nothing was changed." in text_of(card)
    assert "f:abc" in text_of(card)
    assert "quote" not in text_of(error.build(error.ErrorView(message="x")))


def test_incident_report_has_every_field_the_policy_records() -> None:
    card = incident_report.build(report_view())

    assert_valid_card(card)
    fields = inputs(card)
    assert set(fields) == {
        "school",
        "personName",
        "relationship",
        "incidentDate",
        "incidentTime",
        "location",
        "channel",
        "behaviours",
        "affected",
        "witnesses",
        "policeCalled",
        "assault",
        "evidence",
        "summary",
        "effect",
    }
    assert fields["incidentDate"]["type"] == "Input.Date"
    assert fields["incidentTime"]["type"] == "Input.Time"
    assert fields["policeCalled"]["type"] == "Input.Toggle"
    assert fields["assault"]["type"] == "Input.Toggle"
    assert fields["behaviours"]["isMultiSelect"] is True
    assert [c["value"] for c in fields["behaviours"]["choices"]] == ["shouting", "threat"]


def test_required_inputs_say_what_is_missing() -> None:
    fields = inputs(incident_report.build(report_view()))

    required = {key for key, field in fields.items() if field.get("isRequired")}
    assert required == {
        "school",
        "personName",
        "relationship",
        "incidentDate",
        "incidentTime",
        "location",
        "channel",
        "behaviours",
        "affected",
        "summary",
        "effect",
    }
    for key in required:
        assert fields[key]["errorMessage"], key
        assert fields[key]["label"], key


def test_submit_is_an_execute_with_the_command_id() -> None:
    card = incident_report.build(report_view())

    (submit,) = card["actions"]
    assert submit["type"] == "Action.Execute"
    assert submit["title"] == "Submit report"
    assert submit["verb"] == "incident.report"
    assert submit["data"] == {"commandId": "cmd-123"}


def test_one_school_is_shown_not_asked() -> None:
    card = incident_report.build(report_view(schools=(SCHOOLS[0],)))

    assert_valid_card(card)
    assert "school" not in inputs(card)
    assert card["actions"][0]["data"] == {"commandId": "cmd-123", "school": "oak"}
    assert "Oak Primary School" in text_of(card)


def test_a_report_needs_a_school() -> None:
    with pytest.raises(ValueError, match="at least one school"):
        incident_report.build(report_view(schools=()))


def test_error_card_shows_the_facts_as_a_fact_set() -> None:
    card = error.build(
        error.ErrorView(
            message="Already confirmed.",
            title="Already decided",
            facts=(Fact("Confirmed by", "Graham Whitlock"), Fact("On", "3 March 2026")),
            reference="f:abc",
        )
    )

    assert_valid_card(card)
    fact_sets = [e for e in walk(card) if e.get("type") == "FactSet"]
    assert fact_sets == [
        {
            "type": "FactSet",
            "facts": [
                {"title": "Confirmed by", "value": "Graham Whitlock"},
                {"title": "On", "value": "3 March 2026"},
            ],
        }
    ]
    assert "Already decided" in text_of(card)
    assert "f:abc" in text_of(card)
    assert not [e for e in walk(error.build(error.ErrorView("x"))) if e.get("type") == "FactSet"]
