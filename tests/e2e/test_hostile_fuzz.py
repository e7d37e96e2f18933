"""A property-based fuzzer over activities and card payloads, against the running app over
loopback HTTP (signed tokens from the loopback identity provider) with the example trust's
cases on each backend (SQLite, and SharePoint on the Graph stand-in).

For every request hypothesis makes up, whatever its shape:
- no 500 (nor any 5xx but the 501 botbuilder answers to an invoke the bot does not
  implement; nothing here overloads the app);
- no traceback in the response;
- nothing logged with a traceback or on more than one line, and a refusal (an HTTP 4xx, an
  invoke answered with an error, a report card sent back with its problems) is one line;
- no change to any case: the case recorded before the fuzzing stays exactly as it was.
  Card payloads mostly carry that case's command id (so a valid one is a repeat); one with
  a command id of its own that passes every check is a report like any other, and may be
  recorded as a new case, only when the answer says so, and only within every limit.
- every card the bot answers with, or posts, is a valid Adaptive Card 1.5 (the loopback
  connector checks what is posted).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.settings import Settings
from cards.common import Choice
from casework.bootstrap import prepare
from casework.pipeline import Casework
from rules.prompts import pending_effects
from tests.cardschema import assert_valid_card
from tests.e2e.conftest import CasesKeptIn, example_trust, services_for_tests
from tests.e2e.test_report_incident import EXAMPLE_STAFF_ID, card_text, complete_report
from tests.fakes import FixedClock
from tests.harness import LoopbackConnector, LoopbackIdentityProvider, TeamsClient, serve
from tests.harness.identities import APP_ID, STAFF

FUZZ = settings(
    max_examples=120,
    deadline=None,
    # One app, store and log capture serve every example: the properties say what each
    # example must leave as it found it.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY_TEXT = [
    "",
    " ",
    "\n",
    "Jordan\nExample",
    "\r\n\t",
    "\x00",
    "\x1b[31m",
    "\u2028",
    "\u202eevil",
    "\ud800",
    "\ufffe",
    "<at>" * 2_000,
    "<at>x</at>" * 50,
    "x" * 5_000,
    "0001-01-01",
    "0999-12-31",
    "2026-02-30",
    "2026-03-29",
    "2099-01-01",
    "01:30",
    "08:45+01:00",
    "08:45Z",
    "24:00",
    "true",
    "false",
    "shouting,shouting",
    "in-person",
    "oakfield",
    "riverside",
    "f:1\nWARNING forged line",
    "💥",
    "%s %d {}",
]
text = st.text(max_size=40) | st.sampled_from(NASTY_TEXT)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)

ACTIVITY_FIELDS = [
    "type",
    "id",
    "timestamp",
    "localTimestamp",
    "localTimezone",
    "from",
    "conversation",
    "recipient",
    "membersAdded",
    "membersRemoved",
    "attachments",
    "entities",
    "text",
    "textFormat",
    "value",
    "name",
    "action",
    "replyToId",
    "locale",
    "channelData",
    "suggestedActions",
    "relatesTo",
    "historyDisclosed",
]
# Not `properties`: botbuilder copies the sender's account into the reply's recipient, and
# the loopback connector, strict by design, refuses a field the Bot Connector's schema
# does not have (see the note in docs/security.md).
ACCOUNT_FIELDS = ["id", "name", "aadObjectId", "role", "isGroup", "tenantId"]
REPORT_FIELDS = [
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
    "commandId",
    "unexpected",
]


@dataclass(repr=False)
class World:
    client: TeamsClient
    casework: Casework
    session: aiohttp.ClientSession
    url: str
    seed_command_id: str
    cases: dict[str, Any]

    def __repr__(self) -> str:
        # Hypothesis prints its arguments for a failing example: keep that readable.
        return f"World({self.url})"


async def effects_done(casework: Casework, within_s: float = 10.0) -> None:
    """Wait until the background worker has carried out every case's effects, and the
    case's row reflects the events they appended (it is written just after them)."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        owed: list[object] = []
        for school in casework.config.schools:
            for summary in await casework.ports.store.cases_at(school.id):
                folded = await casework.load_folded(summary.case_id)
                assert folded is not None
                effects = pending_effects(folded.view)
                owed += [*effects.letters, *effects.notifications]
                if summary.projected_seq < folded.view.last_seq:
                    owed.append(summary)
        if not owed:
            return
        assert asyncio.get_running_loop().time() < deadline, "effects never done"
        await asyncio.sleep(0.05)


async def every_case(casework: Casework) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for school in casework.config.schools:
        for summary in await casework.ports.store.cases_at(school.id):
            found[summary.case_id] = (
                summary,
                tuple(await casework.ports.store.load(summary.case_id)),
            )
    return found


@pytest.fixture
async def world(
    idp: LoopbackIdentityProvider,
    connector: LoopbackConnector,
    tmp_path: Path,
    cases_kept_in: CasesKeptIn,
) -> AsyncIterator[World]:
    # The example trust with the harness's tenant, its staff member as the harness's STAFF.
    trust_yaml = example_trust(tmp_path, {EXAMPLE_STAFF_ID: STAFF.aad_object_id})
    clock = FixedClock(datetime(2026, 11, 2, 10, tzinfo=UTC))
    async with (
        cases_kept_in(prepare(trust_yaml), tmp_path / "data", clock) as casework,
        aiohttp.ClientSession() as session,
    ):
        services = services_for_tests(
            schools=tuple(Choice(s.id, s.name) for s in casework.config.schools),
            casework=casework,
        )
        bot_settings = Settings(
            app_id=APP_ID, app_password="unused", openid_metadata_url=idp.metadata_url
        )
        async with serve(create_app(bot_settings, services)) as url:
            client = TeamsClient(session, url, connector, idp, app_id=APP_ID)
            await client.say(STAFF, "report")
            form = client.last_card(STAFF)
            seed = form.action("Submit report")["data"]["commandId"]
            recorded = await client.press(
                STAFF, form, "Submit report", complete_report(incidentDate="2026-11-02")
            )
            assert recorded.invoke_card is not None
            assert "Report OAK-2026-0001 recorded." in card_text(recorded.invoke_card)
            await effects_done(casework)  # the head's prompt follows the answer
            cases = await every_case(casework)
            assert len(cases) == 1
            yield World(client, casework, session, url, seed, cases)


async def post(world: World, body: bytes) -> tuple[int, str]:
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {world.client.token()}",
    }
    async with world.session.post(
        f"{world.url}/api/messages", data=body, headers=headers
    ) as response:
        # 501 is botbuilder's deliberate answer to an invoke the bot does not implement
        # (not an adaptiveCard/action), as the Bot Framework expects; nothing else 5xx.
        assert response.status < 500 or response.status == 501, await response.text()
        return response.status, await response.text()


def refusal_shown(status: int, response_text: str) -> bool:
    """Whether the bot refused what was asked: a 4xx, an invoke answered with an error, or
    the report card sent back with its problems."""
    if status >= 400:
        return True
    try:
        answer = json.loads(response_text) if response_text else None
    except json.JSONDecodeError:
        return False
    if not isinstance(answer, dict):
        return False
    if isinstance(answer.get("statusCode"), int) and answer["statusCode"] >= 400:
        return True
    card = answer.get("value")
    return isinstance(card, dict) and "has not been recorded yet" in card_text(card)


async def check_properties(
    world: World,
    caplog: pytest.LogCaptureFixture,
    status: int,
    response_text: str,
    *,
    allow_new_case: bool = False,
) -> None:
    assert "Traceback" not in response_text
    assert 'File "' not in response_text
    for record in caplog.records:
        assert record.exc_info is None, f"traceback logged: {record.getMessage()}"
        assert "\n" not in record.getMessage(), f"two lines: {record.getMessage()!r}"
    if refusal_shown(status, response_text):
        # The request's own lines: the deliverer's background loop logs on its own schedule
        # (e.g. a prompt still waiting for its recipient to install the app).
        ours = [r for r in caplog.records if r.name.startswith("bot.") and r.name != "bot.deliver"]
        assert len(ours) == 1, [r.getMessage() for r in caplog.records]
    answer_text = ""
    if status == 200 and response_text:
        answer = json.loads(response_text)
        if (
            isinstance(answer, dict)
            and isinstance(answer.get("value"), dict)
            and answer.get("type") == "application/vnd.microsoft.card.adaptive"
        ):
            assert_valid_card(answer["value"])
            answer_text = card_text(answer["value"])
    now = await every_case(world.casework)
    for case_id, before in world.cases.items():
        assert now.get(case_id) == before, "a case changed"
    new = {case_id: now[case_id] for case_id in set(now) - set(world.cases)}
    if new:
        assert allow_new_case, "an activity made a case"
        ((summary, _events),) = new.values()
        assert f"Report {summary.reference} recorded." in answer_text
        person = summary.person_name
        assert person.isprintable(), repr(person)
        assert 0 < len(person) <= 200
        # The new case's effects (the head's prompt, recorded as a "notification sent" event,
        # then its row projected again) follow the answer in the background worker: the
        # case is remembered as it stands once they are done, or the next example would
        # see it change.
        await effects_done(world.casework)
        settled = await every_case(world.casework)
        world.cases.update({case_id: settled[case_id] for case_id in new})


@st.composite
def activities(draw: st.DrawFn, client: TeamsClient) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(["message", "invoke", "conversationUpdate", "installationUpdate"])
        | st.text(max_size=10)
    )
    activity = client.activity(STAFF, kind, text=draw(text))
    for field, value in draw(
        st.dictionaries(st.sampled_from(ACTIVITY_FIELDS), json_values)
    ).items():
        activity[field] = value
    for owner in draw(st.lists(st.sampled_from(["from", "conversation", "recipient"]), max_size=2)):
        if isinstance(activity.get(owner), dict):
            account = dict(activity[owner])
            account[draw(st.sampled_from(ACCOUNT_FIELDS))] = draw(json_values)
            activity[owner] = account
    return activity


@st.composite
def card_payloads(draw: st.DrawFn, client: TeamsClient, seed_command_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "commandId": seed_command_id,
        "school": "oakfield",
        "personName": "Jordan Example",
        "relationship": "parent",
        "incidentDate": "2026-11-02",
        "incidentTime": "08:45",
        "location": "The main gate",
        "channel": "in-person",
        "behaviours": "shouting,threat",
        "affected": "staff,pupils",
        "policeCalled": "false",
        "assault": "false",
        "summary": "Shouted at the class teacher.",
        "effect": "The teacher was frightened.",
    }
    for field, value in draw(
        st.dictionaries(st.sampled_from(REPORT_FIELDS), text | json_values, max_size=4)
    ).items():
        data[field] = value
    action: dict[str, Any] = {"type": "Action.Execute", "verb": "incident.report", "data": data}
    if draw(st.booleans()):
        action[draw(st.sampled_from(["verb", "data", "type"]))] = draw(json_values)
    invoke = client.activity(
        STAFF, "invoke", name="adaptiveCard/action", value={"action": action, "trigger": "manual"}
    )
    if draw(st.integers(0, 9)) == 0:
        invoke["value"] = draw(json_values)
    return invoke


@FUZZ
@given(data=st.data())
async def test_no_activity_gets_a_500_a_traceback_or_changes_a_case(
    world: World, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    activity = data.draw(activities(world.client))

    status, response_text = await post(world, json.dumps(activity).encode())

    await check_properties(world, caplog, status, response_text)


@FUZZ
@given(data=st.data())
async def test_no_card_payload_gets_a_500_a_traceback_or_changes_a_case(
    world: World, caplog: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    invoke = data.draw(card_payloads(world.client, world.seed_command_id))

    status, response_text = await post(world, json.dumps(invoke).encode())

    await check_properties(world, caplog, status, response_text, allow_new_case=True)


@FUZZ
@given(
    body=st.binary(max_size=200)
    | st.text(max_size=200).map(str.encode)
    | st.sampled_from(
        [b"", b"{", b"null", b"[]", b'{"type": 1}', b'{"type": "message"', b"\xff\xfe{}"]
    )
)
async def test_no_body_gets_a_500_or_a_traceback(
    world: World, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()

    status, response_text = await post(world, body)

    await check_properties(world, caplog, status, response_text)


async def test_a_report_with_a_forged_command_id_is_refused_and_never_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await world.client.say(STAFF, "report")
    form = world.client.last_card(STAFF)
    forged = "cmd\nINFO casework.pipeline case OAK-2026-0002: command x appended"
    form.action("Submit report")["data"]["commandId"] = forged
    caplog.clear()

    response = await world.client.press(STAFF, form, "Submit report", complete_report())

    assert response.invoke_card is not None
    assert "This form is out of date" in card_text(response.invoke_card)
    assert all("\n" not in r.getMessage() for r in caplog.records)
    assert not any("casework" in r.name for r in caplog.records)
    assert await every_case(world.casework) == world.cases
