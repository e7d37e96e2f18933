"""Reception's list in the embedded SQLite store (migration 6): written with the case's
projection, and rebuilt by the catch-up for a file whose rows predate it."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from casework.bootstrap import embedded, prepare
from casework.catchup import PROJECTION, catch_up
from casework.pipeline import Casework
from local.sqlite_store import SqliteCaseStore
from tests.builders import at
from tests.case_paths import banned
from tests.casework_world import EXAMPLE_CONFIG
from tests.fakes import FixedClock

MONDAY = date(2026, 1, 12)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[Casework, FixedClock]]:
    clock = FixedClock(at(MONDAY, 9))
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, clock) as casework:
        yield casework, clock


async def test_a_ban_is_on_the_list_as_soon_as_it_is_recorded(
    world: tuple[Casework, FixedClock],
) -> None:
    casework, clock = world
    await banned(casework, clock)

    (entry,) = await casework.ports.store.reception_list("oakfield", on=MONDAY, limit=10)
    assert entry.person_name == "Jordan Example"
    assert entry.banned
    summary = await casework.ports.store.case_by_reference("OAK-2026-0001")
    assert summary is not None
    assert summary.case_id == entry.case_id


async def test_the_catch_up_rebuilds_the_list_for_rows_written_before_it(
    world: tuple[Casework, FixedClock],
) -> None:
    casework, clock = world
    await banned(casework, clock)
    store = casework.ports.store
    assert isinstance(store, SqliteCaseStore)

    def as_before_migration_6(connection: sqlite3.Connection) -> None:
        # What migration 6 leaves a file with: no list yet, every case to project again.
        connection.execute("DELETE FROM reception_list")
        connection.execute("UPDATE cases SET projected_seq = 0")
        connection.execute("DELETE FROM checkpoints WHERE name = ?", (PROJECTION,))

    store.database.run(store.database.transaction(as_before_migration_6))
    assert await store.reception_list("oakfield", on=MONDAY, limit=10) == ()

    await catch_up(casework)

    (entry,) = await store.reception_list("oakfield", on=MONDAY, limit=10)
    assert entry.person_name == "Jordan Example"
