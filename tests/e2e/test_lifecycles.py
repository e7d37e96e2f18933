"""Whole lifecycles end to end over HTTP on each backend (issue 11): the example
trust's staff, head, senior member of staff, Chair and clerk read the cards they are sent
and press their buttons by title; nothing calls the casework directly. Each lifecycle
checks the cards each person sees, the letter drafts with their reply-by dates (counted
here in school days from the example term dates), reception's list and the history.

Time passes by moving the test's clock; the app's own sweeper closes a window once its
10 school days are over. The proactive prompt checked is the head's on a new incident;
the later steps are found on the case's card (`case <reference>`) and on `deadlines`."""

from __future__ import annotations

from datetime import date

from bot.flows.actions import NO_SUCH_CASE, OUT_OF_DATE
from tests.e2e.lifecycle import (
    REFERENCE,
    RIVERSIDE_CHAIR,
    SENIOR,
    Lifecycle,
    about_six_months_after,
    assert_in_order,
    button_titles,
    lifecycle,
    long_date,
    reply_by,
    school_days_after,
)
from tests.e2e.test_case_commands import CHAIR, CLERK, HEAD, STAFF
from tests.harness.teams import BotResponse, SentCard, TeamsUser

__all__ = ["lifecycle"]  # the fixture, used by name

MONDAY = date(2026, 1, 12)
ASSESSMENT = {
    "formOfAbuse": "Shouting and a threat",
    "evidence": "Two staff accounts",
    "witnessAccounts": "The class teacher heard it",
    "risk": "high",
}


ASSAULT = {"behaviours": ["hitting", "threat"], "assault": True, "policeCalled": True}


async def reported_and_assessed(world: Lifecycle, **report: object) -> None:
    """Priya Shah reports at 9am on Monday 12 January 2026; the head is prompted in Teams;
    the senior member of staff assesses the risk from the case's card."""
    received = await world.report(incidentDate="2026-01-12", incidentTime="08:30", **report)
    assert "OAK-2026-0001" in received.text()

    (prompt,) = await world.prompts_to(HEAD)
    assert REFERENCE in prompt.text()
    # The prompt's own words name the case, not the person; below them, the head's new
    # incident card (her own chat, a case she sees whole).
    assert "Jordan Example" not in prompt.card["body"][0]["text"] + prompt.card["body"][1]["text"]
    assert "Start risk assessment" in button_titles(prompt)
    await world.bot.client.press(HEAD, prompt, f"Open case {REFERENCE}")
    opened = world.bot.client.last_card(HEAD)  # posted in the chat, below the prompt
    assert f"Case {REFERENCE}" in opened.text()
    assert "Assess the risk" in button_titles(opened)

    world.at(MONDAY, 11)
    seniors = await world.case(SENIOR)
    assert "Assess the risk" in button_titles(seniors)
    form = await world.press(SENIOR, seniors, "Assess the risk")
    done = await world.press(SENIOR, form, "Record the risk assessment", ASSESSMENT)
    assert "Risk assessment recorded" in done.text()


async def sent(world: Lifecycle, user: TeamsUser, letter_title: str, on_day: date) -> None:
    """`user` marks the letter titled `letter_title` as sent on `on_day`, from the case's
    card (the reply-by printed on a draft shown as the letter prints it)."""
    case_card = await world.case(user)
    form = await world.press(user, case_card, "Mark a letter as sent")
    (letter,) = [i for i in form.inputs() if i.get("id") == "letter"]
    chosen = [c for c in letter["choices"] if c["title"].startswith(letter_title)]
    assert len(chosen) == 1, letter["choices"]
    printed = chosen[0]["title"]
    if "reply by" in printed:
        (day,) = [w for w in printed.split("reply by ")[1:]]
        assert day.split(" ")[0].istitle(), printed  # "Monday 26 January", not "monday"
    done = await world.press(
        user,
        form,
        "Record it as sent",
        {"letter": chosen[0]["value"], "sentOn": on_day.isoformat()},
    )
    assert "Letter recorded as sent" in done.text(), done.text()


async def chair_decides(world: Lifecycle, outcome: str, reason: str) -> str:
    """The Chair opens the case, presses "Confirm or overturn" and decides: the form's text."""
    chairs = await world.case(CHAIR)
    assert "Confirm or overturn" in button_titles(chairs)
    decide = await world.press(CHAIR, chairs, "Confirm or overturn")
    decided = await world.press(
        CHAIR, decide, "Record my decision", {"outcome": outcome, "reason": reason}
    )
    assert "Decision recorded" in decided.text()
    return decide.text()


async def review_arranged(world: Lifecycle, letter_3_or_5_sent: date) -> None:
    """On Monday 15 June 2026 the clerk finds the review on `deadlines`, sets the meeting
    for Monday 6 July 2026 (a date too early first, refused with the reason) and sends
    letter 6."""
    due = about_six_months_after(letter_3_or_5_sent)
    june_15 = date(2026, 6, 15)
    world.at(june_15)
    deadlines = await world.card_for(CLERK, "deadlines")
    assert "Arrange the committee's review" in deadlines.text()
    assert f"Due {long_date(due)}" in deadlines.text()
    clerks = await world.case(CLERK)
    assert button_titles(clerks) == ["Set the review date"]
    form = await world.press(CLERK, clerks, "Set the review date")
    earliest = school_days_after(june_15, 11)
    refused = await world.press(CLERK, form, "Set the date", {"meetingOn": "2026-06-22"})
    assert f"no earlier than {long_date(earliest)}" in refused.text()
    done = await world.press(CLERK, refused, "Set the date", {"meetingOn": "2026-07-06"})
    assert "Review date set" in done.text()
    letter_6 = await world.draft("letter-6")
    assert "Monday 6 July 2026" in letter_6
    assert reply_by(letter_6) == long_date(school_days_after(june_15, 10))
    await sent(world, CLERK, "Letter 6", june_15)


async def test_a_warning_with_a_reply(lifecycle: Lifecycle) -> None:
    world = lifecycle
    await reported_and_assessed(world)
    assert "Jordan Example" not in await world.reception()

    world.at(MONDAY, 14)
    chosen = await world.step(
        HEAD, "Choose a response", "Record: warning letter", {"meetingOffered": True}
    )
    assert "Warned, awaiting any reply" in chosen.text()
    letter_1 = await world.draft("letter-1")
    assert (
        reply_by(letter_1) == long_date(school_days_after(MONDAY, 10)) == "Monday 26 January 2026"
    )
    assert "option for us to meet" in letter_1
    assert "Jordan Example" not in await world.reception()  # a warning restricts nothing
    await sent(world, HEAD, "Letter 1", MONDAY)

    world.at(date(2026, 1, 19))
    done = await world.step(
        HEAD,
        "Record their written comments",
        "Record their comments",
        {
            "letterDated": "2026-01-16",
            "receivedOn": "2026-01-19",
            "summary": "Apologises and promises to keep calm at the gate",
        },
    )
    assert "Comments recorded" in done.text()
    case_card = await world.case(HEAD)
    assert "Status: **Open, no sanction**" in case_card.text()
    # The head may close it; then the housekeeping every live stage allows (a further
    # incident and a statement: the case has an incident); no letter is left to send, so
    # none to re-date or withdraw.
    assert button_titles(case_card) == [
        "Close the case",
        "Refer to complaints",
        "Report a further incident",
        "Update the person's details",
        "Add a statement",
    ]
    assert_in_order(
        case_card.text(),
        [
            "Priya Shah",
            "Incident 1 reported",
            "Daniel Hughes",
            "Risk assessment of incident 1: risk high.",
            "Rachel Okafor",
            "Warning letter (letter 1) called for.",
            "Letter 1: warning: draft ready to check.",
            "Letter 1: warning sent on Monday 12 January 2026.",
            "Mon 19 Jan 2026, 09:00",
            "A written representation was received on Monday 19 January 2026",
        ],
    )
    kinds = await world.kinds()
    assert [k for k in kinds if not k.startswith("notification-")] == [
        "case-opened",
        "incident-reported",
        "risk-assessed",
        "expectations-clarified",
        "letter-required",
        "letter-drafted",
        "letter-sent",
        "representation-received",
    ]
    assert sorted(world.drafts()) == ["letter-1"]


async def test_conditions_confirmed_reviewed_and_removed(lifecycle: Lifecycle) -> None:
    world = lifecycle
    await reported_and_assessed(world)
    world.at(MONDAY, 14)
    chosen = await world.step(
        HEAD,
        "Choose a response",
        "Record: conditions",
        {
            "standardConditions": ["accompanied-to-meetings"],
            "otherConditions": "You may not film anyone on the school site",
            "conditionsReason": "Shouting at staff at the gate",
        },
    )
    assert "Conditions imposed, pending the Chair's review" in chosen.text()
    letter_2 = await world.draft("letter-2")
    assert reply_by(letter_2) == long_date(school_days_after(MONDAY, 10))
    reception = await world.reception()
    assert_in_order(
        reception,
        ["Jordan Example", "Under conditions", "Accompanied to any meeting", "You may not film"],
    )
    await sent(world, HEAD, "Letter 2", MONDAY)

    # No reply: the day after the 10 school days, the app's sweeper closes the window.
    window_end = school_days_after(MONDAY, 10)
    world.at(school_days_after(window_end, 1))
    await world.until_kind("representation-window-closed")
    decide = await chair_decides(world, "confirm", "It was serious")
    assert f"the time to reply ended on {long_date(window_end)}" in decide
    letter_3 = await world.draft("letter-3")
    assert "I have not received a written response from you" in letter_3
    assert "should be confirmed" in letter_3
    chair_letter_day = school_days_after(window_end, 1)
    await sent(world, CHAIR, "Letter 3", chair_letter_day)
    assert "Under conditions" in await world.reception()

    await review_arranged(world, chair_letter_day)
    world.at(date(2026, 6, 24))
    done = await world.step(
        CLERK,
        "Record their statement",
        "Record it",
        {
            "statementDated": "2026-06-23",
            "statementReceived": "2026-06-24",
            "statementSummary": "Has kept to the conditions and asks for them to end",
        },
    )
    assert "Statement recorded" in done.text()
    world.at(date(2026, 7, 6), 16)
    done = await world.step(
        CLERK,
        "Record the committee's decision",
        "Record the decision",
        {"reviewOutcome": "remove", "reviewReason": "No further incident in six months"},
    )
    assert "Open, no sanction" in done.text()
    letter_7 = await world.draft("letter-7")
    assert "I have received a letter from you dated Tuesday 23 June 2026" in letter_7
    assert "All conditions have been removed." in letter_7
    assert "Jordan Example" not in await world.reception()

    case_card = await world.case(HEAD)
    assert "Status: **Open, no sanction**" in case_card.text()
    assert_in_order(
        case_card.text(),
        [
            "Conditions imposed by the Headteacher/Principal",
            "Letter 2: conditions, pending review sent on Monday 12 January 2026.",
            "The time to reply to Letter 2: conditions, pending review ended on Monday 26 "
            "January 2026.",
            "Graham Whitlock",
            "The Chair confirmed the conditions.",
            "Letter 3: Chair's decision on the conditions sent on Tuesday 27 January 2026.",
            "Siân Ní Bhriain",
            "Committee review 1 arranged for Monday 6 July 2026.",
            "Letter 6: request for a statement for the review sent on Monday 15 June 2026.",
            "The person's statement for review 1 was received on Wednesday 24 June 2026.",
        ],
    )
    kinds = [k for k in await world.kinds() if not k.startswith("notification-")]
    assert [k for k in kinds if k not in ("letter-required", "letter-drafted", "letter-sent")] == [
        "case-opened",
        "incident-reported",
        "risk-assessed",
        "conditions-imposed",
        "representation-window-closed",
        "chair-decided",
        "review-scheduled",
        "review-statement-received",
        "review-outcome-recorded",
    ]
    assert sorted(world.drafts()) == ["letter-2", "letter-3", "letter-6", "letter-7"]


BAN = {
    "banReason": "A threat to wait for a member of staff after school",
    "banMeetings": "Meetings about your child at the trust's office, with the head",
    "banDropOff": "Your child's grandmother brings and collects your child",
    "banPolice": "The matter has been reported to the local police.",
    "banViolence": "You hit a member of staff at the school gate",
}


async def banned(world: Lifecycle) -> None:
    """An assault reported and assessed; the head bans at 2pm and sends letter 4 that day."""
    await reported_and_assessed(world, **ASSAULT)
    world.at(MONDAY, 14)
    chosen = await world.step(HEAD, "Choose a response", "Record: ban", BAN)
    assert "Ban imposed, pending the Chair's review" in chosen.text()
    letter_4 = await world.draft("letter-4")
    assert reply_by(letter_4) == long_date(school_days_after(MONDAY, 10))
    assert "this matter has been reported to the local police." in letter_4
    notice = await world.draft("ban-notice-to-chair-of-trustees")
    assert "Margaret Ellison" in notice
    assert_in_order(await world.reception(), ["Jordan Example", "Banned from the premises"])
    await sent(world, HEAD, "Letter 4", MONDAY)


async def test_a_ban_confirmed_reviewed_and_replaced_by_conditions(lifecycle: Lifecycle) -> None:
    world = lifecycle
    await banned(world)
    world.at(date(2026, 1, 19))
    done = await world.step(
        HEAD,
        "Record their written comments",
        "Record their comments",
        {
            "letterDated": "2026-01-16",
            "receivedOn": "2026-01-19",
            "summary": "Asks for the ban to be lifted",
            "nothingMoreToAdd": True,
        },
    )
    assert "Ban: with the Chair to confirm or overturn" in done.text()
    decide = await chair_decides(world, "confirm", "The assault was serious")
    assert "Asks for the ban to be lifted" in decide
    letter_5 = await world.draft("letter-5")
    assert "I have received a letter from you dated Friday 16 January 2026" in letter_5
    await sent(world, CHAIR, "Letter 5", date(2026, 1, 19))
    assert "Banned from the premises" in await world.reception()

    await review_arranged(world, date(2026, 1, 19))
    # No statement: the committee decides once its window is over, at the meeting.
    world.at(date(2026, 7, 6), 16)
    done = await world.step(
        CLERK,
        "Record the committee's decision",
        "Record the decision",
        {
            "reviewOutcome": "replace-ban-with-conditions",
            "reviewReason": "No incident since; conditions suffice",
            "reviewStandard": ["no-contact-with-staff"],
        },
    )
    assert "Conditions confirmed" in done.text()
    letter_7 = await world.draft("letter-7")
    assert "I have not received a written response from you" in letter_7
    reception = await world.reception()
    assert_in_order(reception, ["Jordan Example", "Under conditions"])
    assert "Banned from the premises" not in reception

    case_card = await world.case(HEAD)
    assert "Status: **Conditions confirmed**" in case_card.text()
    assert_in_order(
        case_card.text(),
        [
            "Ban from the premises imposed by the Headteacher/Principal",
            "The person said in writing they have nothing more to add (Monday 19 January 2026).",
            "The Chair confirmed the ban.",
            "Committee review 1 arranged for Monday 6 July 2026.",
            "Committee review 1: replace the ban by conditions.",
        ],
    )
    kinds = [k for k in await world.kinds() if not k.startswith(("notification-", "letter-"))]
    assert kinds == [
        "case-opened",
        "incident-reported",
        "risk-assessed",
        "ban-imposed",
        "representation-received",
        "chair-decided",
        "review-scheduled",
        "review-outcome-recorded",
    ]
    assert sorted(world.drafts()) == [
        "ban-notice-to-chair-of-trustees",
        "letter-4",
        "letter-5",
        "letter-6",
        "letter-7",
    ]


async def test_a_ban_overturned_by_the_chair(lifecycle: Lifecycle) -> None:
    world = lifecycle
    await banned(world)
    window_end = school_days_after(MONDAY, 10)
    world.at(school_days_after(window_end, 1))
    await world.until_kind("representation-window-closed")
    decide = await chair_decides(world, "overturn", "Too severe for a first incident")
    assert "No representation was received" in decide
    letter_5 = await world.draft("letter-5")
    assert "the decision to impose a ban should be overturned" in letter_5
    assert "I have not received a written response from you" in letter_5
    assert "Too severe for a first incident" in letter_5
    assert "Jordan Example" not in await world.reception()
    case_card = await world.case(HEAD)
    assert "Status: **Open, no sanction**" in case_card.text()
    assert_in_order(
        case_card.text(),
        [
            f"The time to reply to Letter 4: ban, pending review ended on {long_date(window_end)}.",
            "Graham Whitlock",
            "The Chair overturned the ban.",
            "Letter 5: Chair's decision on the ban: draft ready to check.",
        ],
    )
    kinds = [k for k in await world.kinds() if not k.startswith(("notification-", "letter-"))]
    assert kinds[-3:] == ["ban-imposed", "representation-window-closed", "chair-decided"]


async def test_a_breach_leading_to_removal(lifecycle: Lifecycle) -> None:
    world = lifecycle
    await banned(world)
    world.at(date(2026, 1, 14), 16)
    staffs = await world.case(STAFF)
    # The reporter sees their report, not the case: only the reporter's own two steps.
    assert button_titles(staffs) == ["Report a further incident", "Add a statement"]
    assert "Record a breach" not in staffs.text()
    seniors = await world.case(SENIOR)
    assert "Record a breach" in button_titles(seniors)
    done = await world.step(
        SENIOR,
        "Record a breach",
        "Record the breach",
        {
            "breachDate": "2026-01-14",
            "breachTime": "15:10",
            "breachSummary": "Came onto the playground at home time and shouted",
        },
    )
    assert "Breach recorded" in done.text()
    heads = await world.case(HEAD)
    assert "Record a removal" in button_titles(heads)
    done = await world.step(
        HEAD,
        "Record a removal",
        "Record the removal",
        {
            "removalDate": "2026-01-14",
            "removalTime": "15:30",
            "removedBy": "police-officer",
            "removerName": "PC Amy Jones",
        },
    )
    assert "Removal from the premises recorded." in done.text()
    assert_in_order(await world.reception(), ["Jordan Example", "Banned from the premises"])
    case_card = await world.case(HEAD)
    assert "Status: **Ban imposed, pending the Chair's review**" in case_card.text()
    assert_in_order(
        case_card.text(),
        [
            "Wed 14 Jan 2026, 16:00** · Daniel Hughes",
            "A breach was recorded (it happened on Wednesday 14 January 2026).",
            "Rachel Okafor",
            "Removed from the premises: a police officer.",
        ],
    )
    kinds = [k for k in await world.kinds() if not k.startswith(("notification-", "letter-"))]
    assert kinds[-3:] == ["ban-imposed", "breach-recorded", "removed-from-premises"]
    assert sorted(world.drafts()) == ["ban-notice-to-chair-of-trustees", "letter-4"]


def answer(response: BotResponse) -> str:
    """What Teams shows for a pressed button: the card it answered with, or its error."""
    if response.invoke_card is not None:
        return SentCard(response.invoke_card, "", "").text()
    assert isinstance(response.body, dict), response
    return str(response.body["value"]["message"])


async def test_each_roles_refusals_and_a_stale_card(lifecycle: Lifecycle) -> None:
    world = lifecycle
    client = world.bot.client
    await banned(world)
    world.at(date(2026, 1, 19))
    comments = {
        "letterDated": "2026-01-16",
        "receivedOn": "2026-01-19",
        "summary": "Asks for the ban to be lifted",
        "nothingMoreToAdd": True,
    }
    await world.step(HEAD, "Record their written comments", "Record their comments", comments)
    chairs = await world.case(CHAIR)
    decide = await world.press(CHAIR, chairs, "Confirm or overturn")
    confirm = {"outcome": "confirm", "reason": "The assault was serious"}

    # Staff cannot decide, even pressing the Chair's own card: a reporter may not see the
    # case whole, so the answer is the same as for a case that does not exist.
    staffs = answer(await client.press(STAFF, decide, "Record my decision", confirm))
    assert staffs == NO_SUCH_CASE
    # The head cannot confirm their own decision: not on the Chair's card, nor on theirs.
    heads = answer(await client.press(HEAD, decide, "Record my decision", confirm))
    assert "Chair" in heads
    assert "Decision recorded" not in heads
    assert "Confirm or overturn" not in button_titles(await world.case(HEAD))
    # Another school's Chair can neither see the case nor act on it.
    other = await world.case(RIVERSIDE_CHAIR)
    assert NO_SUCH_CASE in other.text()
    assert "Jordan Example" not in other.text()
    pressed = answer(await client.press(RIVERSIDE_CHAIR, decide, "Record my decision", confirm))
    assert NO_SUCH_CASE in pressed
    assert "Jordan Example" not in pressed
    assert "chair-decided" not in await world.kinds()

    # A late letter moves the case on: the Chair's open card answers with where it is now.
    world.at(date(2026, 1, 20))
    late = {
        **comments,
        "receivedOn": "2026-01-20",
        "summary": "A second letter",
        "nothingMoreToAdd": False,
    }
    late.pop("nothingMoreToAdd")
    await world.step(HEAD, "Record their written comments", "Record their comments", late)
    stale = answer(await client.press(CHAIR, decide, "Record my decision", confirm))
    assert OUT_OF_DATE in stale
    assert "Status: **Ban: with the Chair to confirm or overturn**" in stale
    assert "chair-decided" not in await world.kinds()
    again = await world.case(CHAIR)
    decide = await world.press(CHAIR, again, "Confirm or overturn")
    assert "A second letter" in decide.text()
    done = await world.press(CHAIR, decide, "Record my decision", confirm)
    assert "Decision recorded" in done.text()
