"""The incident report card as issue 11 asks for it: the policy's guidance for staff first,
"What happened?" near the top, the 18 behaviours grouped in a compact multi-select, the
witnesses picked from the staff (and anyone else typed), each against the 1.5 schema."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.flows.reporting import BEHAVIOUR_GROUPS, behaviour_choices, report_view
from bot.services import BotServices
from cards import incident_report
from cards.common import Choice
from cards.incident_report import GUIDANCE, ReportSubmission, ValidationProblem
from rules.behaviours import Behaviour
from tests.builders import at
from tests.cardschema import assert_valid_card, walk
from tests.casework_world import STAFF, example_config, fake_world
from tests.contracts import CONTRACTS

# The policy itself, beside the contracts (its words are checked when it is there).
POLICY = CONTRACTS.parent / "policy" / "managing-aggressive-behaviour-policy.txt"


def services() -> BotServices:
    world = fake_world(at(date(2026, 1, 12), 9))
    return BotServices(
        tenant_id="t",
        schools=tuple(Choice(s.id, s.name) for s in example_config().schools),
        casework=world.casework,
    )


def built() -> tuple[dict[str, Any], incident_report.IncidentReportView]:
    view = report_view(services(), user=STAFF.object_id)
    card = incident_report.build(view)
    assert_valid_card(card)
    return card, view


def test_the_card_opens_with_the_policys_guidance_for_staff_in_its_own_words() -> None:
    card, _ = built()

    assert card["body"][1]["text"] == GUIDANCE
    policy = " ".join(POLICY.read_text(encoding="utf-8").split()) if POLICY.is_file() else ""
    for words in (
        "empowered to call the police requesting intervention to help maintain public order "
        "and/or personal safety",
        "licence to end any conversation (face-to-face or on the telephone)",
    ):
        assert words in GUIDANCE
        if policy:
            assert words in policy


def test_what_happened_is_the_first_question() -> None:
    card, _ = built()

    first = next(e for e in card["body"] if str(e.get("type", "")).startswith("Input."))
    assert first["id"] == "summary"
    assert first["label"] == "What happened?"


def test_the_18_behaviours_are_grouped_in_one_compact_multi_select() -> None:
    card, _ = built()
    (behaviours,) = [e for e in walk(card) if e.get("id") == "behaviours"]

    assert behaviours["style"] == "compact"
    assert behaviours["isMultiSelect"] is True
    grouped = [b for _, kinds in BEHAVIOUR_GROUPS for b in kinds]
    assert sorted(grouped) == sorted(Behaviour)
    assert len(grouped) == 18
    titles = [c["title"] for c in behaviours["choices"]]
    assert [t.split(": ")[0] for t in titles] == [
        group for group, kinds in BEHAVIOUR_GROUPS for _ in kinds
    ]
    assert "Physical: Spitting" in titles


def submitted(**changes: str) -> dict[str, Any]:
    data = {
        "commandId": "cmd-1",
        "school": "oakfield",
        "personName": "Jordan Example",
        "relationship": "parent",
        "incidentDate": "2026-01-12",
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


def test_witnesses_are_picked_from_the_staff_and_anyone_else_is_typed() -> None:
    card, view = built()
    (picker,) = [e for e in walk(card) if e.get("id") == "witnessStaff"]
    assert picker["isMultiSelect"] is True
    assert "isRequired" not in picker
    staff = {c["title"]: c["value"] for c in picker["choices"]}
    assert "Priya Shah" in staff

    parsed = incident_report.parse(
        submitted(witnessStaff=staff["Priya Shah"], witnesses="A parent at the gate"), view
    )

    assert isinstance(parsed, ReportSubmission)
    assert parsed.witnesses == ("Priya Shah", "A parent at the gate")
    assert isinstance(incident_report.parse(submitted(), view), ReportSubmission)


def test_a_witness_the_card_did_not_offer_is_refused_at_the_picker() -> None:
    _, view = built()

    parsed = incident_report.parse(submitted(witnessStaff="not-a-person"), view)

    assert isinstance(parsed, ValidationProblem)
    assert parsed.at_fields["witnessStaff"] == "Choose the staff from the list."
    assert "Choose the staff from the list." in parsed.problems


def test_behaviour_choices_are_the_policys_values() -> None:
    assert {c.value for c in behaviour_choices()} == {b.value for b in Behaviour}
