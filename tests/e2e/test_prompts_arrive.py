"""Prompts that arrive (issue 11, item 3), over HTTP with the harness, with the cases in
SQLite and in SharePoint (the Graph stand-in): the head who installed the app is sent the
new incident's prompt at the Bot Connector, and the case's history says it was sent only
once the connector accepted it."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cards.common import Choice
from casework.bootstrap import prepare
from casework.bus import case_id_for
from casework.pipeline import Casework
from casework.queries import unreachable_role_holders
from rules.case import DeliveryState
from rules.roles import Role
from tests.cardschema import assert_valid_card
from tests.casework_world import EXAMPLE_CONFIG
from tests.e2e.conftest import BotUnderTest, CasesKeptIn, StartBot, services_for_tests
from tests.e2e.test_report_incident import EXAMPLE_STAFF_ID, complete_report
from tests.fakes import FixedClock
from tests.harness.identities import HEAD, STAFF, TRUST_TENANT
from tests.harness.teams import TeamsUser

EXAMPLE_HEAD_ID = "a1000000-0000-4000-8000-000000000001"  # Rachel Okafor in config/trust.yaml
# The nominated senior member of staff in config/trust.yaml, also asked to assess.
SENIOR = TeamsUser("a1000000-0000-4000-8000-000000000002", "Sam Senior", TRUST_TENANT)


@dataclass
class Running:
    bot: BotUnderTest
    casework: Casework


@pytest.fixture
async def running(
    start_bot: StartBot, tmp_path: Path, cases_kept_in: CasesKeptIn
) -> AsyncIterator[Running]:
    config_dir = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, config_dir)
    trust_yaml = config_dir / EXAMPLE_CONFIG.name
    text = trust_yaml.read_text(encoding="utf-8")
    tenant = text.split("tenant_id: ", 1)[1].split("\n", 1)[0]
    text = (
        text.replace(tenant, TRUST_TENANT)
        .replace(EXAMPLE_STAFF_ID, STAFF.aad_object_id)
        .replace(EXAMPLE_HEAD_ID, HEAD.aad_object_id)
    )
    trust_yaml.write_text(text, encoding="utf-8")
    clock = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))
    async with cases_kept_in(prepare(trust_yaml), tmp_path / "data", clock) as casework:
        services = services_for_tests(
            schools=tuple(Choice(s.id, s.name) for s in casework.config.schools),
            casework=casework,
        )
        async with start_bot(services=services) as bot:
            yield Running(bot, casework)


async def _prompts_to(
    bot: BotUnderTest, conversation_id: str, within_s: float = 15.0
) -> list[Mapping[str, Any]]:
    for _ in range(int(within_s / 0.1)):
        found = [
            card
            for _, card in bot.connector.cards_in(conversation_id)
            if any(a.get("verb") == "case.open" for a in card.get("actions", []))
        ]
        if found:
            return found
        await asyncio.sleep(0.1)
    return []


async def test_the_head_who_installed_the_app_is_prompted_and_the_case_then_says_sent(
    running: Running,
) -> None:
    bot, casework = running.bot, running.casework
    await bot.client.install(HEAD)
    await bot.client.install(SENIOR)
    await bot.client.install(STAFF)
    assert await unreachable_role_holders(casework, "oakfield", (Role.HEAD, Role.SENIOR)) == ()

    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)
    command_id = form.action("Submit report")["data"]["commandId"]
    response = await bot.client.press(STAFF, form, "Submit report", complete_report())
    assert response.status == 200

    (card,) = await _prompts_to(bot, HEAD.personal_conversation_id)
    assert len(await _prompts_to(bot, SENIOR.personal_conversation_id)) == 1
    assert_valid_card(card)
    # The prompt's words first (they name the case, not the person), then the head's own
    # new incident card, in her own chat: the step she is asked for, and the case.
    assert card["body"][0]["text"] == "Incident reported on case OAK-2026-0001"
    assert "Jordan Example" not in card["body"][0]["text"] + card["body"][1]["text"]
    assert "New incident" in str(card)
    start, opens = card["actions"]
    assert start["title"] == "Start risk assessment"
    assert opens["data"] == {"reference": "OAK-2026-0001"}
    # The message's own text (what a notification shows) is the prompt's title only.
    (sent,) = [r for r, c in bot.connector.cards_in(HEAD.personal_conversation_id) if c == card]
    assert sent.body["text"] == "Incident reported on case OAK-2026-0001"

    case_id = case_id_for(command_id)
    for _ in range(100):
        folded = await casework.load_folded(case_id)
        assert folded is not None
        note = next(n for n in folded.view.notifications if n.kind.value == "incident-reported")
        if note.delivery is DeliveryState.SENT:
            break
        await asyncio.sleep(0.1)
    assert folded is not None
    assert note.delivery is DeliveryState.SENT
    kinds = [e.kind for e in folded.history]
    assert kinds.index("notification-queued") < kinds.index("notification-delivered")
    assert set(note.delivered_to) == {f"user:{HEAD.aad_object_id}", f"user:{SENIOR.aad_object_id}"}


async def test_a_head_who_has_not_installed_the_app_is_listed_as_unreachable_and_waits(
    running: Running,
) -> None:
    bot, casework = running.bot, running.casework
    await bot.client.install(STAFF)
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)
    command_id = form.action("Submit report")["data"]["commandId"]
    await bot.client.press(STAFF, form, "Submit report", complete_report())

    unreachable = await unreachable_role_holders(casework, "oakfield", (Role.HEAD,))
    assert [p.object_id for _, p in unreachable] == [HEAD.aad_object_id]
    await asyncio.sleep(3)  # a delivery round or more
    assert await _prompts_to(bot, HEAD.personal_conversation_id, within_s=0.1) == []
    folded = await casework.load_folded(case_id_for(command_id))
    assert folded is not None
    note = next(n for n in folded.view.notifications if n.kind.value == "incident-reported")
    assert note.delivery is DeliveryState.WAITING
