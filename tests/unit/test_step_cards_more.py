"""The step cards for the remaining commands a person issues (a statement added, the
person's details, disclosure of a statement, a social media post, the reply window closed,
a defined period ended, a letter withdrawn or re-dated), pressed through the router as the
app runs them, on the fakes; and the registry test: every command a person may issue has a
card (a registered step), so a command added without one fails here."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import bot.flows  # noqa: F401  (registers every step)
from bot.flows.actions import registered
from casework import bus
from rules.behaviours import Behaviour, Channel
from rules.commands import COMMAND_TYPES, Command
from rules.permissions import PERMISSIONS
from rules.steps.letters import RecordLetterSent
from rules.steps.reporting import ReportIncident
from tests.builders import at, incident
from tests.cardschema import walk
from tests.case_paths import banned, reported
from tests.casework_world import HEAD, SENIOR, STAFF, fake_world
from tests.unit.test_step_actions import bot_for, invoke_card, kinds, text_of, titles

MONDAY = date(2026, 1, 12)

# Commands a person may issue that are not a step on a case's card, and why.
# None now: a later incident is reported on the case's card (`bot.flows.further_incident`).
NOT_A_STEP: dict[type[Command], str] = {}


def test_every_command_a_person_may_issue_has_a_card() -> None:
    with_card = {c for step in registered() for c in (step.command, *step.also)}
    human = [c for c in COMMAND_TYPES if PERMISSIONS[c].roles]

    missing = [c.__name__ for c in human if c not in with_card and c not in NOT_A_STEP]

    assert missing == []
    # The allow-list holds only commands people issue, each still without a step.
    assert all(PERMISSIONS[c].roles and c not in with_card for c in NOT_A_STEP)


def test_every_registered_step_has_its_own_verb() -> None:
    verbs = [step.verb for step in registered()]
    assert len(verbs) == len(set(verbs))


def field_problem(card: Mapping[str, Any], input_id: str) -> str:
    body = card["body"]
    at_field = next(i for i, e in enumerate(body) if e.get("id") == input_id)
    return str(body[at_field + 1]["text"])


async def test_a_statement_is_added_the_head_decides_it_is_shown_and_it_is_recorded_shown() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    world.clock.set(at(MONDAY, 15))
    bot = bot_for(world)
    case_card = await bot.say(SENIOR, "case OAK-2026-0001")
    add = invoke_card(await bot.press(SENIOR, case_card, "Add a statement"))
    statement = {
        "statementIncident": "1",
        "statementAuthor": "Daniel Hughes",
        "statementGivenOn": "2026-01-12",
        "statementText": "I heard the threat at the gate.",
    }
    too_long = invoke_card(
        await bot.press(
            SENIOR, add, "Add the statement", **{**statement, "statementText": "x" * 8001}
        )
    )
    assert "at most 8,000 characters" in field_problem(too_long, "statementText")
    invoke_card(await bot.press(SENIOR, too_long, "Add the statement", **statement))
    assert (await kinds(bot, case_id)).count("statement-added") == 1

    # Only the head decides; senior staff are not offered it.
    assert "Decide whether a statement is shown" not in titles(
        await bot.say(SENIOR, "case OAK-2026-0001")
    )
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    decide = invoke_card(await bot.press(HEAD, case_card, "Decide whether a statement is shown"))
    assert "statement 1 (Daniel Hughes): no decision yet" in text_of(decide)
    invoke_card(
        await bot.press(
            HEAD,
            decide,
            "Record the decision",
            disclosureStatement="1.1",
            disclosureRelease="release",
            retaliationRisk="low",
            disclosureReasons="The witness agrees; the risk is low",
        )
    )
    case_card = await bot.say(SENIOR, "case OAK-2026-0001")
    shown = invoke_card(await bot.press(SENIOR, case_card, "Record that a statement was shown"))
    forged = invoke_card(
        await bot.press(
            SENIOR, shown, "Record it", disclosureStatement="1.7", releasedOn="2026-01-12"
        )
    )
    assert "Choose the statement." in field_problem(forged, "disclosureStatement")
    invoke_card(
        await bot.press(
            SENIOR, forged, "Record it", disclosureStatement="1.1", releasedOn="2026-01-12"
        )
    )

    history = await kinds(bot, case_id)
    assert history.count("disclosure-decided") == 1
    assert history.count("statement-released") == 1


async def test_the_persons_details_open_as_they_are_and_a_bad_email_is_refused_at_its_field() -> (
    None
):
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    details = invoke_card(await bot.press(HEAD, case_card, "Update the person's details"))
    values = {e["id"]: e.get("value") for e in walk(details) if "id" in e}
    assert values["personName"] == "Jordan Example"
    assert values["personEmail"] == "jordan.example@example.com"
    assert values["postalAddress"] == "12 Birch Road\nOakbridge\nOV3 9ZZ"
    before = await kinds(bot, case_id)

    refused = invoke_card(
        await bot.press(
            HEAD,
            details,
            "Save the details",
            personName="Jordan Example",
            relationship="carer",
            personEmail="jordan at example",
        )
    )
    assert "like name@example.com" in field_problem(refused, "personEmail")
    assert await kinds(bot, case_id) == before
    invoke_card(
        await bot.press(
            HEAD,
            refused,
            "Save the details",
            personName="Jordan Example",
            relationship="carer",
            personEmail="jordan@example.org",
            postalAddress="3 Elm Row\nOakbridge",
        )
    )
    folded = await world.casework.load_folded(case_id)
    assert folded is not None
    assert folded.view.person.email == "jordan@example.org"
    assert folded.view.person.postal_address == ("3 Elm Row", "Oakbridge")


async def test_a_post_on_social_media_is_recorded_reported_and_its_removal_asked_for() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world.casework, world.clock)
    bot = bot_for(world)
    assert "Record that the post was reported" not in titles(
        await bot.say(HEAD, "case OAK-2026-0001")
    )
    await bus.dispatch(
        world.casework,
        ReportIncident(
            "cmd-post",
            incident(
                at(MONDAY, 8),
                channel=Channel.SOCIAL_MEDIA,
                behaviours=(Behaviour.SOCIAL_MEDIA,),
                summary="Posted that the teacher is a liar.",
            ),
        ),
        STAFF,
        case_id=case_id,
    )
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    report = invoke_card(await bot.press(HEAD, case_card, "Record that the post was reported"))
    invoke_card(
        await bot.press(
            HEAD,
            report,
            "Record it",
            postIncident="2",
            postReportedOn="2026-01-12",
            postSite="Facebook",
        )
    )
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    removal = invoke_card(await bot.press(HEAD, case_card, "Record that removal was asked for"))
    assert "Incident 2: reported to Facebook; removal not asked for yet." in text_of(removal)
    wrong = invoke_card(
        await bot.press(
            HEAD,
            removal,
            "Record it",
            postIncident="1",
            removalRequestedOn="2026-01-12",
            removalHow="Email",
        )
    )
    assert "Choose the incident." in field_problem(wrong, "postIncident")
    invoke_card(
        await bot.press(
            HEAD,
            wrong,
            "Record it",
            postIncident="2",
            removalRequestedOn="2026-01-12",
            removalHow="Email",
        )
    )

    history = await kinds(bot, case_id)
    assert history.count("social-media-post-reported") == 1
    assert history.count("social-media-removal-requested") == 1


async def _ban_sent(world: Any, until: date | None = None) -> str:
    case_id = await banned(world.casework, world.clock, until=until)
    world.clock.set(at(date(2026, 1, 13), 9))
    await bus.dispatch(
        world.casework,
        RecordLetterSent("cmd-sent", f"cmd-ban-{case_id}:letter-4", date(2026, 1, 13)),
        HEAD,
        case_id=case_id,
    )
    return case_id


async def test_the_reply_window_is_closed_from_its_card_only_once_it_has_passed() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await _ban_sent(world)
    bot = bot_for(world)
    for day in (date(2026, 1, 20), date(2026, 1, 27)):  # the window's last day is the 27th
        world.clock.set(at(day, 17))
        case_card = await bot.say(HEAD, "case OAK-2026-0001")
        every = [a["title"] for a in walk(case_card) if a.get("type") == "Action.Execute"]
        assert "No written comments arrived" not in every

    world.clock.set(at(date(2026, 1, 28), 9))
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    close = invoke_card(await bot.press(HEAD, case_card, "No written comments arrived"))
    assert "Their 10 school days to reply end on Tuesday 27 January 2026." in text_of(close)
    invoke_card(await bot.press(HEAD, close, "Record that none arrived"))

    assert (await kinds(bot, case_id)).count("representation-window-closed") == 1


async def test_a_defined_period_is_ended_from_its_card_only_after_its_end_date() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned(world.casework, world.clock, until=date(2026, 3, 1))
    bot = bot_for(world)
    world.clock.set(at(date(2026, 3, 1), 18))
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    every = [a["title"] for a in walk(case_card) if a.get("type") == "Action.Execute"]
    assert "Record that the period ended" not in every

    world.clock.set(at(date(2026, 3, 2), 9))
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    end = invoke_card(await bot.press(HEAD, case_card, "Record that the period ended"))
    assert "in force until Sunday 1 March 2026" in text_of(end)
    invoke_card(await bot.press(HEAD, end, "Record that it ended"))

    assert (await kinds(bot, case_id)).count("sanction-period-ended") == 1


async def test_a_letter_is_withdrawn_with_its_reason_but_not_the_one_the_case_waits_on() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned(world.casework, world.clock)
    bot = bot_for(world)
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    withdraw = invoke_card(await bot.press(HEAD, case_card, "Withdraw a letter"))
    (choice_set,) = [e for e in walk(withdraw) if e.get("id") == "withdrawLetter"]
    values = [c["value"] for c in choice_set["choices"]]
    letter_4 = next(v for v in values if v.endswith(":letter-4"))

    refused = invoke_card(
        await bot.press(HEAD, withdraw, "Withdraw it", withdrawLetter=letter_4, withdrawReason="x")
    )
    assert "right to reply" in text_of(refused)
    assert "letter-withdrawn" not in await kinds(bot, case_id)
    empty = invoke_card(
        await bot.press(HEAD, refused, "Withdraw it", withdrawLetter=letter_4, withdrawReason="")
    )
    assert "Say why the letter will not be sent." in field_problem(empty, "withdrawReason")


async def test_a_draft_dated_before_today_is_drafted_again_from_its_card() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned(world.casework, world.clock)
    bot = bot_for(world)
    same_day = await bot.say(HEAD, "case OAK-2026-0001")
    assert "Re-date a letter" not in [a.get("title") for a in walk(same_day)]
    world.clock.set(at(date(2026, 1, 15), 9))
    case_card = await bot.say(HEAD, "case OAK-2026-0001")
    redate = invoke_card(await bot.press(HEAD, case_card, "Re-date a letter"))
    (choice_set,) = [e for e in walk(redate) if e.get("id") == "redateLetter"]
    letter_4 = next(c["value"] for c in choice_set["choices"] if c["value"].endswith(":letter-4"))

    done = invoke_card(
        await bot.press(HEAD, redate, "Draft it again, dated today", redateLetter=letter_4)
    )

    assert "Re-dated draft asked for" in text_of(done)
    assert "letter-redated" in await kinds(bot, case_id)


async def test_the_case_card_never_shows_more_buttons_in_a_row_than_teams_does() -> None:
    world = fake_world(at(MONDAY, 9))
    await banned(world.casework, world.clock)
    world.clock.set(at(date(2026, 1, 15), 9))  # the drafts are dated before today
    bot = bot_for(world)

    case_card = await bot.say(HEAD, "case OAK-2026-0001")

    rows = [case_card["actions"]] + [
        e["actions"] for e in walk(case_card) if e.get("type") == "ActionSet"
    ]
    assert all(len(row) <= 6 for row in rows)
    (more,) = [a for a in case_card["actions"] if a["title"] == "More steps"]
    inside = [a["title"] for a in walk(more["card"]) if a.get("type") == "Action.Execute"]
    # The steps that move the case on come first; the housekeeping is under "More steps".
    assert {"Withdraw a letter", "Re-date a letter", "Add a statement"} <= set(inside)
    assert {"Record a breach", "Mark a letter as sent"} <= set(titles(case_card))
    # Every step offered is there once, in a row or under "More steps".
    every = [a["title"] for a in walk(case_card) if a.get("type") == "Action.Execute"]
    assert len(every) == len(set(every))
    shown = invoke_card(await bot.press(HEAD, case_card, "Add a statement"))
    assert "Add a statement" in text_of(shown)
