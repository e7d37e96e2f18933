"""Reception's list ("who is banned", issue 11 item 5) is kept by the projection: a ban or
conditions put someone on it, the Chair overturning them or a ban's end date passing takes
them off, and reading it replays no case. And the timeline words every event kind."""

from __future__ import annotations

from datetime import date

from casework import bus
from casework.projection import BANNED_FROM_PREMISES
from casework.queries import reception_list
from rules.behaviours import ChairOutcome
from rules.events import EVENT_KINDS
from rules.narrative import worded_kinds
from rules.steps.chair import DecideAsChair
from tests.builders import at
from tests.case_paths import banned, reported, under_conditions, with_chair
from tests.casework_world import CHAIR, RIVERSIDE_HEAD, STAFF, fake_world
from tests.unit.test_listings_read_the_projection import CountingStore

MONDAY = date(2026, 1, 12)


async def test_a_ban_puts_the_person_on_their_schools_list_and_nowhere_else() -> None:
    world = fake_world(at(MONDAY, 9))
    await banned(world.casework, world.clock)
    await reported(world.casework, world.clock, name="Not Sanctioned")

    (entry,) = await reception_list(world.casework, "oakfield", STAFF, MONDAY)
    assert entry.person_name == "Jordan Example"
    assert entry.banned
    assert entry.must_not == (BANNED_FROM_PREMISES,)
    assert await reception_list(world.casework, "riverside", RIVERSIDE_HEAD, MONDAY) == ()
    # Someone who is not staff at the school reads nothing.
    assert await reception_list(world.casework, "oakfield", RIVERSIDE_HEAD, MONDAY) == ()
    assert await reception_list(world.casework, "oakfield", CHAIR, MONDAY) == ()


async def test_conditions_are_listed_by_what_the_person_must_not_do() -> None:
    world = fake_world(at(MONDAY, 9))
    await under_conditions(world.casework, world.clock)

    (entry,) = await reception_list(world.casework, "oakfield", STAFF, MONDAY)
    assert not entry.banned
    assert entry.must_not == (
        "Accompanied to any meeting",
        "You may not film anyone on the school site",
    )


async def test_the_chair_overturning_a_ban_takes_the_person_off_the_list() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await with_chair(world.casework, world.clock)
    assert await reception_list(world.casework, "oakfield", STAFF, world.casework.today())

    await bus.dispatch(
        world.casework,
        DecideAsChair("cmd-overturn", ChairOutcome.OVERTURN, "Not proportionate"),
        CHAIR,
        case_id=case_id,
    )

    assert await reception_list(world.casework, "oakfield", STAFF, world.casework.today()) == ()


async def test_a_ban_with_an_end_date_leaves_the_list_after_it() -> None:
    world = fake_world(at(MONDAY, 9))
    await banned(world.casework, world.clock, until=date(2026, 3, 20))

    (entry,) = await reception_list(world.casework, "oakfield", STAFF, date(2026, 3, 20))
    assert entry.until == date(2026, 3, 20)
    assert await reception_list(world.casework, "oakfield", STAFF, date(2026, 3, 21)) == ()


async def test_reading_the_list_replays_no_case_and_costs_the_same_for_1_or_20() -> None:
    calls = []
    for cases in (1, 20):
        store = CountingStore()
        world = fake_world(at(MONDAY, 9), store=store)
        for n in range(cases):
            await banned(world.casework, world.clock, name=f"Person {n}")
        store.calls.clear()
        listed = await reception_list(world.casework, "oakfield", STAFF, MONDAY)
        assert len(listed) == cases
        calls.append(dict(store.calls))
    assert calls[0] == calls[1] == {"reception_list": 1}


def test_the_timeline_words_every_event_kind() -> None:
    assert worded_kinds() == frozenset(EVENT_KINDS)
