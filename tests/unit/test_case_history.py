"""`history <reference>`: every event of a case, oldest first, for someone who sees the
case whole. The Case card shows only the most recent events (a card holds about 28 KB)
and says how to see the rest."""

from __future__ import annotations

from casework import bus as uc
from rules.details import Statement
from rules.steps.reporting import AddStatement
from tests.builders import at
from tests.cardschema import assert_valid_card
from tests.case_paths import MONDAY, reported
from tests.casework_world import HEAD, STAFF, fake_world
from tests.unit.test_step_actions import bot_for, text_of

STATEMENTS = 45


async def test_the_whole_history_of_a_long_case_is_shown_in_parts_oldest_first() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    for n in range(1, STATEMENTS + 1):
        statement = Statement(f"Witness {n}", f"What witness {n} saw.", MONDAY)
        await uc.dispatch(
            world.casework, AddStatement(f"cmd-statement-{n}", 1, statement), HEAD, case_id=case_id
        )
    bot = bot_for(world)

    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    assert "Type **history OAK-2026-0001** to see every event." in text_of(case_card)

    reply = await bot.send(HEAD, type="message", text="history OAK-2026-0001")
    cards = [m.card for m in reply.messages]
    words = [text_of(c or {}) for c in cards]
    for card in cards:
        assert card is not None
        assert_valid_card(card)
    assert len(cards) == 2
    assert "everything that has happened (part 1 of 2)" in words[0]
    assert "(part 2 of 2)" in words[1]
    history = "\n".join(words)
    assert "Case OAK-2026-0001 opened." in words[0]  # the oldest first
    added = [line for line in history.splitlines() if "A statement was added" in line]
    assert len(added) == STATEMENTS
    stored = len(await world.store.load(case_id))
    assert history.count(" · ") == stored  # one line per event recorded


async def test_the_reporter_gets_only_the_stage_and_nobody_else_gets_anything() -> None:
    world = fake_world(at(MONDAY, 9))
    await reported(world.casework, world.clock)
    bot = bot_for(world)

    own = await bot.say(STAFF, "history OAK-2026-0001")
    assert "A statement" not in text_of(own)
    assert "everything that has happened" not in text_of(own)

    missing = await bot.send(HEAD, type="message", text="history OAK-2026-9999")
    assert "everything that has happened" not in str(missing)
