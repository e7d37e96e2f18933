"""Conversation references from activities, and proactive prompts posted with them to the
loopback Bot Connector (its Swagger schema and the Adaptive Card schema check each body)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from bot.connector import ConnectorClients
from bot.conversations import reference_from
from bot.deliver import ChannelResolver, Deliverer, MemoryUnpostedReplies
from casework.ports import ClaimedDelivery, Notification
from tests.fakes import FixedClock, InMemoryConversations
from tests.harness import LoopbackConnector, TeamsClient
from tests.harness.identities import HEAD, StaticOutboundTokens

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as client_session:
        yield client_session


def channel_activity(client: TeamsClient, **changes: Any) -> dict[str, Any]:
    activity = client.activity(
        HEAD,
        "conversationUpdate",
        conversation={
            "id": "19:clerks@thread.tacv2;messageid=1700000000",
            "conversationType": "channel",
            "tenantId": HEAD.tenant_id,
        },
        channelData={
            "tenant": {"id": HEAD.tenant_id},
            "team": {"id": "19:team@thread.tacv2"},
            "channel": {"id": "19:clerks@thread.tacv2", "name": "LAC clerks"},
        },
        membersAdded=[{"id": "28:safe-premises-bot"}],
    )
    activity.update(changes)
    return activity


def test_a_personal_chat_is_stored_under_the_users_object_id(
    session: aiohttp.ClientSession, connector: LoopbackConnector
) -> None:
    client = TeamsClient(session, "", connector, None)
    found = reference_from(
        client.activity(HEAD, "installationUpdate", action="add"), AT, allow_loopback_http=True
    )
    assert found is not None
    assert found.address == f"user:{HEAD.aad_object_id}"
    assert found.conversation_id == HEAD.personal_conversation_id
    assert (found.service_url, found.tenant_id) == (connector.service_url, HEAD.tenant_id)


@pytest.mark.parametrize(
    ("service_url", "loopback_allowed"),
    [
        ("http://127.0.0.1:9/", False),  # http only on loopback, and only where allowed
        ("http://smba.example.net/", True),  # http elsewhere: never
        ("https://user:pw@smba.example.net/", True),
        ("not a url", True),
    ],
)
def test_a_service_url_a_prompt_must_not_go_to_is_not_stored(
    session: aiohttp.ClientSession,
    connector: LoopbackConnector,
    service_url: str,
    loopback_allowed: bool,
) -> None:
    client = TeamsClient(session, "", connector, None)
    activity = client.activity(HEAD, "message", text="hi", serviceUrl=service_url)
    assert reference_from(activity, AT, allow_loopback_http=loopback_allowed) is None


def test_a_thread_in_a_channel_is_stored_as_the_channel(
    session: aiohttp.ClientSession, connector: LoopbackConnector
) -> None:
    client = TeamsClient(session, "", connector, None)
    found = reference_from(channel_activity(client), AT, allow_loopback_http=True)
    assert found is not None
    assert found.address == "channel:19:clerks@thread.tacv2"
    assert found.conversation_id == "19:clerks@thread.tacv2"  # a new post, not the thread
    assert found.channel_name == "LAC clerks"


@pytest.mark.parametrize("configured_id", ["19:clerks@thread.tacv2", None])
async def test_the_clerks_prompt_is_posted_to_the_channel_by_id_or_by_name(
    session: aiohttp.ClientSession, connector: LoopbackConnector, configured_id: str | None
) -> None:
    client = TeamsClient(session, "", connector, None)
    conversations = InMemoryConversations()
    stored = reference_from(channel_activity(client), AT, allow_loopback_http=True)
    assert stored is not None
    await conversations.remember(stored)

    class OneNotification:
        """A queue holding one due delivery to the clerks' channel."""

        def __init__(self) -> None:
            self.sent: list[str] = []

        async def claim_due(self, now: datetime, **_: Any) -> list[Any]:
            if self.sent:
                return []
            note = Notification(
                key="case-1:n-1",
                case_id="case-1",
                school_id="oakfield",
                channel="LAC clerks",
                title="Case OAK-2026-0001: the committee's review is due soon",
                text="Please arrange the review.",
                reference="OAK-2026-0001",
            )
            return [ClaimedDelivery(note, "channel:oakfield", 0, now)]

        async def mark_sent(self, key: str, address: str, at: datetime, activity_id: str) -> None:
            self.sent.append(address)

        async def unrecorded_outcomes(self, limit: int) -> list[Any]:
            return []

    queue = OneNotification()
    deliverer = Deliverer(
        ConnectorClients(session, StaticOutboundTokens()),
        FixedClock(AT),
        MemoryUnpostedReplies(),
        queue=queue,  # type: ignore[arg-type]
        conversations=conversations,
        channels=ChannelResolver(lambda school: (configured_id, "LAC clerks")),
    )
    await deliverer.deliver_due()
    assert queue.sent == ["channel:oakfield"]
    (posted,) = connector.activities_in("19:clerks@thread.tacv2")
    assert posted.body["channelData"] == {"tenant": {"id": HEAD.tenant_id}}
    (card,) = posted.cards
    assert card["actions"][0]["data"] == {"reference": "OAK-2026-0001"}
