"""The embedded default's notifier: a durable outbox in SQLite (ports.Notifier and
ports.DeliveryQueue).

`notify` only queues: each notification is stored once per key, with one delivery row per
recipient address, in one transaction. The deliverer (`bot/deliver.py`) claims due rows
(`claim_due`: a lease taken in a BEGIN IMMEDIATE transaction, so two instances on one file
never hold the same row), posts them, and records each outcome: sent only after the Bot
Connector answered 2xx, undeliverable after a 403/404, otherwise due again later. A
notification is delivered (`delivered_at`) once every address has a final outcome. Nothing
is lost across a crash or an outage, and queueing the same key twice keeps one row.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from casework.ports import ClaimedDelivery, Clock, DeliveryOutcome, Notification
from local.sqlite_store import Database, from_iso_utc, insert_notification, iso_utc

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

    def shares_transactions_with(self, store: object) -> bool:
        """`casework.ports.OutboxInStore`: the store's own file and connection."""
        return getattr(store, "database", None) is self._db

    async def notify(self, notification: Notification) -> None:
        queued_at = iso_utc(self._clock.now())

        def insert(connection: sqlite3.Connection) -> bool:
            return insert_notification(connection, notification, queued_at)

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

    # -- ports.DeliveryQueue -----------------------------------------------------------

    async def claim_due(
        self, now: datetime, *, limit: int, claimer: str, lease_s: float
    ) -> Sequence[ClaimedDelivery]:
        now_text = iso_utc(now)
        until = now + timedelta(seconds=lease_s)
        until_text = iso_utc(until)

        def claim(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            # One statement in a BEGIN IMMEDIATE transaction: no other writer runs between
            # choosing the rows and taking them.
            return connection.execute(
                "UPDATE deliveries SET claimed_until = ?, claimed_by = ?"
                " WHERE rowid IN (SELECT rowid FROM deliveries WHERE state = 'waiting'"
                " AND due_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)"
                " ORDER BY due_at LIMIT ?)"
                " RETURNING notification_key, address, attempts",
                (until_text, claimer, now_text, now_text, limit),
            ).fetchall()

        taken = await self._db.call(self._db.transaction(claim))
        claimed: list[ClaimedDelivery] = []
        for key, address, attempts in taken:
            queued = await self.get(key)
            if queued is None:  # pragma: no cover - a delivery row outlives no outbox row
                continue
            claimed.append(ClaimedDelivery(queued.notification, address, int(attempts), until))
        claimed.sort(key=lambda c: (c.notification.key, c.address))
        return claimed

    async def mark_sent(self, key: str, address: str, at: datetime, activity_id: str) -> None:
        await self._finish(key, address, at, "sent", None, activity_id)

    async def mark_undeliverable(self, key: str, address: str, at: datetime, reason: str) -> None:
        await self._finish(key, address, at, "undeliverable", reason, None)

    async def _finish(
        self,
        key: str,
        address: str,
        at: datetime,
        state: str,
        error: str | None,
        activity_id: str | None,
    ) -> None:
        at_text = iso_utc(at)

        def update(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE deliveries SET state = ?, done_at = ?, last_error = ?, activity_id = ?,"
                " attempts = attempts + 1, claimed_until = NULL"
                " WHERE notification_key = ? AND address = ? AND state = 'waiting'",
                (state, at_text, error, activity_id, key, address),
            )
            left = connection.execute(
                "SELECT 1 FROM deliveries WHERE notification_key = ? AND state = 'waiting'",
                (key,),
            ).fetchone()
            if left is None:
                connection.execute(
                    "UPDATE outbox SET delivered_at = ? WHERE key = ? AND delivered_at IS NULL",
                    (at_text, key),
                )

        await self._db.call(self._db.transaction(update))

    async def retry_at(self, key: str, address: str, due_at: datetime, error: str) -> None:
        def update(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE deliveries SET due_at = ?, last_error = ?, attempts = attempts + 1,"
                " claimed_until = NULL"
                " WHERE notification_key = ? AND address = ? AND state = 'waiting'",
                (iso_utc(due_at), error[:500], key, address),
            )
            connection.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE key = ?",
                (error[:500], key),
            )

        await self._db.call(self._db.transaction(update))

    async def unrecorded_outcomes(self, limit: int) -> Sequence[DeliveryOutcome]:
        def select(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return connection.execute(
                "SELECT notification_key, address, case_id, state, last_error FROM deliveries"
                " WHERE state <> 'waiting' AND recorded = 0 LIMIT ?",
                (limit,),
            ).fetchall()

        return tuple(
            DeliveryOutcome(
                case_id=case_id,
                notification_id=key.removeprefix(f"{case_id}:"),
                address=address,
                sent=state == "sent",
                reason=error or "",
            )
            for key, address, case_id, state, error in await self._db.call(select)
        )

    async def mark_recorded(self, key: str, address: str) -> None:
        def update(connection: sqlite3.Connection) -> None:
            connection.execute(
                "UPDATE deliveries SET recorded = 1 WHERE notification_key = ? AND address = ?",
                (key, address),
            )

        await self._db.call(self._db.transaction(update))

    async def deliveries(self, key: str) -> Sequence[tuple[str, str, int, str | None]]:
        """(address, state, attempts, last error) of each delivery of `key`, by address."""

        def select(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return connection.execute(
                "SELECT address, state, attempts, last_error FROM deliveries"
                " WHERE notification_key = ? ORDER BY address",
                (key,),
            ).fetchall()

        return tuple((a, s, int(n), e) for a, s, n, e in await self._db.call(select))

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
    " attempts, last_error, kind, reference"
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
        kind,
        reference,
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
            kind=kind,
            reference=reference,
        ),
        queued_at=from_iso_utc(queued_at),
        delivered_at=None if delivered_at is None else from_iso_utc(delivered_at),
        attempts=attempts,
        last_error=last_error,
    )
