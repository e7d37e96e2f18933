"""A report is ONE durable transaction with its prompt: the case, its row and the head's
prompt in the outbox are committed together, so a crash at any instant leaves either
nothing or the case with its prompt queued, and the effects after the answer commit
nothing more (docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from casework import bus
from casework.bootstrap import embedded, prepare
from casework.history import Folded
from casework.pipeline import Casework
from local import sqlite_store
from local.outbox import SqliteOutbox
from rules.steps.ban import ImposeBan
from rules.steps.reporting import NewCase, ReportIncident
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
from tests.casework_world import EXAMPLE_CONFIG, HEAD, STAFF
from tests.fakes import FixedClock

ROOT = Path(__file__).resolve().parents[2]
MONDAY = date(2026, 1, 12)


class Commits:
    """Counts the store's durable transactions: every `Database.transaction` committed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        transaction = sqlite_store.Database.transaction

        def counted(self_: sqlite_store.Database, work: Any) -> Any:
            inner = transaction(self_, work)

            def run(connection: Any) -> Any:
                result = inner(connection)
                self.count += 1  # reached only once COMMIT has returned
                return result

            return run

        monkeypatch.setattr(sqlite_store.Database, "transaction", counted)

    def take(self) -> int:
        taken, self.count = self.count, 0
        return taken


@pytest.fixture
async def casework(tmp_path: Path) -> AsyncIterator[tuple[Casework, list[Folded]]]:
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, FixedClock(at(MONDAY, 9))) as cw:
        handed: list[Folded] = []
        cw.later = handed.append  # answer first, as the app does: the effects follow
        yield cw, handed


async def report_turn(cw: Casework, handed: list[Folded], command_id: str) -> str:
    """A report as the app handles it: the command, the answer, then the effect worker's
    `settle` on the case as the command left it."""
    outcome = await bus.report_incident(
        cw,
        STAFF,
        command_id=command_id,
        school_id="oakfield",
        person=person(),
        incident=incident(at(MONDAY, 8)),
    )
    while handed:
        await cw.settle(handed.pop())
    return outcome.case_id


async def test_a_report_turn_with_its_effects_is_one_durable_commit(
    casework: tuple[Casework, list[Folded]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cw, handed = casework
    commits = Commits(monkeypatch)
    outbox = cw.ports.notifier
    assert isinstance(outbox, SqliteOutbox)

    for n in range(1, 11):
        case_id = await report_turn(cw, handed, f"cmd-report-{n}")
        assert commits.take() == 1, n  # was 3: the command, the outbox, the queued event

        # The head's prompt is in the outbox, one delivery per address, and the case
        # records it queued: nothing is left for the sweeper.
        key = f"{case_id}:cmd-report-{n}:incident-reported"
        queued = await outbox.get(key)
        assert queued is not None
        assert queued.notification.reference == f"OAK-2026-{n:04d}"
        addresses = queued.notification.addresses
        assert f"user:{HEAD.object_id}" in addresses
        deliveries = await outbox.deliveries(key)
        assert [d[:2] for d in deliveries] == [(a, "waiting") for a in sorted(addresses)]
        folded = await cw.load_folded(case_id)
        assert folded is not None
        assert [x.queued for x in folded.view.notifications] == [True]
        kinds = [e.kind for e in folded.history]
        assert kinds[-2:] == ["notification-required", "notification-queued"]


async def test_a_report_sent_again_queues_its_prompt_once(
    casework: tuple[Casework, list[Folded]],
) -> None:
    cw, handed = casework
    case_id = await report_turn(cw, handed, "cmd-report")
    again = await report_turn(cw, handed, "cmd-report")  # Teams' retry
    assert again == case_id
    outbox = cw.ports.notifier
    assert isinstance(outbox, SqliteOutbox)
    assert [q.notification.key for q in await outbox.all()] == [
        f"{case_id}:cmd-report:incident-reported"
    ]
    folded = await cw.load_folded(case_id)
    assert folded is not None
    assert [e.kind for e in folded.history].count("notification-queued") == 1


def test_a_kill_before_any_statement_of_a_report_leaves_nothing_or_the_case_with_its_prompt(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.report_kill_worker", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    runs = [json.loads(line) for line in result.stdout.splitlines()]
    whole = runs[0]["state"]
    assert whole == {
        "events": 4,  # opened, reported, the head's prompt required, and queued
        "prompts_required": 1,
        "prompts_recorded_queued": 1,
        "cases": 1,
        "outbox": 1,
        "deliveries": 2,  # the head and the senior member of staff, each in a chat
        "references": 1,
    }
    nothing = dict.fromkeys(whole, 0)
    killed = runs[1:]
    statements = [run["statement"].split()[0].upper() for run in killed]
    assert len(killed) > 5  # the reads before, the transaction's statements
    # Before any catch-up, sweep or retry: a kill before any statement, the commit's
    # included, leaves none of the report; the turn runs no statement after its commit,
    # so from the commit on there is all of it (the run never killed).
    assert [(run["k"], run["state"]) for run in killed] == [(run["k"], nothing) for run in killed]
    assert statements[-1] == "COMMIT"
    assert statements.count("COMMIT") == 1  # one durable transaction in the whole turn
    assert any("INTO OUTBOX" in run["statement"].upper() for run in killed)


async def test_a_new_report_loads_its_case_once(
    casework: tuple[Casework, list[Folded]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cw, handed = casework
    loads: list[tuple[str, str]] = []
    store = cw.ports.store
    load, load_or_peek = store.load, store.load_or_peek  # type: ignore[attr-defined]

    async def counted(case_id: str) -> Any:
        loads.append(("load", case_id))
        return await load(case_id)

    async def counted_first_look(case_id: str, *ahead: Any) -> Any:
        loads.append(("load_or_peek", case_id))
        return await load_or_peek(case_id, *ahead)

    monkeypatch.setattr(store, "load", counted)
    monkeypatch.setattr(store, "load_or_peek", counted_first_look)
    case_id = await report_turn(cw, handed, "cmd-report")
    # Found empty once (with its reference read in the same call), not loaded again to append.
    assert loads == [("load_or_peek", case_id)]


async def test_a_case_made_meanwhile_under_the_same_command_id_is_answered_as_a_repeat(
    casework: tuple[Casework, list[Folded]],
) -> None:
    cw, handed = casework
    case_id = await report_turn(cw, handed, "cmd-report")
    before = await cw.ports.store.load(case_id)
    # Another process recorded this report after this one found no case: told it is unseen,
    # the append fails on the sequence, the case is loaded and the report is a repeat.
    folded = await cw.load_folded(case_id)
    assert folded is not None
    view = folded.view
    command = ReportIncident(
        "cmd-report",
        incident(at(MONDAY, 8)),
        NewCase(case_id, view.reference, view.school_id, view.person),
    )
    outcome = await bus.dispatch(cw, command, STAFF, case_id=case_id, unseen=True)
    assert outcome.repeated
    assert await cw.ports.store.load(case_id) == before


async def test_only_a_command_that_owes_effects_is_handed_to_the_worker(
    casework: tuple[Casework, list[Folded]],
) -> None:
    cw, handed = casework
    outcome = await bus.report_incident(
        cw,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(MONDAY, 8)),
    )
    assert handed == []  # its prompt went with it: nothing follows the answer
    await bus.dispatch(cw, AssessRisk("cmd-assess", 1, assessment()), HEAD, case_id=outcome.case_id)
    assert handed == []
    await bus.dispatch(
        cw,
        ImposeBan("cmd-ban", "A punch", arrangements(POLICE), None, VIOLENCE),
        HEAD,
        case_id=outcome.case_id,
    )
    # Letters to draft (Outlook or files, outside the transaction): handed on.
    (owed,) = handed
    assert [x.letter_id for x in owed.view.letters if x.needs_draft] != []
