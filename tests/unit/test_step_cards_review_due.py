"""The clerk's *review due* card, built for the prompt to the clerks' channel and to the
clerk: the review's facts and dates, without the person's name, and a button that opens
the review-date step for the clerk (and nobody who may not set it)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.flows.actions import NO_SUCH_CASE
from bot.flows.review_due import card_for
from bot.routing import INVOKE_ERROR
from casework import bus
from rules.behaviours import ChairOutcome
from rules.steps.chair import DecideAsChair
from tests.builders import at
from tests.cardschema import assert_valid_card
from tests.case_paths import with_chair
from tests.casework_world import CHAIR, CLERK, STAFF, fake_world
from tests.unit.test_step_actions import bot_for, invoke_card, text_of


async def test_the_review_due_card_gives_the_dates_and_opens_the_date_step_for_the_clerk() -> None:
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 21), 10))
    await bus.dispatch(
        world.casework,
        DecideAsChair("cmd-chair", ChairOutcome.CONFIRM, "Serious"),
        CHAIR,
        case_id=case_id,
    )
    world.clock.set(at(date(2026, 7, 1), 9))
    folded = await world.casework.load_folded(case_id)
    assert folded is not None

    card = card_for(world.casework, folded)

    assert_valid_card(card)
    text = text_of(card)
    assert "Review due" in text
    facts = {
        f["title"]: f["value"] for e in card["body"] if e["type"] == "FactSet" for f in e["facts"]
    }
    assert facts["Reviewed"] == "Ban, confirmed on Wednesday 21 January 2026"
    assert facts["Review due by"] == "Tuesday 21 July 2026"
    assert "Earliest meeting, if letter 6 goes today" in facts
    # It may be posted in the clerks' channel: no name, nothing of what happened.
    assert "Jordan" not in str(card)
    assert "caretaker" not in str(card)
    bot = bot_for(world)
    set_date = invoke_card(await bot.press(CLERK, card, "Set the meeting date"))
    assert "Set the review meeting's date" in text_of(set_date)
    refused = await bot.press(STAFF, card, "Set the meeting date")
    assert refused.invoke is not None
    assert refused.invoke.type == INVOKE_ERROR
    assert refused.invoke.value["message"] == NO_SUCH_CASE


async def test_no_review_due_card_for_a_case_with_nothing_to_review() -> None:
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await with_chair(world.casework, world.clock)  # still provisional
    folded = await world.casework.load_folded(case_id)
    assert folded is not None

    with pytest.raises(ValueError, match="no review is due"):
        card_for(world.casework, folded)
