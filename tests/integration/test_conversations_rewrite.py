"""The embedded store does not rewrite a conversation reference that has not changed: most
activities come from a conversation already stored, and each rewrite was a durable commit
of its own on every turn. A change is written at once; an unchanged reference is written
again after `REWRITE_UNCHANGED_AFTER`, so its time stays within that of the last activity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from casework.ports import NOT_REACHABLE_YET, ConversationReference
from local import sqlite_store
from local.conversations import REWRITE_UNCHANGED_AFTER, SqliteConversations
from local.sqlite_store import Database

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
ADDRESS = "user:a1000000-0000-4000-8000-000000000001"
SEEN = ConversationReference(
    address=ADDRESS,
    service_url="https://smba.trafficmanager.net/uk/",
    conversation_id="a:personal-chat",
    tenant_id="tenant-1",
    bot_id="28:bot",
    updated_at=AT,
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[tuple[SqliteConversations, list[int]]]:
    database = Database.open(tmp_path / "cases.sqlite3")
    commits = [0]
    transaction = sqlite_store.Database.transaction

    def counted(self_: Database, work: Any) -> Any:
        inner = transaction(self_, work)

        def run(connection: Any) -> Any:
            result = inner(connection)
            commits[0] += 1
            return result

        return run

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sqlite_store.Database, "transaction", counted)
        yield SqliteConversations(database), commits
    database.close()


async def test_the_same_reference_seen_again_soon_is_not_written_again(
    store: tuple[SqliteConversations, list[int]],
) -> None:
    conversations, commits = store
    await conversations.remember(SEEN)
    assert commits == [1]
    for minutes in (1, 10, 59):
        await conversations.remember(replace(SEEN, updated_at=AT + timedelta(minutes=minutes)))
    assert commits == [1]
    assert await conversations.reference(ADDRESS) == SEEN  # the time it was written


async def test_a_moved_conversation_is_written_at_once(
    store: tuple[SqliteConversations, list[int]],
) -> None:
    conversations, commits = store
    await conversations.remember(SEEN)
    moved = replace(
        SEEN,
        service_url="https://smba.trafficmanager.net/emea/",
        updated_at=AT + timedelta(minutes=1),
    )
    await conversations.remember(moved)
    assert commits == [2]
    assert await conversations.reference(ADDRESS) == moved
    renamed = replace(moved, channel_name="Clerks", updated_at=AT + timedelta(minutes=2))
    await conversations.remember(renamed)
    assert await conversations.reference(ADDRESS) == renamed


async def test_an_unchanged_reference_is_written_again_after_an_hour(
    store: tuple[SqliteConversations, list[int]],
) -> None:
    conversations, commits = store
    await conversations.remember(SEEN)
    later = replace(SEEN, updated_at=AT + REWRITE_UNCHANGED_AFTER)
    await conversations.remember(later)
    assert commits == [2]
    assert await conversations.reference(ADDRESS) == later


async def test_a_reference_another_instance_replaced_is_put_back_within_the_hour(
    tmp_path: Path,
) -> None:
    # Two instances on one file, Teams sending from two serviceUrls at once (a move under
    # way): each instance skips only what it wrote itself, and for at most the hour.
    one = SqliteConversations(Database.open(tmp_path / "cases.sqlite3"))
    other = SqliteConversations(Database.open(tmp_path / "cases.sqlite3"))
    await one.remember(SEEN)
    moved = replace(SEEN, service_url="https://smba.trafficmanager.net/emea/")
    await other.remember(replace(moved, updated_at=AT + timedelta(minutes=1)))
    await one.remember(replace(SEEN, updated_at=AT + timedelta(minutes=2)))
    found = await one.reference(ADDRESS)
    assert found is not None
    assert found.service_url == moved.service_url  # the other's, both recently seen
    back = replace(SEEN, updated_at=AT + REWRITE_UNCHANGED_AFTER)
    await one.remember(back)
    assert await one.reference(ADDRESS) == back


def _waiting(connection: Any, key: str, address: str, due: datetime, error: str) -> None:
    connection.execute(
        "INSERT INTO deliveries (notification_key, address, case_id, state, due_at, attempts,"
        " last_error) VALUES (?, ?, 'case-1', 'waiting', ?, 3, ?)",
        (key, address, sqlite_store.iso_utc(due), error),
    )


def _due(connection: Any) -> dict[str, str]:
    rows = connection.execute("SELECT notification_key, due_at FROM deliveries").fetchall()
    return {key: due for key, due in rows}


async def test_a_prompt_waiting_for_someone_to_install_the_app_is_due_once_they_have(
    tmp_path: Path,
) -> None:
    database = Database.open(tmp_path / "cases.sqlite3")
    in_an_hour = AT + timedelta(hours=1)
    database.run(lambda c: _waiting(c, "waited", ADDRESS, in_an_hour, NOT_REACHABLE_YET))
    # Waiting out Teams' Retry-After, or for someone else: left as they were.
    database.run(lambda c: _waiting(c, "throttled", ADDRESS, in_an_hour, "Teams answered 429"))
    database.run(lambda c: _waiting(c, "other", "user:other", in_an_hour, NOT_REACHABLE_YET))

    await SqliteConversations(database).remember(SEEN)

    due = database.run(_due)
    database.close()
    assert due == {
        "waited": sqlite_store.iso_utc(AT),
        "throttled": sqlite_store.iso_utc(in_an_hour),
        "other": sqlite_store.iso_utc(in_an_hour),
    }
