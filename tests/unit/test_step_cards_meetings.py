"""The head's new incident card and the meetings' step cards (informal meeting arranged,
held, cancelled; the annual progress meeting), pressed through the router as the app runs
them, on the fakes. Every card is checked against the Adaptive Card 1.5 schema."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.flows.actions import NO_SUCH_CASE
from bot.flows.new_incident import card_for
from bot.routing import INVOKE_ERROR
from casework import bus
from rules.behaviours import ChairOutcome, Relationship
from rules.steps.chair import DecideAsChair
from rules.steps.reporting import ReportIncident, UpdatePersonDetails
from tests.builders import at, incident, person
from tests.cardschema import assert_valid_card, walk
from tests.case_paths import reported, with_chair
from tests.casework_world import CHAIR, HEAD, STAFF, fake_world
from tests.unit.test_step_actions import bot_for, invoke_card, kinds, text_of, titles

MONDAY = date(2026, 1, 12)


async def _reported_twice() -> Any:
    """A case with one assessed incident and a second, new one, reported by staff."""
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 14), 9))
    await bus.dispatch(
        world.casework,
        ReportIncident(
            "cmd-report-2",
            incident(at(date(2026, 1, 14), 8), summary="Swore at the office window."),
        ),
        STAFF,
        case_id=case_id,
    )
    return world, case_id


async def test_the_new_incident_card_shows_it_the_earlier_ones_and_starts_the_assessment() -> None:
    world, _ = await _reported_twice()
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")

    shown = invoke_card(await bot.press(HEAD, case_card, "See the new incident"))

    text = text_of(shown)
    assert "New incident" in text
    assert "Swore at the office window." in text
    # The earlier incident, by number, date and summary.
    assert "Incident 1, Monday 12 January 2026: Shouted at the caretaker" in text
    assessment = invoke_card(await bot.press(HEAD, shown, "Start risk assessment"))
    assert "Risk assessment" in text_of(assessment)
    assert "Incident 2" in text_of(assessment)


async def test_the_new_incident_card_for_the_prompt_has_a_current_button() -> None:
    world, case_id = await _reported_twice()
    folded = await world.casework.load_folded(case_id)
    assert folded is not None

    card = card_for(world.casework, folded)

    assert_valid_card(card)
    assert "Swore at the office window." in text_of(card)
    bot = bot_for(world)
    assessment = invoke_card(await bot.press(HEAD, card, "Start risk assessment"))
    assert "has moved on" not in text_of(assessment)
    # Staff, who reported it, cannot open the assessment from it.
    refused = await bot.press(STAFF, card, "Start risk assessment")
    assert refused.invoke is not None
    assert refused.invoke.type == INVOKE_ERROR
    assert refused.invoke.value["message"] == NO_SUCH_CASE


async def _meeting_card(bot: Any) -> Any:
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    assert "Arrange an informal meeting" in titles(case_card)
    return invoke_card(await bot.press(HEAD, case_card, "Arrange an informal meeting"))


ARRANGED = {
    "meetingDay": "2026-01-15",
    "meetingTime": "15:30",
    "meetingPlace": "The head's office",
    "staffAttending": "Graham Whitlock\nPriya Shah",
    "seatingConsidered": "true",
    "exitsClear": "true",
}


async def test_a_meeting_needs_two_staff_and_the_safety_checklist_shown_at_each_field() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    form = await _meeting_card(bot)
    before = await kinds(bot, case_id)

    refused = invoke_card(
        await bot.press(
            HEAD,
            form,
            "Arrange the meeting",
            **{**ARRANGED, "staffAttending": "Graham Whitlock", "exitsClear": "false"},
        )
    )

    text = text_of(refused)
    assert "The meeting has not been arranged yet" in text
    body = refused["body"]
    for input_id, words in (
        ("staffAttending", "at least two members of staff"),
        ("exitsClear", "exits cannot be blocked"),
    ):
        at_field = next(i for i, e in enumerate(body) if e.get("id") == input_id)
        assert words in body[at_field + 1]["text"]
        assert words in body[2]["text"]  # listed at the top too, under "not arranged yet"
    assert await kinds(bot, case_id) == before


async def test_a_meeting_in_the_past_cannot_be_arranged() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    form = await _meeting_card(bot)

    refused = invoke_card(
        await bot.press(
            HEAD, form, "Arrange the meeting", **{**ARRANGED, "meetingDay": "2026-01-09"}
        )
    )

    assert "The meeting must be arranged for a time still to come." in text_of(refused)
    assert "informal-meeting-arranged" not in await kinds(bot, case_id)


async def test_an_informal_meeting_is_arranged_then_recorded_as_held_and_its_letter_drafted() -> (
    None
):
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    form = await _meeting_card(bot)
    done = invoke_card(await bot.press(HEAD, form, "Arrange the meeting", **ARRANGED))
    assert "Informal meeting arranged" in text_of(done)

    world.clock.set(at(date(2026, 1, 15), 17))
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    assert {"Record the meeting", "Cancel the meeting"} <= set(titles(case_card))
    held = invoke_card(await bot.press(HEAD, case_card, "Record the meeting"))
    assert "Arranged for Thursday 15 January 2026 at 15:30, The head's office" in text_of(held)
    future = invoke_card(
        await bot.press(
            HEAD,
            held,
            "Record the meeting",
            heldOn="2026-01-16",
            staffPresent="Graham Whitlock\nPriya Shah",
            meetingNotes="Talked it through",
        )
    )
    assert "The date of the meeting cannot be in the future." in text_of(future)
    recorded = invoke_card(
        await bot.press(
            HEAD,
            future,
            "Record the meeting",
            heldOn="2026-01-15",
            staffPresent="Graham Whitlock\nPriya Shah",
            meetingNotes="Talked it through",
            agreedActions="Speak to the office by phone first",
        )
    )

    assert "Meeting recorded" in text_of(recorded)
    history = await kinds(bot, case_id)
    assert history.count("informal-meeting-held") == 1
    assert "letter-required" in history[history.index("informal-meeting-held") :]


async def test_an_arranged_meeting_is_cancelled_with_its_reason() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    invoke_card(await bot.press(HEAD, await _meeting_card(bot), "Arrange the meeting", **ARRANGED))
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    cancel = invoke_card(await bot.press(HEAD, case_card, "Cancel the meeting"))

    empty = invoke_card(await bot.press(HEAD, cancel, "Cancel the meeting", cancelReason=" "))
    assert "Say why the meeting is cancelled." in text_of(empty)
    invoke_card(await bot.press(HEAD, empty, "Cancel the meeting", cancelReason="They asked to"))

    assert (await kinds(bot, case_id)).count("informal-meeting-cancelled") == 1


async def test_the_annual_progress_meeting_is_recorded_while_a_ban_is_confirmed() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 21), 10))
    await bus.dispatch(
        world.casework,
        DecideAsChair("cmd-chair", ChairOutcome.CONFIRM, "Serious"),
        CHAIR,
        case_id=case_id,
    )
    world.clock.set(at(date(2026, 3, 2), 16))
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    form = invoke_card(await bot.press(HEAD, case_card, "Record the annual progress meeting"))

    too_long = invoke_card(
        await bot.press(
            HEAD, form, "Record the meeting", progressHeldOn="2026-03-02", progressNotes="x" * 4001
        )
    )
    assert "at most 4,000 characters" in text_of(too_long)
    invoke_card(await bot.press(HEAD, too_long, "Record the meeting", progressHeldOn="2026-03-02"))

    assert (await kinds(bot, case_id)).count("progress-meeting-held") == 1
    assert not [e for e in walk(form) if e.get("type") == "Input.Text" and "maxLength" not in e]


async def test_a_submit_forged_for_the_new_incident_card_records_nothing_and_says_why() -> None:
    world, case_id = await _reported_twice()
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    shown = invoke_card(await bot.press(HEAD, case_card, "See the new incident"))
    data = next(a["data"] for a in walk(shown) if a.get("title") == "Start risk assessment")
    before = await kinds(bot, case_id)

    reply = await bot.send(
        HEAD,
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {
                "type": "Action.Execute",
                "verb": "incident.new",
                "data": {**data, "commandId": "cmd-forged"},
            }
        },
    )

    again = invoke_card(reply)
    assert "Press “Start risk assessment” to assess the risk." in text_of(again)
    assert await kinds(bot, case_id) == before


async def test_no_progress_meeting_is_offered_for_a_visitor() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await with_chair(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 21), 10))
    await bus.dispatch(
        world.casework,
        DecideAsChair("cmd-chair", ChairOutcome.CONFIRM, "Serious"),
        CHAIR,
        case_id=case_id,
    )
    await bus.dispatch(
        world.casework,
        UpdatePersonDetails("cmd-visitor", person(relationship=Relationship.VISITOR, pupils=())),
        HEAD,
        case_id=case_id,
    )
    bot = bot_for(world)

    case_card = await bot.say(HEAD, "case OAK-2026-0001")

    every = [a.get("title") for a in walk(case_card) if a.get("type") == "Action.Execute"]
    assert "Record the annual progress meeting" not in every
    assert "Record a breach" in every
