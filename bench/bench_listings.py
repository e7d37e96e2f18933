"""Listings, "what is due" and the sweep at 1,000, 10,000 and 100,000 cases (not a test).

    .venv/bin/python -m bench.bench_listings [--sizes 1000,10000,100000] [--repeats 20]

Three real cases are made through the application on a SQLite store (one newly reported,
one with a provisional ban whose letter was sent and whose reply window is open, one with
the Chair's decision confirmed and a review to arrange), then copied in bulk in SQL, events,
Cases rows, sightings, prompts and due-index rows alike, to the size asked for, all at one
school (the worst case for that school's lists). Each listing is then timed as a user asks
for it (the first page), with the median of `--repeats` runs, and then the sweep is run on a
day when up to 200 of the copied cases have a reply window to close, to give its cost per due item.

Everything is in a temporary folder, deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from casework import bus as uc
from casework.bootstrap import prepare, wire
from casework.pipeline import Casework
from casework.ports import Ports
from casework.queries import cases_at, prompts_for_user
from casework.sweeper import BATCH, sweep
from local.config_directory import ConfigDirectory
from local.sqlite_store import SqliteCaseStore
from rules.behaviours import ChairOutcome
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.risk_assessment import AssessRisk
from tests.builders import arrangements, assessment, at, incident, person
from tests.casework_world import CHAIR, CLERK, EXAMPLE_CONFIG, HEAD, STAFF
from tests.fakes import FixedClock, RecordingDrafts, RecordingNotifier

MONDAY = date(2026, 1, 12)
SWEPT = 200  # cases with a reply window to close on the sweep's day


async def template_cases(cw: Casework) -> dict[str, str]:
    """Three cases made through the application: {kind: case id}."""
    cases: dict[str, str] = {}
    for kind in ("reported", "with-chair", "review-to-arrange"):
        outcome = await uc.report_incident(
            cw,
            STAFF,
            command_id=f"cmd-report-{kind}",
            school_id="oakfield",
            person=person(),
            incident=incident(at(MONDAY, 8)),
        )
        cases[kind] = case_id = outcome.case_id
        if kind == "reported":
            continue
        for command in (
            AssessRisk(command_id=f"{kind}-assess", incident_no=1, assessment=assessment()),
            ImposeBan(
                command_id=f"{kind}-ban",
                reason="A threat",
                arrangements=arrangements(),
                extreme_violence_ground="A threat of violence at the gate",
            ),
            RecordLetterSent(
                command_id=f"{kind}-sent", letter_id=f"{kind}-ban:letter-4", sent_on=MONDAY
            ),
        ):
            await uc.dispatch(cw, command, HEAD, case_id=case_id)
        if kind == "review-to-arrange":
            await uc.dispatch(
                cw,
                RecordRepresentation(
                    command_id=f"{kind}-comments",
                    letter_dated=MONDAY,
                    received_on=MONDAY,
                    summary="Sorry",
                ),
                HEAD,
                case_id=case_id,
            )
            await uc.dispatch(
                cw,
                DecideAsChair(
                    command_id=f"{kind}-chair", outcome=ChairOutcome.CONFIRM, reason="Serious"
                ),
                CHAIR,
                case_id=case_id,
            )
    return cases


# Every table that holds a case, with the columns to copy; case_id and reference are
# rewritten for each copy (in the JSON of the events too).
_COPIED = {
    "events": "seq, kind, data, actor_id, at, command_id, activity_id",
    "cases": "school_id, person_name, status, next_action, next_deadline, review_date,"
    " updated_at, projected_seq, seen_by, reported_by",
    "case_sightings": "school_id, viewer",
    "prompts": "position, school_id, role, action, text, due, due_order, warning,"
    " due_on_the_day, letter_id, incident_no",
    "deadlines": "school_id, role, action, due",
}
_HAS_REFERENCE = {"cases", "case_sightings", "prompts"}


def copy_cases(path: Path, templates: dict[str, str], total: int) -> None:
    """Copy the templates to `total` cases: 80% newly reported, 10% each of the others."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")  # a throwaway file, built once
    connection.execute("BEGIN")
    shares = {"reported": 0.8, "with-chair": 0.1, "review-to-arrange": 0.1}
    first = 1
    for kind, case_id in templates.items():
        count = int(total * shares[kind])
        (reference,) = connection.execute(
            "SELECT reference FROM cases WHERE case_id = ?", (case_id,)
        ).fetchone()
        for table, columns in _COPIED.items():
            new_reference = ", 'OAK-2026-' || printf('%06d', n)" if table in _HAS_REFERENCE else ""
            reference_column = ", reference" if table in _HAS_REFERENCE else ""
            source = columns
            if table == "events":
                source = columns.replace(
                    "data",
                    "replace(replace(data, ?, 'bench-' || n), ?, 'OAK-2026-' || printf('%06d', n))",
                )
            params: list[Any] = [first, first + count - 1]
            if table == "events":
                params += [case_id, reference]
            params.append(case_id)
            connection.execute(
                f"WITH RECURSIVE numbers(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM numbers"
                f" WHERE n < ?) INSERT INTO {table} (case_id{reference_column}, {columns})"
                f" SELECT 'bench-' || n{new_reference}, {source} FROM numbers, {table}"
                " WHERE case_id = ?",
                [params[0], params[1], *params[2:]],
            )
        first += count
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


def median_ms(work: Callable[[], Awaitable[Any]], repeats: int) -> Callable[[], Awaitable[float]]:
    async def timed() -> float:
        await work()  # warm
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            await work()
            timings.append(time.perf_counter() - started)
        return statistics.median(timings) * 1000

    return timed


async def one_size(total: int, repeats: int) -> dict[str, float]:
    prepared = prepare(EXAMPLE_CONFIG)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.sqlite3"
        store = SqliteCaseStore.open(path)
        clock = FixedClock(at(MONDAY, 9))
        ports = Ports(
            store, RecordingDrafts(), RecordingNotifier(), ConfigDirectory(prepared.config), clock
        )
        cw = wire(ports, prepared.config, prepared.templates)
        templates = await template_cases(cw)
        copy_cases(path, templates, total)
        day = MONDAY.replace(month=3)  # every copied deadline has passed
        figures: dict[str, float] = {}
        for name, work in (
            ("head's case list", lambda: cases_at(cw, "oakfield", HEAD)),
            ("Chair's case list", lambda: cases_at(cw, "oakfield", CHAIR)),
            ("staff's own reports", lambda: cases_at(cw, "oakfield", STAFF)),
            ("head's prompts", lambda: prompts_for_user(cw, HEAD, day)),
            ("Chair's prompts", lambda: prompts_for_user(cw, CHAIR, day)),
            ("clerk's prompts", lambda: prompts_for_user(cw, CLERK, day)),
            (f"due query (a batch of {BATCH})", lambda: store.due_by(day, limit=BATCH)),
        ):
            figures[name] = await median_ms(work, repeats)()
        figures["sweep per due item"] = await sweep_cost(store, cw, clock, path, total)
        store.close()
    return figures


async def sweep_cost(
    store: SqliteCaseStore, cw: Casework, clock: FixedClock, path: Path, total: int
) -> float:
    """Leave `SWEPT` copies with their reply window due to close; sweep the day after."""
    (window_due,) = store.database.run(
        lambda c: c.execute(
            "SELECT MIN(due) FROM deadlines WHERE action = 'close-representation-window'"
        ).fetchone()
    )
    first = int(total * 0.8) + 1  # the first copy with a provisional ban
    swept = [f"bench-{n}" for n in range(first, first + min(SWEPT, int(total * 0.1)))]

    def push_back(connection: sqlite3.Connection) -> None:
        connection.execute("UPDATE deadlines SET due = '2099-12-31'")
        connection.executemany(
            "UPDATE deadlines SET due = ? WHERE case_id = ?"
            " AND action = 'close-representation-window'",
            [(window_due, case_id) for case_id in swept],
        )

    store.database.run(store.database.transaction(push_back))
    day = date.fromisoformat(window_due)
    clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
    started = time.perf_counter()
    report = await sweep(cw, day)
    elapsed = time.perf_counter() - started
    if len(report.applied) != len(swept):
        raise SystemExit(f"the sweep applied {len(report.applied)} steps, not {len(swept)}")
    return elapsed * 1000 / len(swept)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {size: await one_size(size, args.repeats) for size in sizes}
    names = list(results[sizes[0]])
    print("| median, ms | " + " | ".join(f"{s:,} cases" for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{results[s][name]:.2f}" for s in sizes) + " |")


if __name__ == "__main__":
    asyncio.run(main())
