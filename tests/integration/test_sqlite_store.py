"""The SQLite case store on a real file: what the contract tests cannot show on a fake —
several store objects and processes on one file, crashes, reopening, the schema."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from casework.ports import NewEvent, SequenceTaken, StoredEvent, StoreUnavailable
from local.sqlite_store import DUE_BY_QUERY, SCHEMA_VERSION, SqliteCaseStore
from tests.fakes import summary_for_test

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
HEAD = "a1000000-0000-4000-8000-000000000001"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "cases.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteCaseStore]:
    opened = SqliteCaseStore.open(path)
    yield opened
    opened.close()


async def append(
    store: SqliteCaseStore, expected_seq: int, *kinds: str, command_id: str = "cmd-1"
) -> tuple[StoredEvent, ...]:
    stored = await store.append(
        "case-1",
        expected_seq,
        [NewEvent(kind, {"kind": kind}) for kind in kinds],
        actor_id=HEAD,
        at=AT,
        command_id=command_id,
        activity_id=None,
    )
    return tuple(stored)


def test_open_creates_the_folders_the_file_and_uses_wal(path: Path) -> None:
    store = SqliteCaseStore.open(path)
    store.close()

    assert path.is_file()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [
            (SCHEMA_VERSION,)
        ]
    connection.close()


def test_two_store_objects_racing_in_threads_never_both_win(path: Path) -> None:
    first, second = SqliteCaseStore.open(path), SqliteCaseStore.open(path)
    rounds = 25
    outcomes: list[list[str]] = [[] for _ in range(rounds)]
    barrier = threading.Barrier(2)

    def race(store: SqliteCaseStore, name: str) -> None:
        for n in range(rounds):
            barrier.wait()
            try:
                asyncio.run(append(store, n, f"{name}-{n}", command_id=f"{name}-{n}"))
            except SequenceTaken:
                continue
            outcomes[n].append(name)

    threads = [
        threading.Thread(target=race, args=(first, "first")),
        threading.Thread(target=race, args=(second, "second")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(len(winners) == 1 for winners in outcomes)
    loaded = asyncio.run(first.load("case-1"))
    assert [e.seq for e in loaded] == list(range(1, rounds + 1))
    assert [e.kind for e in loaded] == [f"{w[0]}-{n}" for n, w in enumerate(outcomes)]
    first.close()
    second.close()


async def test_events_come_back_in_order_with_every_field(store: SqliteCaseStore) -> None:
    await store.append(
        "case-1",
        0,
        [NewEvent("incident_reported", {"where": "playground"}), NewEvent("b", {})],
        actor_id=HEAD,
        at=AT,
        command_id="cmd-1",
        activity_id="f:activity-1",
    )
    await store.append(
        "case-1",
        2,
        [NewEvent("risk_assessed", {"risk": "high"})],
        actor_id="system",
        at=datetime(2026, 11, 25, 8, tzinfo=UTC),
        command_id="cmd-2",
        activity_id=None,
    )

    loaded = await store.load("case-1")

    assert loaded == (
        StoredEvent(
            "case-1", 1, "incident_reported", {"where": "playground"}, HEAD, AT,
            "cmd-1", "f:activity-1",
        ),
        StoredEvent("case-1", 2, "b", {}, HEAD, AT, "cmd-1", "f:activity-1"),
        StoredEvent(
            "case-1", 3, "risk_assessed", {"risk": "high"}, "system",
            datetime(2026, 11, 25, 8, tzinfo=UTC), "cmd-2", None,
        ),
    )  # fmt: skip
    assert all(e.at.tzinfo is not None for e in loaded)


async def test_a_failure_half_way_through_an_append_leaves_nothing(store: SqliteCaseStore) -> None:
    # A trigger makes the second insert of the batch fail inside the transaction, after the
    # first row was written, as a disk error would.
    store.database.run(
        lambda c: c.execute(
            "CREATE TEMP TRIGGER fail_second BEFORE INSERT ON events WHEN NEW.seq = 2"
            " BEGIN SELECT RAISE(ABORT, 'simulated failure'); END"
        )
    )

    with pytest.raises(sqlite3.IntegrityError, match="simulated failure"):
        await append(store, 0, "incident_reported", "statement_added")

    assert await store.load("case-1") == ()
    store.database.run(lambda c: c.execute("DROP TRIGGER fail_second"))
    assert [e.seq for e in await append(store, 0, "incident_reported")] == [1]


async def test_data_that_is_not_json_as_the_second_event_leaves_nothing(
    store: SqliteCaseStore,
) -> None:
    batch = [NewEvent("incident_reported", {"ok": True}), NewEvent("x", {"obj": object()})]

    with pytest.raises(TypeError):
        await store.append(
            "case-1", 0, batch, actor_id=HEAD, at=AT, command_id="c", activity_id=None
        )

    assert await store.load("case-1") == ()


async def test_a_process_killed_mid_append_leaves_nothing(path: Path) -> None:
    SqliteCaseStore.open(path).close()
    # Another process writes one event of a batch, then dies before committing.
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"INSERT INTO events VALUES ('case-1', 1, 'x', '{}', 'a', 't', 'c', NULL)\")\n"
        "os._exit(9)\n"
    )
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, str(path))
    assert await process.wait() == 9

    reopened = SqliteCaseStore.open(path)
    assert await reopened.load("case-1") == ()
    assert [e.seq for e in await append(reopened, 0, "incident_reported")] == [1]
    reopened.close()


async def test_everything_survives_reopening(path: Path) -> None:
    store = SqliteCaseStore.open(path)
    written = await append(store, 0, "incident_reported", "statement_added")
    summary = summary_for_test("case-1", next_deadline=date(2026, 12, 8))
    await store.save_summary(summary, [])
    await store.allocate_reference("OAK", 2026)
    store.close()

    reopened = SqliteCaseStore.open(path)

    assert await reopened.load("case-1") == written
    assert await reopened.summary("case-1") == summary
    assert await reopened.allocate_reference("OAK", 2026) == "OAK-2026-0002"
    reopened.close()


async def test_references_are_never_reused_across_store_objects(path: Path) -> None:
    first, second = SqliteCaseStore.open(path), SqliteCaseStore.open(path)

    refs = await asyncio.gather(
        *(s.allocate_reference("OAK", 2026) for s in (first, second) for _ in range(10))
    )

    assert sorted(refs) == [f"OAK-2026-{n:04d}" for n in range(1, 21)]
    first.close()
    second.close()


async def test_a_writer_holding_the_file_too_long_makes_the_store_unavailable(path: Path) -> None:
    store = SqliteCaseStore.open(path, busy_timeout=0.05)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreUnavailable):
            await append(store, 0, "incident_reported")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    assert [e.seq for e in await append(store, 0, "incident_reported")] == [1]
    store.close()


async def test_ping_answers_while_open_and_refuses_once_closed(path: Path) -> None:
    store = SqliteCaseStore.open(path)
    await store.ping()

    store.close()

    with pytest.raises(StoreUnavailable):
        await store.ping()
    with pytest.raises(StoreUnavailable):
        await store.load("case-1")


def test_a_file_from_a_newer_version_is_refused(path: Path) -> None:
    SqliteCaseStore.open(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    connection.close()

    with pytest.raises(StoreUnavailable, match="newer"):
        SqliteCaseStore.open(path)


def test_a_file_that_is_not_a_database_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database, just some text that happens to be long enough")

    with pytest.raises(StoreUnavailable, match=str(path.name)):
        SqliteCaseStore.open(path)


async def test_naive_times_are_refused(store: SqliteCaseStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.append(
            "case-1",
            0,
            [NewEvent("x", {})],
            actor_id=HEAD,
            at=datetime(2026, 11, 24, 9, 30),  # noqa: DTZ001 - the mistake under test
            command_id="c",
            activity_id=None,
        )
    assert await store.load("case-1") == ()


def test_what_is_due_is_answered_from_the_deadline_index(store: SqliteCaseStore) -> None:
    plan = store.database.run(
        lambda c: c.execute("EXPLAIN QUERY PLAN " + DUE_BY_QUERY, ("2026-12-08",)).fetchall()
    )

    details = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX deadlines_by_due" in details
    assert "TEMP B-TREE" not in details  # no sort: the index gives the order


def test_loading_a_case_and_finding_a_command_use_indexes(store: SqliteCaseStore) -> None:
    def plan(sql: str) -> str:
        rows = store.database.run(lambda c: c.execute("EXPLAIN QUERY PLAN " + sql).fetchall())
        return " ".join(str(row[-1]) for row in rows)

    load = plan("SELECT * FROM events WHERE case_id = 'c' ORDER BY seq")
    by_command = plan("SELECT * FROM events WHERE case_id = 'c' AND command_id = 'x' ORDER BY seq")

    assert "USING PRIMARY KEY" in load
    assert "TEMP B-TREE" not in load
    assert by_command.startswith("SEARCH events USING")  # never a scan of every case
