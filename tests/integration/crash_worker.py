"""A process that runs a report and a decision on the embedded default, and can be killed.

    python -m tests.integration.crash_worker DATA_DIR run [KILL_BEFORE]
    python -m tests.integration.crash_worker DATA_DIR recover
    python -m tests.integration.crash_worker DATA_DIR matrix

`matrix` does the whole experiment for every step k: in a fresh folder, a child process
runs the script and is killed before step k; a second child recovers; this process then
reads what is on disk and prints one JSON line per k (`state`), and first one for a run
that was never killed (k = 0), to compare with. The children are forked after the imports,
so each costs milliseconds rather than an interpreter start; each is a real process, really
killed.

`run` records the script's commands in order as the app does: record the command, answer
(here: print `ACK <command id>`), then the catch-up and the effects. Every store call and
every draft written is a step; with KILL_BEFORE = k the process sends itself SIGKILL just
before step k begins, i.e. after k - 1 steps have completed: a power cut between two steps.
At the end it prints `STEPS <n>`, the number of steps the whole script takes.

`recover` is the next start: the start-up sweep (catch-up, then what is due), then every
command of the script sent again, as Teams retries what it had no answer to (an answered
one, sent again, is a repeat), then the sweep once more.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from casework import bus
from casework.bootstrap import embedded, prepare
from casework.pipeline import Casework
from casework.sweeper import sweep
from local import file_drafts, sqlite_store
from rules.behaviours import ChairOutcome
from rules.commands import Command
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import CloseRepresentationWindow
from rules.steps.risk_assessment import AssessRisk
from tests.builders import POLICE, VIOLENCE, arrangements, assessment, at, person, violent_incident
from tests.casework_world import CHAIR, EXAMPLE_CONFIG, HEAD, STAFF
from tests.fakes import FixedClock

MONDAY = date(2026, 1, 12)
REPORT = "cmd-report"
CASE_ID = bus.case_id_for(REPORT)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Steps:
    """Counts the steps and pulls the plug before the chosen one."""

    def __init__(self, kill_before: int | None) -> None:
        self.kill_before = kill_before
        self.count = 0

    def step(self) -> None:
        self.count += 1
        if self.kill_before is not None and self.count == self.kill_before:
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)


def trip_every_step(steps: Steps) -> None:
    run = sqlite_store.Database.run
    create = file_drafts.FileLetterDrafts._create

    def counted_run(self: sqlite_store.Database, work: Callable[[Any], Any]) -> Any:
        steps.step()
        return run(self, work)

    def counted_create(self: file_drafts.FileLetterDrafts, draft: Any) -> str:
        steps.step()
        return create(self, draft)

    sqlite_store.Database.run = counted_run  # type: ignore[method-assign]
    file_drafts.FileLetterDrafts._create = counted_create  # type: ignore[method-assign]


def script() -> list[tuple[str, Command | None, Any]]:
    """(command id, command or None for the report, the actor)."""
    return [
        (REPORT, None, STAFF),
        ("cmd-assess", AssessRisk("cmd-assess", 1, assessment()), HEAD),
        (
            "cmd-ban",
            ImposeBan("cmd-ban", "A punch", arrangements(POLICE), None, VIOLENCE),
            HEAD,
        ),
        ("cmd-sent", RecordLetterSent("cmd-sent", "cmd-ban:letter-4", MONDAY), HEAD),
    ]


def later_script() -> list[tuple[str, Command, Any]]:
    """A fortnight later: the window closed, the Chair confirms."""
    return [
        ("cmd-close", CloseRepresentationWindow("cmd-close"), HEAD),
        ("cmd-chair", DecideAsChair("cmd-chair", ChairOutcome.CONFIRM, "Serious"), CHAIR),
    ]


async def crashed_at(cw: Casework) -> datetime:
    """When the last event was recorded before the power cut (Monday 09:00 if none was)."""
    history = await cw.ports.store.load(CASE_ID)
    return max((e.at for e in history), default=at(MONDAY, 9))


async def record(cw: Casework, command_id: str, command: Command | None, actor: Any) -> None:
    cw.later = lambda folded: None  # answer first, as the app does; effects below
    if command is None:
        await bus.report_incident(
            cw,
            actor,
            command_id=command_id,
            school_id="oakfield",
            person=person(),
            incident=violent_incident(at(MONDAY, 8)),
        )
    else:
        await bus.dispatch(cw, command, actor, case_id=CASE_ID)
    _say(f"ACK {command_id}")
    folded = await cw.load_folded(CASE_ID)
    assert folded is not None
    cw.later = None
    await cw.settle(folded)


async def each(
    clock: FixedClock, cw: Casework, run: Callable[[str, Command | None, Any], Awaitable[None]]
) -> None:
    clock.set(at(MONDAY, 9))
    for command_id, command, actor in script():
        await run(command_id, command, actor)
    clock.set(at(date(2026, 1, 27), 9))  # after the 10 school days from Monday 12th
    for command_id, later, actor in later_script():
        await run(command_id, later, actor)


async def main(data_dir: Path, mode: str, kill_before: int | None) -> None:
    steps = Steps(kill_before)
    clock = FixedClock(at(MONDAY, 9))
    prepared = prepare(EXAMPLE_CONFIG)  # read before the steps are counted
    trip_every_step(steps)
    async with embedded(prepared, data_dir, clock) as cw:

        async def run(command_id: str, command: Command | None, actor: Any) -> None:
            await record(cw, command_id, command, actor)

        if mode == "run":
            await each(clock, cw, run)
        elif mode == "restart":  # the start-up sweep alone, before any retry arrives
            clock.set(await crashed_at(cw) + timedelta(minutes=30))
            await sweep(cw, clock.now().date())
        else:
            await sweep(cw, clock.now().date())
            await each(clock, cw, run)
            await sweep(cw, clock.now().date())
    _say(f"STEPS {steps.count}")


def child(data_dir: Path, mode: str, kill_before: int | None) -> int:
    """Run `main` in a forked child; its wait status."""
    pid = os.fork()
    if pid == 0:  # the child
        try:
            with open(os.devnull, "w") as quiet:
                os.dup2(quiet.fileno(), 1)
            asyncio.run(main(data_dir, mode, kill_before))
        except BaseException:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return status


def state(data_dir: Path) -> dict[str, Any]:
    """What is on disk, in a form two runs can be compared by."""
    import json
    import sqlite3
    from collections import Counter

    db = sqlite3.connect(data_dir / "cases.sqlite3")
    events = db.execute("SELECT case_id, seq, kind, command_id FROM events ORDER BY seq").fetchall()
    cases = db.execute("SELECT case_id, reference, status, projected_seq FROM cases").fetchall()
    deadlines = db.execute(
        "SELECT case_id, role, action, due FROM deadlines ORDER BY case_id, action, due"
    ).fetchall()
    outbox = db.execute("SELECT key FROM outbox ORDER BY key").fetchall()
    (position,) = db.execute("SELECT COALESCE(MAX(position), 0) FROM event_log").fetchone()
    checkpoint = db.execute("SELECT position FROM checkpoints WHERE name = 'projection'").fetchone()
    references = db.execute("SELECT prefix, year, last FROM reference_counters").fetchall()
    db.close()
    drafts = sorted(
        str(p.relative_to(data_dir / "letters")) for p in (data_dir / "letters").rglob("*.eml")
    )
    counted = Counter(f"{command} {kind}" for _, _, kind, command in events)
    found: dict[str, Any] = json.loads(
        json.dumps(
            {
                "events": sorted(counted.items()),
                "last_seq": max((seq for _, seq, _, _ in events), default=0),
                "cases": cases,
                "deadlines": deadlines,
                "outbox": outbox,
                "drafts": drafts,
                "log_position": position,
                "checkpoint": checkpoint[0] if checkpoint else None,
                "references": references,
            }
        )
    )
    return found


def matrix(root: Path) -> None:
    import json

    reference = root / "never-killed"
    assert child(reference, "run", None) == 0
    assert child(reference, "recover", None) == 0
    _say(json.dumps({"k": 0, "state": state(reference)}))
    k = 1
    while True:
        folder = root / f"killed-before-step-{k}"
        status = child(folder, "run", k)
        if not os.WIFSIGNALED(status):  # the script finished before step k: all done
            break
        assert os.WTERMSIG(status) == signal.SIGKILL, status
        restarted = child(folder, "restart", None)
        after_restart = state(folder)
        recovered = child(folder, "recover", None)
        _say(
            json.dumps(
                {
                    "k": k,
                    "restarted": restarted,
                    "after_restart": after_restart,
                    "recovered": recovered,
                    "state": state(folder),
                }
            )
        )
        k += 1


if __name__ == "__main__":
    folder, how = Path(sys.argv[1]), sys.argv[2]
    if how == "matrix":
        matrix(folder)
    else:
        asyncio.run(main(folder, how, int(sys.argv[3]) if len(sys.argv) > 3 else None))
