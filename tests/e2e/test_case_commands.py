"""The commands after a report, end to end over HTTP, with the cases in the embedded default
(SQLite) and in SharePoint (the Microsoft 365 configuration, on the Graph stand-in): the
example trust's people type `cases`, `case <reference>`, `deadlines`, `who is banned` and
`help`, and the Chair decides on the case's card by pressing its buttons (issue 11)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.flows.actions import NO_SUCH_CASE
from bot.flows.reception import NOT_STAFF
from cards.common import Choice
from casework.bootstrap import prepare
from casework.pipeline import Casework
from rules.prompts import pending_effects
from tests.cardschema import assert_valid_card
from tests.case_paths import banned, with_chair
from tests.casework_world import EXAMPLE_CONFIG
from tests.e2e.conftest import BotUnderTest, CasesKeptIn, StartBot, services_for_tests
from tests.e2e.test_report_incident import complete_report
from tests.fakes import FixedClock
from tests.harness.identities import TRUST_TENANT
from tests.harness.teams import SentCard, TeamsUser

# The example trust's people (config/trust.yaml), in the harness's tenant.
HEAD = TeamsUser("a1000000-0000-4000-8000-000000000001", "Rachel Okafor", TRUST_TENANT)
STAFF = TeamsUser("a1000000-0000-4000-8000-000000000003", "Priya Shah", TRUST_TENANT)
CHAIR = TeamsUser("a1000000-0000-4000-8000-000000000004", "Graham Whitlock", TRUST_TENANT)
CLERK = TeamsUser("a1000000-0000-4000-8000-000000000005", "Siân Ní Bhriain", TRUST_TENANT)
RIVERSIDE_HEAD = TeamsUser("a1000000-0000-4000-8000-000000000011", "Owain Pritchard", TRUST_TENANT)
NOBODY = TeamsUser("d0000000-0000-4000-8000-00000000dead", "Not Known", TRUST_TENANT)


@dataclass
class Trust:
    bot: BotUnderTest
    casework: Casework
    clock: FixedClock

    async def card_for(self, user: TeamsUser, text: str) -> SentCard:
        """The card that answers `text` (a prompt delivered in the background meanwhile
        may come after it in the chat)."""
        client = self.bot.client
        message = client.activity(user, "message", text=text, textFormat="plain")
        response = await client.post(message)
        assert response.status == 200
        (card,) = [
            SentCard(card, recorded.conversation_id, recorded.id)
            for recorded, card in client.connector.cards_in(user.personal_conversation_id)
            if recorded.reply_to_id == message["id"]
        ]
        assert_valid_card(card.card)
        return card


@pytest.fixture
async def trust(
    start_bot: StartBot, tmp_path: Path, cases_kept_in: CasesKeptIn
) -> AsyncIterator[Trust]:
    config_dir = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, config_dir)
    trust_yaml = config_dir / EXAMPLE_CONFIG.name
    text = trust_yaml.read_text(encoding="utf-8")
    tenant = text.split("tenant_id: ", 1)[1].split("\n", 1)[0]
    trust_yaml.write_text(text.replace(tenant, TRUST_TENANT), encoding="utf-8")
    clock = FixedClock(datetime(2026, 1, 12, 9, tzinfo=UTC))
    async with cases_kept_in(prepare(trust_yaml), tmp_path / "data", clock) as (casework):
        services = services_for_tests(
            schools=tuple(Choice(s.id, s.name) for s in casework.config.schools),
            casework=casework,
        )
        async with start_bot(services=services) as bot:
            yield Trust(bot, casework, clock)


async def report_one(trust: Trust) -> None:
    form = await trust.card_for(STAFF, "report")
    values = complete_report(incidentDate="2026-01-12", incidentTime="08:30")
    response = await trust.bot.client.press(STAFF, form, "Submit report", values)
    assert response.invoke_card is not None


async def test_cases_lists_the_heads_cases_and_the_reporters_own_without_details(
    trust: Trust,
) -> None:
    await report_one(trust)

    heads = await trust.card_for(HEAD, "cases")
    staffs = await trust.card_for(STAFF, "cases")
    clerks = await trust.card_for(CLERK, "cases")

    assert "OAK-2026-0001" in heads.text()
    assert "Jordan Example" in heads.text()
    assert "Carry out the risk assessment for incident 1." in heads.text()
    assert heads.action("Open OAK-2026-0001")["verb"] == "case.open"
    assert "OAK-2026-0001" in staffs.text()
    assert "Jordan Example" not in staffs.text()
    assert "OAK-2026-0001" not in clerks.text()
    assert "You have no open cases." in clerks.text()


async def test_case_shows_the_case_card_to_the_head_and_the_same_refusal_to_outsiders(
    trust: Trust,
) -> None:
    await report_one(trust)

    card = await trust.card_for(HEAD, "case oak-2026-0001")
    text = card.text()
    assert "Case OAK-2026-0001" in text
    assert "Status: **Open, no sanction**" in text
    assert "nothing for you to do" not in text
    assert "Carry out the risk assessment for incident 1." in text
    assert "Rachel Okafor" in text  # who owns the next step
    assert "Incident 1 reported" in text
    assert "Priya Shah" in text  # who reported it, in the timeline

    staffs = await trust.card_for(STAFF, "case OAK-2026-0001")
    assert "Your report OAK-2026-0001" in staffs.text()
    assert "Jordan Example" not in staffs.text()

    other_school = await trust.card_for(RIVERSIDE_HEAD, "case OAK-2026-0001")
    no_such = await trust.card_for(RIVERSIDE_HEAD, "case OAK-2026-0999")
    assert NO_SUCH_CASE in other_school.text()
    assert other_school.text().splitlines()[:-1] == no_such.text().splitlines()[:-1]
    assert "Jordan Example" not in other_school.text()


async def test_pressing_open_the_case_posts_the_case_card_and_keeps_the_list(
    trust: Trust,
) -> None:
    await report_one(trust)
    listing = await trust.card_for(HEAD, "cases")

    response = await trust.bot.client.press(HEAD, listing, "Open OAK-2026-0001")

    assert response.status == 200
    assert response.body["statusCode"] == 200
    assert response.body["type"] == "application/vnd.microsoft.activity.message"
    opened = trust.bot.client.last_card(HEAD)
    assert_valid_card(opened.card)
    assert "Case OAK-2026-0001" in opened.text()


async def test_deadlines_show_each_roles_open_items(trust: Trust) -> None:
    await report_one(trust)

    heads = await trust.card_for(HEAD, "deadlines")
    clerks = await trust.card_for(CLERK, "deadlines")

    assert "OAK-2026-0001" in heads.text()
    assert "Carry out the risk assessment for incident 1." in heads.text()
    assert "No date set" in heads.text()
    assert "Nothing is waiting for you." in clerks.text()


async def test_who_is_banned_shows_reception_only_the_names_and_what_to_do(
    trust: Trust,
) -> None:
    await banned(trust.casework, trust.clock)

    staffs = await trust.card_for(STAFF, "Who is banned?")
    text = staffs.text()
    assert "Jordan Example" in text
    assert "Banned from the premises" in text
    assert "call the Headteacher at once" in text
    assert "OAK-2026-0001" not in text  # nothing else about the case
    assert "threat" not in text.lower().replace("threatened", "")

    riverside = await trust.card_for(RIVERSIDE_HEAD, "who is banned")
    assert "Jordan Example" not in riverside.text()
    assert "Nobody is banned or under conditions at this school." in riverside.text()

    chairs = await trust.card_for(CHAIR, "who is banned")
    assert NOT_STAFF in chairs.text()


async def test_help_lists_only_what_this_person_can_do(trust: Trust) -> None:
    staffs = await trust.card_for(STAFF, "help")
    chairs = await trust.card_for(CHAIR, "help")
    unknown = await trust.card_for(NOBODY, "help")
    other = await trust.card_for(STAFF, "what is the weather")

    assert "**who is banned**" in staffs.text()
    assert "**deadlines**" not in staffs.text()
    assert "Confirm or overturn" not in staffs.text()
    assert "**deadlines**" in chairs.text()
    assert "Confirm or overturn" in chairs.text()
    assert "**who is banned**" not in chairs.text()
    # Staff may add to their own reports; the Chair is not told that.
    assert "you can add a statement or report a further incident" in staffs.text()
    assert "you can add a statement" not in chairs.text()
    assert "does not know you" in unknown.text()
    assert "Sorry, I did not understand that" in other.text()
    assert "**report**" in other.text()

    # The help card's buttons work like the words.
    await trust.bot.client.press(STAFF, staffs, "Who is banned")
    assert "Who is banned" in trust.bot.client.last_card(STAFF).text()


async def test_the_chair_decides_on_the_case_card_once_however_often_pressed(
    trust: Trust,
) -> None:
    case_id = await with_chair(trust.casework, trust.clock)
    await effects_done(trust.casework, case_id)
    trust.clock.set(datetime(2026, 1, 21, 10, tzinfo=UTC))
    case_card = await trust.card_for(CHAIR, "case OAK-2026-0001")
    assert f"8:orgid:{CHAIR.aad_object_id}" in case_card.card["refresh"]["userIds"]

    opened = await trust.bot.client.press(CHAIR, case_card, "Confirm or overturn")
    assert opened.invoke_card is not None
    form = SentCard(opened.invoke_card, case_card.conversation_id, case_card.message_id)
    assert_valid_card(form.card)
    assert "Apologises and asks for the ban to be lifted" in form.text()
    assert "nothing more to add" in form.text()
    inputs = {"outcome": "confirm", "reason": "The threat was serious"}
    first = await trust.bot.client.press(CHAIR, form, "Record my decision", inputs)
    second = await trust.bot.client.press(CHAIR, form, "Record my decision", inputs)

    assert first.invoke_card is not None
    assert second.invoke_card is not None
    assert "Decision recorded" in SentCard(first.invoke_card, "", "").text()
    assert "already recorded" in SentCard(second.invoke_card, "", "").text()
    history = await trust.casework.ports.store.load(case_id)
    assert [e.kind for e in history].count("chair-decided") == 1
    after = await trust.card_for(HEAD, "case OAK-2026-0001")
    assert "Status: **Ban confirmed**" in after.text()
    assert "The Chair confirmed the ban." in after.text()
    assert "Wed 21 Jan 2026, 10:00" in after.text()  # when, on the timeline


async def effects_done(casework: Casework, case_id: str) -> None:
    """Wait until the background worker has recorded the set-up's drafts and prompts, so
    that the presses below do not race its bookkeeping on the same case."""
    for _ in range(100):
        folded = await casework.load_folded(case_id)
        assert folded is not None
        pending = pending_effects(folded.view)
        if not pending.letters and not pending.notifications:
            return
        await asyncio.sleep(0.05)


def on(card: SentCard, response: object) -> SentCard:
    """The card an invoke answered with, in place of `card` (as Teams replaces it)."""
    body = getattr(response, "invoke_card", None)
    assert body is not None, getattr(response, "body", None)
    assert_valid_card(body)
    return SentCard(body, card.conversation_id, card.message_id)


async def test_report_assess_respond_send_reply_and_chair_overturn_by_pressing_buttons(
    trust: Trust,
) -> None:
    client = trust.bot.client
    await report_one(trust)
    trust.clock.set(datetime(2026, 1, 12, 11, tzinfo=UTC))
    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    assert [a["title"] for a in case_card.card["actions"]] == [
        "Assess the risk",
        "See the new incident",
        "Report a further incident",
        "Update the person's details",
        "Add a statement",
    ]

    form = on(case_card, await client.press(HEAD, case_card, "Assess the risk"))
    assert "None recorded on this case." in str(form.card)  # question 4, pre-filled
    # Spaces get past Teams' own check of a required input; the server's refuses them.
    spaces = {"formOfAbuse": " ", "evidence": " ", "witnessAccounts": " ", "risk": "high"}
    refused = on(form, await client.press(HEAD, form, "Record the risk assessment", spaces))
    assert "The risk assessment has not been recorded yet" in refused.text()
    assert "Say what evidence there is." in refused.text()
    assessed = on(
        form,
        await client.press(
            HEAD,
            refused,
            "Record the risk assessment",
            {
                "formOfAbuse": "Shouting and a threat",
                "evidence": "Two staff accounts",
                "witnessAccounts": "The class teacher heard it",
                "risk": "high",
            },
        ),
    )
    assert "Risk assessment recorded" in assessed.text()

    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    choose = on(case_card, await client.press(HEAD, case_card, "Choose a response"))
    assert [a["title"] for a in choose.actions() if a["type"] == "Action.ShowCard"] == [
        "No further action",
        "Warning letter",
        "Conditions",
        "Ban",
    ]
    imposed = on(
        choose,
        await client.press(
            HEAD,
            choose,
            "Record: conditions",
            {
                "standardConditions": ["accompanied-to-meetings"],
                "conditionsReason": "Shouting at staff at the gate",
            },
        ),
    )
    assert "Conditions imposed, pending the Chair's review" in imposed.text()

    # The second press of the same card acts once.
    again = on(
        choose,
        await client.press(
            HEAD,
            choose,
            "Record: conditions",
            {
                "standardConditions": ["accompanied-to-meetings"],
                "conditionsReason": "Shouting at staff at the gate",
            },
        ),
    )
    assert "already recorded" in again.text()

    reception = await trust.card_for(STAFF, "who is banned")
    assert "Jordan Example" in reception.text()
    assert "Accompanied to any meeting" in reception.text()

    trust.clock.set(datetime(2026, 1, 13, 9, tzinfo=UTC))
    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    assert "Letter 2: conditions, pending review" in case_card.text()
    sent_form = on(case_card, await client.press(HEAD, case_card, "Mark a letter as sent"))
    letter = next(i for i in sent_form.inputs() if i.get("id") == "letter")
    sent = on(
        sent_form,
        await client.press(
            HEAD,
            sent_form,
            "Record it as sent",
            {"letter": letter["choices"][0]["value"], "sentOn": "2026-01-13"},
        ),
    )
    assert "Letter recorded as sent" in sent.text()
    after = await trust.card_for(HEAD, "case OAK-2026-0001")
    assert "Sent on Tuesday 13 January 2026" in after.text()

    # The person writes back, and says that is all: the Chair decides without waiting.
    trust.clock.set(datetime(2026, 1, 15, 9, tzinfo=UTC))
    after = await trust.card_for(HEAD, "case OAK-2026-0001")
    comments = on(after, await client.press(HEAD, after, "Record their written comments"))
    recorded = on(
        comments,
        await client.press(
            HEAD,
            comments,
            "Record their comments",
            {
                "letterDated": "2026-01-14",
                "receivedOn": "2026-01-15",
                "summary": "Apologises",
                "nothingMoreToAdd": True,
            },
        ),
    )
    assert "Comments recorded" in recorded.text()
    chairs = await trust.card_for(CHAIR, "case OAK-2026-0001")
    assert "Confirm or overturn" in [a["title"] for a in chairs.card["actions"]]
    decide = on(chairs, await client.press(CHAIR, chairs, "Confirm or overturn"))
    assert "Apologises" in decide.text()
    decided = on(
        decide,
        await client.press(
            CHAIR, decide, "Record my decision", {"outcome": "overturn", "reason": "Too much"}
        ),
    )
    assert "Decision recorded" in decided.text()
    reception = await trust.card_for(STAFF, "who is banned")
    assert "Jordan Example" not in reception.text()  # overturned: off the list
