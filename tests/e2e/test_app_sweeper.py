"""The running app sweeps on its own: at start and then every interval, so a letter draft
or a prompt that failed during an outage is completed without anyone clicking, and a
failed round does not stop the next one. On each backend's case store; the other ports
are the shared fakes (a notifier that fails as Teams would)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import date

import pytest

from casework import bus
from casework.bootstrap import wire
from casework.pipeline import Casework
from casework.ports import CaseStore, OpenDeadline, Ports
from local.config_directory import ConfigDirectory
from tests.builders import at, incident, person
from tests.casework_world import STAFF, example_config, example_templates
from tests.e2e.conftest import StartBot, services_for_tests
from tests.fakes import FixedClock, RecordingDrafts, RecordingNotifier

MONDAY = date(2026, 1, 12)


def flaky_due_index(monkeypatch: pytest.MonkeyPatch, store: CaseStore, failures: int) -> None:
    """`store`'s "what is due" fails `failures` times, as an outage would."""
    due_by = store.due_by
    left = [failures]

    async def flaky(
        day: date,
        *,
        after: OpenDeadline | None = None,
        limit: int | None = None,
        sweeper_only: bool = False,
    ) -> Sequence[OpenDeadline]:
        if left[0]:
            left[0] -= 1
            raise ConnectionError("case store unavailable (simulated outage)")
        return await due_by(day, after=after, limit=limit, sweeper_only=sweeper_only)

    monkeypatch.setattr(store, "due_by", flaky)


def world_on(store: CaseStore) -> tuple[Casework, RecordingNotifier]:
    """The example trust on the shared fakes but for the case store, the test's backend:
    its casework, and the notifier standing in for Teams."""
    notifier = RecordingNotifier()
    directory = ConfigDirectory(example_config())
    ports = Ports(store, RecordingDrafts(), notifier, directory, FixedClock(at(MONDAY, 9)))
    return wire(ports, example_config(), example_templates()), notifier


async def eventually(check: Callable[[], bool], within_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("the app's sweeper did not complete the work in time")
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("failed_rounds", [0, 2])
async def test_the_app_completes_an_undone_prompt_by_itself(
    start_bot: StartBot,
    case_store: CaseStore,
    failed_rounds: int,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    flaky_due_index(monkeypatch, case_store, failed_rounds)
    casework, notifier = world_on(case_store)
    notifier.fail_next = 1  # Teams was down when the report came in
    outcome = await bus.report_incident(
        casework,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=incident(at(MONDAY, 8)),
    )
    assert [f.effect for f in outcome.effect_failures] == ["notification"]
    assert notifier.sent == {}

    services = services_for_tests(casework=casework, sweep_every_s=0.05)
    async with start_bot(services=services):
        await eventually(lambda: len(notifier.sent) == 1)
        # The sweep records the prompt as queued after handing it over: on a real store,
        # a moment later; wait for it before the app stops.
        for _ in range(250):
            kinds = [e.kind for e in await case_store.load(outcome.case_id)]
            if "notification-queued" in kinds:
                break
            await asyncio.sleep(0.02)

    kinds = [e.kind for e in await case_store.load(outcome.case_id)]
    assert kinds.count("notification-queued") == 1
    assert len(notifier.sent) == 1
    assert sum("sweep failed" in r.getMessage() for r in caplog.records) == failed_rounds


async def test_without_an_interval_the_app_does_not_sweep(
    start_bot: StartBot, case_store: CaseStore
) -> None:
    casework, notifier = world_on(case_store)
    notifier.fail_next = 1
    await bus.report_incident(
        casework,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=incident(at(MONDAY, 8)),
    )

    async with start_bot(services=services_for_tests(casework=casework)):
        await asyncio.sleep(0.2)

    assert notifier.sent == {}
