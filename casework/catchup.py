"""The catch-up: every derived record brought up to date from the events, which are the only
truth (docs/casework.md, "Derived records").

    report = await catch_up(casework)

The derived records are a case's row in the Cases list, its rows in the index of open
deadlines (what the sweeper and every "what is due" read), and, through that index, the
effects still owed: the wake-up row for letters to draft and prompts to send. The events are
written first, in one transaction; the derived records after them. A crash (or, on
SharePoint, which has no transactions across items, any failure) between the two leaves a
case whose events are there and whose row is not. Nothing would list it, nobody would be
told and the sweeper would never find it, because the sweeper reads the deadline index.

So the catch-up remembers how far it got, as a position in the event log's global order
(`CaseStore.changes_since`, `checkpoint`, `advance_checkpoint`), and projects every case
with an event beyond it. It runs after each command whose effects follow the answer (on a
store without transactions, after every command) and from the sweeper at start and on its
schedule, so a case left behind by a crash is projected, and its effects queued, at the
latest on the next start. It is safe to run anywhere, any number of times at once:

- projecting a case is a pure function of its events, and the store keeps the row that
  reflects the most events (`CaseSummary.projected_seq`), so a slow instance never puts
  back an older row;
- the checkpoint only moves forward, and only past cases that were projected;
- effects are keyed (a letter by case and letter id, a prompt by notification id) and
  marked done by events with fixed command ids, so running them twice does them once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from casework.ports import StoreUnavailable
from casework.projection import project
from rules.errors import HistoryError

if TYPE_CHECKING:
    from casework.pipeline import Casework

logger = logging.getLogger(__name__)

PROJECTION = "projection"  # the checkpoint's name
BATCH = 500  # event-log entries read at a time


@dataclass(frozen=True)
class CatchUpReport:
    projected: tuple[str, ...]  # case ids projected
    broken: tuple[str, ...]  # case ids whose history cannot be replayed (logged loudly)
    checkpoint: int  # how far the event log has been caught up


async def project_case(cw: Casework, case_id: str) -> bool:
    """Write the case's row and open deadlines from its events. False for no events."""
    folded = await cw.load_folded(case_id)
    if folded is None:
        return False
    view = folded.view
    summary, deadlines = project(view, cw.today(), cw.calendar(view.school_id), cw.now())
    await cw.ports.store.save_summary(summary, deadlines)
    return True


async def catch_up(cw: Casework, *, batch: int = BATCH) -> CatchUpReport:
    """Project every case with events beyond the checkpoint, then advance it.

    `StoreUnavailable` stops the catch-up where it is (the checkpoint stays before the
    case that could not be projected) and propagates: the next run starts there again.
    """
    store = cw.ports.store
    checkpoint = await store.checkpoint(PROJECTION)
    projected: list[str] = []
    broken: list[str] = []
    while True:
        changes = await store.changes_since(checkpoint, batch)
        if not changes:
            break
        latest: dict[str, int] = {}
        for _, case_id, seq in changes:
            latest[case_id] = max(seq, latest.get(case_id, 0))
        for case_id, seq in latest.items():
            try:
                summary = await store.summary(case_id)
                if summary is not None and summary.projected_seq >= seq:
                    continue  # already projected (the usual case: right after its append)
                await project_case(cw, case_id)
            except HistoryError:
                # A defect or a corrupted record: retrying cannot fix it, and holding the
                # checkpoint back would stop every other case being caught up.
                logger.exception("catch-up: case %s cannot be replayed", case_id)
                broken.append(case_id)
                continue
            except StoreUnavailable:
                logger.warning("catch-up: store unavailable at case %s; stopping here", case_id)
                raise
            projected.append(case_id)
        checkpoint = changes[-1][0]
        await store.advance_checkpoint(PROJECTION, checkpoint)
    if projected or broken:
        logger.info(
            "catch-up: %d case(s) projected, %d broken, checkpoint %d",
            len(projected),
            len(broken),
            checkpoint,
        )
    return CatchUpReport(tuple(projected), tuple(broken), checkpoint)
