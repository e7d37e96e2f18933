"""Report a further incident (`bot.flows.further_incident`): a later incident by the same
person is added to their case from its Case card, as incident 2 on the same case, so that a
ban on the ground that "all relevant procedures have been exhausted and aggression or
intimidation continue" can follow a warning; the incident report's own checks refuse bad
input at its field, and only those who see the case whole are offered it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.flows.actions import NO_SUCH_CASE, registered
from bot.routing import INVOKE_ERROR
from casework import bus
from casework.pipeline import Actor
from rules.steps.letters import RecordLetterSent
from rules.steps.risk_assessment import AssessRisk
from rules.steps.warning import ClarifyExpectations
from tests.builders import assessment, at
from tests.cardschema import walk
from tests.case_paths import reported
from tests.casework_world import HEAD, SENIOR, FakeWorld, fake_world
from tests.unit.test_step_actions import Bot, bot_for, invoke_card, kinds, text_of
from tests.unit.test_step_cards_more import field_problem

MONDAY = date(2026, 1, 12)
RIVERSIDE_STAFF = Actor("a1000000-0000-4000-8000-000000000012")  # Megan Lloyd
WEDNESDAY = date(2026, 1, 14)
TITLE = "Report a further incident"
SUBMIT = "Record the incident"

# A second, verbal incident at the gate, on Wednesday morning.
LATER = {
    "summary": "Shouted and swore at the receptionist when asked to wait.",
    "incidentDate": "2026-01-14",
    "incidentTime": "08:40",
    "location": "the school office",
    "channel": "in-person",
    "behaviours": "shouting,swearing",
    "affected": "staff",
    "effect": "The receptionist was shaken and left the desk.",
    "witnesses": "A parent waiting in the office",
}


async def warned(world: FakeWorld) -> str:
    """Incident 1 assessed, a warning chosen on Monday, letter 1 sent on Tuesday."""
    cw = world.casework
    case_id = await reported(cw, world.clock)
    world.clock.set(at(MONDAY, 14))
    await bus.dispatch(cw, ClarifyExpectations("cmd-warn"), HEAD, case_id=case_id)
    world.clock.set(at(date(2026, 1, 13), 9))
    await bus.dispatch(
        cw,
        RecordLetterSent("cmd-sent-1", "cmd-warn:letter-1", sent_on=date(2026, 1, 13)),
        HEAD,
        case_id=case_id,
    )
    world.clock.set(at(WEDNESDAY, 10))
    return case_id


async def further_form(bot: Bot, who: Any = HEAD) -> Mapping[str, Any]:
    case_card = await bot.say(who, "case OAK-2026-0001")
    return invoke_card(await bot.press(who, case_card, TITLE))


async def test_a_later_incident_after_a_warning_is_incident_2_and_allows_a_ban_on_that_ground() -> (
    None
):
    world = fake_world(at(MONDAY, 9))
    case_id = await warned(world)
    bot = bot_for(world)

    form = await further_form(bot)
    assert "Jordan Example: 1 incident(s) recorded." in text_of(form)
    done = invoke_card(await bot.press(HEAD, form, SUBMIT, **LATER))

    assert "Incident recorded" in text_of(done)
    assert "OAK-2026-0001" in text_of(done)
    folded = await world.casework.load_folded(case_id)
    assert folded is not None
    view = folded.view
    assert view.reference == "OAK-2026-0001"
    assert [i.no for i in view.incidents] == [1, 2]
    second = view.incidents[1]
    assert second.reported_by == HEAD.object_id
    assert second.details.summary == LATER["summary"]
    head = world.casework.ports.directory.person(HEAD.object_id)
    assert head is not None
    assert second.details.reporter_name == head.name
    assert second.details.occurred_at == at(WEDNESDAY, 8).replace(minute=40)
    assert second.details.witnesses == ("A parent waiting in the office",)
    history = await kinds(bot, case_id)
    assert history.count("case-opened") == 1
    assert history.count("incident-reported") == 2

    # Incident 2 assessed, the head bans without describing an extreme act of violence:
    # the warning took effect before incident 2, so the procedures are exhausted.
    await bus.dispatch(
        world.casework, AssessRisk("cmd-assess-2", 2, assessment()), HEAD, case_id=case_id
    )
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    choose = invoke_card(await bot.press(HEAD, case_card, "Choose a response"))
    banned = invoke_card(
        await bot.press(
            HEAD,
            choose,
            "Record: ban",
            banReason="The aggression continued after the warning letter.",
            banMeetings="By telephone.",
            banDropOff="A relative brings the children.",
        )
    )

    assert "has not been recorded" not in text_of(banned)
    assert "ban-imposed" in await kinds(bot, case_id)


async def test_senior_staff_may_report_a_further_incident() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await warned(world)
    bot = bot_for(world)

    invoke_card(await bot.press(SENIOR, await further_form(bot, SENIOR), SUBMIT, **LATER))

    assert (await kinds(bot, case_id)).count("incident-reported") == 2


async def test_a_further_incident_in_the_future_is_refused_at_its_date_and_nothing_recorded() -> (
    None
):
    world = fake_world(at(MONDAY, 9))
    case_id = await warned(world)
    bot = bot_for(world)
    form = await further_form(bot)
    before = await kinds(bot, case_id)

    again = invoke_card(
        await bot.press(HEAD, form, SUBMIT, **{**LATER, "incidentDate": "2026-01-15"})
    )

    words = text_of(again)
    assert "The incident has not been recorded yet:" in words
    assert "cannot be in the future" in field_problem(again, "incidentDate")
    assert LATER["summary"] in str(again)  # what was typed, kept
    assert await kinds(bot, case_id) == before


async def test_an_over_long_description_is_refused_at_its_field_and_nothing_recorded() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await warned(world)
    bot = bot_for(world)
    form = await further_form(bot)
    before = await kinds(bot, case_id)

    again = invoke_card(await bot.press(HEAD, form, SUBMIT, **{**LATER, "summary": "x" * 4001}))

    assert "The incident has not been recorded yet:" in text_of(again)
    assert "at most 4,000 characters" in field_problem(again, "summary")
    assert await kinds(bot, case_id) == before


async def test_a_behaviour_the_card_never_offered_is_refused_at_its_field() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await warned(world)
    bot = bot_for(world)
    form = await further_form(bot)
    before = await kinds(bot, case_id)

    again = invoke_card(
        await bot.press(HEAD, form, SUBMIT, **{**LATER, "behaviours": "shouting,arson"})
    )

    assert "from the list" in field_problem(again, "behaviours")
    assert await kinds(bot, case_id) == before


async def test_staff_of_another_school_are_refused_a_forged_further_incident() -> None:
    # The reporter may report a further incident on their own report
    # (tests/unit/test_reporter_steps.py); a member of staff elsewhere may not.
    world = fake_world(at(MONDAY, 9))
    case_id = await warned(world)
    bot = bot_for(world)

    form = await further_form(bot)  # the head's card, pressed by Riverside's staff
    before = await kinds(bot, case_id)
    reply = await bot.press(RIVERSIDE_STAFF, form, SUBMIT, **LATER)

    assert reply.invoke is not None
    assert reply.invoke.type == INVOKE_ERROR
    assert reply.invoke.value["message"] == NO_SUCH_CASE
    assert await kinds(bot, case_id) == before


async def test_the_step_sits_after_the_steps_that_move_the_case_on() -> None:
    world = fake_world(at(MONDAY, 9))
    await warned(world)
    bot = bot_for(world)

    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    buttons = [str(a.get("title")) for a in walk(case_card) if a.get("type") == "Action.Execute"]

    moving_on = {s.title for s in registered() if not s.secondary}
    assert TITLE in buttons
    assert moving_on & set(buttons)  # the steps that move the case on are offered, and first
    assert all(buttons.index(t) < buttons.index(TITLE) for t in moving_on & set(buttons))


async def test_a_double_pressed_further_incident_is_recorded_once() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await warned(world)
    bot = bot_for(world)
    form = await further_form(bot)

    invoke_card(await bot.press(HEAD, form, SUBMIT, **LATER))
    again = invoke_card(await bot.press(HEAD, form, SUBMIT, **LATER))

    assert "already" in text_of(again).lower()
    assert (await kinds(bot, case_id)).count("incident-reported") == 2
