"""A listing reads the projection, a page at a time: the number of store calls it makes does
not grow with the number of cases, and it never loads a case's events (issue 10, item 3)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from casework import bus as uc
from casework.queries import cases_at, prompts_for_user
from tests.builders import at, incident, person
from tests.casework_world import CHAIR, CHAIR_OF_TRUSTEES, CLERK, HEAD, STAFF, fake_world
from tests.fakes import InMemoryCaseStore

MONDAY = date(2026, 1, 12)


class CountingStore(InMemoryCaseStore):
    """The fake store, counting every call by method name."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()

    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if name.startswith("_") or name == "calls" or not callable(attribute):
            return attribute

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            method: Callable[..., Awaitable[Any]] = attribute
            return await method(*args, **kwargs)

        return counted


async def calls_for_listings(cases: int) -> Counter[str]:
    store = CountingStore()
    world = fake_world(at(MONDAY, 9), store=store)
    for n in range(cases):
        await uc.report_incident(
            world.casework,
            STAFF,
            command_id=f"cmd-report-{n}",
            school_id="oakfield",
            person=person(),
            incident=incident(at(MONDAY, 8)),
        )
    store.calls.clear()
    for actor in (HEAD, CHAIR, CLERK, STAFF, CHAIR_OF_TRUSTEES):
        await cases_at(world.casework, "oakfield", actor)
        await prompts_for_user(world.casework, actor, MONDAY)
    return store.calls


async def test_listings_make_the_same_store_calls_for_3_cases_as_for_60() -> None:
    few = await calls_for_listings(3)
    many = await calls_for_listings(60)

    assert few == many
    assert few["load"] == 0  # no case is replayed
    assert sum(few.values()) <= 20


async def test_a_page_of_prompts_and_cases_is_bounded() -> None:
    world = fake_world(at(MONDAY, 9))
    for n in range(60):
        await uc.report_incident(
            world.casework,
            STAFF,
            command_id=f"cmd-report-{n}",
            school_id="oakfield",
            person=person(),
            incident=incident(at(MONDAY, 8)),
        )

    first = await cases_at(world.casework, "oakfield", HEAD, limit=50)
    rest = await cases_at(world.casework, "oakfield", HEAD, after=first[-1].reference)
    prompts = await prompts_for_user(world.casework, HEAD, MONDAY, limit=10)

    assert len(first) == 50
    assert len(rest) == 10
    assert len(prompts) == 10
    assert [s.reference for s in await cases_at(world.casework, "oakfield", STAFF)] == [
        s.reference for s in first
    ]
