"""The effect worker carries out a command's effects after the answer from the case as the
command left it: it does not load and fold again the case just written (issue 10: only the
work each turn needs), and a case changed meanwhile still gets every effect, once."""

from __future__ import annotations

import asyncio
from datetime import date

from casework import bus as uc
from casework.effects import EffectsDone
from casework.history import Folded
from casework.worker import EffectWorker
from rules.steps.risk_assessment import AssessRisk
from tests.builders import assessment, at, incident, person
from tests.casework_world import HEAD, STAFF, FakeWorld, fake_world
from tests.unit.test_listings_read_the_projection import CountingStore

MONDAY = date(2026, 1, 12)


async def with_worker(world: FakeWorld) -> tuple[EffectWorker, asyncio.Task[None]]:
    worker = EffectWorker(world.casework)
    world.casework.later = worker.submit
    return worker, asyncio.create_task(worker.run())


async def report(world: FakeWorld, n: int = 1) -> str:
    outcome = await uc.report_incident(
        world.casework,
        STAFF,
        command_id=f"cmd-report-{n}",
        school_id="oakfield",
        person=person(),
        incident=incident(at(MONDAY, 8)),
    )
    return outcome.case_id


async def test_the_worker_does_not_load_again_the_case_a_command_just_wrote() -> None:
    store = CountingStore()
    world = fake_world(at(MONDAY, 9), store=store)
    worker, running = await with_worker(world)
    case_id = await report(world)
    assert world.notifier.sent == {}  # the effects follow the answer
    store.calls.clear()

    await worker.drain()
    running.cancel()

    assert store.calls["load"] == 0
    assert list(world.notifier.sent) == [f"{case_id}:cmd-report-1:incident-reported"]
    _, view = await world.casework.load(case_id)
    assert view is not None
    assert all(n.queued for n in view.notifications)


async def test_a_case_changed_after_it_was_handed_in_still_gets_each_effect_once() -> None:
    world = fake_world(at(MONDAY, 9))
    worker, running = await with_worker(world)
    case_id = await report(world)
    # Another command lands before the worker gets to the case: its state is then stale.
    world.casework.later = None
    await uc.dispatch(
        world.casework,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    world.casework.later = worker.submit
    sent_before = dict(world.notifier.sent)

    await worker.drain()
    running.cancel()

    assert world.notifier.sent == sent_before  # nothing sent twice
    history, view = await world.casework.load(case_id)
    assert view is not None
    assert all(n.queued for n in view.notifications)
    sent_events = [e for e in history if e.kind == "notification-queued"]
    assert len(sent_events) == len({e.command_id for e in sent_events})


async def test_a_case_handed_in_twice_is_settled_once_from_the_newer_state() -> None:
    world = fake_world(at(MONDAY, 9))
    worker = EffectWorker(world.casework)
    world.casework.later = worker.submit
    case_id = await report(world)
    await uc.dispatch(
        world.casework,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    _, handed_in = await world.casework.load(case_id)  # the newer state, as handed in
    assert handed_in is not None
    settled: list[int] = []
    settle = world.casework.settle

    async def counted(folded: Folded) -> EffectsDone:
        settled.append(folded.view.last_seq)
        return await settle(folded)

    world.casework.settle = counted  # type: ignore[method-assign]
    running = asyncio.create_task(worker.run())
    await worker.drain()
    running.cancel()

    assert settled == [handed_in.last_seq]
