"""A rule's refusal of a step's submit, in the step framework (`bot.flows.actions`), for
every step alike: the step's card comes back with the reason at the top and what was typed
kept, and nothing is recorded; a card the case moved on from while it was decided answers
with the current Case card; the refusals of who is asking stay errors."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.flows.actions import NOT_SHOWN_ON_THE_CARD, OUT_OF_DATE
from bot.routing import INVOKE_ERROR
from casework import bus
from casework.pipeline import CommandIdTaken, UnknownUser
from rules.behaviours import ChairOutcome
from rules.errors import AlreadyDone, CaseNotFound, NotPermitted, OwnDecision, Refusal
from rules.steps.chair import DecideAsChair
from tests.builders import at
from tests.cardschema import walk
from tests.case_paths import with_chair
from tests.casework_world import CHAIR, CLERK, HEAD, fake_world
from tests.unit.test_step_actions import bot_for, chair_form, invoke_card, kinds, text_of


async def test_the_committees_decision_before_its_meeting_gets_the_card_back_with_the_text() -> (
    None
):
    # `MeetingNotYetHeld`: a refusal no step names for itself; it is shown on the card.
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 27), 16))
    decide = DecideAsChair("cmd-chair", ChairOutcome.CONFIRM, "Fair")
    await bus.dispatch(world.casework, decide, CHAIR, case_id=case_id)
    world.clock.set(at(date(2026, 7, 1), 9))
    bot = bot_for(world)
    clerk_card = await bot.say(CLERK, "case OAK-2026-0001")
    set_date = invoke_card(await bot.press(CLERK, clerk_card, "Set the review date"))
    invoke_card(await bot.press(CLERK, set_date, "Set the date", meetingOn="2026-07-20"))
    world.clock.set(at(date(2026, 7, 8), 10))
    clerk_card = await bot.say(CLERK, "case OAK-2026-0001")
    outcome = invoke_card(await bot.press(CLERK, clerk_card, "Record the committee's decision"))
    before = await kinds(bot, case_id)

    again = invoke_card(
        await bot.press(
            CLERK,
            outcome,
            "Record the decision",
            reviewOutcome="maintain",
            reviewReason="Nothing has changed since January",
        )
    )

    words = text_of(again)
    assert "The committee meets on Monday 20 July 2026" in words
    # At the top, before the card's own facts.
    assert words.index("The committee meets on") < words.index("Case **OAK-2026-0001**")
    (typed,) = [e for e in walk(again) if e.get("id") == "reviewReason"]
    assert typed["value"] == "Nothing has changed since January"
    submit = next(a for a in walk(again) if a.get("title") == "Record the decision")
    first = next(a for a in walk(outcome) if a.get("title") == "Record the decision")
    assert submit["data"]["commandId"] == first["data"]["commandId"]
    assert await kinds(bot, case_id) == before


async def test_a_refusal_after_the_case_moved_on_meanwhile_answers_with_the_case_now() -> None:
    # Another press records the Chair's decision while this one is being decided: the
    # pipeline decides again on the case as it now is, and the rules refuse it.
    world = fake_world(at(date(2026, 1, 12), 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 21), 10))
    bot = bot_for(world)
    form = await chair_form(bot)
    store = world.store
    original = store.append
    raced = False

    async def append(*args: Any, **kwargs: Any) -> Any:
        nonlocal raced
        if not raced:
            raced = True
            other = DecideAsChair("cmd-other-press", ChairOutcome.CONFIRM, "Fair")
            await bus.dispatch(world.casework, other, CHAIR, case_id=case_id)
        return await original(*args, **kwargs)

    store.append = append  # type: ignore[method-assign]
    reply = await bot.press(CHAIR, form, "Record my decision", outcome="overturn", reason="No")

    answered = invoke_card(reply)
    assert OUT_OF_DATE in text_of(answered)
    assert "Case OAK-2026-0001" in text_of(answered)
    assert (await kinds(bot, case_id)).count("chair-decided") == 1


async def test_who_may_ask_is_answered_as_an_error_not_on_the_card() -> None:
    assert set(NOT_SHOWN_ON_THE_CARD) == {NotPermitted, OwnDecision, CaseNotFound, CommandIdTaken}
    assert issubclass(UnknownUser, NotPermitted)
    # A refusal of the rules that is about the case, not the asker, is shown on the card.
    assert not issubclass(AlreadyDone, NOT_SHOWN_ON_THE_CARD)
    assert issubclass(AlreadyDone, Refusal)


async def test_the_head_confirming_her_own_ban_still_gets_the_refusal_as_an_error() -> None:
    world = fake_world(at(date(2026, 1, 12), 9))
    await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 21), 10))
    bot = bot_for(world)
    form = await chair_form(bot)  # the Chair's card, pressed by the head

    reply = await bot.press(HEAD, form, "Record my decision", outcome="confirm", reason="x")

    assert reply.invoke is not None
    assert reply.invoke.type == INVOKE_ERROR
