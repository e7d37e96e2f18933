"""The outbox on a real SQLite file: nothing queued is lost, and each key is queued once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from casework.ports import NewEvent, Notification
from local.outbox import SqliteOutbox
from local.sqlite_store import SqliteCaseStore
from tests.fakes import FixedClock

QUEUED = datetime(2026, 11, 24, 9, tzinfo=UTC)
DELIVERED = QUEUED + timedelta(minutes=2)


def note(key: str, **changes: object) -> Notification:
    fields: dict[str, object] = {
        "key": key,
        "case_id": "case-1",
        "school_id": "oakfield",
        "recipients": ("a1000000-0000-4000-8000-000000000005",),
        "channel": "LAC clerks",
        "title": "Review due",
        "text": "OAK-2026-0001: the six-monthly review is due.",
    }
    fields.update(changes)
    return Notification(**fields)  # type: ignore[arg-type]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "cases.sqlite3"


@pytest.fixture
def outbox(path: Path) -> Iterator[SqliteOutbox]:
    opened = SqliteOutbox.open(path, clock=FixedClock(QUEUED))
    yield opened
    opened.close()


async def test_pending_lists_undelivered_notifications_oldest_first(outbox: SqliteOutbox) -> None:
    for key in ("b", "a", "c"):
        await outbox.notify(note(key))

    assert [n.key for n in await outbox.pending()] == ["b", "a", "c"]
    assert [n.key for n in await outbox.pending(limit=2)] == ["b", "a"]


async def test_a_delivered_notification_is_no_longer_pending(outbox: SqliteOutbox) -> None:
    await outbox.notify(note("a"))
    await outbox.notify(note("b"))

    await outbox.mark_delivered("a", DELIVERED)

    assert [n.key for n in await outbox.pending()] == ["b"]
    queued = await outbox.get("a")
    assert queued is not None
    assert queued.delivered
    assert queued.delivered_at == DELIVERED
    assert queued.queued_at == QUEUED
    assert queued.attempts == 1


async def test_queueing_a_delivered_key_again_does_not_send_it_again(outbox: SqliteOutbox) -> None:
    await outbox.notify(note("a"))
    await outbox.mark_delivered("a", DELIVERED)

    await outbox.notify(note("a"))

    assert await outbox.pending() == ()
    assert len(await outbox.all()) == 1


async def test_marking_twice_keeps_the_first_delivery_time(outbox: SqliteOutbox) -> None:
    await outbox.notify(note("a"))
    await outbox.mark_delivered("a", DELIVERED)

    await outbox.mark_delivered("a", DELIVERED + timedelta(hours=1))

    queued = await outbox.get("a")
    assert queued is not None
    assert queued.delivered_at == DELIVERED


async def test_a_failed_attempt_is_counted_and_the_notification_stays_pending(
    outbox: SqliteOutbox,
) -> None:
    await outbox.notify(note("a"))

    await outbox.record_failure("a", "Teams answered 503")
    await outbox.record_failure("a", "Teams answered 429")

    queued = await outbox.get("a")
    assert queued is not None
    assert (queued.attempts, queued.last_error, queued.delivered) == (
        2,
        "Teams answered 429",
        False,
    )
    assert [n.key for n in await outbox.pending()] == ["a"]


async def test_unknown_keys_are_refused(outbox: SqliteOutbox) -> None:
    assert await outbox.get("nope") is None
    with pytest.raises(KeyError):
        await outbox.mark_delivered("nope", DELIVERED)
    with pytest.raises(KeyError):
        await outbox.record_failure("nope", "error")


async def test_nothing_queued_is_lost_when_the_program_stops(path: Path) -> None:
    first = SqliteOutbox.open(path, clock=FixedClock(QUEUED))
    await first.notify(note("a", recipients=("x", "y"), channel=None))
    first.close()

    reopened = SqliteOutbox.open(path, clock=FixedClock(QUEUED))

    assert list(await reopened.pending()) == [note("a", recipients=("x", "y"), channel=None)]
    reopened.close()


async def test_two_instances_queueing_one_key_keep_one_row(path: Path) -> None:
    clock = FixedClock(QUEUED)
    one, two = SqliteOutbox.open(path, clock=clock), SqliteOutbox.open(path, clock=clock)

    await asyncio.gather(*(box.notify(note("a")) for box in (one, two) for _ in range(5)))

    assert len(await one.all()) == 1
    one.close()
    two.close()


async def test_the_outbox_can_share_the_case_stores_file(path: Path) -> None:
    store = SqliteCaseStore.open(path)
    outbox = SqliteOutbox(store.database, FixedClock(QUEUED))
    await store.append(
        "case-1",
        0,
        [NewEvent("review_due", {})],
        actor_id="system",
        at=QUEUED,
        command_id="sweep",
        activity_id=None,
    )

    await outbox.notify(note("case-1/review-due"))

    assert [n.key for n in await outbox.pending()] == ["case-1/review-due"]
    assert len(await store.load("case-1")) == 1
    store.close()
