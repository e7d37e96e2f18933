"""Who is prompted, over HTTP with the harness (issue 11, items 3 and 4): each prompt the
rules call for is queued, then delivered by the running app's deliverer to the right
conversation at the recording Bot Connector, and to nobody else. The report is made from
Teams; the Chair decides on the card her prompt carries; the other later steps are
recorded through the application layer, as the step cards do, and the sweeper runs on the
days its work falls due. The head's deadlines card names the
role holders who cannot be reached in Teams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cards.common import Choice
from casework import bus as uc
from casework.bootstrap import prepare
from casework.bus import case_id_for
from casework.pipeline import Actor, Casework
from casework.sweeper import sweep
from rules import timeline as tl
from rules.case import DeliveryState
from rules.steps.ban import ImposeBan
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.risk_assessment import AssessRisk
from tests.builders import POLICE, VIOLENCE, arrangements, assessment
from tests.e2e.conftest import (
    BotUnderTest,
    CasesKeptIn,
    StartBot,
    example_trust,
    services_for_tests,
)
from tests.e2e.test_report_incident import EXAMPLE_STAFF_ID, card_text, complete_report
from tests.fakes import FixedClock
from tests.harness.identities import HEAD, STAFF, TRUST_TENANT
from tests.harness.teams import TeamsUser

EXAMPLE_HEAD_ID = "a1000000-0000-4000-8000-000000000001"
# The other people of Oakfield and of the trust, as config/trust.yaml names them.
SENIOR = TeamsUser("a1000000-0000-4000-8000-000000000002", "Daniel Hughes", TRUST_TENANT)
CHAIR = TeamsUser("a1000000-0000-4000-8000-000000000004", "Graham Whitlock", TRUST_TENANT)
CLERK = TeamsUser("a1000000-0000-4000-8000-000000000005", "Siân Ní Bhriain", TRUST_TENANT)
TRUSTEES_CHAIR = TeamsUser("a1000000-0000-4000-8000-000000000021", "M Ellison", TRUST_TENANT)
DPO = TeamsUser("a1000000-0000-4000-8000-000000000022", "T Nowicki", TRUST_TENANT)
CLERKS_CHANNEL = "19:lac-clerks@thread.tacv2"
MONDAY = date(2026, 3, 2)
REFERENCE = "OAK-2026-0001"


@dataclass
class Running:
    bot: BotUnderTest
    casework: Casework
    clock: FixedClock


@pytest.fixture
async def running(
    start_bot: StartBot, tmp_path: Path, cases_kept_in: CasesKeptIn
) -> AsyncIterator[Running]:
    trust_yaml = example_trust(
        tmp_path, {EXAMPLE_STAFF_ID: STAFF.aad_object_id, EXAMPLE_HEAD_ID: HEAD.aad_object_id}
    )
    clock = FixedClock(datetime(2026, 3, 2, 10, tzinfo=UTC))
    async with cases_kept_in(prepare(trust_yaml), tmp_path / "data", clock) as casework:
        services = services_for_tests(
            schools=tuple(Choice(s.id, s.name) for s in casework.config.schools),
            casework=casework,
        )
        async with start_bot(services=services) as bot:
            yield Running(bot, casework, clock)


async def install_in_the_clerks_channel(bot: BotUnderTest, user: TeamsUser) -> None:
    """The app added to the team channel configured as Oakfield's clerks' channel."""
    added = bot.client.activity(user, "conversationUpdate", membersAdded=[{"id": "28:bot"}])
    added["conversation"] = {
        "id": CLERKS_CHANNEL,
        "conversationType": "channel",
        "tenantId": TRUST_TENANT,
    }
    added["channelData"] = {
        "tenant": {"id": TRUST_TENANT},
        "team": {"id": "19:governors@thread.tacv2", "name": "Governors"},
        "channel": {"id": CLERKS_CHANNEL, "name": "LAC clerks"},
    }
    assert (await bot.client.post(added)).status == 200


def titles(bot: BotUnderTest, conversation_id: str) -> list[str]:
    """The title of every prompt (a card whose button opens a case) in the conversation."""
    return [
        str(card["body"][0]["text"])
        for _, card in bot.connector.cards_in(conversation_id)
        if any(a.get("verb") == "case.open" for a in card.get("actions", []))
    ]


async def arrives(bot: BotUnderTest, conversation_id: str, title: str) -> None:
    for _ in range(150):
        if title in titles(bot, conversation_id):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{title!r} never arrived; there were {titles(bot, conversation_id)}")


async def settled(casework: Casework, case_id: str) -> None:
    """Every prompt on the case delivered (all recipients here have the app)."""
    for _ in range(150):
        folded = await casework.load_folded(case_id)
        assert folded is not None
        if all(n.delivery is DeliveryState.SENT for n in folded.view.notifications):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("prompts still waiting to be delivered")


def everyone_else(*chosen: TeamsUser, channel: bool = False) -> list[str]:
    people = (HEAD, SENIOR, STAFF, CHAIR, CLERK, TRUSTEES_CHAIR, DPO)
    others = [p.personal_conversation_id for p in people if p not in chosen]
    return others if channel else [*others, CLERKS_CHANNEL]


def nobody_else_has(
    bot: BotUnderTest, title: str, *chosen: TeamsUser, channel: bool = False
) -> None:
    """Not in any other person's chat, nor in the clerks' channel unless `channel`."""
    for conversation_id in everyone_else(*chosen, channel=channel):
        assert title not in titles(bot, conversation_id), conversation_id


async def act(casework: Casework, user: TeamsUser, case_id: str, command: Any) -> None:
    await uc.dispatch(casework, command, Actor(user.aad_object_id), case_id=case_id)


async def test_each_prompt_reaches_its_people_and_nobody_else(running: Running) -> None:
    bot, casework, clock = running.bot, running.casework, running.clock
    for user in (HEAD, SENIOR, STAFF, CHAIR, CLERK, TRUSTEES_CHAIR, DPO):
        await bot.client.install(user)
    await install_in_the_clerks_channel(bot, CLERK)

    # A member of staff reports: the head and the senior staff are asked to assess.
    await bot.client.say(STAFF, "report")
    form = bot.client.last_card(STAFF)
    command_id = form.action("Submit report")["data"]["commandId"]
    physical = complete_report(behaviours=["hitting", "threat"], assault=True, policeCalled=True)
    assert (await bot.client.press(STAFF, form, "Submit report", physical)).status == 200
    case_id = case_id_for(command_id)
    new_incident = f"Incident reported on case {REFERENCE}"
    await arrives(bot, HEAD.personal_conversation_id, new_incident)
    await arrives(bot, SENIOR.personal_conversation_id, new_incident)
    await settled(casework, case_id)
    nobody_else_has(bot, new_incident, HEAD, SENIOR)

    # The head assesses: the reporter is told, without detail, that it is being handled.
    await act(casework, HEAD, case_id, AssessRisk("cmd-assess", 1, assessment()))
    handled = f"Your report on case {REFERENCE} is being handled"
    await arrives(bot, STAFF.personal_conversation_id, handled)
    (notice,) = [
        card
        for _, card in bot.connector.cards_in(STAFF.personal_conversation_id)
        if card["body"][0]["text"] == handled
    ]
    assert "Jordan" not in card_text(notice)
    assert "gate" not in card_text(notice)
    await settled(casework, case_id)
    nobody_else_has(bot, handled, STAFF)

    # A ban: the Chair of Trustees is told, and not the trust's other officer.
    ban = ImposeBan("cmd-ban", "A violent assault", arrangements(POLICE), None, VIOLENCE)
    await act(casework, HEAD, case_id, ban)
    banned = f"Case {REFERENCE}: a ban has been imposed"
    await arrives(bot, TRUSTEES_CHAIR.personal_conversation_id, banned)
    await settled(casework, case_id)
    nobody_else_has(bot, banned, TRUSTEES_CHAIR)

    # Letter 4 goes; the person writes within their window: the Chair is told.
    await act(casework, HEAD, case_id, RecordLetterSent("cmd-sent", "cmd-ban:letter-4", MONDAY))
    clock.to_day(MONDAY + timedelta(days=1))
    wrote = RecordRepresentation("cmd-wrote", MONDAY + timedelta(days=1), casework.today(), "Sorry")
    await act(casework, HEAD, case_id, wrote)
    has_written = f"Case {REFERENCE}: the person has written"
    await arrives(bot, CHAIR.personal_conversation_id, has_written)
    await settled(casework, case_id)
    nobody_else_has(bot, has_written, CHAIR)

    # The window closes: the sweeper asks the Chair for the decision, and nobody else.
    calendar = casework.calendar("oakfield")
    window_ends = tl.strict(calendar).school_days_after(MONDAY, 10).due
    clock.to_day(window_ends + timedelta(days=1))
    await sweep(casework, casework.today())
    decide = f"Case {REFERENCE}: your decision is needed"
    await arrives(bot, CHAIR.personal_conversation_id, decide)
    await settled(casework, case_id)
    nobody_else_has(bot, decide, CHAIR)

    # The Chair's prompt opens the Case card with the Chair's own action on it.
    (prompt,) = [c for c in bot.client.cards_for(CHAIR) if c.card["body"][0]["text"] == decide]
    assert (await bot.client.press(CHAIR, prompt, f"Open case {REFERENCE}")).status == 200
    opened = bot.client.last_card(CHAIR)
    steps = [a.get("data", {}).get("step") for a in opened.actions()]
    assert "chair.decide" in steps

    # The prompt carries the Chair's decide card: decided on the prompt itself.
    assert "Confirm or overturn the ban" in card_text(prompt.card)
    decided = await bot.client.press(
        CHAIR, prompt, "Record my decision", {"outcome": "confirm", "reason": "Fair"}
    )
    assert decided.invoke_card is not None
    assert "Decision recorded" in card_text(decided.invoke_card)

    # Confirmed. Ahead of the committee's review the clerk is reminded, in chat and in the
    # clerks' channel; and the Chair's letter 5, never recorded as sent, is overdue: the
    # Chair is told, and the head is told it is left overdue.
    folded = await casework.load_folded(case_id)
    assert folded is not None
    remind_on = tl.review_reminder_from(folded.view, tl.lenient(calendar))
    assert remind_on is not None
    clock.to_day(remind_on)
    await sweep(casework, remind_on)
    review = f"Case {REFERENCE}: the committee's review is due soon"
    await arrives(bot, CLERK.personal_conversation_id, review)
    await arrives(bot, CLERKS_CHANNEL, review)
    overdue = f"Case {REFERENCE}: a step is overdue"
    escalated = f"Case {REFERENCE}: a step is still overdue"
    await arrives(bot, CHAIR.personal_conversation_id, overdue)
    await arrives(bot, HEAD.personal_conversation_id, escalated)
    await settled(casework, case_id)
    nobody_else_has(bot, review, CLERK, channel=True)
    # The clerk's own chat has the review-due card; the channel, read by everyone in it,
    # only the prompt's words and the button that opens the case for whoever presses it.
    (in_chat,) = [c for c in bot.client.cards_for(CLERK) if c.card["body"][0]["text"] == review]
    assert "Set the meeting date" in [a["title"] for a in in_chat.actions()]
    (in_channel,) = [
        card
        for _, card in bot.connector.cards_in(CLERKS_CHANNEL)
        if card["body"][0]["text"] == review
    ]
    assert [a["title"] for a in in_channel["actions"]] == [f"Open case {REFERENCE}"]
    assert {e["type"] for e in in_channel["body"]} == {"TextBlock"}
    assert "Jordan" not in str(in_channel)
    assert "in your own chat" in card_text(in_channel)
    nobody_else_has(bot, overdue, CHAIR)
    nobody_else_has(bot, escalated, HEAD)

    # A sweep again the same day, and the next: nothing is sent twice.
    before = {c: titles(bot, c) for c in everyone_else()}
    await sweep(casework, remind_on)
    clock.to_day(remind_on + timedelta(days=1))
    await sweep(casework, remind_on + timedelta(days=1))
    await asyncio.sleep(2.5)  # a delivery round
    assert {c: titles(bot, c) for c in everyone_else()} == before


def unreachable_section(card: Mapping[str, Any]) -> str:
    text = card_text(card)
    assert "Cannot be reached in Teams" in text
    return text.split("Cannot be reached in Teams", 1)[1]


async def test_the_heads_deadlines_name_who_cannot_be_reached_in_teams(running: Running) -> None:
    bot = running.bot
    await bot.client.install(HEAD)
    await bot.client.install(SENIOR)

    await bot.client.say(HEAD, "deadlines")
    listed = unreachable_section(bot.client.last_card(HEAD).card)
    for name in ("Graham Whitlock", "Siân Ní Bhriain", "Margaret Ellison"):
        assert name in listed
    assert "Chair of the Local Academy Committee (Oakfield Primary Academy)" in listed
    assert "Daniel Hughes" not in listed  # installed: reachable
    assert "Rachel Okafor" not in listed  # the head, in the harness's identity, is too
    assert "“LAC clerks”" in listed  # the app is not in the clerks' channel yet

    await bot.client.install(CHAIR)
    await install_in_the_clerks_channel(bot, CLERK)
    await bot.client.say(HEAD, "deadlines")
    listed = unreachable_section(bot.client.last_card(HEAD).card)
    assert "Graham Whitlock" not in listed
    assert "LAC clerks" not in listed
    assert "Siân Ní Bhriain" in listed  # she added the app to the channel, not to her chat


async def test_only_the_head_is_shown_who_cannot_be_reached(running: Running) -> None:
    bot = running.bot
    await bot.client.install(SENIOR)
    await bot.client.say(SENIOR, "deadlines")
    assert "Cannot be reached in Teams" not in card_text(bot.client.last_card(SENIOR).card)
