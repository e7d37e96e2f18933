"""The *letter drafted* card: what the draft is, where to open it, and "Mark as sent",
which is the letter-sent step itself; through the router, on the fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.flows.letter_drafted import card_for, draft_line
from tests.builders import at
from tests.cardschema import assert_valid_card, walk
from tests.case_paths import banned
from tests.casework_world import CHAIR, HEAD, fake_world
from tests.unit.test_step_actions import bot_for, invoke_card, kinds, text_of, titles

MONDAY = date(2026, 1, 12)


async def test_the_letter_drafted_card_says_what_and_where_and_marks_it_sent() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 13), 9))
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    assert "Open the letter draft" in titles(case_card)
    # The Chair signs none of the drafts: not offered to them.
    assert "Open the letter draft" not in titles(await bot.say(CHAIR, "case OAK-2026-0001"))

    drafted = invoke_card(await bot.press(HEAD, case_card, "Open the letter draft"))

    text = text_of(drafted)
    folded = await world.casework.load_folded(case_id)
    assert folded is not None
    letter = next(x for x in folded.view.letters if x.draft_ref is not None)
    assert letter.letter.label in text
    assert "To Jordan Example" in text
    # The fakes' drafts are kept in memory: their reference is shown as it is.
    assert f"The draft's reference: {letter.draft_ref}" in text
    # Two drafts (letter 4 and the notice to the Chair of Trustees): which one is asked.
    (which,) = [e for e in walk(drafted) if e.get("id") == "letter"]
    assert letter.letter_id in [c["value"] for c in which["choices"]]
    chosen = letter.letter_id
    future = invoke_card(
        await bot.press(HEAD, drafted, "Mark as sent", letter=chosen, sentOn="2026-01-14")
    )
    assert "cannot be in the future" in text_of(future)
    sent = invoke_card(
        await bot.press(HEAD, drafted, "Mark as sent", letter=chosen, sentOn="2026-01-13")
    )
    assert "Letter recorded as sent" in text_of(sent)
    assert (await kinds(bot, case_id)).count("letter-sent") == 1


async def test_a_draft_kept_behind_a_web_link_is_opened_by_its_link() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned(world.casework, world.clock)
    folded = await world.casework.load_folded(case_id)
    assert folded is not None
    letter = next(x for x in folded.view.letters if x.draft_ref is not None)
    linked = replace(letter, draft_ref="https://outlook.office.com/mail/drafts/id/AAMk")

    line = draft_line(folded.view, linked)

    assert line.url == "https://outlook.office.com/mail/drafts/id/AAMk"
    assert line.file == ""
    card = card_for(world.casework, folded, letter.letter_id, "cmd-1")
    assert_valid_card(card)
    buttons = [a for a in walk(card) if a.get("type") == "Action.Execute"]
    assert buttons[0]["title"] == "Mark as sent"
    assert buttons[0]["data"]["letter"] == letter.letter_id


async def test_an_embedded_draft_is_named_by_its_file_in_the_letters_folder() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned(world.casework, world.clock)
    folded = await world.casework.load_folded(case_id)
    assert folded is not None
    letter = next(x for x in folded.view.letters if x.draft_ref is not None)
    on_disk = replace(letter, draft_ref="OAK-2026-0001/letter-4-0123456789ab.eml")
    view = replace(folded.view, letters=(on_disk,))

    card = card_for(world.casework, replace(folded, view=view), letter.letter_id, "cmd-1")

    assert_valid_card(card)
    text = text_of(card)
    assert "The draft is the file `OAK-2026-0001/letter-4-0123456789ab.eml`" in text
    assert "var/letters/" in text
    assert "Open the draft" not in str(card)
