"""Where Teams prompts go, in the embedded SQLite file (ports.Conversations).

One row per address, replaced by every activity seen there (Teams may move a conversation
to another serviceUrl). The bot validates what it stores (`bot/conversations.py`); this
store checks again that the serviceUrl is one a reply may be posted to.

A reference this store object wrote less than `REWRITE_UNCHANGED_AFTER` ago, identical but
for the time it was seen, is not written again: most activities come from a conversation
already stored, and rewriting the same row was a durable commit of its own on every turn.
Any change (a new serviceUrl, a renamed channel) is written at once; `updated_at` is the
time the row was last written, at most that long before the last activity seen there.

Writing a reference also makes due at once the deliveries to that address that waited only
because it could not be reached yet (`NOT_REACHABLE_YET`): a head who installs the app
gets the prompt waiting for her within the deliverer's next round, not at its next back-off.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from casework.ports import NOT_REACHABLE_YET, ConversationReference
from local.sqlite_store import Database, from_iso_utc, iso_utc

REWRITE_UNCHANGED_AFTER = timedelta(hours=1)


class SqliteConversations:
    def __init__(self, database: Database) -> None:
        self._db = database
        # address: (the row as last written, but its time; when it was written)
        self._written: dict[str, tuple[tuple[Any, ...], datetime]] = {}

    async def remember(self, reference: ConversationReference) -> None:
        if reference.updated_at is None:
            raise ValueError("a conversation reference is stored with the time it was seen")
        seen_at = reference.updated_at
        written = self._written.get(reference.address)
        row = (
            reference.address,
            reference.service_url,
            reference.conversation_id,
            reference.tenant_id,
            reference.bot_id,
            reference.channel_id,
            reference.channel_name,
            iso_utc(reference.updated_at),
        )

        def upsert(connection: sqlite3.Connection) -> None:
            connection.execute(
                f"INSERT OR REPLACE INTO conversations ({_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            # Prompts that waited only because this person could not be reached yet are
            # due now, not at their next back-off (which may be an hour away).
            connection.execute(
                "UPDATE deliveries SET due_at = ? WHERE address = ? AND state = 'waiting'"
                " AND last_error = ? AND due_at > ?",
                (row[-1], reference.address, NOT_REACHABLE_YET, row[-1]),
            )

        if (
            written is not None
            and written[0] == row[:-1]
            and timedelta(0) <= seen_at - written[1] < REWRITE_UNCHANGED_AFTER
        ):
            return  # the row on file says the same, written less than an hour ago
        await self._db.call(self._db.transaction(upsert))
        self._written[reference.address] = (row[:-1], seen_at)

    async def reference(self, address: str) -> ConversationReference | None:
        def select(connection: sqlite3.Connection) -> tuple[Any, ...] | None:
            found: tuple[Any, ...] | None = connection.execute(
                f"SELECT {_COLUMNS} FROM conversations WHERE address = ?", (address,)
            ).fetchone()
            return found

        row = await self._db.call(select)
        return None if row is None else _reference(row)

    async def reference_by_channel_name(self, name: str) -> ConversationReference | None:
        def select(connection: sqlite3.Connection) -> tuple[Any, ...] | None:
            found: tuple[Any, ...] | None = connection.execute(
                f"SELECT {_COLUMNS} FROM conversations WHERE channel_name = ?"
                " AND address LIKE 'channel:%' ORDER BY updated_at DESC LIMIT 1",
                (name,),
            ).fetchone()
            return found

        row = await self._db.call(select)
        return None if row is None else _reference(row)

    async def known(self, addresses: Sequence[str]) -> frozenset[str]:
        wanted = list(dict.fromkeys(addresses))
        if not wanted:
            return frozenset()

        def select(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            marks = ", ".join("?" for _ in wanted)
            return connection.execute(
                f"SELECT address FROM conversations WHERE address IN ({marks})", wanted
            ).fetchall()

        return frozenset(str(a) for (a,) in await self._db.call(select))


_COLUMNS = (
    "address, service_url, conversation_id, tenant_id, bot_id, channel_id, channel_name, updated_at"
)


def _reference(row: tuple[Any, ...]) -> ConversationReference:
    address, service_url, conversation_id, tenant_id, bot_id, channel_id, name, at = row
    return ConversationReference(
        address=address,
        service_url=service_url,
        conversation_id=conversation_id,
        tenant_id=tenant_id,
        bot_id=bot_id,
        channel_id=channel_id,
        channel_name=name,
        updated_at=from_iso_utc(at),
    )
