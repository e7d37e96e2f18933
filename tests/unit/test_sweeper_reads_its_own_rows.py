"""The sweeper reads only its own rows of the due index, a batch at a time: its store calls
follow the number of its due items and the batch size, never the number of cases, and a
case whose only due rows are people's (a letter overdue) is not read (issue 10, item 3)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from casework import bus as uc
from casework.pipeline import COMPLETE_EFFECTS
from casework.sweeper import sweep
from rules.steps.ban import ImposeBan
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.risk_assessment import AssessRisk
from tests.builders import POLICE, VIOLENCE, arrangements, assessment, at, person, violent_incident
from tests.casework_world import HEAD, STAFF, FakeWorld, fake_world
from tests.unit.test_listings_read_the_projection import CountingStore

MONDAY = date(2026, 1, 12)
LATER = MONDAY + timedelta(days=60)  # the Chair's decisions on those bans are overdue


class RecordingStore(CountingStore):
    """Counts every store call, and keeps the arguments of each `due_by`."""

    def __init__(self) -> None:
        super().__init__()
        self.due_by_calls: list[dict[str, Any]] = []

    async def due_by(self, day: date, **options: Any) -> Any:
        self.due_by_calls.append(options)
        return await super().due_by(day, **options)


async def report(world: FakeWorld, n: int) -> str:
    outcome = await uc.report_incident(
        world.casework,
        STAFF,
        command_id=f"cmd-report-{n}",
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(MONDAY, 8)),
    )
    return outcome.case_id


async def with_the_chair(world: FakeWorld, n: int) -> str:
    """A ban imposed, its letter sent and the person's comments in: the Chair has a decision
    to make by a date (a person's row in the due index); the sweeper has nothing to do."""
    world.clock.to_day(MONDAY)
    case_id = await report(world, n)
    steps: list[Any] = [
        AssessRisk(command_id=f"cmd-assess-{n}", incident_no=1, assessment=assessment()),
        ImposeBan(
            command_id=f"cmd-ban-{n}",
            reason="A threat to a member of staff",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
        ),
        RecordLetterSent(
            command_id=f"cmd-sent-{n}", letter_id=f"cmd-ban-{n}:letter-4", sent_on=MONDAY
        ),
    ]
    for command in steps:
        await uc.dispatch(world.casework, command, HEAD, case_id=case_id)
    world.clock.to_day(date(2026, 1, 14))
    comments = RecordRepresentation(
        command_id=f"cmd-comments-{n}",
        letter_dated=date(2026, 1, 13),
        received_on=date(2026, 1, 14),
        summary="Asks for the ban to be lifted",
        nothing_more_to_add=True,
    )
    await uc.dispatch(world.casework, comments, HEAD, case_id=case_id)
    return case_id


async def world_with(people_only: int, sweepers: int) -> tuple[FakeWorld, RecordingStore, set[str]]:
    """`people_only` cases whose only due rows are the Chair's overdue decisions, and `sweepers`
    cases with a prompt that Teams failed to take (the sweeper's own wake-up row)."""
    store = RecordingStore()
    world = fake_world(at(MONDAY, 9), store=store)
    for n in range(people_only):
        await with_the_chair(world, n)
    # The sweeper's follow-ups of the overdue decisions (the Chair reminded, the head told)
    # are its own rows: sent once, they are gone, and only the people's rows are left.
    world.clock.to_day(LATER)
    await sweep(world.casework, LATER)
    own: set[str] = set()
    for n in range(sweepers):
        world.notifier.fail_next = 1
        own.add(await report(world, 1000 + n))
    due = await store.due_by(LATER)
    assert sum(d.role is not None for d in due) >= people_only  # people's rows are due too
    assert {d.case_id for d in due if d.role is None} == own
    assert all(d.action == COMPLETE_EFFECTS for d in due if d.role is None)
    store.calls.clear()
    store.due_by_calls.clear()
    return world, store, own


async def test_the_sweep_visits_only_the_cases_with_its_own_rows_due() -> None:
    world, _, own = await world_with(people_only=4, sweepers=3)

    report_ = await sweep(world.casework, LATER)

    assert set(report_.cases) == own
    assert report_.failures == ()


async def test_the_sweeps_store_calls_do_not_grow_with_the_number_of_cases() -> None:
    few_world, few, _ = await world_with(people_only=2, sweepers=3)
    many_world, many, _ = await world_with(people_only=25, sweepers=3)

    await sweep(few_world.casework, LATER, batch=2)
    await sweep(many_world.casework, LATER, batch=2)

    assert few.calls == many.calls
    assert few.calls["due_by"] == 2  # 3 rows, batches of 2


async def test_the_sweep_reads_its_rows_in_batches_of_the_batch_size() -> None:
    world, store, own = await world_with(people_only=3, sweepers=5)

    await sweep(world.casework, LATER, batch=2)

    # 5 rows in batches of 2: three reads (2, 2, 1), each of the sweeper's own rows only.
    assert len(store.due_by_calls) == math.ceil(len(own) / 2) == 3
    assert all(c["limit"] == 2 and c["sweeper_only"] for c in store.due_by_calls)
