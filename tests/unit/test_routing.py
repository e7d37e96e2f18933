"""Routing as data, without HTTP or botbuilder: which handler answers which activity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.flows import default_router
from bot.flows.failures import DIRECTORY_UNAVAILABLE, UNEXPECTED_ERROR, answer
from bot.routing import (
    INVOKE_ERROR,
    CardVerb,
    Inbound,
    InvokeReply,
    Reply,
    Route,
    Router,
    TextCommand,
)
from bot.services import BotServices
from cards.common import Choice
from casework.ports import DirectoryUnavailable
from rules.errors import Fact, Refusal
from tests.cardschema import assert_valid_card, walk
from tests.contracts import load_contract

BOT = "28:bot"
TENANT = "tenant-1"


def activity(activity_type: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": activity_type,
        "id": "act-1",
        "from": {"id": "29:user", "aadObjectId": "aad-user"},
        "recipient": {"id": BOT},
        "conversation": {"id": "conv-1", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
    }
    base.update(fields)
    return base


def invoke(verb: str, data: dict[str, Any] | None = None) -> Inbound:
    return Inbound.from_activity(
        activity(
            "invoke",
            name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": verb, "data": data or {}}},
        )
    )


@pytest.fixture
def router() -> Router:
    services = BotServices(
        tenant_id=TENANT,
        trust_name="Oak Valley Learning Trust",
        schools=(Choice("oak", "Oak Primary"),),
        command_ids=lambda: "command-1",
    )
    return default_router(services)


def route_name(router: Router, inbound: Inbound) -> str | None:
    route = router.select(inbound)
    return route.name if route else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", "help"),
        ("HELP", "help"),
        ("  Help please ", "help"),
        ("hello", "help"),
        ("report", "report"),
        ("Report.", "report"),
        ("<at>Safe Premises</at> report", "report"),
        ("reporting", "unrecognised text"),
        ("what now", "unrecognised text"),
        ("", "unrecognised text"),
    ],
)
def test_typed_commands(router: Router, text: str, expected: str) -> None:
    assert route_name(router, Inbound.from_activity(activity("message", text=text))) == expected


def test_install_is_welcomed_once(router: Router) -> None:
    installed = Inbound.from_activity(activity("installationUpdate", action="add"))
    added = Inbound.from_activity(activity("conversationUpdate", membersAdded=[{"id": BOT}]))
    upgraded = Inbound.from_activity(activity("installationUpdate", action="add-upgrade"))
    someone_else = Inbound.from_activity(
        activity("conversationUpdate", membersAdded=[{"id": "29:other"}])
    )

    assert route_name(router, installed) == "welcome"
    assert route_name(router, added) == "bot added"
    assert route_name(router, upgraded) is None
    assert route_name(router, someone_else) is None


def test_card_verbs_without_a_handler_fall_to_the_unknown_verb_route(router: Router) -> None:
    assert route_name(router, invoke("incident.report")) == "unknown card action"
    assert route_name(router, invoke("")) == "unknown card action"


async def test_unknown_verb_answers_the_standard_error_response(router: Router) -> None:
    reply = await answer(router, invoke("no.such.verb"))

    assert reply.invoke is not None
    assert reply.invoke.as_json()["statusCode"] == 400
    assert reply.invoke.as_json()["type"] == INVOKE_ERROR
    assert reply.invoke.as_json()["value"]["code"] == "BadRequest"
    assert reply.messages == ()


async def test_routes_added_later_take_precedence(router: Router) -> None:
    async def handled(inbound: Inbound) -> Reply:
        return Reply(invoke=InvokeReply.message(f"got {inbound.action_data['n']}"))

    extended = router.with_routes(Route(CardVerb("incident.report"), handled, "report submit"))
    reply = await answer(extended, invoke("incident.report", {"n": 3}))

    assert reply.invoke == InvokeReply.message("got 3")


async def test_help_welcome_and_report_reply_with_valid_cards(router: Router) -> None:
    for inbound in (
        Inbound.from_activity(activity("message", text="help")),
        Inbound.from_activity(activity("message", text="report")),
        Inbound.from_activity(activity("message", text="gibberish")),
        Inbound.from_activity(activity("installationUpdate", action="add")),
    ):
        reply = await answer(router, inbound)
        assert len(reply.messages) == 1
        card = reply.messages[0].card
        assert card is not None
        assert_valid_card(card)


async def test_a_refusal_is_shown_in_the_users_words() -> None:
    async def refuse(inbound: Inbound) -> Reply:
        raise Refusal("Only the headteacher can do that.")

    router = Router((Route(TextCommand(("go",)), refuse),))
    reply = await answer(router, Inbound.from_activity(activity("message", text="go")))

    card = reply.messages[0].card
    assert card is not None
    assert "Only the headteacher can do that." in str(card)


async def test_a_crash_in_an_invoke_handler_keeps_the_card_and_explains(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def crash(inbound: Inbound) -> Reply:
        raise KeyError("internal detail")

    router = Router((Route(CardVerb("x"), crash),))
    reply = await answer(router, invoke("x"))

    assert reply.invoke is not None
    body = reply.invoke.as_json()
    assert body["statusCode"] == 500
    assert body["value"]["message"] == UNEXPECTED_ERROR
    assert "internal detail" not in str(reply)
    assert "act-1" in caplog.text


async def test_an_invoke_handler_that_forgets_its_response_is_an_error() -> None:
    async def silent(inbound: Inbound) -> Reply:
        return Reply()

    reply = await answer(Router((Route(CardVerb("x"), silent),)), invoke("x"))

    assert reply.invoke is not None
    assert reply.invoke.status_code == 500


def test_inbound_reads_teams_activities() -> None:
    sample = load_contract("samples/teams-invoke-adaptiveCard-action.json")

    inbound = Inbound.from_activity(sample)

    assert inbound.type == "invoke"
    assert inbound.name == "adaptiveCard/action"
    assert inbound.tenant_id == "56653e9d-2158-46ee-90d7-675c39642038"
    assert inbound.user_aad_object_id == "c5e99701-2a32-49c1-a660-4629ceeb8c61"
    assert inbound.action_data == {"feedback": "test invokes"}
    assert inbound.verb == ""  # the sample's action has no verb


def test_inbound_tolerates_odd_shapes() -> None:
    inbound = Inbound.from_activity(
        {"type": "message", "text": 5, "from": "x", "conversation": [], "membersAdded": "x"}
    )

    assert (inbound.text, inbound.user_id, inbound.conversation_id) == ("", "", "")
    assert inbound.members_added == ()
    assert inbound.card_action == {}


def test_invoke_replies_match_the_activity_protocol_samples() -> None:
    sample = load_contract("samples/invoke-response-message.json")

    assert InvokeReply.message("Action received").as_json() == sample


class _AlreadyConfirmed(Refusal):
    TITLE = "Already decided"


def _refusing(refusal: Refusal) -> Router:
    async def refuse(inbound: Inbound) -> Reply:
        raise refusal

    return Router((Route(TextCommand(("go",)), refuse), Route(CardVerb("go"), refuse)))


def _fact_sets(card: Mapping[str, Any]) -> list[list[dict[str, str]]]:
    return [list(e["facts"]) for e in walk(card) if e.get("type") == "FactSet"]


async def test_a_refusal_with_facts_shows_its_title_message_and_facts() -> None:
    refusal = _AlreadyConfirmed(
        "The chair has already confirmed the ban.",
        (Fact("Confirmed by", "Graham Whitlock"), Fact("On", "3 March 2026")),
    )

    reply = await answer(_refusing(refusal), Inbound.from_activity(activity("message", text="go")))

    (message,) = reply.messages
    assert message.card is not None
    assert_valid_card(message.card)
    heading, text, *_ = message.card["body"]
    assert heading["text"] == "Already decided"
    assert heading["style"] == "heading"
    assert text["text"] == "The chair has already confirmed the ban."
    assert _fact_sets(message.card) == [
        [
            {"title": "Confirmed by", "value": "Graham Whitlock"},
            {"title": "On", "value": "3 March 2026"},
        ]
    ]
    assert "act-1" in str(message.card["body"][-1])
    assert reply.invoke is None


async def test_a_refused_card_action_keeps_the_card_and_shows_the_facts() -> None:
    refusal = _AlreadyConfirmed("Already confirmed.", (Fact("Confirmed by", "Graham Whitlock"),))

    reply = await answer(_refusing(refusal), invoke("go"))

    assert reply.invoke == InvokeReply.error(400, "BadRequest", "Already confirmed.")
    (message,) = reply.messages
    assert message.card is not None
    assert_valid_card(message.card)
    assert _fact_sets(message.card) == [[{"title": "Confirmed by", "value": "Graham Whitlock"}]]


async def test_a_refusal_without_facts_has_its_title_and_no_fact_set() -> None:
    reply = await answer(
        _refusing(Refusal("Only the headteacher can do that.")),
        Inbound.from_activity(activity("message", text="go")),
    )

    card = reply.messages[0].card
    assert card is not None
    assert_valid_card(card)
    assert card["body"][0]["text"] == Refusal.TITLE
    assert _fact_sets(card) == []


async def test_an_expired_directory_grants_nothing_and_says_to_try_again(router: Router) -> None:
    async def needs_a_role(inbound: Inbound) -> Reply:
        raise DirectoryUnavailable("the directory was last read more than 300 s ago")

    extended = router.with_routes(
        Route(CardVerb("incident.report"), needs_a_role, "report submit"),
        Route(TextCommand(("cases",)), needs_a_role, "cases"),
    )
    submitted = await answer(extended, invoke("incident.report", {"n": 3}))
    typed = await answer(extended, Inbound.from_activity(activity("message", text="cases")))

    assert submitted.invoke == InvokeReply.error(503, "ServiceUnavailable", DIRECTORY_UNAVAILABLE)
    for reply in (submitted, typed):
        (message,) = reply.messages
        assert message.card is not None
        assert DIRECTORY_UNAVAILABLE in str(message.card)
