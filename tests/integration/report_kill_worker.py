"""A report turn on the embedded default, killed before each SQL statement in turn.

    python -m tests.integration.report_kill_worker DATA_DIR

For k = 1, 2, … a child process (forked after the imports) records a report as the app does
(the command; the answer, here `ACK`; then the effects after the answer, `Casework.settle`)
and sends itself SIGKILL just before SQLite runs the k-th statement of that turn on the
store's connection (the schema's migration, before the turn, is not counted). The parent
then reads the file as the next start would find it, BEFORE any catch-up, sweep or retry,
and prints one JSON line per k (with the statement it was killed before); it stops at the
first k the turn finishes without reaching.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Any

from casework import bus
from casework.bootstrap import embedded, prepare
from local.sqlite_store import SqliteCaseStore
from tests.builders import at, incident, person
from tests.casework_world import EXAMPLE_CONFIG, STAFF
from tests.fakes import FixedClock

MONDAY = date(2026, 1, 12)


async def turn(data_dir: Path, kill_before: int | None) -> None:
    prepared = prepare(EXAMPLE_CONFIG)
    async with embedded(prepared, data_dir, FixedClock(at(MONDAY, 9))) as cw:
        store = cw.ports.store
        assert isinstance(store, SqliteCaseStore)
        seen = 0

        def trace(statement: str) -> None:
            nonlocal seen
            seen += 1
            if seen == kill_before:
                (data_dir / "killed-before.txt").write_text(statement, encoding="utf-8")
                os.kill(os.getpid(), signal.SIGKILL)

        store.database.run(lambda c: c.set_trace_callback(trace))
        handed: list[Any] = []
        cw.later = handed.append  # answer first, as the app does: the effects follow
        await bus.report_incident(
            cw,
            STAFF,
            command_id="cmd-report",
            school_id="oakfield",
            person=person(),
            incident=incident(at(MONDAY, 8)),
        )
        sys.stdout.write("ACK cmd-report\n")
        for folded in handed:
            await cw.settle(folded)
        sys.stdout.write(f"STATEMENTS {seen}\n")


def child(data_dir: Path, kill_before: int | None) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            with open(os.devnull, "w") as quiet:
                os.dup2(quiet.fileno(), 1)
            asyncio.run(turn(data_dir, kill_before))
        except BaseException:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return status


def on_disk(data_dir: Path) -> dict[str, Any]:
    db = sqlite3.connect(data_dir / "cases.sqlite3")
    kinds = [k for (k,) in db.execute("SELECT kind FROM events ORDER BY seq")]
    found = {
        "events": len(kinds),
        "prompts_required": kinds.count("notification-required"),
        "prompts_recorded_queued": kinds.count("notification-queued"),
        "cases": db.execute("SELECT COUNT(*) FROM cases").fetchone()[0],
        "outbox": db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0],
        "deliveries": db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0],
        "references": db.execute("SELECT COUNT(*) FROM reference_allocations").fetchone()[0],
    }
    db.close()
    return found


def main(root: Path) -> None:
    status = child(root / "never-killed", None)
    assert status == 0, status
    sys.stdout.write(json.dumps({"k": 0, "state": on_disk(root / "never-killed")}) + "\n")
    k = 1
    while True:
        folder = root / f"killed-before-statement-{k}"
        status = child(folder, k)
        if not os.WIFSIGNALED(status):
            assert status == 0, status
            break
        assert os.WTERMSIG(status) == signal.SIGKILL, status
        statement = (folder / "killed-before.txt").read_text(encoding="utf-8")
        found = {"k": k, "statement": statement, "state": on_disk(folder)}
        sys.stdout.write(json.dumps(found) + "\n")
        sys.stdout.flush()
        k += 1


if __name__ == "__main__":
    main(Path(sys.argv[1]))
