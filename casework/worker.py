"""Effects after the answer: the app's background worker for letters and prompts.

A Teams request must be answered within about 15 seconds, and drafting a letter in Outlook is
two Graph calls or more. So the app records the command, answers the user ("letter 4 is
being drafted") and hands the case, as the command left it, to this worker, which runs
`Casework.settle` (the catch-up, then the case's effects) one case at a time, in order, each
case once however often it was handed in meanwhile (with the newest of the states handed
in). The case is not loaded again: if another append got there first, recording an effect
reloads it and tries again (`Casework.apply`), and every effect is idempotent by key.

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
        self._queued: dict[str, Folded] = {}  # case id: the newest state handed in

    def submit(self, folded: Folded) -> None:
        """Queue the case's effects (once, however often it is submitted before they run)."""
        case_id = folded.case_id
        queued = self._queued.get(case_id)
        if queued is None:
            self._queue.put_nowait(case_id)
        if queued is None or folded.view.last_seq >= queued.view.last_seq:
            self._queued[case_id] = folded

    async def run(self) -> None:
        """Carry out queued effects until cancelled. A failure is logged and left to the
        sweeper; the worker goes on with the next case."""
        while True:
            case_id = await self._queue.get()
            folded = self._queued.pop(case_id)
            try:
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
