"""The reporter's own steps (`StepAction.reporters`): a member of staff who reported an
incident may add a statement to it, or report a further incident by the same person, from
their view of the case (its stage only), through the router on the fakes; the cards show
them nothing they may not see (not the person, not anyone else's incident, not the case's
next steps), and anyone who did not report on the case (a member of staff at the school or
at another school) is refused exactly as for a case that does not exist."""

from __future__ import annotations

from datetime import date

from bot.flows.actions import NO_SUCH_CASE, OUT_OF_DATE
from bot.routing import INVOKE_ERROR, Reply
from casework import bus
from casework.pipeline import Actor
from rules.steps.reporting import ReportIncident
from tests.builders import at, person, violent_incident
from tests.cardschema import walk
from tests.case_paths import reported
from tests.casework_world import HEAD, STAFF, fake_world
from tests.unit.test_step_actions import Bot, bot_for, invoke_card, kinds, text_of, titles
from tests.unit.test_step_cards_more import field_problem
from tests.unit.test_step_further_incident import LATER

MONDAY = date(2026, 1, 12)
WEDNESDAY = date(2026, 1, 14)
RIVERSIDE_STAFF = Actor("a1000000-0000-4000-8000-000000000012")  # Megan Lloyd
STATEMENT = {
    "statementIncident": "1",
    "statementAuthor": "Priya Shah",
    "statementGivenOn": "2026-01-14",
    "statementText": "I was at the gate and heard the threat.",
}
# What the reporter's cards must never show: the person, and the head's own incident.
NOT_THEIRS = ("Jordan Example", "the car park", "Waited by the head's car")


def refused_as_no_case(reply: Reply) -> None:
    assert reply.invoke is not None
    assert reply.invoke.type == INVOKE_ERROR
    assert reply.invoke.value["message"] == NO_SUCH_CASE


def shows_nothing_of_the_case(card: object) -> None:
    for words in NOT_THEIRS:
        assert words not in str(card)


async def with_heads_incident(bot: Bot, case_id: str) -> None:
    """Incident 2, reported by the head herself: not the member of staff's."""
    incident = violent_incident(
        at(MONDAY, 10), location="the car park", summary="Waited by the head's car"
    )
    await bus.dispatch(
        bot.world.casework, ReportIncident("cmd-head-2", incident), HEAD, case_id=case_id
    )


async def test_the_reporter_adds_a_statement_to_their_own_incident_seeing_nothing_more() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    await with_heads_incident(bot, case_id)
    world.clock.set(at(WEDNESDAY, 10))

    status = await bot.say(STAFF, "case OAK-2026-0001")
    assert titles(status) == ["Report a further incident", "Add a statement"]
    shows_nothing_of_the_case(status)

    form = invoke_card(await bot.press(STAFF, status, "Add a statement"))
    shows_nothing_of_the_case(form)
    (which,) = [e for e in walk(form) if e.get("id") == "statementIncident"]
    assert [c["value"] for c in which["choices"]] == ["1"]  # not the head's incident 2
    # A forged choice of the head's incident is refused at the field, and nothing recorded.
    forged = invoke_card(
        await bot.press(STAFF, form, "Add the statement", **{**STATEMENT, "statementIncident": "2"})
    )
    assert field_problem(forged, "statementIncident")
    shows_nothing_of_the_case(forged)
    assert (await kinds(bot, case_id)).count("statement-added") == 0

    done = invoke_card(await bot.press(STAFF, forged, "Add the statement", **STATEMENT))
    assert "Statement added" in text_of(done)
    assert "Next:" not in text_of(done)  # the case's next steps are not the reporter's
    shows_nothing_of_the_case(done)
    folded = await world.casework.load_folded(case_id)
    assert folded is not None
    (statement,) = folded.view.incidents[0].statements
    assert statement.statement.text == STATEMENT["statementText"]
    assert statement.added_by == STAFF.object_id


async def test_the_reporter_reports_a_further_incident_on_their_own_report() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    await with_heads_incident(bot, case_id)
    world.clock.set(at(WEDNESDAY, 10))

    status = await bot.say(STAFF, "case OAK-2026-0001")
    form = invoke_card(await bot.press(STAFF, status, "Report a further incident"))
    shows_nothing_of_the_case(form)
    assert "You reported incident 1 on this case." in text_of(form)
    done = invoke_card(await bot.press(STAFF, form, "Record the incident", **LATER))

    assert "Incident recorded" in text_of(done)
    shows_nothing_of_the_case(done)
    folded = await world.casework.load_folded(case_id)
    assert folded is not None
    third = folded.view.incidents[-1]
    assert (third.no, third.reported_by) == (3, STAFF.object_id)
    # Now theirs too: their view names both of their incidents, and still nothing more.
    after = await bot.say(STAFF, "case OAK-2026-0001")
    assert "You reported incident 1, 3 on this case." in text_of(after)
    shows_nothing_of_the_case(after)


async def test_a_reporters_card_the_case_moved_on_from_answers_with_their_view_now() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    world.clock.set(at(WEDNESDAY, 10))
    status = await bot.say(STAFF, "case OAK-2026-0001")
    form = invoke_card(await bot.press(STAFF, status, "Add a statement"))
    await with_heads_incident(bot, case_id)  # the case moves on meanwhile

    stale = invoke_card(await bot.press(STAFF, form, "Add the statement", **STATEMENT))

    assert OUT_OF_DATE in text_of(stale)
    assert "Your report OAK-2026-0001" in text_of(stale)
    shows_nothing_of_the_case(stale)
    assert (await kinds(bot, case_id)).count("statement-added") == 0


async def test_staff_who_did_not_report_on_the_case_are_refused_its_reporter_steps() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    world.clock.set(at(WEDNESDAY, 10))
    status = await bot.say(STAFF, "case OAK-2026-0001")
    statement = invoke_card(await bot.press(STAFF, status, "Add a statement"))
    further = invoke_card(await bot.press(STAFF, status, "Report a further incident"))
    before = await kinds(bot, case_id)

    # A member of staff at another school, with the reporter's cards.
    refused_as_no_case(await bot.press(RIVERSIDE_STAFF, status, "Add a statement"))
    refused_as_no_case(
        await bot.press(RIVERSIDE_STAFF, statement, "Add the statement", **STATEMENT)
    )
    refused_as_no_case(await bot.press(RIVERSIDE_STAFF, further, "Record the incident", **LATER))

    # A case at the reporter's own school that someone else reported: not hers to add to.
    other = await bus.report_incident(
        world.casework,
        HEAD,
        command_id="cmd-report-other",
        school_id="oakfield",
        person=person(name="Sam Other"),
        incident=violent_incident(at(MONDAY, 8)),
    )
    others = {**statement["actions"][0]["data"], "caseId": other.case_id}
    forged = {**statement, "actions": [{**statement["actions"][0], "data": others}]}
    refused_as_no_case(await bot.press(STAFF, forged, "Add the statement", **STATEMENT))
    assert await kinds(bot, case_id) == before
    assert "statement-added" not in await kinds(bot, other.case_id)


async def test_the_reporter_may_open_no_other_step_on_their_report() -> None:
    world = fake_world(at(MONDAY, 9))
    await reported(world.casework, world.clock)
    bot = bot_for(world)
    status = await bot.say(STAFF, "case OAK-2026-0001")
    opener = status["actions"][0]
    forged_data = {**opener["data"], "step": "person.update"}
    forged = {**status, "actions": [{**opener, "title": "Forged", "data": forged_data}]}

    refused_as_no_case(await bot.press(STAFF, forged, "Forged"))
