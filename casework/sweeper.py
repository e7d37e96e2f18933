"""The sweeper: the steps nobody clicks for, and the effects that did not happen.

    report = await sweep(casework, today)

It reads its own rows of the due index (`CaseStore.due_by(today, sweeper_only=True)`: the
wake-up dates of its steps and of effects still undone, never people's deadlines, which only
people act on), a batch at a time (`BATCH` rows, so that a backlog of due items is never held
in memory at once), and for each case found:
1. issues what `rules.sweep.system_commands_due` says is due today (closing a reply
   window that passed without comments, sending due reminders) as the system actor;
2. retries every effect still undone (letter drafts, notifications).

`today` selects what is due; the rules still decide with the application's clock, so a
step is never taken before its time (a window is not closed while it is open).

Exactly once: the system commands' ids are derived from the case's facts, so two sweepers
running the same sweep issue the same ids and the store applies each once (the loser of
the race finds its command already applied). Drafts and notifications are idempotent by
key, and each is marked done by one event with a fixed command id. A failure on one case
is logged and reported, and the sweep goes on to the next.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

from casework.catchup import catch_up
from casework.pipeline import SYSTEM, Casework, EffectFailure
from casework.ports import OpenDeadline, StoreUnavailable
from rules.errors import HistoryError, Refusal
from rules.sweep import system_commands_due

logger = logging.getLogger(__name__)

BATCH = 200  # due-index rows read at a time


@dataclass(frozen=True)
class SweepReport:
    cases: tuple[str, ...]  # case ids visited
    applied: tuple[str, ...]  # command ids applied by this sweep (not already applied)
    refused: tuple[str, ...]  # command ids the rules refused (logged with the reason)
    failures: tuple[tuple[str, EffectFailure], ...]  # (case id, effect still undone)
    unavailable: tuple[str, ...]  # case ids the store could not serve this time


async def _due_cases(cw: Casework, today: date, batch: int) -> AsyncIterator[str]:
    """Each case with a due row of the sweeper's own, once, reading the index a batch at a
    time. Sweeping a case rewrites its rows; the next batch starts after the last row read,
    so none is read twice and a case whose rows were rewritten is not visited again. A case
    whose only due rows are people's (a letter overdue, a decision to make) is not read:
    no system command or undone effect comes of it, as every one has a row of its own
    (`casework.projection.project`, `rules.prompts.open_deadlines`)."""
    seen: set[str] = set()
    after: OpenDeadline | None = None
    while True:
        rows = await cw.ports.store.due_by(today, after=after, limit=batch, sweeper_only=True)
        for row in rows:
            if row.case_id not in seen:
                seen.add(row.case_id)
                yield row.case_id
        if len(rows) < batch:
            return
        after = rows[-1]


async def sweep(cw: Casework, today: date, *, batch: int = BATCH) -> SweepReport:
    # First the derived records, so that a case a crash left without its row and deadlines
    # is found by the due index below.
    await catch_up(cw)
    visited: list[str] = []
    applied: list[str] = []
    refused: list[str] = []
    failures: list[tuple[str, EffectFailure]] = []
    unavailable: list[str] = []
    async for case_id in _due_cases(cw, today, batch):
        visited.append(case_id)
        try:
            _, view = await cw.load(case_id)
            if view is None:
                continue
            calendar = cw.calendar(view.school_id)
            for command in system_commands_due(view, today, calendar):
                try:
                    outcome = await cw.handle(command, SYSTEM, case_id=case_id)
                except Refusal as refusal:
                    logger.info(
                        "case %s: sweeper step %s refused: %s",
                        view.reference,
                        command.command_id,
                        type(refusal).__name__,
                    )
                    refused.append(command.command_id)
                    continue
                if not outcome.repeated and outcome.events:
                    applied.append(command.command_id)
                failures += [(case_id, f) for f in outcome.effect_failures]
            failures += [(case_id, f) for f in await cw.complete_effects(case_id)]
        except StoreUnavailable as error:
            logger.warning("sweep: case %s skipped, store unavailable: %s", case_id, error)
            unavailable.append(case_id)
        except HistoryError:
            logger.exception("sweep: case %s cannot be replayed", case_id)
            unavailable.append(case_id)
    logger.info(
        "sweep of %s: %s case(s), %s step(s) applied, %s effect(s) still undone",
        today.isoformat(),
        len(visited),
        len(applied),
        len(failures),
    )
    return SweepReport(
        tuple(visited), tuple(applied), tuple(refused), tuple(failures), tuple(unavailable)
    )
