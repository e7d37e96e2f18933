"""The harness itself: the loopback identity provider, the loopback connector's schema
checks, and the Teams-like client's button presses, each checked without the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web

from tests.contracts import load_contract
from tests.harness import (
    CardProblem,
    LoopbackConnector,
    LoopbackIdentityProvider,
    SentCard,
    TeamsClient,
    TokenKind,
    serve,
)
from tests.harness.connector import body_problems
from tests.harness.identities import OUTBOUND_TOKEN, STAFF

CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [
        {"type": "Input.Text", "id": "name", "label": "Name", "isRequired": True,
         "errorMessage": "Give a name."},
        {"type": "Input.ChoiceSet", "id": "colours", "label": "Colours", "isMultiSelect": True,
         "choices": [{"title": "Red", "value": "red"}, {"title": "Blue", "value": "blue"}]},
        {"type": "Input.ChoiceSet", "id": "size", "label": "Size", "value": "m",
         "choices": [{"title": "M", "value": "m"}, {"title": "L", "value": "l"}]},
        {"type": "Input.Toggle", "id": "urgent", "title": "Urgent", "valueOn": "yes",
         "valueOff": "no"},
        {"type": "Input.Text", "id": "notes", "label": "Notes"},
        {"type": "ActionSet", "actions": [
            {"type": "Action.Execute", "title": "Nested", "verb": "nested", "data": {"k": 1}},
        ]},
    ],
    "actions": [
        {"type": "Action.Execute", "title": "Send", "verb": "send", "data": {"commandId": "c1"}},
        {"type": "Action.Submit", "title": "Submit", "data": {"kind": "plain"}},
        {"type": "Action.Execute", "title": "Skip", "verb": "skip", "associatedInputs": "none"},
    ],
}  # fmt: skip


class RecordingBot:
    """A stand-in bot that records what the client posts."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[str | None] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(await request.json())
        self.headers.append(request.headers.get("Authorization"))
        return web.json_response({"statusCode": 200, "type": "x", "value": "ok"})


@pytest.fixture
async def client(
    idp: LoopbackIdentityProvider, connector: LoopbackConnector
) -> AsyncIterator[tuple[TeamsClient, RecordingBot]]:
    bot = RecordingBot()
    app = web.Application()
    app.router.add_post("/api/messages", bot.handle)
    async with serve(app) as url, aiohttp.ClientSession() as session:
        yield TeamsClient(session, url, connector, idp, app_id="app-1"), bot


def sent(card: dict[str, Any] = CARD) -> SentCard:
    return SentCard(card, STAFF.personal_conversation_id, "sent-7")


async def test_the_identity_provider_publishes_endorsed_keys_that_verify_its_tokens(
    idp: LoopbackIdentityProvider,
) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(idp.metadata_url) as response:
            metadata = await response.json()
        async with session.get(metadata["jwks_uri"]) as response:
            jwks = await response.json()

    keys = {k["kid"]: k for k in jwks["keys"]}
    token = idp.mint(audience="app-1", service_url="https://connector.example/")
    header = jwt.get_unverified_header(token)
    assert keys[header["kid"]]["endorsements"] == ["msteams"]
    claims = jwt.decode(
        token,
        jwt.PyJWK(keys[header["kid"]]).key,
        algorithms=["RS256"],
        audience="app-1",
        issuer="https://api.botframework.com",
    )
    assert claims["serviceurl"] == "https://connector.example/"
    assert (idp.metadata_requests, idp.jwks_requests) == (1, 1)


@pytest.mark.parametrize("kind", [k for k in TokenKind if k is not TokenKind.VALID])
def test_every_broken_token_fails_an_independent_check(
    idp: LoopbackIdentityProvider, kind: TokenKind
) -> None:
    """Each broken token is really broken (checked with PyJWT directly, not the bot)."""
    valid = idp.mint(audience="app-1", service_url="https://connector.example/")
    broken = idp.mint(kind, audience="app-1", service_url="https://connector.example/")
    assert broken != valid
    if kind is TokenKind.GARBAGE:
        with pytest.raises(jwt.DecodeError):
            jwt.get_unverified_header(broken)
        return
    header = jwt.get_unverified_header(broken)
    claims = jwt.decode(broken, options={"verify_signature": False})
    defects = {
        TokenKind.UNKNOWN_KID: header["kid"] != jwt.get_unverified_header(valid)["kid"],
        TokenKind.BAD_SIGNATURE: broken.split(".")[2] != valid.split(".")[2],
        TokenKind.EXPIRED: claims.get("exp", 0) < claims.get("nbf", 0) + 7200,
        TokenKind.NOT_YET_VALID: claims["nbf"]
        > jwt.decode(valid, options={"verify_signature": False})["nbf"],
        TokenKind.NO_EXPIRY: "exp" not in claims,
        TokenKind.HS256: header["alg"] == "HS256",
        TokenKind.ALG_NONE: header["alg"] == "none",
        TokenKind.WRONG_AUDIENCE: claims["aud"] != "app-1",
        TokenKind.WRONG_ISSUER: claims["iss"] != "https://api.botframework.com",
        TokenKind.EMULATOR_ISSUER_V1: claims["iss"].startswith("https://sts.windows.net/"),
        TokenKind.EMULATOR_ISSUER_V2: claims["iss"].endswith("/v2.0"),
        TokenKind.CHANNEL_NOT_ENDORSED: header["kid"] == "loopback-webchat-key",
        TokenKind.SERVICEURL_MISMATCH: claims["serviceurl"] != "https://connector.example/",
    }
    assert defects[kind]


@pytest.mark.parametrize(
    "sample",
    [
        "samples/teams-invoke-adaptiveCard-action.json",
        "samples/teams-message-channel-mention.json",
        "samples/teams-message-messageBack-from-card.json",
        "samples/teams-message-action-submit.DERIVED.json",
    ],
)
def test_the_translated_connector_schema_accepts_real_teams_activities(sample: str) -> None:
    assert body_problems(load_contract(sample), "Activity") == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"type": "shout"}, "is not one of"),
        ({"txet": "typo"}, "Additional properties"),
        ({"from": {"id": "x", "nmae": "typo"}}, "Additional properties"),
        ({"attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                           "content": {"type": "AdaptiveCard", "version": "1.5",
                                       "body": [{"type": "Input.Text"}]}}]}, "card"),
    ],
)  # fmt: skip
def test_the_connector_schema_refuses_what_the_channel_would(
    change: dict[str, Any], problem: str
) -> None:
    activity = {"type": "message", "text": "hi", **change}

    problems = body_problems(activity, "Activity")

    assert problems
    assert any(problem in p for p in problems)


async def test_the_connector_answers_400_and_records_nothing_for_a_bad_body() -> None:
    async with LoopbackConnector(expected_authorization="Bearer t") as connector:
        async with aiohttp.ClientSession() as session:
            url = f"{connector.url}/v3/conversations/c1/activities/a1"
            async with session.post(
                url, json={"type": "nonsense"}, headers={"Authorization": "Bearer t"}
            ) as bad:
                assert bad.status == 400
            async with session.post(url, json={"type": "message"}) as unsigned:
                assert unsigned.status == 400
            async with session.post(
                url, json={"type": "message", "text": "hi"}, headers={"Authorization": "Bearer t"}
            ) as good:
                assert good.status == 200
                assert (await good.json())["id"] == "sent-1"

        assert len(connector.violations) == 2
        assert [r.body["text"] for r in connector.recorded] == ["hi"]
        assert connector.recorded[0].reply_to_id == "a1"


async def test_execute_sends_an_invoke_with_inputs_merged_into_data(
    client: tuple[TeamsClient, RecordingBot],
) -> None:
    teams, bot = client

    response = await teams.press(
        STAFF, sent(), "Send", {"Name": "Jo", "colours": ["red", "blue"], "urgent": True}
    )

    assert response.status == 200
    (activity,) = bot.received
    assert activity["type"] == "invoke"
    assert activity["name"] == "adaptiveCard/action"
    assert activity["replyToId"] == "sent-7"
    assert activity["value"]["action"] == {
        "type": "Action.Execute",
        "title": "Send",
        "verb": "send",
        "data": {"commandId": "c1", "name": "Jo", "colours": "red,blue", "size": "m",
                 "urgent": "yes"},
    }  # fmt: skip
    assert activity["channelData"]["tenant"]["id"] == STAFF.tenant_id
    assert activity["conversation"]["tenantId"] == STAFF.tenant_id
    assert body_problems(activity, "Activity") == []
    assert bot.headers[0] is not None
    assert bot.headers[0].startswith("Bearer ey")


async def test_submit_sends_a_message_whose_value_is_data_and_inputs(
    client: tuple[TeamsClient, RecordingBot],
) -> None:
    teams, bot = client

    await teams.press(STAFF, sent(), "Submit", {"name": "Jo", "notes": "n"})

    (activity,) = bot.received
    assert activity["type"] == "message"
    assert activity["value"] == {
        "kind": "plain", "name": "Jo", "size": "m", "urgent": "no", "notes": "n"
    }  # fmt: skip
    assert "text" not in activity


async def test_nested_actions_and_no_associated_inputs(
    client: tuple[TeamsClient, RecordingBot],
) -> None:
    teams, bot = client

    await teams.press(STAFF, sent(), "Skip")  # no inputs gathered, so none required
    await teams.press(STAFF, sent(), "Nested", {"name": "Jo"})

    assert bot.received[0]["value"]["action"]["data"] == {}
    assert bot.received[1]["value"]["action"]["data"]["k"] == 1


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({}, "Give a name"),
        ({"name": ""}, "Give a name"),
        ({"nmae": "Jo"}, "no input 'nmae'"),
        ({"name": "Jo", "size": "xl"}, "offers no"),
        ({"name": "Jo", "size": ["m", "l"]}, "takes one choice"),
        ({"name": "Jo", "urgent": "maybe"}, "toggle"),
    ],
)
async def test_the_client_refuses_what_teams_would_not_send(
    client: tuple[TeamsClient, RecordingBot], inputs: dict[str, Any], message: str
) -> None:
    teams, bot = client

    with pytest.raises(CardProblem, match=message):
        await teams.press(STAFF, sent(), "Send", inputs)
    with pytest.raises(CardProblem, match="no button"):
        await teams.press(STAFF, sent(), "Cancel", {"name": "Jo"})
    assert bot.received == []


async def test_the_connector_fixture_expects_the_bots_outbound_token(
    connector: LoopbackConnector,
) -> None:
    assert connector.expected_authorization == f"Bearer {OUTBOUND_TOKEN}"
