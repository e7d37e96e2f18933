"""The embedded default's notifier: a durable outbox in SQLite (ports.Notifier).

`notify` only queues: each notification is stored once per key and stays undelivered until
a deliverer (Teams, in a later issue) calls `mark_delivered`. Nothing is lost across a crash
or an outage, and queueing the same key twice, from two instances at once, keeps one row.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from casework.ports import Clock, Notification
from local.sqlite_store import Database, from_iso_utc, iso_utc

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueuedNotification:
    """A notification in the outbox, with its delivery status."""

    notification: Notification
    queued_at: datetime
    delivered_at: datetime | None
    attempts: int
    last_error: str | None

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None


class SqliteOutbox:
    """`casework.ports.Notifier` that stores notifications durably until delivered.

    Open with `SqliteOutbox.open(path, clock=...)`; `path` may be the case store's file.
    """

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    @classmethod
    def open(cls, path: Path, *, clock: Clock) -> SqliteOutbox:
        return cls(Database.open(path), clock)

    def close(self) -> None:
        self._db.close()

    async def notify(self, notification: Notification) -> None:
        queued_at = iso_utc(self._clock.now())
        row = (
            notification.key,
            notification.case_id,
            notification.school_id,
            json.dumps(list(notification.recipients)),
            notification.channel,
            notification.title,
            notification.text,
            queued_at,
        )

        def insert(connection: sqlite3.Connection) -> bool:
            cursor = connection.execute(
                "INSERT INTO outbox (key, case_id, school_id, recipients, channel, title, text,"
                " queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                row,
            )
            return cursor.rowcount == 1

        if await self._db.call(self._db.transaction(insert)):
            log.info("case %s: notification %s queued", notification.case_id, notification.key)

    async def pending(self, limit: int | None = None) -> Sequence[Notification]:
        """Undelivered notifications, oldest first."""
        return tuple(q.notification for q in await self._select(undelivered_only=True, limit=limit))

    async def get(self, key: str) -> QueuedNotification | None:
        def select(connection: sqlite3.Connection) -> tuple[Any, ...] | None:
            row: tuple[Any, ...] | None = connection.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE key = ?", (key,)
            ).fetchone()
            return row

        row = await self._db.call(select)
        return None if row is None else _queued(row)

    async def all(self) -> Sequence[QueuedNotification]:
        """Every notification ever queued, oldest first (delivered or not)."""
        return await self._select(undelivered_only=False, limit=None)

    async def mark_delivered(self, key: str, at: datetime) -> None:
        """Record delivery. Marking an already delivered notification keeps the first time."""
        at_text = iso_utc(at)

        def update(connection: sqlite3.Connection) -> int:
            known = connection.execute("SELECT 1 FROM outbox WHERE key = ?", (key,)).fetchone()
            if known is None:
                raise KeyError(f"no notification {key!r} in the outbox")
            return connection.execute(
                "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL"
                " WHERE key = ? AND delivered_at IS NULL",
                (at_text, key),
            ).rowcount

        await self._db.call(self._db.transaction(update))

    async def record_failure(self, key: str, error: str) -> None:
        """Count a failed delivery attempt; the notification stays pending."""

        def update(connection: sqlite3.Connection) -> None:
            cursor = connection.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?"
                " WHERE key = ? AND delivered_at IS NULL",
                (error, key),
            )
            if cursor.rowcount == 0 and (
                connection.execute("SELECT 1 FROM outbox WHERE key = ?", (key,)).fetchone() is None
            ):
                raise KeyError(f"no notification {key!r} in the outbox")

        await self._db.call(self._db.transaction(update))

    async def _select(
        self, *, undelivered_only: bool, limit: int | None
    ) -> list[QueuedNotification]:
        where = "WHERE delivered_at IS NULL" if undelivered_only else ""

        def select(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return connection.execute(
                f"SELECT {_COLUMNS} FROM outbox {where} ORDER BY position LIMIT ?",
                (-1 if limit is None else limit,),
            ).fetchall()

        return [_queued(row) for row in await self._db.call(select)]


_COLUMNS = (
    "key, case_id, school_id, recipients, channel, title, text, queued_at, delivered_at,"
    " attempts, last_error"
)


def _queued(row: tuple[Any, ...]) -> QueuedNotification:
    (
        key,
        case_id,
        school_id,
        recipients,
        channel,
        title,
        text,
        queued_at,
        delivered_at,
        attempts,
        last_error,
    ) = row
    return QueuedNotification(
        notification=Notification(
            key=key,
            case_id=case_id,
            school_id=school_id,
            recipients=tuple(json.loads(recipients)),
            channel=channel,
            title=title,
            text=text,
        ),
        queued_at=from_iso_utc(queued_at),
        delivered_at=None if delivered_at is None else from_iso_utc(delivered_at),
        attempts=attempts,
        last_error=last_error,
    )
