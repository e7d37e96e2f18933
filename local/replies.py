"""Replies the Bot Connector did not accept, kept in the embedded SQLite file until the
deliverer posts them (`bot/deliver.py`): a restart or a crash loses none.

Each reply is claimed with a lease, in a BEGIN IMMEDIATE transaction, so two instances on
one file never post the same reply at once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from casework.ports import UnpostedReply
from local.sqlite_store import Database, iso_utc


class SqliteUnpostedReplies:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self,
        *,
        service_url: str,
        conversation_id: str,
        reply_to_id: str | None,
        body: Mapping[str, Any],
        activity_id: str,
        due_at: datetime,
    ) -> None:
        row = (service_url, conversation_id, reply_to_id, json.dumps(dict(body)), activity_id)

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO unposted_replies (service_url, conversation_id, reply_to_id, body,"
                " activity_id, due_at) VALUES (?, ?, ?, ?, ?, ?)",
                (*row, iso_utc(due_at)),
            )

        await self._db.call(self._db.transaction(insert))

    async def claim_due(
        self, now: datetime, *, limit: int, lease_s: float
    ) -> Sequence[UnpostedReply]:
        now_text = iso_utc(now)
        until = iso_utc(now + timedelta(seconds=lease_s))

        def claim(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return connection.execute(
                "UPDATE unposted_replies SET claimed_until = ? WHERE id IN (SELECT id FROM"
                " unposted_replies WHERE due_at <= ? AND (claimed_until IS NULL OR"
                " claimed_until <= ?) ORDER BY due_at, id LIMIT ?) RETURNING id, service_url,"
                " conversation_id, reply_to_id, body, activity_id, attempts",
                (until, now_text, now_text, limit),
            ).fetchall()

        rows = await self._db.call(self._db.transaction(claim))
        return sorted(
            (
                UnpostedReply(int(i), url, conv, to, json.loads(body), activity, int(n))
                for i, url, conv, to, body, activity, n in rows
            ),
            key=lambda r: r.reply_id,
        )

    async def posted(self, reply_id: int) -> None:
        """Posted (or given up): the reply is removed."""
        await self._db.call(
            self._db.transaction(
                lambda c: c.execute("DELETE FROM unposted_replies WHERE id = ?", (reply_id,))
            )
        )

    async def retry_at(self, reply_id: int, due_at: datetime) -> None:
        await self._db.call(
            self._db.transaction(
                lambda c: c.execute(
                    "UPDATE unposted_replies SET due_at = ?, attempts = attempts + 1,"
                    " claimed_until = NULL WHERE id = ?",
                    (iso_utc(due_at), reply_id),
                )
            )
        )

    async def count(self) -> int:
        (n,) = await self._db.call(
            lambda c: c.execute("SELECT COUNT(*) FROM unposted_replies").fetchone()
        )
        return int(n)
