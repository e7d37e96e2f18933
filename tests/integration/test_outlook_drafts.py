"""Letter drafts in the signer's Outlook mailbox (`graph.outlook_drafts`), against the
Graph stand-in: what a draft holds, its attachments, and one draft whatever goes wrong
(a lost answer, a timeout, throttling, two instances at once); the read-back of whether
it was sent; and what an outage or a refused mailbox says."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import aiohttp
import pytest

from casework.ports import Attachment, LetterDraft, Person, Recipient, SentStatus
from graph.client import GraphClient, RetryPolicy
from graph.outlook_drafts import (
    CASE_PROPERTY,
    KEY_PROPERTY,
    OutlookDraftError,
    OutlookLetterDrafts,
)
from tests.harness.graph import GraphStandIn, Message
from tests.integration.conftest import USER_AGENT, RecordedSleeps, StaticGraphToken

HEAD = "0b5c7d1e-0000-4000-8000-00000000aa01"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def letter(key: str = "case-1:cmd-ban:ban", **changes: object) -> LetterDraft:
    base = LetterDraft(
        key=key,
        case_id="case-1",
        case_reference="OAK-2026-0001",
        letter="ban",
        signer=Person(HEAD, "Rachel Okafor", "r.okafor@oakfield.example"),
        to=Recipient("Jordan Example", "jordan@parent.example"),
        cc=(Recipient("Sam Chair", "s.chair@oakfield.example"),),
        subject="Your conduct at Oakfield Primary Academy",
        html="<p>Dear Jordan Example</p><img src='cid:logo'>",
        text="Dear Jordan Example",
        attachments=(
            Attachment("OAK-2026-0001 ban.docx", DOCX, b"PK docx bytes"),
            Attachment("logo.png", "image/png", b"\x89PNG logo", content_id="logo"),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def mailbox(graph: GraphStandIn) -> dict[str, Message]:
    return graph.add_user(HEAD, "Rachel Okafor", "r.okafor@oakfield.example").messages


@pytest.fixture
def drafts(client: GraphClient, http: aiohttp.ClientSession) -> OutlookLetterDrafts:
    return OutlookLetterDrafts(client, http)


def quick_client(graph: GraphStandIn, http: aiohttp.ClientSession) -> GraphClient:
    """A client whose attempts time out after half a second."""
    return GraphClient(
        http,
        StaticGraphToken(graph.access_token),
        user_agent=USER_AGENT,
        base_url=graph.base_url,
        policy=RetryPolicy(max_attempts=2, attempt_timeout_s=0.5),
        sleep=RecordedSleeps(),
        jitter=lambda: 0.5,
    )


async def test_the_draft_is_made_in_the_signers_mailbox_with_html_to_cc_and_attachments(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message], graph: GraphStandIn
) -> None:
    reference = await drafts.create_draft(letter())

    (message,) = mailbox.values()
    assert message.folder == "drafts"
    assert message.body["subject"] == "Your conduct at Oakfield Primary Academy"
    assert message.body["body"] == {
        "contentType": "html",
        "content": "<p>Dear Jordan Example</p><img src='cid:logo'>",
    }
    assert message.body["toRecipients"] == [
        {"emailAddress": {"address": "jordan@parent.example", "name": "Jordan Example"}}
    ]
    assert message.body["ccRecipients"] == [
        {"emailAddress": {"address": "s.chair@oakfield.example", "name": "Sam Chair"}}
    ]
    assert {p["id"]: p["value"] for p in message.extended()} == {
        KEY_PROPERTY: "case-1:cmd-ban:ban",
        CASE_PROPERTY: "OAK-2026-0001",
    }
    docx, logo = message.attachments
    assert (docx.name, docx.content_type, docx.content, docx.is_inline) == (
        "OAK-2026-0001 ban.docx",
        DOCX,
        b"PK docx bytes",
        False,
    )
    assert (logo.is_inline, logo.content_id) == (True, "logo")
    # The whole draft in one request: the search for the tag, then the create.
    assert [m for m, _ in graph.requests] == ["GET", "POST", "GET"]
    assert reference.startswith("https://outlook.office365.com/owa/?ItemID=")


async def test_a_postal_letter_is_a_draft_with_no_to(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message]
) -> None:
    await drafts.create_draft(letter(to=Recipient("Jordan Example", None, ("1 Elm Road",))))

    (message,) = mailbox.values()
    assert message.body["toRecipients"] == []


async def test_an_attachment_of_3_mb_or_more_goes_through_an_upload_session(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message], graph: GraphStandIn
) -> None:
    big = bytes(range(256)) * (13 * 1024)  # 3.25 MiB
    await drafts.create_draft(letter(attachments=(Attachment("big.docx", DOCX, big),)))

    (message,) = mailbox.values()
    (attachment,) = message.attachments
    assert attachment.content == big
    assert attachment.name == "big.docx"
    paths = [p for _, p in graph.requests]
    assert any(p.endswith("/attachments/microsoft.graph.createUploadSession") for p in paths)
    assert "attachments" not in message.body  # not in the create: it would not fit


async def test_small_attachments_of_a_large_draft_are_posted_directly(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message], graph: GraphStandIn
) -> None:
    big = b"x" * (3 * 1024 * 1024 + 10)
    small = Attachment("note.txt", "text/plain", b"small")
    await drafts.create_draft(letter(attachments=(small, Attachment("big.docx", DOCX, big))))

    (message,) = mailbox.values()
    assert [(a.name, len(a.content)) for a in message.attachments] == [
        ("note.txt", 5),
        ("big.docx", len(big)),
    ]
    posts = [p for m, p in graph.requests if m == "POST"]
    assert sum(p.endswith("/attachments") for p in posts) == 1


async def test_drafting_the_same_key_again_finds_the_draft_and_makes_none(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message]
) -> None:
    first = await drafts.create_draft(letter())
    again = await drafts.create_draft(letter(subject="Changed"))

    assert again == first
    assert len(mailbox) == 1


async def test_a_create_whose_answer_was_lost_is_found_by_its_tag_and_not_made_again(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message], graph: GraphStandIn
) -> None:
    graph.drop_response(method="POST", path=r"/messages$")

    reference = await drafts.create_draft(letter())

    (message,) = mailbox.values()
    assert message.id in reference
    assert len(message.attachments) == 2
    assert await drafts.create_draft(letter()) == reference
    assert len(mailbox) == 1


async def test_a_draft_retried_after_a_timeout_is_one_draft(
    graph: GraphStandIn, http: aiohttp.ClientSession, mailbox: dict[str, Message]
) -> None:
    drafts = OutlookLetterDrafts(quick_client(graph, http), http)
    graph.stall(method="POST", path=r"/messages$")

    with pytest.raises(OutlookDraftError, match="not known yet whether the draft was made"):
        await drafts.create_draft(letter())
    assert mailbox == {}  # the create has not arrived yet

    graph.release_stalls()  # it arrives late, as a slow request does
    for _ in range(100):
        if mailbox:
            break
        await asyncio.sleep(0.01)
    reference = await drafts.create_draft(letter())

    (message,) = mailbox.values()
    assert message.id in reference
    assert len(message.attachments) == 2


async def test_throttled_then_accepted_makes_one_draft_after_the_waits_asked_for(
    drafts: OutlookLetterDrafts,
    mailbox: dict[str, Message],
    graph: GraphStandIn,
    sleeps: RecordedSleeps,
) -> None:
    graph.throttle(3, retry_after="1.5", method="POST", path=r"/messages$")

    await drafts.create_draft(letter())

    assert len(mailbox) == 1
    assert sleeps.waits == [1.5, 1.5, 1.5]


async def test_a_draft_found_without_its_attachments_gets_them_once(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message], graph: GraphStandIn
) -> None:
    big = b"y" * (3 * 1024 * 1024 + 1)
    draft = letter(attachments=(Attachment("big.docx", DOCX, big),))
    graph.fail(10, method="POST", path=r"createUploadSession$")

    with pytest.raises(OutlookDraftError, match="tried again"):
        await drafts.create_draft(draft)
    (message,) = mailbox.values()
    assert message.attachments == []

    graph.clear_faults()
    await drafts.create_draft(draft)
    await drafts.create_draft(draft)

    assert len(mailbox) == 1
    assert [len(a.content) for a in message.attachments] == [len(big)]


async def test_two_instances_drafting_one_key_at_once_leave_one_draft(
    client: GraphClient,
    http: aiohttp.ClientSession,
    mailbox: dict[str, Message],
    graph: GraphStandIn,
) -> None:
    first, second = OutlookLetterDrafts(client, http), OutlookLetterDrafts(client, http)

    references = await asyncio.gather(first.create_draft(letter()), second.create_draft(letter()))

    # Both searched before either made one, so both made one; the younger was removed.
    assert [m for m, _ in graph.requests].count("POST") == 2
    assert [m for m, _ in graph.requests].count("DELETE") == 1
    assert len(set(references)) == 1
    assert len(mailbox) == 1


async def test_concurrent_calls_in_one_instance_make_one_draft(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message], graph: GraphStandIn
) -> None:
    references = await asyncio.gather(*(drafts.create_draft(letter()) for _ in range(6)))

    assert len(set(references)) == 1
    assert len(mailbox) == 1
    assert not any(m == "DELETE" for m, _ in graph.requests)  # none made to be removed


async def test_the_read_back_says_draft_until_the_mailbox_shows_it_sent_and_when(
    drafts: OutlookLetterDrafts,
    mailbox: dict[str, Message],
    graph: GraphStandIn,
    http: aiohttp.ClientSession,
) -> None:
    signer = letter().signer
    assert (await drafts.sent_state(signer, letter().key)).status is SentStatus.MISSING
    await drafts.create_draft(letter())
    state = await drafts.sent_state(signer, letter().key)
    assert (state.status, state.sent_at) == (SentStatus.DRAFT, None)

    (message,) = mailbox.values()
    # The signer sends it from Outlook; it moves to Sent Items.
    message.folder, message.sent = "sentitems", "2026-12-03T10:04:00Z"

    state = await drafts.sent_state(signer, letter().key)
    assert state.status is SentStatus.SENT
    assert state.sent_at == datetime(2026, 12, 3, 10, 4, tzinfo=UTC)
    # A sent letter is never drafted again, nor touched.
    writes = len(graph.writes)
    await drafts.create_draft(letter())
    assert len(mailbox) == 1
    assert len(graph.writes) == writes


async def test_the_read_back_of_another_key_does_not_see_this_draft(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message]
) -> None:
    await drafts.create_draft(letter())

    state = await drafts.sent_state(letter().signer, "case-1:cmd-ban:ban:redated-1")
    assert state.status is SentStatus.MISSING


async def test_when_graph_is_down_the_error_says_so_and_no_draft_exists(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message], graph: GraphStandIn
) -> None:
    graph.fail(100, status=503)

    with pytest.raises(OutlookDraftError) as raised:
        await drafts.create_draft(letter())

    message = str(raised.value)
    assert message.startswith("Outlook could not be reached, so the draft could not be saved")
    assert "it will be tried again" in message
    assert "jordan" not in message.lower()
    assert HEAD not in message
    assert mailbox == {}


async def test_a_mailbox_the_app_may_not_use_names_the_fix(
    drafts: OutlookLetterDrafts, mailbox: dict[str, Message], graph: GraphStandIn
) -> None:
    graph.fail(5, status=403, path=r"/users/", message="Access is denied.")

    with pytest.raises(OutlookDraftError, match=r"Mail\.ReadWrite on the signers' mailboxes"):
        await drafts.create_draft(letter())
    assert mailbox == {}


async def test_a_signer_without_a_mailbox_is_named_as_a_configuration_problem(
    drafts: OutlookLetterDrafts, graph: GraphStandIn
) -> None:
    with pytest.raises(OutlookDraftError, match="no mailbox was found for the signer"):
        await drafts.create_draft(letter())
