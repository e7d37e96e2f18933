"""The sweeper's due query reads only the sweeper's own rows of the due index (migration 7,
`deadlines_sweeper_due`, role NULL), however many people's rows are due before them
(docs/performance.md). Pinned by SQLite's query plan and by the work SQLite does (virtual
machine steps), not by timing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from local.sqlite_store import SWEEPER_DUE_BATCH_QUERY, SqliteCaseStore

DAY = date(2026, 3, 2)


def plan(store: SqliteCaseStore) -> str:
    rows = store.database.run(
        lambda c: c.execute(
            f"EXPLAIN QUERY PLAN {SWEEPER_DUE_BATCH_QUERY}", (DAY.isoformat(), "", "", "", 200)
        ).fetchall()
    )
    return " | ".join(str(row[3]) for row in rows)


def add_rows(store: SqliteCaseStore, people: int, sweepers: int) -> None:
    """`people` rows of people's deadlines (role set), all due before the sweeper's own
    `sweepers` rows (role NULL), all of them due by DAY."""

    def insert(c: sqlite3.Connection) -> None:
        c.executemany(
            "INSERT INTO deadlines (case_id, school_id, role, action, due) VALUES (?, ?, ?, ?, ?)",
            [
                (f"person-{i}", "oakfield", "headteacher", "send-letter", "2026-01-05")
                for i in range(people)
            ],
        )
        c.executemany(
            "INSERT INTO deadlines (case_id, school_id, role, action, due) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    f"sweep-{i}",
                    "oakfield",
                    None,
                    "close-window",
                    (DAY - timedelta(days=1)).isoformat(),
                )
                for i in range(sweepers)
            ],
        )

    store.database.run(store.database.transaction(insert))


def steps_of_sweeper_query(store: SqliteCaseStore) -> tuple[int, int]:
    """(SQLite virtual-machine steps, rows returned) for a batch of the sweeper's rows."""
    counted = [0]

    def run(c: sqlite3.Connection) -> int:
        def tick() -> int:
            counted[0] += 1
            return 0

        c.set_progress_handler(tick, 1)
        try:
            rows = c.execute(SWEEPER_DUE_BATCH_QUERY, (DAY.isoformat(), "", "", "", 200)).fetchall()
        finally:
            c.set_progress_handler(None, 1)
        return len(rows)

    returned = store.database.run(run)
    return counted[0], returned


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteCaseStore]:
    opened = SqliteCaseStore.open(tmp_path / "cases.sqlite3")
    yield opened
    opened.close()


def test_the_sweepers_due_query_searches_its_own_partial_index(store: SqliteCaseStore) -> None:
    assert "USING INDEX deadlines_sweeper_due" in plan(store)
    add_rows(store, people=3000, sweepers=10)
    assert "USING INDEX deadlines_sweeper_due" in plan(store)
    store.database.run(lambda c: c.execute("ANALYZE"))  # with statistics, too
    assert "USING INDEX deadlines_sweeper_due" in plan(store)


def test_the_sweepers_due_query_does_the_same_work_behind_any_number_of_peoples_rows(
    tmp_path: Path,
) -> None:
    work: list[int] = []
    for people in (0, 20_000):
        store = SqliteCaseStore.open(tmp_path / f"{people}.sqlite3")
        try:
            add_rows(store, people=people, sweepers=10)
            steps, returned = steps_of_sweeper_query(store)
        finally:
            store.close()
        assert returned == 10
        work.append(steps)
    # Without the partial index SQLite reads each of the 20,000 people's rows first.
    assert work[1] <= work[0] * 1.2 + 50, work
