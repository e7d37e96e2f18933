"""Letters drafted in the signer's Outlook mailbox, end to end over HTTP, in the Microsoft
365 configuration on the Graph stand-in (`SAFE_PREMISES_DRAFTS=outlook`, its default with
the cases in SharePoint): the head's card opens the draft in Outlook, "Mark as sent" is
filled in from the mailbox once the letter has gone, and while Graph is down nothing
claims a draft exists."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.flows.letter_sent import READ_BACK_S
from cards.common import Choice
from casework.bootstrap import prepare
from tests.case_paths import under_conditions
from tests.casework_world import EXAMPLE_CONFIG
from tests.e2e.conftest import StartBot, services_for_tests
from tests.e2e.test_case_commands import HEAD, Trust, effects_done, on
from tests.fakes import FixedClock
from tests.harness.graph import GraphStandIn, Message
from tests.harness.identities import TRUST_TENANT
from tests.harness.sharepoint import casework_on_sharepoint

ONE_BACKEND = "Outlook drafts exist only in the Microsoft 365 configuration (the SharePoint store)"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class OnMicrosoft365(Trust):
    graph: GraphStandIn

    def heads_mailbox(self) -> dict[str, Message]:
        return self.graph.users[HEAD.aad_object_id].messages


@pytest.fixture
async def trust(start_bot: StartBot, tmp_path: Path) -> AsyncIterator[OnMicrosoft365]:
    config_dir = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, config_dir)
    trust_yaml = config_dir / EXAMPLE_CONFIG.name
    text = trust_yaml.read_text(encoding="utf-8")
    tenant = text.split("tenant_id: ", 1)[1].split("\n", 1)[0]
    trust_yaml.write_text(text.replace(tenant, TRUST_TENANT), encoding="utf-8")
    clock = FixedClock(datetime(2026, 1, 12, 9, tzinfo=UTC))
    async with casework_on_sharepoint(prepare(trust_yaml), tmp_path / "data", clock) as (
        casework,
        graph,
    ):
        services = services_for_tests(
            schools=tuple(Choice(s.id, s.name) for s in casework.config.schools),
            casework=casework,
        )
        async with start_bot(services=services) as bot:
            yield OnMicrosoft365(bot, casework, clock, graph)


async def test_the_letter_is_a_draft_in_the_heads_mailbox_and_the_card_opens_it(
    trust: OnMicrosoft365,
) -> None:
    case_id = await under_conditions(trust.casework, trust.clock)
    await effects_done(trust.casework, case_id)

    (draft,) = trust.heads_mailbox().values()
    assert draft.folder == "drafts"
    assert draft.body["body"]["contentType"] == "html"
    assert draft.body["subject"]
    assert [a.content_type for a in draft.attachments if not a.is_inline] == [DOCX]
    assert draft.body["ccRecipients"]  # the Chair is copied in

    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    assert "Draft ready to check and send" in case_card.text()
    drafted = on(case_card, await trust.bot.client.press(HEAD, case_card, "Open the letter draft"))
    links = [a for a in drafted.actions() if a["type"] == "Action.OpenUrl"]
    assert [a["title"] for a in links] == ["Open the draft"]
    assert links[0]["url"].startswith("https://outlook.office365.com/owa/?ItemID=")
    assert draft.id in links[0]["url"]
    assert "Outlook shows the draft not sent yet." in drafted.text()
    assert "The draft is the file" not in drafted.text()


async def test_mark_as_sent_is_filled_in_from_the_mailbox_and_recorded_only_when_pressed(
    trust: OnMicrosoft365,
) -> None:
    case_id = await under_conditions(trust.casework, trust.clock)
    await effects_done(trust.casework, case_id)
    (draft,) = trust.heads_mailbox().values()
    # The head sends it from Outlook on Tuesday morning; it moves to Sent Items.
    draft.folder, draft.sent = "sentitems", "2026-01-13T08:15:00Z"
    trust.clock.set(datetime(2026, 1, 13, 9, tzinfo=UTC))

    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    form = on(case_card, await trust.bot.client.press(HEAD, case_card, "Mark a letter as sent"))

    assert "Outlook shows it sent on Tuesday 13 January 2026" in form.text()
    (sent_on,) = [i for i in form.inputs() if i.get("id") == "sentOn"]
    assert sent_on["value"] == "2026-01-13"
    (letter,) = [i for i in form.inputs() if i.get("id") == "letter"]
    assert letter["value"] == letter["choices"][0]["value"]
    # Nothing recorded by opening the card: the head confirms it.
    unsent = await trust.card_for(HEAD, "case OAK-2026-0001")
    assert "Draft ready to check and send" in unsent.text()

    recorded = on(form, await trust.bot.client.press(HEAD, form, "Record it as sent", {}))
    assert "Letter recorded as sent" in recorded.text()
    after = await trust.card_for(HEAD, "case OAK-2026-0001")
    assert "Sent on Tuesday 13 January 2026" in after.text()


async def test_when_graph_is_down_the_head_is_told_and_nothing_claims_a_draft(
    trust: OnMicrosoft365,
) -> None:
    trust.graph.fail(1000, status=503, path=r"^/users/[^/]+/messages")

    case_id = await under_conditions(trust.casework, trust.clock)
    await effects_done(trust.casework, case_id)

    assert trust.heads_mailbox() == {}
    folded = await trust.casework.load_folded(case_id)
    assert folded is not None
    (letter,) = folded.view.letters
    assert letter.draft_ref is None
    assert (letter.draft_error or "").startswith(
        "OutlookDraftError: Outlook could not be reached, so the draft could not be saved"
    )
    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    assert "The draft could not be made yet; it will be tried again" in case_card.text()
    assert "Open the letter draft" not in [a["title"] for a in case_card.card["actions"]]


async def test_a_mailbox_that_does_not_answer_leaves_mark_as_sent_as_it_was_in_time(
    trust: OnMicrosoft365,
) -> None:
    case_id = await under_conditions(trust.casework, trust.clock)
    await effects_done(trust.casework, case_id)
    (draft,) = trust.heads_mailbox().values()
    draft.folder, draft.sent = "sentitems", "2026-01-13T08:15:00Z"
    trust.clock.set(datetime(2026, 1, 13, 9, tzinfo=UTC))
    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    trust.graph.stall(10, method="GET", path=r"^/users/[^/]+/messages$")

    started = time.monotonic()
    form = on(case_card, await trust.bot.client.press(HEAD, case_card, "Mark a letter as sent"))

    assert time.monotonic() - started < READ_BACK_S + 1.5
    assert "Outlook shows" not in form.text()
    (sent_on,) = [i for i in form.inputs() if i.get("id") == "sentOn"]
    assert "value" not in sent_on or sent_on["value"] != "2026-01-13"
