"""The effect worker carries out a command's effects after the answer. It keeps the ids of
the cases waiting, never their state (issue 10: a backlog must not hold cases in memory),
loads each case when it reaches it, and a case handed in twice or changed meanwhile gets
every effect once, from its newest state."""

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


async def test_the_queue_holds_case_ids_only_and_each_case_is_loaded_when_reached() -> None:
    store = CountingStore()
    world = fake_world(at(MONDAY, 9), store=store)
    worker = EffectWorker(world.casework)
    world.casework.later = worker.submit
    case_ids = [await report(world, n) for n in range(1, 41)]
    assert world.notifier.sent == {}  # the effects follow the answer

    # Forty cases waiting: what the worker keeps of them is their ids, not their state.
    assert worker.waiting == 40
    assert worker.queued() == frozenset(case_ids)
    kept = [*vars(worker)["_queued"], *vars(worker)["_queue"]._queue]
    assert len(kept) == 80  # each id in the set and in the queue
    assert all(type(item) is str for item in kept)
    assert not any(isinstance(item, Folded) for item in vars(worker).values())

    store.calls.clear()
    running = asyncio.create_task(worker.run())
    await worker.drain()
    running.cancel()

    assert worker.waiting == 0
    assert store.calls["load"] >= 40  # each case read from the store when its turn came
    assert sorted(world.notifier.sent) == sorted(
        f"{case_id}:cmd-report-{n}:incident-reported" for n, case_id in enumerate(case_ids, 1)
    )
    for case_id in case_ids:
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


async def test_a_case_queued_twice_is_handled_once_at_its_state_when_reached() -> None:
    world = fake_world(at(MONDAY, 9))
    worker = EffectWorker(world.casework)
    world.casework.later = worker.submit
    case_id = await report(world)  # handed in
    worker.submit((await world.casework.load_folded(case_id)) or _missing())  # and again
    # A change lands before the worker's turn without being handed in (another instance).
    world.casework.later = None
    await uc.dispatch(
        world.casework,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    world.casework.later = worker.submit
    _, newest = await world.casework.load(case_id)
    assert newest is not None
    assert worker.waiting == 1
    settled: list[int] = []
    settle = world.casework.settle

    async def counted(folded: Folded) -> EffectsDone:
        settled.append(folded.view.last_seq)
        return await settle(folded)

    world.casework.settle = counted  # type: ignore[method-assign]
    running = asyncio.create_task(worker.run())
    await worker.drain()
    running.cancel()

    assert settled == [newest.last_seq]


def _missing() -> Folded:
    raise AssertionError("the case has no events")
