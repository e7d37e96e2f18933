"""Listings, "what is due" and the sweep at 1,000, 10,000 and 100,000 cases (not a test).

    .venv/bin/python -m bench.bench_listings [--sizes 1000,10000,100000] [--repeats 20]

Three real cases are made through the application on a SQLite store (one newly reported,
one with a provisional ban whose letter was sent and whose reply window is open, one with
the Chair's decision confirmed and a review to arrange), then copied in bulk in SQL to the
size asked for (80/10/10), all at one school (the worst case for that school's lists):
events (the case id and reference rewritten in their data too), the event log's global
order, Cases rows, sightings, prompts and due-index rows, with references numbered as the
store numbers them and the catch-up's checkpoint and the reference counter where the
pipeline would leave them. Building 100,000 cases through the application would take hours;
the copy takes seconds. A sample of the copies (`--verify`, of each kind) is then checked
against the real pipeline: each is loaded and folded by the application, and its
projection, computed afresh from its events as the pipeline computes it, must equal the
copied rows exactly (the Cases row with its prompts and sightings, and its due-index rows).

Each listing is then timed as a user asks for it (the first page), with the median of
`--repeats` runs; so are the due query's first batch (every row, and the sweeper's own
rows), on a day when every copied deadline has passed. Then the sweep is run on a day when
up to 200 of the copies have a reply window to close, every person's deadline of every
copy still overdue (rows the sweeper steps over), to give its cost per due item.

Everything is in a temporary folder, deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from casework import bus as uc
from casework.bootstrap import prepare, wire
from casework.catchup import PROJECTION
from casework.pipeline import Casework
from casework.ports import Ports
from casework.projection import project
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
from tests.builders import (
    POLICE,
    VIOLENCE,
    arrangements,
    assessment,
    at,
    incident,
    person,
    violent_incident,
)
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
            # A ban needs an extreme act of violence recorded (a punch), as the policy says.
            incident=incident(at(MONDAY, 8))
            if kind == "reported"
            else violent_incident(at(MONDAY, 8)),
        )
        cases[kind] = case_id = outcome.case_id
        if kind == "reported":
            continue
        for command in (
            AssessRisk(command_id=f"{kind}-assess", incident_no=1, assessment=assessment()),
            ImposeBan(
                command_id=f"{kind}-ban",
                reason="A threat",
                arrangements=arrangements(POLICE),
                extreme_violence_ground=VIOLENCE,
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
                    nothing_more_to_add=True,
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
    "reception_list": "school_id, person_name, banned, must_not, until",
}
_HAS_REFERENCE = {"cases", "case_sightings", "prompts"}
_REFERENCE = "'OAK-2026-' || printf('%04d', n)"  # as the store numbers them


SHARES = {"reported": 0.8, "with-chair": 0.1, "review-to-arrange": 0.1}


def copy_cases(
    path: Path, templates: dict[str, str], total: int, shares: dict[str, float] = SHARES
) -> list[range]:
    """Copy the templates to `total` cases, in `shares` of each (by default 80% newly
    reported, 10% each of the others). The copies are numbered after the templates
    (references go on from theirs)."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")  # a throwaway file, built once
    connection.execute("BEGIN")
    first = len(templates) + 1
    copies: list[range] = []  # the copies' numbers, one range per template
    for kind, case_id in templates.items():
        count = int(total * shares[kind])
        copies.append(range(first, first + count))
        (reference,) = connection.execute(
            "SELECT reference FROM cases WHERE case_id = ?", (case_id,)
        ).fetchone()
        numbers = (
            "WITH RECURSIVE numbers(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM numbers"
            " WHERE n < ?)"
        )
        for table, columns in _COPIED.items():
            new_reference = f", {_REFERENCE}" if table in _HAS_REFERENCE else ""
            reference_column = ", reference" if table in _HAS_REFERENCE else ""
            source = columns
            params: list[Any] = [first, first + count - 1]
            if table == "events":
                source = columns.replace(
                    "data", f"replace(replace(data, ?, 'bench-' || n), ?, {_REFERENCE})"
                )
                params += [case_id, reference]
            params.append(case_id)
            connection.execute(
                f"{numbers} INSERT INTO {table} (case_id{reference_column}, {columns})"
                f" SELECT 'bench-' || n{new_reference}, {source} FROM numbers, {table}"
                " WHERE case_id = ?",
                params,
            )
        # The event log's global order, as each append writes it, case after case.
        connection.execute(
            f"{numbers} INSERT INTO event_log (case_id, seq) SELECT 'bench-' || n, seq"
            " FROM numbers, events WHERE case_id = ? ORDER BY n, seq",
            (first, first + count - 1, case_id),
        )
        first += count
    # Where the pipeline leaves them: every case projected, the references spent.
    connection.execute(
        "INSERT OR REPLACE INTO checkpoints (name, position)"
        " SELECT ?, MAX(position) FROM event_log",
        (PROJECTION,),
    )
    connection.execute("UPDATE reference_counters SET last = ?", (first - 1,))
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()
    return copies


def _deadline_rows(case_id: str, connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return connection.execute(
        "SELECT case_id, school_id, role, action, due FROM deadlines WHERE case_id = ?",
        (case_id,),
    ).fetchall()


def _reception_row(case_id: str, connection: sqlite3.Connection) -> tuple[Any, ...] | None:
    row = connection.execute(
        "SELECT school_id, person_name, banned, must_not, until FROM reception_list"
        " WHERE case_id = ?",
        (case_id,),
    ).fetchone()
    return row and (*row[:3], json.loads(row[3]), row[4])


async def verify_copies(
    cw: Casework, store: SqliteCaseStore, copies: list[range], sample: int
) -> int:
    """Each sampled copy, loaded and projected by the application, equals its copied rows."""
    rng = random.Random(sum(len(r) for r in copies))
    chosen = [f"bench-{n}" for r in copies for n in rng.sample(r, min(sample, len(r)))]
    for case_id in chosen:
        _, view = await cw.load(case_id)
        if view is None:
            raise SystemExit(f"{case_id}: the application finds no events")
        summary, deadlines = project(view, cw.today(), cw.calendar(view.school_id), cw.now())
        stored = await store.summary(case_id)
        rows = store.database.run(functools.partial(_deadline_rows, case_id))
        expected = Counter(
            (d.case_id, d.school_id, d.role and d.role.value, d.action, d.due.isoformat())
            for d in deadlines
        )
        # The store's row leaves out the case's line on reception's list: compared apart.
        expected_row = replace(summary, reception=None)
        if stored is None or replace(stored, updated_at=summary.updated_at) != expected_row:
            raise SystemExit(f"{case_id}: the copied Cases row differs from the projection")
        reception = store.database.run(functools.partial(_reception_row, case_id))
        line = summary.reception
        wanted = line and (
            line.school_id,
            line.person_name,
            int(line.banned),
            list(line.must_not),
            line.until and line.until.isoformat(),
        )
        if reception != wanted:
            raise SystemExit(f"{case_id}: the copied reception row differs from the projection")
        if Counter(tuple(row) for row in rows) != expected:
            raise SystemExit(f"{case_id}: the copied due-index rows differ from the projection")
    return len(chosen)


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


async def one_size(total: int, repeats: int, sample: int) -> dict[str, float]:
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
        started = time.perf_counter()
        copies = copy_cases(path, templates, total)
        built_s = time.perf_counter() - started
        checked = await verify_copies(cw, store, copies, sample)
        print(
            f"  {total:,} cases: copied in {built_s:.1f} s; {checked} copies checked against"
            " the application's projection",
            file=sys.stderr,
            flush=True,
        )
        day = MONDAY.replace(month=3)  # every copied deadline has passed
        figures: dict[str, float] = {}
        for name, work in (
            ("head's case list", lambda: cases_at(cw, "oakfield", HEAD)),
            ("Chair's case list", lambda: cases_at(cw, "oakfield", CHAIR)),
            ("staff's own reports", lambda: cases_at(cw, "oakfield", STAFF)),
            ("head's prompts", lambda: prompts_for_user(cw, HEAD, day)),
            ("Chair's prompts", lambda: prompts_for_user(cw, CHAIR, day)),
            ("clerk's prompts", lambda: prompts_for_user(cw, CLERK, day)),
            (f"due query, every row (a batch of {BATCH})", lambda: store.due_by(day, limit=BATCH)),
            (
                f"due query, the sweeper's rows (a batch of {BATCH})",
                lambda: store.due_by(day, limit=BATCH, sweeper_only=True),
            ),
        ):
            figures[name] = await median_ms(work, repeats)()
        figures.update(await sweep_cost(store, cw, clock, copies[1], repeats))
        store.close()
    return figures


async def sweep_cost(
    store: SqliteCaseStore, cw: Casework, clock: FixedClock, with_chair: range, repeats: int
) -> dict[str, float]:
    """Leave `SWEPT` copies with their reply window due to close, and every person's
    deadline overdue (moved to before it, so that the sweeper's rows come after all of
    them in the index); time the sweeper's due query, then sweep that day."""
    (window_due,) = store.database.run(
        lambda c: c.execute(
            "SELECT MIN(due) FROM deadlines WHERE action = 'close-representation-window'"
        ).fetchone()
    )
    swept = [f"bench-{n}" for n in with_chair[:SWEPT]]

    def arrange(connection: sqlite3.Connection) -> int:
        connection.execute("UPDATE deadlines SET due = '2099-12-31' WHERE role IS NULL")
        connection.execute("UPDATE deadlines SET due = ? WHERE role IS NOT NULL", (MONDAY,))
        connection.executemany(
            "UPDATE deadlines SET due = ? WHERE case_id = ?"
            " AND action = 'close-representation-window'",
            [(window_due, case_id) for case_id in swept],
        )
        (people,) = connection.execute(
            "SELECT COUNT(*) FROM deadlines WHERE role IS NOT NULL"
        ).fetchone()
        return int(people)

    people = store.database.run(store.database.transaction(arrange))
    day = date.fromisoformat(window_due)
    behind = await median_ms(lambda: store.due_by(day, limit=BATCH, sweeper_only=True), repeats)()
    clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
    started = time.perf_counter()
    report = await sweep(cw, day)
    elapsed = time.perf_counter() - started
    if len(report.applied) != len(swept) or len(report.cases) != len(swept):
        raise SystemExit(
            f"the sweep visited {len(report.cases)} cases and applied {len(report.applied)}"
            f" steps, not {len(swept)}"
        )
    print(
        f"  sweep: {len(swept)} reply windows to close, behind {people:,} overdue people's rows",
        file=sys.stderr,
        flush=True,
    )
    return {
        f"due query, the sweeper's rows behind every person's row (a batch of {BATCH})": behind,
        "sweep per due item": elapsed * 1000 / len(swept),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--verify", type=int, default=20, help="copies of each kind checked")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {size: await one_size(size, args.repeats, args.verify) for size in sizes}
    print("| median, ms | " + " | ".join(f"{s:,} cases" for s in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for name in results[sizes[0]]:
        print(f"| {name} | " + " | ".join(f"{results[s][name]:.2f}" for s in sizes) + " |")


if __name__ == "__main__":
    asyncio.run(main())
