"""How much work /api/messages takes on at once, and how long a request may take to arrive.

`Admission` lets `max_in_flight` activities be processed at once and `max_waiting` more
wait for a turn; any beyond that are answered 503 with `Retry-After` at once, which the Bot
Connector retries, so that a burst of hundreds is not made to wait many seconds and hold
its memory meanwhile (when each activity cost the event loop about 55 ms of botbuilder's
work, 500 at once were answered after 27 s; docs/benchmarks.md). /healthz and /readyz are
not counted: they answer under any load. An activity now costs well under 2 ms of the
loop's time, but a command spends part of its turn waiting for its durable commit; 16 in
flight keep the loop busy meanwhile (with 4, it was left idle while those four waited).

A command's answer is not the end of its work: a decision owes a letter, drafted after the
answer by the effect worker (`casework/worker.py`), about 60 ms of CPU each. So the cases
waiting for their effects count as work in flight too: while more than
`max_effects_waiting` are waiting, a turn that would record a command (a report, a step) is
answered 503 with `Retry-After` and records nothing, and turns that only read (help, a
case, the listings) are answered as usual. Without it, under sustained load the answers
kept coming while the letters fell minutes behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestLimits:
    """The bounds on /api/messages (docs/input-limits.md says why these numbers)."""

    max_in_flight: int = 16
    max_waiting: int = 16
    # A body not fully arrived after this long is answered 408: Teams sends an activity in
    # one go, and a slow sender must not hold the request open indefinitely.
    body_timeout_s: float = 10.0
    retry_after_s: int = 2
    # Cases whose effects (letters, prompts) the worker has still to reach: beyond this, a
    # command is refused (503) until it catches up; about 4 s of letters to draft.
    max_effects_waiting: int = 64

    def __post_init__(self) -> None:
        if (
            self.max_in_flight < 1
            or self.max_waiting < 0
            or self.body_timeout_s <= 0
            or self.max_effects_waiting < 0
        ):
            raise ValueError(f"unusable request limits: {self!r}")


class Overloaded(Exception):
    """Every slot is taken and the queue is full: answer 503 at once."""


class Admission:
    """At most `max_in_flight` holders of `admit()` at once, `max_waiting` more queued;
    commands only while at most `max_effects_waiting` cases wait for their effects."""

    def __init__(self, limits: RequestLimits) -> None:
        self._limits = limits
        self._slots = asyncio.Semaphore(limits.max_in_flight)
        self.admitted = 0  # in flight or waiting, for the log and tests
        # How many cases the effect worker has still to reach (set when it starts).
        self.effects_waiting: Callable[[], int] = _none

    def effects_behind(self) -> bool:
        """More cases wait for their effects than the bound: refuse commands for now."""
        return self.effects_waiting() > self._limits.max_effects_waiting

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Hold a slot for the body of the `async with`; raise `Overloaded` at once when
        the in-flight work and the queue are both full."""
        if self.admitted >= self._limits.max_in_flight + self._limits.max_waiting:
            raise Overloaded
        self.admitted += 1
        try:
            async with self._slots:
                yield
        finally:
            self.admitted -= 1


def _none() -> int:
    return 0
