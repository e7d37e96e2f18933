"""The bot's first behaviour through a Teams-like client over HTTP: welcome on install,
help, the incident report card, unknown text, unknown card actions, handler failures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from bot.flows import default_router
from bot.routing import CardVerb, Inbound, InvokeReply, Reply, Route, TextCommand
from cards import incident_report
from tests.cardschema import assert_valid_card
from tests.contracts import load_contract
from tests.e2e.conftest import SCHOOLS, BotUnderTest, StartBot, services_for_tests
from tests.harness import CardProblem
from tests.harness.identities import STAFF

ONE_BACKEND = "the welcome, help and card plumbing, on bots with no case store or a stub router"


async def test_installing_the_app_posts_one_welcome_card(bot: BotUnderTest) -> None:
    responses = await bot.client.install(STAFF)

    assert [r.status for r in responses] == [200, 200]
    cards = bot.client.cards_for(STAFF)
    assert len(cards) == 1, "installationUpdate and conversationUpdate must welcome once"
    assert_valid_card(cards[0].card)
    assert "Welcome to Safe Premises" in cards[0].text()
    assert "Oak Valley Learning Trust" in cards[0].text()
    recorded = bot.connector.recorded[0]
    assert recorded.reply_to_id == responses[0].activity_id


async def test_help_lists_what_each_role_does(bot: BotUnderTest) -> None:
    response = await bot.client.say(STAFF, "help")

    assert response.status == 200
    card = bot.client.last_card(STAFF)
    assert_valid_card(card.card)
    text = card.text()
    for expected in (
        "report an incident",
        "**cases**",
        "**who is banned**",
        "Headteacher",
        "Chair of the Local Academy Committee",
        "Clerk to the Local Academy Committee",
    ):
        assert expected in text
    assert "did not understand" not in text


async def test_unknown_text_gets_help_saying_so(bot: BotUnderTest) -> None:
    await bot.client.say(STAFF, "what is the weather like")

    card = bot.client.last_card(STAFF)
    assert_valid_card(card.card)
    assert "Sorry, I did not understand that" in card.text()


async def test_welcome_button_asks_for_the_report_card(bot: BotUnderTest) -> None:
    await bot.client.install(STAFF)
    welcome = bot.client.last_card(STAFF)

    await bot.client.press(STAFF, welcome, "Report an incident")

    report = bot.client.last_card(STAFF)
    assert report.message_id != welcome.message_id
    assert report.action("Submit report")["verb"] == incident_report.VERB


async def test_report_sends_the_incident_card_with_a_fresh_command_id(bot: BotUnderTest) -> None:
    await bot.client.say(STAFF, "report")
    await bot.client.say(STAFF, "Report")

    first, second = bot.client.cards_for(STAFF)
    for card in (first, second):
        assert_valid_card(card.card)
    submit_first = first.action("Submit report")
    submit_second = second.action("Submit report")
    assert submit_first["type"] == "Action.Execute"
    assert submit_first["verb"] == "incident.report"
    assert submit_first["data"]["commandId"] != submit_second["data"]["commandId"]
    school = next(i for i in first.inputs() if i["id"] == "school")
    assert [c["value"] for c in school["choices"]] == [s.value for s in SCHOOLS]
    behaviours = next(i for i in first.inputs() if i["id"] == "behaviours")
    assert behaviours["isMultiSelect"] is True
    assert len(behaviours["choices"]) == 18  # the policy's list


async def test_a_verb_with_no_handler_gets_a_well_formed_error_response(bot: BotUnderTest) -> None:
    # These services carry no application layer, so nothing handles "Submit report" and
    # the bot must still answer 200 with an error body (tests/e2e/test_report_incident.py
    # covers the wired submit).
    await bot.client.say(STAFF, "report")
    card = bot.client.last_card(STAFF)

    response = await bot.client.press(STAFF, card, "Submit report", _complete_report())

    assert response.status == 200
    assert response.body["statusCode"] == 400
    assert response.body["type"] == "application/vnd.microsoft.error"
    assert response.body["value"]["code"] == "BadRequest"
    _assert_invoke_response_schema(response.body)


async def test_the_client_enforces_required_inputs_like_teams(bot: BotUnderTest) -> None:
    await bot.client.say(STAFF, "report")
    card = bot.client.last_card(STAFF)
    sent_before = len(bot.connector.recorded)

    incomplete = dict(_complete_report())
    del incomplete["Name of the person"]
    with pytest.raises(CardProblem, match="Give the person's name"):
        await bot.client.press(STAFF, card, "Submit report", incomplete)
    with pytest.raises(CardProblem, match="no input 'favouriteColour'"):
        await bot.client.press(STAFF, card, "Submit report", {"favouriteColour": "blue"})
    assert len(bot.connector.recorded) == sent_before


async def test_card_action_gets_http_200_and_a_card_and_runs_once(start_bot: StartBot) -> None:
    services = services_for_tests()
    calls: list[Inbound] = []

    async def count(inbound: Inbound) -> Reply:
        calls.append(inbound)
        return Reply(invoke=InvokeReply.card(incident_report.build(_view())))

    router = default_router(services).with_routes(Route(CardVerb(incident_report.VERB), count))
    async with start_bot(services=services, router=router) as bot:
        await bot.client.say(STAFF, "report")
        card = bot.client.last_card(STAFF)

        response = await bot.client.press(STAFF, card, "Submit report", _complete_report())

    assert response.status == 200
    _assert_invoke_response_schema(response.body)
    assert response.invoke_card is not None
    assert_valid_card(response.invoke_card)
    assert len(calls) == 1
    assert calls[0].action_data["personName"] == "Jordan Example"
    assert calls[0].action_data["behaviours"] == "shouting,threat"
    assert calls[0].action_data["commandId"] == card.action("Submit report")["data"]["commandId"]


async def test_a_failing_handler_gives_an_error_card_and_no_stack_trace(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    services = services_for_tests()

    async def broken(inbound: Inbound) -> Reply:
        raise RuntimeError("secret internals: Jordan Example")

    router = default_router(services).with_routes(Route(CardVerb(incident_report.VERB), broken))
    async with start_bot(services=services, router=router) as bot:
        await bot.client.say(STAFF, "report")
        card = bot.client.last_card(STAFF)
        response = await bot.client.press(STAFF, card, "Submit report", _complete_report())

    assert response.status == 200
    assert response.body["statusCode"] == 500
    assert response.body["type"] == "application/vnd.microsoft.error"
    assert "secret internals" not in str(response.body)
    _assert_invoke_response_schema(response.body)
    error = bot.client.last_card(STAFF)
    assert_valid_card(error.card)
    assert "nothing was changed" in error.text()
    assert response.activity_id in error.text()
    assert "secret internals" not in error.text()
    failures = [r for r in caplog.records if "handler failed" in r.getMessage()]
    assert len(failures) == 1
    assert response.activity_id in failures[0].getMessage()


async def test_a_failing_message_handler_gives_an_error_card(start_bot: StartBot) -> None:
    services = services_for_tests()

    async def broken(inbound: Inbound) -> Reply:
        raise RuntimeError("boom")

    router = default_router(services).with_routes(Route(TextCommand(("report",)), broken))
    async with start_bot(services=services, router=router) as bot:
        response = await bot.client.say(STAFF, "report")

    assert response.status == 200
    error = bot.client.last_card(STAFF)
    assert_valid_card(error.card)
    assert "Sorry, that did not work" in error.text()


def _complete_report() -> Mapping[str, Any]:
    return {
        "School": "oak-primary",
        "Name of the person": "Jordan Example",
        "relationship": "parent",
        "incidentDate": "2026-03-02",
        "incidentTime": "08:45",
        "location": "The main gate",
        "channel": "in-person",
        "behaviours": ["shouting", "threat"],
        "affected": ["staff"],
        "policeCalled": False,
        "assault": False,
        "summary": "Shouted at the receptionist and threatened to return.",
        "effect": "The receptionist was shaken.",
    }


def _view() -> incident_report.IncidentReportView:
    from bot.flows.reporting import report_view

    return report_view(services_for_tests(), user=STAFF.aad_object_id)


def _assert_invoke_response_schema(body: Any) -> None:
    from jsonschema import Draft4Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT4

    spec = load_contract("activity-protocol-3.2.0.openapi.json")
    registry: Registry[Any] = Registry().with_resource("urn:ap", DRAFT4.create_resource(spec))
    validator = Draft4Validator(
        {"$ref": "urn:ap#/components/schemas/AdaptiveCardInvokeResponse"}, registry=registry
    )
    errors = [e.message for e in validator.iter_errors(body)]
    assert not errors, errors


# --- health and readiness ------------------------------------------------------------------


async def test_healthz_and_readyz_when_ready(bot: BotUnderTest) -> None:
    async with bot.client.session.get(f"{bot.url}/healthz") as alive:
        assert (alive.status, await alive.json()) == (200, {"status": "alive"})
    async with bot.client.session.get(f"{bot.url}/readyz") as ready:
        assert (ready.status, await ready.json()) == (200, {"status": "ready"})


async def test_readyz_gives_503_with_the_reasons(start_bot: StartBot) -> None:
    async def store_down() -> Sequence[str]:
        return ["the case store does not answer (StoreUnavailable)"]

    async with start_bot(services=services_for_tests(readiness=store_down)) as bot:
        async with bot.client.session.get(f"{bot.url}/readyz") as response:
            body = await response.json()
            status = response.status
        async with bot.client.session.get(f"{bot.url}/healthz") as alive:
            assert alive.status == 200

    assert status == 503
    assert body == {
        "status": "not ready",
        "reasons": ["the case store does not answer (StoreUnavailable)"],
    }


async def test_readyz_reports_a_failing_check_without_its_details(start_bot: StartBot) -> None:
    async def broken() -> Sequence[str]:
        raise OSError("disk /secret/path unreadable")

    async with (
        start_bot(services=services_for_tests(readiness=broken)) as bot,
        bot.client.session.get(f"{bot.url}/readyz") as response,
    ):
        body = await response.json()
        status = response.status

    assert status == 503
    assert body["reasons"] == ["the readiness check failed (OSError)"]
