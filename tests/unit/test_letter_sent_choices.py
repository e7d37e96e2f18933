"""The *Mark a letter as sent* form names each letter with its state as the Case card
words it, dates and all (bot/flows/letter_sent.py): a weekday or a month is not written in
lower case because it follows an opening bracket."""

from __future__ import annotations

from datetime import date

from tests.builders import at
from tests.cardschema import walk
from tests.case_paths import banned
from tests.casework_world import HEAD, fake_world
from tests.unit.test_step_actions import bot_for, invoke_card


async def test_the_letter_choice_keeps_the_capitals_of_the_reply_by_date() -> None:
    world = fake_world(at(date(2026, 1, 12), 9))
    await banned(world.casework, world.clock)
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    assert "Draft ready to check and send" in str(case_card)

    form = invoke_card(await bot.press(HEAD, case_card, "Mark a letter as sent"))

    (letter,) = [e for e in walk(form) if e.get("id") == "letter"]
    titles = [c["title"] for c in letter["choices"]]
    assert titles[0] == (
        "Letter 4: ban, pending review (draft ready to check and send"
        " (reply by Monday 26 January 2026 printed on it))"
    )
