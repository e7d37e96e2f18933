"""The incident report's Submit, from the card's values to the rules' types: every missing
or unknown field named in words, dates and times in the school's own time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.flows.reporting import Report, report_view, to_report
from bot.services import BotServices
from cards import incident_report
from cards.common import Choice
from rules.behaviours import Behaviour
from tests.cardschema import assert_valid_card

SERVICES = BotServices(tenant_id="t", schools=(Choice("oakfield", "Oakfield Primary Academy"),))
NOW = datetime(2026, 6, 2, 12, tzinfo=UTC)


def submitted(**changes: str) -> dict[str, Any]:
    data = {
        "commandId": "cmd-1",
        "school": "oakfield",
        "personName": "Jordan Example",
        "relationship": "parent",
        "incidentDate": "2026-06-02",
        "incidentTime": "08:45",
        "location": "The gate",
        "channel": "in-person",
        "behaviours": "shouting,threat",
        "affected": "staff",
        "summary": "Shouted.",
        "effect": "Upset.",
        "policeCalled": "true",
        "assault": "false",
        "witnesses": "Daniel Hughes\n\nMrs Green",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != "-"}


def test_a_complete_submit_becomes_the_report_in_uk_time() -> None:
    parsed = incident_report.parse(
        submitted(), report_view(SERVICES, user="a1000000-0000-4000-8000-000000000003")
    )
    assert isinstance(parsed, incident_report.ReportSubmission)

    report = to_report(parsed, {}, reporter_name="Priya Shah", now=NOW)

    assert isinstance(report, Report)
    assert report.incident.occurred_at == datetime(2026, 6, 2, 7, 45, tzinfo=UTC)  # BST
    assert report.incident.behaviours == (Behaviour.SHOUTING, Behaviour.THREAT)
    assert report.incident.witnesses == ("Daniel Hughes", "Mrs Green")
    assert report.incident.police_called
    assert not report.incident.assault
    assert report.incident.reporter_name == "Priya Shah"


def test_every_problem_is_named_and_what_was_typed_is_kept() -> None:
    data = submitted(
        personName="  ",
        relationship="neighbour",
        incidentDate="02/06/2026",
        incidentTime="-",
        location="-",
        behaviours="shouting,juggling",
        affected="-",
        summary="-",
        effect="-",
        school="elsewhere",
    )

    parsed = incident_report.parse(
        data, report_view(SERVICES, user="a1000000-0000-4000-8000-000000000003")
    )

    assert isinstance(parsed, incident_report.ValidationProblem)
    assert parsed.problems == (
        "Choose the school where it happened.",
        "Give the person's name.",
        "Say whether they are a parent, carer or visitor.",
        "Give the date it happened.",
        "Give the time it happened, roughly if need be.",
        "Say where it happened, for example the school office or the gate.",
        "Choose at least one kind of behaviour from the list.",
        "Choose who was affected from the list.",
        "Describe what happened.",
        "Describe the effect on staff, pupils or others.",
    )
    again = incident_report.build(
        report_view(
            SERVICES,
            user="a1000000-0000-4000-8000-000000000003",
            command_id="cmd-1",
            values=parsed.values,
            problems=parsed.problems,
        )
    )
    assert_valid_card(again)
    typed = {e.get("id"): e.get("value") for e in again["body"]}
    assert typed["incidentDate"] == "02/06/2026"
    assert typed["behaviours"] == "shouting,juggling"


def test_a_date_that_does_not_exist_or_is_in_the_future_is_refused() -> None:
    for date_text, problem in (
        ("2026-02-30", "Give a date and time that exist."),
        ("2026-06-03", "The date and time of the incident cannot be in the future."),
    ):
        parsed = incident_report.parse(
            submitted(incidentDate=date_text),
            report_view(SERVICES, user="a1000000-0000-4000-8000-000000000003"),
        )
        assert isinstance(parsed, incident_report.ReportSubmission)
        report = to_report(parsed, {}, reporter_name="x", now=NOW)
        assert isinstance(report, incident_report.ValidationProblem)
        assert report.problems == (problem,)
