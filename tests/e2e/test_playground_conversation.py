"""The bot through Microsoft 365 Agents Playground, the Teams-like client: the activities
it sends are the ones Teams sends, and what the bot answers is what its page shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cardschema import assert_valid_card
from tests.e2e.playground import (
    BotMessage,
    InvokeResult,
    PlaygroundClient,
    PlaygroundProcess,
    card_actions,
    card_inputs,
)
from tests.e2e.playground_fixtures import (  # noqa: F401 (fixtures, used by name)
    bot_server_fixture,
    pg_fixture,
    playground_fixture,
)

ONE_BACKEND = "the Playground runs the bot as a process on the embedded default (SQLite)"

pytestmark = pytest.mark.playground

TENANT_ID = "5f3c9a2e-8d41-4b6a-9c0e-2a7d1e4b6f10"
OAKFIELD_STAFF = "a1000000-0000-4000-8000-000000000003"
OAKFIELD_HEAD = "a1000000-0000-4000-8000-000000000001"

# What the policy asks a report to record ("Recording of incidents"): who, when, where,
# how it reached the school, what behaviour, who was affected, and what happened.
REPORT_REQUIRED_INPUTS = {
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
REPORT_OPTIONAL_INPUTS = {"witnesses", "policeCalled", "assault", "evidence"}

INVOKE_TYPES = {
    "application/vnd.microsoft.activity.message",
    "application/vnd.microsoft.card.adaptive",
    "application/vnd.microsoft.error",
}


def texts(card: dict[str, Any]) -> str:
    """All the words a card shows, for looking for a phrase."""
    found: list[str] = []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "label"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(card)
    return "\n".join(found)


def assert_adaptive_card(card: dict[str, Any]) -> None:
    """The card as the Playground received it: type, version 1.5 (what Teams renders on
    desktop and mobile) and the official schema."""
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert card["body"], "an empty card"
    assert_valid_card(card)


def assert_well_formed_invoke(result: InvokeResult) -> None:
    """The shape Teams requires of an adaptiveCard/action response (Universal Actions)."""
    assert result.status == 200, result
    assert isinstance(result.body, dict), result
    assert result.body.get("type") in INVOKE_TYPES, result
    value = result.body.get("value")
    if result.body["type"] == "application/vnd.microsoft.card.adaptive":
        assert isinstance(value, dict)
        assert_adaptive_card(value)
    elif result.body["type"] == "application/vnd.microsoft.error":
        assert isinstance(value, dict)
        assert isinstance(value.get("code"), str)
        assert isinstance(value.get("message"), str)
        assert value["message"].strip()
    else:
        assert isinstance(value, str)


async def report_card(pg: PlaygroundClient) -> tuple[BotMessage, dict[str, Any]]:
    await pg.send_text("report")
    message, card = await pg.wait_for_card("Report an incident")
    assert "Report an incident" in texts(card)
    return message, card


async def test_the_playground_speaks_for_the_example_trust(pg: PlaygroundClient) -> None:
    assert pg.tenant_id == TENANT_ID
    assert pg.current_user["aadObjectId"] == OAKFIELD_STAFF


async def test_installing_the_app_posts_the_welcome_card_once(pg: PlaygroundClient) -> None:
    await pg.install()

    message, card = await pg.wait_for_card("Welcome to Safe Premises")

    assert_adaptive_card(card)
    words = texts(card)
    assert "Welcome to Safe Premises" in words
    assert "Oak Valley Learning Trust" in words
    # Teams sends installationUpdate and conversationUpdate for one install: a second
    # welcome would arrive before the answer to the next message.
    await pg.send_text("help")
    await pg.wait_for(lambda m: "What I can do" in "".join(texts(c) for c in m.cards))
    between = pg.messages[pg.messages.index(message) + 1 : -1]
    assert between == []


async def test_help_answers_with_the_help_card(pg: PlaygroundClient) -> None:
    await pg.send_text("help")

    _, card = await pg.wait_for_card("What I can do")

    assert_adaptive_card(card)
    words = texts(card)
    assert "What I can do" in words
    assert "report" in words


async def test_report_answers_with_the_incident_report_form(pg: PlaygroundClient) -> None:
    _, card = await report_card(pg)

    assert_adaptive_card(card)
    inputs = card_inputs(card)
    required = {name for name, element in inputs.items() if element.get("isRequired")}
    assert required >= REPORT_REQUIRED_INPUTS
    assert set(inputs) >= REPORT_REQUIRED_INPUTS | REPORT_OPTIONAL_INPUTS
    for name in required:
        # Teams shows this when the user leaves the field empty.
        assert inputs[name].get("errorMessage"), name
    submits = [a for a in card_actions(card) if a.get("title") == "Submit report"]
    assert len(submits) == 1
    (submit,) = submits
    # Action.Execute, so the card can be answered in place; a command id makes a
    # double-click record once.
    assert submit["type"] == "Action.Execute"
    assert submit["verb"] == "incident.report"
    assert submit["data"]["commandId"]


async def test_each_report_form_carries_a_fresh_command_id(pg: PlaygroundClient) -> None:
    _, first = await report_card(pg)
    _, second = await report_card(pg)

    ids = [
        next(a for a in card_actions(card) if a["type"] == "Action.Execute")["data"]["commandId"]
        for card in (first, second)
    ]
    assert ids[0] != ids[1]


async def test_a_card_button_the_bot_no_longer_knows_gets_a_clear_invoke_answer(
    pg: PlaygroundClient,
) -> None:
    message, _ = await report_card(pg)

    result = await pg.execute(message.message_id, "no.such.verb", {"commandId": "c-1"})

    assert_well_formed_invoke(result)
    assert result.body["type"] == "application/vnd.microsoft.error"
    assert "help" in result.body["value"]["message"]


def filled_in(card: dict[str, Any]) -> dict[str, str]:
    """What Teams sends when the form is completed: every input given a value the card
    itself offers (the first choice), and multi-selects comma-joined as Teams joins them."""
    values: dict[str, str] = {}
    for name, element in card_inputs(card).items():
        kind = element["type"]
        if kind == "Input.ChoiceSet":
            values[name] = str(element["choices"][0]["value"])
        elif kind == "Input.Date":
            values[name] = "2026-03-11"  # a Wednesday in Oakfield's spring term
        elif kind == "Input.Time":
            values[name] = "08:45"
        elif kind == "Input.Toggle":
            values[name] = str(element.get("valueOff", "false"))
        else:
            values[name] = f"Example {name}"
    return values


async def test_pressing_submit_report_gets_a_well_formed_invoke_answer(
    pg: PlaygroundClient,
) -> None:
    message, card = await report_card(pg)
    (submit,) = [a for a in card_actions(card) if a.get("title") == "Submit report"]

    result = await pg.execute(
        message.message_id, submit["verb"], {**submit["data"], **filled_in(card)}
    )

    # Whatever the bot answers (the receipt, or a refusal in words), Teams must be able
    # to show it: a 500 or a malformed body leaves the user with a spinning button.
    assert_well_formed_invoke(result)


async def test_another_user_is_answered_as_themselves(pg: PlaygroundClient) -> None:
    head = pg.user("oakfield-head")
    assert head["aadObjectId"] == OAKFIELD_HEAD

    await pg.send_as(head, {"type": "message", "text": "help"})

    _, card = await pg.wait_for_card("What I can do")
    assert "What I can do" in texts(card)


def listening_addresses(port: int) -> set[str]:
    """The addresses something listens on at `port`, from the kernel's socket tables."""
    found: set[str] = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_the_playground_listens_on_loopback_only(playground: PlaygroundProcess) -> None:
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp to read listening sockets from")

    # 0100007F is 127.0.0.1 as the kernel writes it; all interfaces would be 00000000.
    assert listening_addresses(playground.port) == {"0100007F"}


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("cases", "My cases"),
        ("deadlines", "Deadlines"),
        ("who is banned", "Who is banned"),
        ("case OAK-2026-9999", "There is no case you can open with that reference."),
    ],
)
async def test_the_case_commands_are_answered_in_the_playground(
    pg: PlaygroundClient, typed: str, answer: str
) -> None:
    await pg.send_text(typed)

    # A proactive prompt (a case reported by an earlier test, delivered to this head) may
    # arrive in the same chat first, as it would in Teams: the answer is the card that
    # answers the command, or says it was not understood.
    message = await pg.wait_for(
        lambda m: any(answer in texts(c) or "did not understand" in texts(c) for c in m.cards)
    )
    (card,) = message.cards

    assert_adaptive_card(card)
    assert answer in texts(card)
    assert "did not understand" not in texts(card)
