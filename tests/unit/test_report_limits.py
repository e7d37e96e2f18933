"""The incident report's limits, enforced by the parser the server runs whatever the client
sent: each refused with a clear message, listed at the top of the card and shown again
under its field (docs/input-limits.md lists them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.flows.reporting import Report, report_view, to_report
from bot.services import BotServices
from cards import incident_report
from cards.common import Choice
from cards.incident_report import ReportSubmission, ValidationProblem
from tests.cardschema import assert_valid_card

SERVICES = BotServices(tenant_id="t", schools=(Choice("oakfield", "Oakfield Primary Academy"),))
USER = "a1000000-0000-4000-8000-000000000003"
NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


def submitted(**changes: str) -> dict[str, Any]:
    data = {
        "commandId": "0b4f6a52-6a4e-4c1e-9d7e-2f1c3a5b7d90",
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
    }
    data.update(changes)
    return data


def parse(**changes: str) -> ReportSubmission | ValidationProblem:
    return incident_report.parse(submitted(**changes), report_view(SERVICES, user=USER))


def refused(**changes: str) -> ValidationProblem:
    parsed = parse(**changes)
    assert isinstance(parsed, ValidationProblem), f"{changes} was accepted"
    return parsed


def report(**changes: str) -> Report | ValidationProblem:
    parsed = parse(**changes)
    assert isinstance(parsed, ReportSubmission), parsed
    return to_report(parsed, {}, reporter_name="Priya Shah", now=NOW)


def refused_later(**changes: str) -> ValidationProblem:
    outcome = report(**changes)
    assert isinstance(outcome, ValidationProblem), f"{changes} was accepted"
    return outcome


@pytest.mark.parametrize(
    ("input_id", "limit"),
    [("personName", 200), ("location", 300), ("summary", 4000), ("effect", 2000)],
)
def test_every_text_longer_than_its_limit_is_refused_at_the_field(
    input_id: str, limit: int
) -> None:
    assert isinstance(parse(**{input_id: "x" * limit}), ReportSubmission)

    problem = refused(**{input_id: "x" * (limit + 1)})

    assert f"at most {limit:,} characters" in problem.at_fields[input_id]
    assert problem.problems == (problem.at_fields[input_id],)


def test_a_75_kb_summary_is_refused() -> None:
    problem = refused(summary="x" * 75_000)

    assert problem.at_fields == {
        "summary": "“What happened?” is too long: it can have at most 4,000 characters, "
        "and this has 75,000."
    }


def test_the_optional_texts_have_limits_too() -> None:
    problem = refused(witnesses="x" * 1001, evidence="x" * 1001)

    assert set(problem.at_fields) == {"witnesses", "evidence"}


@pytest.mark.parametrize(
    "name", ["Jordan\nExample", "Jordan\rExample", "Jordan\tExample", "Jordan\x00", "J\u2028E"]
)
def test_a_line_break_or_control_character_in_the_name_is_refused_at_the_field(name: str) -> None:
    problem = refused(personName=name)

    assert problem.at_fields["personName"] == (
        "“Name of the person” must be one line of text, without line breaks, tabs or other "
        "control characters."
    )


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x85", "\u202e", "\u2066", "\ud800"])
def test_control_characters_are_refused_in_every_text_field(character: str) -> None:
    fields = ("personName", "location", "summary", "effect", "witnesses", "evidence")

    problem = refused(**{f: f"text {character} here" for f in fields})

    assert set(problem.at_fields) == set(fields)


def test_multi_line_fields_keep_their_line_breaks_and_other_scripts_pass() -> None:
    parsed = parse(
        summary="First he shouted.\r\nThen he left.\tAfter that, nothing.",
        personName="Zoë O’Brien-Nguyễn",
        location="Café ‘Al-Noor’ — main gate",
        witnesses="Mrs Green\nمحمد",
    )

    assert isinstance(parsed, ReportSubmission)
    assert parsed.witnesses == ("Mrs Green", "محمد")


@pytest.mark.parametrize("day", ["0001-06-02", "0999-06-02", "1999-12-31"])
def test_dates_before_2000_are_refused(day: str) -> None:
    problem = refused(incidentDate=day)

    assert problem.at_fields == {"incidentDate": "Give a date from 1 January 2000 onwards."}


def test_the_date_picker_offers_2000_to_today() -> None:
    view = report_view(SERVICES, user=USER)
    card = incident_report.build(
        incident_report.IncidentReportView(
            **{**view.__dict__, "latest_date": "2026-11-02"}  # as the flow sets it
        )
    )

    (date_input,) = [e for e in card["body"] if e.get("id") == "incidentDate"]
    assert (date_input["min"], date_input["max"]) == ("2000-01-01", "2026-11-02")
    assert_valid_card(card)


@pytest.mark.parametrize("moment", ["08:45Z", "08:45+01:00", "08:45:00-05:00", "08:45:00.000Z"])
def test_a_time_with_a_zone_is_refused_not_read_without_it(moment: str) -> None:
    problem = refused(incidentTime=moment)

    assert problem.at_fields == {
        "incidentTime": "Give the time as the clock showed it, without a time zone (like 08:45)."
    }


@pytest.mark.parametrize("moment", ["8:45", "08:45 pm", "24:00", "08:60", "٠٨:٤٥", "08:45:00.5"])
def test_a_time_that_is_not_hh_mm_is_refused(moment: str) -> None:
    assert refused(incidentTime=moment).at_fields == {
        "incidentTime": "Give the time it happened, roughly if need be."
    }


def test_seconds_are_accepted() -> None:
    outcome = report(incidentTime="08:45:30")

    assert isinstance(outcome, Report)
    assert outcome.incident.occurred_at == datetime(2026, 6, 2, 7, 45, 30, tzinfo=UTC)


def test_a_time_the_clocks_skipped_is_refused_saying_why() -> None:
    # 29 March 2026: UK clocks go from 01:00 GMT to 02:00 BST.
    problem = refused_later(incidentDate="2026-03-29", incidentTime="01:30")

    assert problem.at_fields == {
        "incidentTime": "There was no 01:30 on 29 March 2026 in the UK: the clocks went "
        "forward an hour that night. Give the time the clock showed."
    }
    for moment, utc_hour in (("00:59", 0), ("02:00", 1)):
        outcome = report(incidentDate="2026-03-29", incidentTime=moment)
        assert isinstance(outcome, Report)
        assert outcome.incident.occurred_at.astimezone(UTC).hour == utc_hour


def test_a_time_the_clocks_showed_twice_is_read_as_the_first_in_summer_time() -> None:
    # 25 October 2026: UK clocks go back from 02:00 BST to 01:00 GMT; 01:30 happens twice.
    outcome = report(incidentDate="2026-10-25", incidentTime="01:30")

    assert isinstance(outcome, Report)
    # (An aware time inside the repeated hour never equals one in another zone: compare
    # in UTC.)
    assert outcome.incident.occurred_at.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert outcome.incident.occurred_at.utcoffset() == timedelta(hours=1)


def test_the_future_and_impossible_dates_are_shown_at_the_date() -> None:
    assert refused_later(incidentDate="2026-11-03").at_fields == {
        "incidentDate": "The date and time of the incident cannot be in the future."
    }
    assert refused_later(incidentDate="2026-02-30").at_fields == {
        "incidentDate": "Give a date and time that exist."
    }


@pytest.mark.parametrize(
    "command_id", ["", "cmd\nINFO forged", "x" * 65, "cmd id", "cmd;drop", "ｃｍｄ"]
)
def test_a_command_id_the_bot_did_not_make_is_refused(command_id: str) -> None:
    problem = refused(commandId=command_id)

    assert problem.problems == ("This form is out of date: type “report” to get a new one.",)


@pytest.mark.parametrize("value", ["yes", "TRUE", "1", "on"])
def test_a_toggle_is_on_or_off(value: str) -> None:
    assert refused(policeCalled=value).at_fields == {
        "policeCalled": "“The police were called” must be either on or off."
    }


def test_a_choice_made_twice_counts_once() -> None:
    parsed = parse(behaviours="shouting,threat,shouting")

    assert isinstance(parsed, ReportSubmission)
    assert parsed.behaviours == ("shouting", "threat")


def test_non_string_values_count_as_missing() -> None:
    data: dict[str, Any] = {**submitted(), "personName": ["Jordan"], "summary": {"x": 1}}

    parsed = incident_report.parse(data, report_view(SERVICES, user=USER))

    assert isinstance(parsed, ValidationProblem)
    assert set(parsed.at_fields) == {"personName", "summary"}


def test_the_card_shows_each_problem_at_the_top_and_under_its_field() -> None:
    problem = refused(personName="Jordan\nExample", summary="x" * 75_000)

    card = incident_report.build(
        report_view(
            SERVICES,
            user=USER,
            command_id="cmd-1",
            values=problem.values,
            problems=problem.problems,
            field_problems=problem.at_fields,
        )
    )

    assert_valid_card(card)
    body = card["body"]
    ids = [e.get("id") for e in body]
    for input_id in ("personName", "summary"):
        under = body[ids.index(input_id) + 1]
        assert under == {
            "type": "TextBlock",
            "text": problem.at_fields[input_id],
            "color": "attention",
            "wrap": True,
        }
    top = next(e for e in body if "text" in e and e["text"].startswith("- "))
    assert top["text"].count("\n- ") == 1  # both problems listed at the top
    # What was typed is put back, cut to what the input takes.
    assert len(body[ids.index("summary")]["value"]) == 4000
