"""The follow-ups' migration: a store file written before the sweeper followed people's
steps up has no wake-up rows for them; once migrated, the catch-up projects every case
again, and the sweep finds and sends the follow-ups that are due."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from casework import bus as uc
from casework.bootstrap import STORE_FILE, embedded, prepare
from casework.sweeper import sweep
from local.sqlite_store import SCHEMA_VERSION, SqliteCaseStore
from tests.builders import at, person, violent_incident
from tests.casework_world import EXAMPLE_CONFIG, STAFF
from tests.fakes import FixedClock

MONDAY = date(2026, 1, 12)
THURSDAY = date(2026, 1, 15)
NOT_STARTED = "follow-up:assessment-not-started:incident-1"


async def test_a_case_recorded_before_the_follow_ups_is_followed_up_after_the_migration(
    tmp_path: Path,
) -> None:
    clock = FixedClock(at(MONDAY, 9))
    prepared = prepare(EXAMPLE_CONFIG)
    async with embedded(prepared, tmp_path, clock) as old:
        outcome = await uc.report_incident(
            old,
            STAFF,
            command_id="cmd-report",
            school_id="oakfield",
            person=person(),
            incident=violent_incident(at(MONDAY, 8)),
        )
        store = old.ports.store
        assert isinstance(store, SqliteCaseStore)

        def as_an_older_version_left_it(connection: sqlite3.Connection) -> None:
            # No wake-up rows for the follow-ups, the rows marked as fully projected.
            connection.execute("DELETE FROM deadlines WHERE role IS NULL")
            connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION - 1,))

        store.database.run(store.database.transaction(as_an_older_version_left_it))
    assert (tmp_path / STORE_FILE).exists()

    clock.to_day(THURSDAY, 6)
    async with embedded(prepared, tmp_path, clock) as upgraded:
        report = await sweep(upgraded, THURSDAY)
        assert report.applied == (f"system:reminders:{NOT_STARTED}",)
        folded = await upgraded.load_folded(outcome.case_id)
        assert folded is not None
        assert folded.view.notification(NOT_STARTED) is not None
