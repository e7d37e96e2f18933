"""`cases`, `deadlines` and `who is banned`, typed, read the derived records: the store calls
they make do not grow with the number of cases, and no case is replayed (issue 11)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import count

from casework import bus
from tests.builders import at, incident, person
from tests.casework_world import CHAIR, CLERK, HEAD, STAFF, fake_world
from tests.unit.test_listings_read_the_projection import CountingStore
from tests.unit.test_step_actions import bot_for

MONDAY = date(2026, 1, 12)


async def calls_for_commands(cases: int) -> Counter[str]:
    store = CountingStore()
    world = fake_world(at(MONDAY, 9), store=store)
    for n in range(cases):
        await bus.report_incident(
            world.casework,
            STAFF,
            command_id=f"cmd-report-{n}",
            school_id="oakfield",
            person=person(),
            incident=incident(at(MONDAY, 8)),
        )
    bot = bot_for(world)
    bot.ids = count(1)
    store.calls.clear()
    for actor in (HEAD, CHAIR, CLERK, STAFF):
        for typed, heading in (
            ("cases", "My cases"),
            ("deadlines", "Deadlines"),
            (
                "who is banned",
                "Who is banned" if actor in (HEAD, STAFF) else "Not allowed for your role",
            ),
        ):
            reply = await bot.send(actor, type="message", text=typed)
            (message,) = reply.messages
            assert message.card is not None
            assert message.card["body"][0]["text"] == heading
    return store.calls


async def test_the_listing_commands_cost_the_same_for_2_cases_as_for_40() -> None:
    few = await calls_for_commands(2)
    many = await calls_for_commands(40)

    assert few == many
    assert few["load"] == 0
    assert sum(few.values()) <= 20
