"""Group commit in the embedded store (`local.sqlite_store.Database`).

Transactions queued together from the event loop are committed in one `BEGIN IMMEDIATE …
COMMIT`, a savepoint each; none is answered before that `COMMIT` has returned, one that
fails is rolled back alone, and a `COMMIT` that fails fails them all. A transaction on its
own is exactly `BEGIN IMMEDIATE … COMMIT`, as before.

The batch is made deterministic by holding back the worker thread: the calls are queued
first (`_draining` set, as if a worker were busy), then the worker is started.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from casework.ports import StoreUnavailable
from local.sqlite_store import Database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database.open(tmp_path / "cases.sqlite3")
    db.run(lambda c: c.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"))
    yield db
    db.close()


class Statements:
    def __init__(self, db: Database) -> None:
        self.seen: list[str] = []
        db.run(lambda c: c.set_trace_callback(self.seen.append))

    def take(self) -> list[str]:
        taken, self.seen = [s.strip() for s in self.seen], []
        return taken


def insert(db: Database, key: str, value: int = 1) -> Callable[[sqlite3.Connection], str]:
    def work(connection: sqlite3.Connection) -> str:
        connection.execute("INSERT INTO t (k, v) VALUES (?, ?)", (key, value))
        return key

    return db.transaction(work)


async def queued_together(db: Database, *calls: Awaitable[Any]) -> list[Any]:
    """The calls queued before the worker thread takes any, then taken as one batch."""
    db._draining = True  # as if the worker were busy: the calls wait in the queue
    tasks = [asyncio.ensure_future(c) for c in calls]
    await asyncio.sleep(0)
    assert len(db._queued) == len(calls)
    asyncio.get_running_loop().run_in_executor(None, db._drain)
    return await asyncio.gather(*tasks, return_exceptions=True)


def on_disk(db: Database) -> dict[str, int]:
    with sqlite3.connect(db.path) as other:  # another connection: only what is committed
        return dict(other.execute("SELECT k, v FROM t ORDER BY k").fetchall())


async def test_transactions_queued_together_are_one_commit(database: Database) -> None:
    statements = Statements(database)
    results = await queued_together(
        database, *(database.call(insert(database, f"k{i}")) for i in range(5))
    )
    assert results == [f"k{i}" for i in range(5)]
    seen = statements.take()
    assert seen.count("COMMIT") == 1
    assert seen[0] == "BEGIN IMMEDIATE"
    assert seen[-1] == "COMMIT"
    assert seen.count("SAVEPOINT command") == 5
    assert on_disk(database) == {f"k{i}": 1 for i in range(5)}


async def test_a_transaction_alone_is_begin_immediate_to_commit(database: Database) -> None:
    statements = Statements(database)
    assert await database.call(insert(database, "alone")) == "alone"
    seen = statements.take()
    assert seen[0] == "BEGIN IMMEDIATE"
    assert seen[-1] == "COMMIT"
    assert not any(s.startswith(("SAVEPOINT", "RELEASE")) for s in seen)
    assert on_disk(database) == {"alone": 1}


async def test_one_that_fails_is_rolled_back_alone(database: Database) -> None:
    def half_then_fail(connection: sqlite3.Connection) -> None:
        connection.execute("INSERT INTO t (k, v) VALUES ('half', 1)")
        raise LookupError("refused after writing")

    results = await queued_together(
        database,
        database.call(insert(database, "before")),
        database.call(database.transaction(half_then_fail)),
        database.call(insert(database, "before", 2)),  # the unique key: IntegrityError
        database.call(insert(database, "after")),
    )
    assert results[0] == "before"
    assert results[3] == "after"
    assert isinstance(results[1], LookupError)
    assert isinstance(results[2], sqlite3.IntegrityError)
    assert on_disk(database) == {"before": 1, "after": 1}


async def test_no_one_is_answered_before_the_commit_and_a_failed_commit_fails_all(
    database: Database,
) -> None:
    # A deferred foreign key is checked at COMMIT: the COMMIT fails, so must every member.
    database.run(lambda c: c.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
    database.run(
        lambda c: c.execute(
            "CREATE TABLE child (id INTEGER PRIMARY KEY,"
            " parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    )

    def orphan(connection: sqlite3.Connection) -> str:
        connection.execute("INSERT INTO child (id, parent) VALUES (1, 42)")
        return "orphan"

    results = await queued_together(
        database,
        database.call(insert(database, "good")),
        database.call(database.transaction(orphan)),
    )
    assert all(isinstance(r, StoreUnavailable) for r in results), results
    assert on_disk(database) == {}
    # The connection is usable afterwards, and the next call is not stuck behind it.
    assert await database.call(insert(database, "next")) == "next"
    assert on_disk(database) == {"next": 1}


async def test_a_read_queued_after_writes_sees_them_committed(database: Database) -> None:
    def read(connection: sqlite3.Connection) -> tuple[bool, list[Any]]:
        return connection.in_transaction, connection.execute("SELECT k FROM t").fetchall()

    results = await queued_together(
        database,
        database.call(insert(database, "a")),
        database.call(insert(database, "b")),
        database.call(read),
        database.call(insert(database, "c")),
    )
    assert results[:2] == ["a", "b"]
    assert results[3] == "c"
    in_transaction, rows = results[2]
    assert not in_transaction  # a read never runs inside an open transaction
    assert sorted(rows) == [("a",), ("b",)]


async def test_calls_from_many_tasks_all_land_and_the_worker_stops(database: Database) -> None:
    keys = [f"many-{i}" for i in range(200)]
    results = await asyncio.gather(*(database.call(insert(database, k)) for k in keys))
    assert results == keys
    assert on_disk(database) == dict.fromkeys(keys, 1)
    assert database._queued == []
    # The worker answers first, then finds the queue empty and stops: wait for that.
    for _ in range(200):
        if not database._draining:
            break
        await asyncio.sleep(0.01)
    assert database._draining is False


async def test_a_closed_store_refuses_every_queued_call(database: Database) -> None:
    database.close()
    results = await queued_together(
        database, database.call(insert(database, "x")), database.call(insert(database, "y"))
    )
    assert all(isinstance(r, StoreUnavailable) for r in results)


# --- a power cut during a group commit --------------------------------------------------------

WORKER = """
import asyncio, os, signal, sys
from pathlib import Path
from local.sqlite_store import Database

path, kill_before = Path(sys.argv[1]), int(sys.argv[2])
db = Database.open(path)
seen = 0

def trace(statement):
    global seen
    seen += 1
    if seen == kill_before:
        os.kill(os.getpid(), signal.SIGKILL)

db.run(lambda c: c.execute("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v INTEGER)"))
db.run(lambda c: c.set_trace_callback(trace))

def insert(key):
    return db.transaction(lambda c: c.execute("INSERT INTO t (k, v) VALUES (?, 1)", (key,)))

async def main():
    db._draining = True
    tasks = [asyncio.ensure_future(db.call(insert(k))) for k in ("a", "b", "c")]
    await asyncio.sleep(0)
    asyncio.get_running_loop().run_in_executor(None, db._drain)
    await asyncio.gather(*tasks)
    print("ANSWERED", seen, flush=True)

asyncio.run(main())
"""


def test_killed_before_any_statement_of_a_group_commit_leaves_all_or_nothing(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    total: int | None = None
    k = 1
    while total is None or k <= total + 1:
        path = tmp_path / f"killed-{k}.sqlite3"
        done = subprocess.run(
            [sys.executable, "-c", WORKER, str(path), str(k)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        with sqlite3.connect(path) as after:
            keys = sorted(k for (k,) in after.execute("SELECT k FROM t"))
        if done.returncode == -signal.SIGKILL:
            assert "ANSWERED" not in done.stdout  # killed before anyone was answered
            # Killed before the COMMIT (or any statement before it): nothing of the group.
            assert keys == [], (k, keys)
        else:
            assert done.returncode == 0, done.stderr
            total = int(done.stdout.split()[-1])
            assert keys == ["a", "b", "c"]
        k += 1
    # BEGIN, three savepoints with their inserts and releases, COMMIT: every one was a step.
    assert total == 1 + 3 * 3 + 1


async def test_reads_marked_as_reads_go_before_the_transactions_of_their_batch(
    database: Database,
) -> None:
    statements = Statements(database)

    def read(connection: sqlite3.Connection) -> tuple[bool, list[Any]]:
        return connection.in_transaction, connection.execute("SELECT k FROM t").fetchall()

    results = await queued_together(
        database,
        database.call(insert(database, "a")),
        database.call(database.read(read)),
        database.call(insert(database, "b")),
        database.call(database.read(read)),
        database.call(insert(database, "c")),
    )
    assert [results[0], results[2], results[4]] == ["a", "b", "c"]
    # Neither read is inside a transaction, and neither sees what is not committed yet.
    assert results[1] == (False, [])
    assert results[3] == (False, [])
    seen = statements.take()
    assert seen.count("COMMIT") == 1  # the reads did not split the batch into commits
    assert seen.index("BEGIN IMMEDIATE") == 2  # both reads first
    assert on_disk(database) == {"a": 1, "b": 1, "c": 1}


async def test_a_call_refused_by_a_closing_loop_is_not_run_later(database: Database) -> None:
    async def on_a_closing_loop() -> None:
        await asyncio.get_running_loop().shutdown_default_executor()
        await database.call(insert(database, "refused"))

    def in_another_thread() -> None:
        with pytest.raises(RuntimeError):
            asyncio.run(on_a_closing_loop())

    await asyncio.to_thread(in_another_thread)
    # The next call, from a live loop, starts the worker again; the refused one is not run.
    assert await database.call(insert(database, "next")) == "next"
    assert on_disk(database) == {"next": 1}
