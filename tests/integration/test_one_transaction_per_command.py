"""On the embedded SQLite default a command is ONE durable transaction: the reference, the
events, the case's row, prompts and deadlines, and the catch-up checkpoint are committed
together (docs/performance.md). Counted by the statements SQLite runs, not by timing."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from casework import bus
from casework.bootstrap import embedded, prepare
from casework.catchup import PROJECTION, catch_up
from casework.pipeline import Casework
from casework.ports import NewEvent, ReferenceTaken
from local.sqlite_store import SqliteCaseStore
from rules.steps.reporting import NewCase, ReportIncident
from rules.steps.risk_assessment import AssessRisk
from tests.builders import assessment, at, incident, person
from tests.casework_world import EXAMPLE_CONFIG, HEAD, STAFF
from tests.fakes import FixedClock

MONDAY = date(2026, 1, 12)


@pytest.fixture
async def casework(tmp_path: Path) -> AsyncIterator[Casework]:
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, FixedClock(at(MONDAY, 9))) as cw:
        cw.later = lambda folded: None  # answer first, as the app does: effects follow
        yield cw


def sqlite_store(cw: Casework) -> SqliteCaseStore:
    store = cw.ports.store
    assert isinstance(store, SqliteCaseStore)
    return store


class Statements:
    """Every statement SQLite runs on the store's connection."""

    def __init__(self, store: SqliteCaseStore) -> None:
        self.seen: list[str] = []
        store.database.run(lambda c: c.set_trace_callback(self.seen.append))

    def take(self) -> list[str]:
        taken, self.seen[:] = list(self.seen), []
        return taken

    @staticmethod
    def commits(statements: list[str]) -> int:
        return sum(1 for s in statements if s.strip().upper() == "COMMIT")

    @staticmethod
    def writes(statements: list[str]) -> int:
        verbs = ("INSERT", "UPDATE", "DELETE", "BEGIN")
        return sum(1 for s in statements if s.lstrip().upper().startswith(verbs))


async def report(cw: Casework, command_id: str) -> str:
    outcome = await bus.report_incident(
        cw,
        STAFF,
        command_id=command_id,
        school_id="oakfield",
        person=person(),
        incident=incident(at(MONDAY, 8)),
    )
    return outcome.case_id


def log_end_and_checkpoint(store: SqliteCaseStore) -> tuple[int, int]:
    def read(c: sqlite3.Connection) -> tuple[int, int]:
        (end,) = c.execute("SELECT COALESCE(MAX(position), 0) FROM event_log").fetchone()
        row = c.execute("SELECT position FROM checkpoints WHERE name = ?", (PROJECTION,)).fetchone()
        return int(end), 0 if row is None else int(row[0])

    return store.database.run(read)


async def test_a_report_and_a_decision_are_one_commit_each_and_leave_the_catch_up_nothing(
    casework: Casework,
) -> None:
    store = sqlite_store(casework)
    trace = Statements(store)

    case_id = await report(casework, "cmd-report")
    assert trace.commits(trace.take()) == 1  # was 3: the reference, the append, the row

    row = await store.summary(case_id)
    assert row is not None
    assert row.reference == "OAK-2026-0001"
    assert row.projected_seq == len(await store.load(case_id))
    end, checkpoint = log_end_and_checkpoint(store)
    assert checkpoint == end  # moved in the same transaction

    await bus.dispatch(casework, AssessRisk("cmd-assess", 1, assessment()), HEAD, case_id=case_id)
    assert trace.commits(trace.take()) == 1

    # The catch-up after the answer reads, and writes nothing.
    report_ = await catch_up(casework)
    assert report_.projected == ()
    assert trace.writes(trace.take()) == 0


async def test_a_case_left_behind_holds_the_checkpoint_until_the_catch_up_projects_it(
    casework: Casework,
) -> None:
    store = sqlite_store(casework)
    first = await report(casework, "cmd-first")
    # A case whose events were written without its row (a crash, or an older version).
    behind = await store.load(first)
    await store.append(
        "case-behind",
        0,
        [NewEvent(e.kind, e.data) for e in behind],
        actor_id=STAFF.object_id,
        at=at(MONDAY, 9),
        command_id="cmd-behind",
        activity_id=None,
    )
    before_end, before = log_end_and_checkpoint(store)
    assert before < before_end

    await report(casework, "cmd-second")
    end, checkpoint = log_end_and_checkpoint(store)
    assert checkpoint == before  # not moved past the case nobody has projected

    caught = await catch_up(casework)
    assert "case-behind" in caught.projected
    assert log_end_and_checkpoint(store) == (end, end)


async def test_a_reference_another_process_took_meanwhile_is_read_again(tmp_path: Path) -> None:
    clock = FixedClock(at(MONDAY, 9))
    async with (
        embedded(prepare(EXAMPLE_CONFIG), tmp_path, clock) as one,
        embedded(prepare(EXAMPLE_CONFIG), tmp_path, clock) as other,
    ):
        stale = await sqlite_store(one).peek_reference("OAK", 2026, "cmd-one")
        assert (await sqlite_store(other).summary(await report(other, "cmd-other"))) is not None
        case_id = bus.case_id_for("cmd-one")
        command = ReportIncident(
            "cmd-one",
            incident(at(MONDAY, 8)),
            NewCase(case_id, stale.reference, "oakfield", person()),
        )
        with pytest.raises(ReferenceTaken):
            await bus.dispatch(one, command, STAFF, case_id=case_id, claim=stale)
        assert await sqlite_store(one).load(case_id) == ()  # nothing written
        sqlite_store(one).release_reference(stale)

        # Through the use case, the report reads the next number and is recorded.
        recorded = await sqlite_store(one).summary(await report(one, "cmd-one"))
        assert recorded is not None
        assert recorded.reference == "OAK-2026-0002"
        other_row = await sqlite_store(other).summary(bus.case_id_for("cmd-other"))
        assert other_row is not None
        assert other_row.reference == "OAK-2026-0001"
