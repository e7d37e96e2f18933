"""Reporting an incident from Teams, end to end: the card's Submit through the bot over
HTTP into the case store, SQLite (the embedded default) and SharePoint (the Microsoft 365
configuration, on the Graph stand-in), with the example trust set up for the harness's
tenant and people."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import CONNECTORS
from bot.flows.reporting import NOT_SAVED
from cards.common import Choice
from casework.actor import MAX_ACTIVITY_ID_CHARS
from casework.bootstrap import prepare, wire
from casework.bus import case_id_for
from casework.pipeline import Casework
from casework.ports import CaseStore, Ports
from casework.queries import case_view
from rules.roles import Role
from tests.cardschema import assert_valid_card
from tests.casework_world import EXAMPLE_CONFIG, HEAD, example_config, example_templates
from tests.e2e.conftest import BotUnderTest, CasesKeptIn, StartBot, services_for_tests
from tests.fakes import (
    FixedClock,
    RecordingDrafts,
    RecordingNotifier,
    StaticDirectory,
)
from tests.harness.graph import GraphStandIn
from tests.harness.identities import HEAD as HARNESS_HEAD
from tests.harness.identities import STAFF, TRUST_TENANT, StaticOutboundTokens

EXAMPLE_STAFF_ID = "a1000000-0000-4000-8000-000000000003"  # Priya Shah in config/trust.yaml


@dataclass
class Reporting:
    bot: BotUnderTest
    casework: Casework
    stand_ins: list[GraphStandIn]  # the Graph stand-in the cases are kept on (SharePoint)


@pytest.fixture
async def reporting(
    start_bot: StartBot,
    tmp_path: Path,
    cases_kept_in: CasesKeptIn,
    stand_ins: list[GraphStandIn],
) -> AsyncIterator[Reporting]:
    # The example trust, with the harness's tenant, and its staff member as Priya Shah.
    config_dir = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, config_dir)
    trust_yaml = config_dir / EXAMPLE_CONFIG.name
    text = trust_yaml.read_text(encoding="utf-8")
    tenant = text.split("tenant_id: ", 1)[1].split("\n", 1)[0]
    text = text.replace(tenant, TRUST_TENANT).replace(EXAMPLE_STAFF_ID, STAFF.aad_object_id)
    trust_yaml.write_text(text, encoding="utf-8")
    clock = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))
    async with cases_kept_in(prepare(trust_yaml), tmp_path / "data", clock) as casework:
        services = services_for_tests(
            schools=tuple(Choice(s.id, s.name) for s in casework.config.schools),
            casework=casework,
        )
        async with start_bot(services=services) as bot:
            yield Reporting(bot, casework, stand_ins)


def complete_report(**changes: Any) -> dict[str, Any]:
    # No "School": the reporter works at Oakfield only, so the card names it and asks nothing.
    values: dict[str, Any] = {
        "Name of the person": "Jordan Example",
        "relationship": "parent",
        "incidentDate": "2026-03-02",
        "incidentTime": "08:45",
        "location": "The main gate",
        "channel": "in-person",
        "behaviours": ["shouting", "threat"],
        "affected": ["staff", "pupils"],
        "policeCalled": False,
        "assault": False,
        "summary": "Shouted at the class teacher and threatened to wait for her.",
        "effect": "The teacher was frightened.",
    }
    values.update(changes)
    return values


def card_text(card: Mapping[str, Any]) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if node.get("type") == "TextBlock":
                found.append(str(node.get("text")))
            for key, value in node.items():
                if key not in ("data", "choices"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)


def input_value(card: Mapping[str, Any], input_id: str) -> Any:
    for element in card["body"]:
        if element.get("id") == input_id:
            return element.get("value")
    raise AssertionError(f"no input {input_id!r}")


async def test_submitting_a_report_records_the_case_and_answers_with_its_reference(
    reporting: Reporting,
) -> None:
    bot, casework = reporting.bot, reporting.casework
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)
    command_id = form.action("Submit report")["data"]["commandId"]

    response = await bot.client.press(STAFF, form, "Submit report", complete_report())

    assert response.status == 200
    answer = response.invoke_card
    assert answer is not None
    assert_valid_card(answer)
    text = card_text(answer)
    assert "Report OAK-2026-0001 recorded." in text
    assert "The Headteacher will be asked to carry out a risk assessment." in text
    seen = await case_view(casework, case_id_for(command_id), HEAD)
    assert seen.view is not None
    assert seen.view.reference == "OAK-2026-0001"
    assert seen.view.person.name == "Jordan Example"
    (reported,) = seen.view.incidents
    assert reported.reported_by == STAFF.aad_object_id
    assert reported.details.reporter_name == "Priya Shah"
    assert reported.details.occurred_at == datetime(2026, 3, 2, 8, 45, tzinfo=UTC)  # GMT
    assert [s.reference for s in await casework.ports.store.cases_at("oakfield")] == [
        "OAK-2026-0001"
    ]


async def test_a_missing_field_gets_the_card_back_with_the_problem_and_what_was_typed(
    reporting: Reporting,
) -> None:
    bot, casework = reporting.bot, reporting.casework
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)

    # Spaces get past Teams' own check of a required input, but are not a place.
    response = await bot.client.press(STAFF, form, "Submit report", complete_report(location="   "))

    answer = response.invoke_card
    assert answer is not None
    assert_valid_card(answer)
    text = card_text(answer)
    assert "Your report has not been recorded yet" in text
    assert "Say where it happened" in text
    assert input_value(answer, "personName") == "Jordan Example"
    assert input_value(answer, "behaviours") == "shouting,threat"
    assert (
        answer["actions"][0]["data"]["commandId"]
        == form.action("Submit report")["data"]["commandId"]
    )
    assert await casework.ports.store.cases_at("oakfield") == ()


async def test_a_double_click_records_one_case(reporting: Reporting) -> None:
    bot, casework = reporting.bot, reporting.casework
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)

    first = await bot.client.press(STAFF, form, "Submit report", complete_report())
    second = await bot.client.press(STAFF, form, "Submit report", complete_report())

    assert first.invoke_card is not None
    assert second.invoke_card is not None
    assert "Report OAK-2026-0001 recorded." in card_text(first.invoke_card)
    assert "Report OAK-2026-0001 was already recorded" in card_text(second.invoke_card)
    assert len(await casework.ports.store.cases_at("oakfield")) == 1
    case_id = case_id_for(form.action("Submit report")["data"]["commandId"])
    history = await casework.ports.store.load(case_id)
    assert [e.kind for e in history].count("incident-reported") == 1


async def test_an_activity_id_longer_than_the_stores_keep_is_left_out_and_the_report_recorded(
    reporting: Reporting,
) -> None:
    # On SharePoint the activity id is a single line of text (255 characters): a longer
    # one failed the append there, with a Teams error, while SQLite recorded it.
    bot, casework = reporting.bot, reporting.casework
    kept, too_long = "f:" + "7" * (MAX_ACTIVITY_ID_CHARS - 2), "f:" + "7" * MAX_ACTIVITY_ID_CHARS
    ids = {}
    for activity_id in (kept, too_long):
        await bot.client.say(STAFF, "report")
        form = bot.client.last_card(STAFF)
        answer = await bot.client.press(
            STAFF, form, "Submit report", complete_report(), activity_id=activity_id
        )
        assert answer.invoke_card is not None, answer.body
        assert "recorded." in card_text(answer.invoke_card)
        case_id = case_id_for(form.action("Submit report")["data"]["commandId"])
        history = await casework.ports.store.load(case_id)
        ids[activity_id] = {e.activity_id for e in history if e.actor_id == STAFF.aad_object_id}

    assert ids == {kept: {kept}, too_long: {None}}
    assert len(await casework.ports.store.cases_at("oakfield")) == 2


async def test_when_the_store_cannot_be_reached_the_card_says_it_was_not_saved(
    reporting: Reporting,
) -> None:
    bot, casework = reporting.bot, reporting.casework
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)
    if reporting.stand_ins:
        (graph,) = reporting.stand_ins
        graph.fail(100_000, status=503)  # Graph answers nothing but 503 from now on
        writes_before = list(graph.writes)
    else:
        casework.close()  # the SQLite file is gone

    started = time.monotonic()
    response = await bot.client.press(STAFF, form, "Submit report", complete_report())
    took_s = time.monotonic() - started

    answer = response.invoke_card
    assert answer is not None
    assert_valid_card(answer)
    assert NOT_SAVED in card_text(answer)
    assert input_value(answer, "summary") == complete_report()["summary"]
    assert took_s < 5.0  # an answer while the person is still looking at the card
    if reporting.stand_ins:
        graph.clear_faults()
        case_id = case_id_for(form.action("Submit report")["data"]["commandId"])
        assert await casework.ports.store.load(case_id) == ()  # no half-written case
        assert await casework.ports.store.cases_at("oakfield") == ()
        assert graph.writes == writes_before


async def test_the_report_card_offers_only_the_reporters_own_school(reporting: Reporting) -> None:
    bot = reporting.bot
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)

    assert_valid_card(form.card)
    assert "Oakfield Primary Academy" in card_text(form.card)
    assert "Riverside Academy" not in card_text(form.card)
    assert form.action("Submit report")["data"]["school"] == "oakfield"


async def test_someone_the_trust_does_not_know_is_refused_in_words(reporting: Reporting) -> None:
    bot = reporting.bot
    await bot.client.say(HARNESS_HEAD, "report")
    refusal = bot.client.last_card(HARNESS_HEAD)
    assert_valid_card(refusal.card)
    assert "does not know you" in card_text(refusal.card)

    # A form pressed anyway (say, forwarded from a colleague) records nothing either.
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)
    response = await bot.client.press(HARNESS_HEAD, form, "Submit report", complete_report())

    assert response.body["statusCode"] == 400
    assert "does not know you" in response.body["value"]["message"]
    assert await reporting.casework.ports.store.cases_at("oakfield") == ()


async def test_a_reporter_the_directory_cannot_name_is_refused_not_recorded_as_unknown(
    start_bot: StartBot, case_store: CaseStore
) -> None:
    # A directory that lists a role for someone but has no name for them (a Graph
    # directory could disagree with itself like this): the letters print the reporter's
    # name, so no report is recorded under a stand-in name.
    config = example_config()
    store = case_store
    nameless = StaticDirectory(people=(), roles={(STAFF.aad_object_id, "oakfield"): [Role.STAFF]})
    clock = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))
    ports = Ports(store, RecordingDrafts(), RecordingNotifier(), nameless, clock)
    casework = wire(ports, config, example_templates())
    services = services_for_tests(
        schools=tuple(Choice(s.id, s.name) for s in config.schools), casework=casework
    )
    async with start_bot(services=services) as bot:
        await bot.client.say(STAFF, "report")
        form = bot.client.last_card(STAFF)
        response = await bot.client.press(STAFF, form, "Submit report", complete_report())

    assert response.body["statusCode"] == 400
    assert "does not know you" in response.body["value"]["message"]
    assert await store.cases_at("oakfield") == ()


async def test_when_entra_id_cannot_be_reached_a_submit_is_still_recorded_and_answered(
    reporting: Reporting,
) -> None:
    # The answer to a Submit travels in the invoke's HTTP body: no token is needed, so a
    # token that cannot be had must neither lose the report nor turn the answer into a 500.
    bot, casework = reporting.bot, reporting.casework
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)
    tokens = bot.services.outbound_tokens
    assert isinstance(tokens, StaticOutboundTokens)
    tokens.failing = True
    asked_before = tokens.requests

    response = await bot.client.press(STAFF, form, "Submit report", complete_report())

    assert response.status == 200
    assert response.invoke_card is not None
    assert "Report OAK-2026-0001 recorded." in card_text(response.invoke_card)
    assert [s.reference for s in await casework.ports.store.cases_at("oakfield")] == [
        "OAK-2026-0001"
    ]
    assert tokens.requests == asked_before


async def test_a_report_submit_answers_in_its_body_with_no_connector_client_and_no_token(
    reporting: Reporting, start_bot: StartBot
) -> None:
    # The form comes from one bot; a fresh one (no client built, no token yet) takes the
    # submit, as after a restart.
    await reporting.bot.client.say(STAFF, "report")
    form = reporting.bot.client.last_card(STAFF)
    assert reporting.bot.app[CONNECTORS].built == 1  # the form went out through a client
    tokens = StaticOutboundTokens()
    services = services_for_tests(
        schools=tuple(Choice(s.id, s.name) for s in reporting.casework.config.schools),
        casework=reporting.casework,
        outbound_tokens=tokens,
    )
    async with start_bot(services=services) as fresh:
        posted_before = len(fresh.connector.recorded)

        response = await fresh.client.press(STAFF, form, "Submit report", complete_report())

        assert response.status == 200
        assert response.invoke_card is not None
        assert "Report OAK-2026-0001 recorded." in card_text(response.invoke_card)
        assert fresh.app[CONNECTORS].built == 0
        assert tokens.requests == 0
        assert len(fresh.connector.recorded) == posted_before


async def test_a_20000_character_description_sent_around_the_card_is_refused_not_stored_or_cut(
    reporting: Reporting,
) -> None:
    bot, casework = reporting.bot, reporting.casework
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)
    (summary,) = [i for i in form.inputs() if i["id"] == "summary"]
    assert summary["maxLength"] == 4000  # what the card shows; a client may ignore it

    response = await bot.client.press(
        STAFF, form, "Submit report", complete_report(summary="x" * 20_000)
    )

    answer = response.invoke_card
    assert answer is not None
    assert_valid_card(answer)
    problem = (
        "“What happened?” is too long: it can have at most 4,000 characters, and this has 20,000."
    )
    body = answer["body"]
    top = next(i for i, e in enumerate(body) if "has not been recorded yet" in str(e.get("text")))
    assert problem in body[top + 1]["text"]
    at_field = next(i for i, e in enumerate(body) if e.get("id") == "summary")
    assert body[at_field + 1]["text"] == problem
    assert await casework.ports.store.cases_at("oakfield") == ()
