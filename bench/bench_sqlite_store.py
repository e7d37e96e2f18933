"""Rough figures for the SQLite case store on this machine (not a test).

    .venv/bin/python -m bench.bench_sqlite_store

Appends per second (one event per append, each its own durable transaction), the time to
load a case of 200 events, and "what is due" across 2,000 cases with open deadlines.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from casework.ports import CaseSummary, NewEvent, OpenDeadline
from local.sqlite_store import SqliteCaseStore
from rules.roles import Role

AT = datetime(2026, 11, 24, 9, tzinfo=UTC)
EVENT_DATA = {
    "behaviours": ["shouting", "threatening language"],
    "where": "main entrance",
    "description": "x" * 400,  # a paragraph of a statement
}


async def appends_per_second(store: SqliteCaseStore, count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        await store.append(
            f"append-{n % 50}",
            n // 50,
            [NewEvent("statement_added", EVENT_DATA)],
            actor_id="a1000000-0000-4000-8000-000000000001",
            at=AT,
            command_id=f"cmd-{n}",
            activity_id=None,
        )
    return count / (time.perf_counter() - started)


async def load_time(store: SqliteCaseStore, events: int, repeats: int) -> tuple[float, float]:
    for seq in range(events):
        await store.append(
            "long-case",
            seq,
            [NewEvent("statement_added", EVENT_DATA)],
            actor_id="system",
            at=AT,
            command_id=f"load-{seq}",
            activity_id=None,
        )
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        loaded = await store.load("long-case")
        timings.append(time.perf_counter() - started)
        assert len(loaded) == events
    return statistics.median(timings), min(timings)


async def due_by_time(store: SqliteCaseStore, cases: int, repeats: int) -> tuple[float, int]:
    first = date(2026, 9, 1)
    for n in range(cases):
        case_id = f"case-{n:05d}"
        due = first + timedelta(days=n % 300)
        summary = CaseSummary(
            case_id=case_id,
            reference=f"OAK-2026-{n:04d}",
            school_id=("oakfield", "riverside")[n % 2],
            person_name="Example Person",
            status="provisional_ban",
            next_action="chair to decide",
            next_deadline=due,
            review_date=due + timedelta(days=182),
            updated_at=AT,
        )
        deadlines = [
            OpenDeadline(case_id, summary.school_id, Role.CHAIR, "decide", due),
            OpenDeadline(case_id, summary.school_id, Role.CLERK, "review", due + timedelta(182)),
        ]
        await store.save_summary(summary, deadlines)
    timings = []
    found = 0
    for _ in range(repeats):
        started = time.perf_counter()
        found = len(await store.due_by(date(2026, 11, 24)))
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), found


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteCaseStore.open(Path(folder) / "bench.sqlite3")
        rate = await appends_per_second(store, 1000)
        print(f"appends: {rate:,.0f} per second (1,000 appends of one event, synchronous=FULL)")
        median, best = await load_time(store, 200, 50)
        print(
            f"load a case of 200 events: median {median * 1000:.2f} ms, best {best * 1000:.2f} ms"
        )
        due_median, found = await due_by_time(store, 2000, 50)
        print(
            f"due_by over 2,000 cases (4,000 open deadlines, {found} due): "
            f"median {due_median * 1000:.2f} ms"
        )
        store.close()


if __name__ == "__main__":
    asyncio.run(main())
