"""Effects after the answer: the app's background worker for letters and prompts.

A Teams request must be answered within about 15 seconds, and drafting a letter in Outlook is
two Graph calls or more. So the app records the command, answers the user ("letter 4 is
being drafted") and hands the case to this worker, which runs `Casework.settle` (the
catch-up, then the case's effects) one case at a time, in order, each case once however
often it was handed in meanwhile.

The worker keeps the case id only, never the case: a case waiting its turn costs a few
bytes, however far behind the worker is. When it reaches a case it loads it from the store,
so a case handed in twice, or changed again before its turn, is handled once, at its newest
state (the events are the truth). Every effect is idempotent by key, and recording one
reloads the case and tries again if another append got there first (`Casework.apply`), so
each is done once. `waiting` (the cases not reached yet) is what the app's admission counts
as work in flight (`bot/admission.py`): past its bound, commands wait (503).

On the embedded default a command's prompts are queued in its own transaction, so a case
owing nothing else (no letter to draft) is not handed in at all (`Casework.handle`).

Nothing is lost if the worker never gets to a case (a crash, a restart, an outage): the
effects owed are derived from the events and the case's wake-up row in the due index, so
the sweeper does them on its next round.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casework.history import Folded
    from casework.pipeline import Casework

logger = logging.getLogger(__name__)


class EffectWorker:
    def __init__(self, casework: Casework) -> None:
        self._casework = casework
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._queued: set[str] = set()  # the case ids in the queue, not reached yet

    @property
    def waiting(self) -> int:
        """How many cases are queued and not reached yet."""
        return len(self._queued)

    def queued(self) -> frozenset[str]:
        """The case ids queued and not reached yet (all the worker keeps of them)."""
        return frozenset(self._queued)

    def submit(self, folded: Folded) -> None:
        """Queue the case's effects (once, however often it is submitted before they run).
        Only its id is kept: the case is loaded afresh when its turn comes."""
        case_id = folded.case_id
        if case_id not in self._queued:
            self._queued.add(case_id)
            self._queue.put_nowait(case_id)

    async def run(self) -> None:
        """Carry out queued effects until cancelled. A failure is logged and left to the
        sweeper; the worker goes on with the next case."""
        while True:
            case_id = await self._queue.get()
            # Handed in again from now on, it is queued again: that change is newer than
            # the state loaded below.
            self._queued.discard(case_id)
            try:
                folded = await self._casework.load_folded(case_id)
                if folded is None:
                    logger.warning("case %s: no events; no effects to carry out", case_id)
                    continue
                done = await self._casework.settle(folded)
                if done.failures:
                    logger.info(
                        "case %s: %d effect(s) left for the sweeper",
                        folded.view.reference,
                        len(done.failures),
                    )
            except Exception:
                logger.exception("effects for case %s failed; the sweeper will retry", case_id)
            finally:
                self._queue.task_done()

    async def drain(self) -> None:
        """Wait until every case queued so far has been handled."""
        await self._queue.join()
