"""Cases waiting for the Chair's decision, made before a timed run (for `bench.side_by_side`).

One case is taken through the application on the embedded default (SQLite, letters to
files, the example trust) to where the Chair decides: an incident reported by staff, the
risk assessed, a ban imposed by the Headteacher/Principal, its letter sent, and the person's
reply recorded, with nothing more to add. It is then copied in SQL (`bench.bench_listings`'s
copy: events, Cases rows, sightings, prompts, the due index) to as many cases as the run may
need, and a sample of the copies is checked against the application's own projection. Every
step is dated today, so that nothing in the copies is due to the sweeper during the run.

Each request of the decision run then confirms a different copy, as the Chair's "Confirm or
overturn" card does (`chair.decide`), so that every answer records one decision.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bench_listings import copy_cases, verify_copies
from bot.flows.actions import case_version
from casework import bus as uc
from casework.bootstrap import STORE_FILE, embedded, prepare
from local.sqlite_store import SqliteCaseStore
from rules.steps.ban import ImposeBan
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.risk_assessment import AssessRisk
from tests.builders import POLICE, VIOLENCE, arrangements, assessment, at, person, violent_incident
from tests.casework_world import EXAMPLE_CONFIG, HEAD, STAFF
from tests.fakes import FixedClock

DECIDED_KIND = "chair-decided"  # the event a decision records (rules.steps.chair.ChairDecided)


@dataclass(frozen=True)
class ChairCases:
    """Copies `bench-<first>` … `bench-<last>`, each at version `version` of its cards."""

    first: int
    last: int
    version: int


async def prepare_cases(data_dir: Path, count: int, verify: int = 5) -> ChairCases:
    """`count` cases with the Chair, in `data_dir`'s store, ready for a server to open."""
    now = datetime.now(UTC)
    day = now.date()
    clock = FixedClock(now)
    prepared = prepare(EXAMPLE_CONFIG)
    async with embedded(prepared, data_dir, clock) as cw:
        outcome = await uc.report_incident(
            cw,
            STAFF,
            command_id="bench-chair-report",
            school_id="oakfield",
            person=person(),
            # A ban needs an extreme act of violence recorded, as the policy says.
            incident=violent_incident(at(day - timedelta(days=3), 8)),
        )
        case_id = outcome.case_id
        for command in (
            AssessRisk(command_id="bench-chair-assess", incident_no=1, assessment=assessment()),
            ImposeBan(
                command_id="bench-chair-ban",
                reason="A threat",
                arrangements=arrangements(POLICE),
                extreme_violence_ground=VIOLENCE,
            ),
            RecordLetterSent(
                command_id="bench-chair-sent", letter_id="bench-chair-ban:letter-4", sent_on=day
            ),
            RecordRepresentation(
                command_id="bench-chair-comments",
                letter_dated=day,
                received_on=day,
                summary="Sorry",
                nothing_more_to_add=True,
            ),
        ):
            await uc.dispatch(cw, command, HEAD, case_id=case_id)
        folded = await cw.load_folded(case_id)
        assert folded is not None
        version = case_version(folded.history)
    path = data_dir / STORE_FILE
    (copies,) = copy_cases(path, {"with-chair": case_id}, count, shares={"with-chair": 1.0})
    store = SqliteCaseStore.open(path)
    try:
        async with embedded(prepared, data_dir, clock) as cw:
            await verify_copies(cw, store, [copies], verify)
    finally:
        store.close()
    return ChairCases(copies.start, copies.stop - 1, version)


def decisions_recorded(data_dir: Path) -> tuple[int, int]:
    """(decisions recorded, cases they were recorded on) in `data_dir`'s store."""
    with sqlite3.connect(data_dir / STORE_FILE) as db:
        decided, cases = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT case_id) FROM events WHERE kind = ?",
            (DECIDED_KIND,),
        ).fetchone()
    return int(decided), int(cases)


def letters_drafted(data_dir: Path) -> int:
    """How many of the decided cases have their decision's letter drafted (the effect
    worker drafts it after the answer: it may still be behind when the load ends)."""
    with sqlite3.connect(data_dir / STORE_FILE) as db:
        (drafted,) = db.execute(
            "SELECT COUNT(DISTINCT d.case_id) FROM events d JOIN events c"
            " ON c.case_id = d.case_id AND c.kind = ? AND d.seq > c.seq"
            " WHERE d.kind = 'letter-drafted'",
            (DECIDED_KIND,),
        ).fetchone()
    return int(drafted)
