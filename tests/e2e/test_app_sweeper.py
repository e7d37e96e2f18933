"""The running app sweeps on its own: at start and then every interval, so a letter draft
or a prompt that failed during an outage is completed without anyone clicking, and a
failed round does not stop the next one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date

import pytest

from casework import bus
from casework.ports import OpenDeadline
from tests.builders import at, incident, person
from tests.casework_world import STAFF, fake_world
from tests.e2e.conftest import StartBot, services_for_tests
from tests.fakes import InMemoryCaseStore

MONDAY = date(2026, 1, 12)


class FlakyDueIndex(InMemoryCaseStore):
    """A store whose "what is due" fails a given number of times, as an outage would."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def due_by(
        self,
        day: date,
        *,
        after: OpenDeadline | None = None,
        limit: int | None = None,
        sweeper_only: bool = False,
    ) -> Sequence[OpenDeadline]:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("case store unavailable (simulated outage)")
        return await super().due_by(day, after=after, limit=limit, sweeper_only=sweeper_only)


async def eventually(check: Callable[[], bool], within_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("the app's sweeper did not complete the work in time")
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("failed_rounds", [0, 2])
async def test_the_app_completes_an_undone_prompt_by_itself(
    start_bot: StartBot, failed_rounds: int, caplog: pytest.LogCaptureFixture
) -> None:
    world = fake_world(at(MONDAY, 9), store=FlakyDueIndex(failures=failed_rounds))
    world.notifier.fail_next = 1  # Teams was down when the report came in
    outcome = await bus.report_incident(
        world.casework,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=incident(at(MONDAY, 8)),
    )
    assert [f.effect for f in outcome.effect_failures] == ["notification"]
    assert world.notifier.sent == {}

    services = services_for_tests(casework=world.casework, sweep_every_s=0.05)
    async with start_bot(services=services):
        await eventually(lambda: len(world.notifier.sent) == 1)

    kinds = [e.kind for e in await world.store.load(outcome.case_id)]
    assert kinds.count("notification-queued") == 1
    assert sum("sweep failed" in r.getMessage() for r in caplog.records) == failed_rounds


async def test_without_an_interval_the_app_does_not_sweep(start_bot: StartBot) -> None:
    world = fake_world(at(MONDAY, 9))
    world.notifier.fail_next = 1
    await bus.report_incident(
        world.casework,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=incident(at(MONDAY, 8)),
    )

    async with start_bot(services=services_for_tests(casework=world.casework)):
        await asyncio.sleep(0.2)

    assert world.notifier.sent == {}
