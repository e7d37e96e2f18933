"""Who is prompted in Teams (issue 11, item 3): each prompt the rules call for reaches the
people it is for, at the case's school, and nobody else. Through the application layer on
the example trust, to the recipients the outbox is given."""

from __future__ import annotations

from datetime import date

from casework import bus as uc
from casework.history import pairs
from casework.notifications import notification_key
from casework.ports import Notification
from casework.sweeper import sweep
from rules.narrative import narrate
from rules.steps.ban import ImposeBan
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.risk_assessment import AssessRisk
from tests.builders import POLICE, VIOLENCE, arrangements, assessment, at, person, violent_incident
from tests.casework_world import (
    CHAIR,
    CHAIR_OF_TRUSTEES,
    CLERK,
    HEAD,
    SENIOR,
    STAFF,
    FakeWorld,
    fake_world,
)

MONDAY = date(2026, 1, 12)
DPO = "a1000000-0000-4000-8000-000000000022"  # the trust's Data Protection Officer


async def reported(world: FakeWorld, by: str = STAFF.object_id) -> str:
    actor = next(a for a in (STAFF, HEAD, SENIOR) if a.object_id == by)
    outcome = await uc.report_incident(
        world.casework,
        actor,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(MONDAY, 8)),
    )
    return outcome.case_id


def prompt(world: FakeWorld, case_id: str, notification_id: str) -> Notification:
    return world.notifier.sent[notification_key(case_id, notification_id)]


def kinds(world: FakeWorld) -> list[str]:
    return [n.kind for n in world.notifier.sent.values()]


async def banned_with_letter_sent(world: FakeWorld) -> str:
    case_id = await reported(world)
    steps = [
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        ImposeBan(
            command_id="cmd-ban",
            reason="A threat to a member of staff",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
        ),
        RecordLetterSent(command_id="cmd-sent", letter_id="cmd-ban:letter-4", sent_on=MONDAY),
    ]
    for command in steps:
        await uc.dispatch(world.casework, command, HEAD, case_id=case_id)
    return case_id


async def test_the_head_and_senior_staff_are_asked_to_assess_a_new_incident() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world)
    asked = prompt(world, case_id, "cmd-report:incident-reported")
    assert set(asked.recipients) == {HEAD.object_id, SENIOR.object_id}
    assert STAFF.object_id not in asked.recipients
    assert asked.channel is None


async def test_the_reporter_is_told_their_report_is_being_handled_without_detail() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world)
    assess = AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment())
    await uc.dispatch(world.casework, assess, HEAD, case_id=case_id)

    notice = prompt(world, case_id, "report-being-handled:incident-1")
    assert notice.recipients == (STAFF.object_id,)
    assert notice.channel is None
    assert notice.reference in notice.title
    said = f"{notice.title} {notice.text}"
    for detail in ("Jordan", "Example", "risk", "ban", "threat"):
        assert detail.lower() not in said.lower()


async def test_a_reporter_who_assesses_their_own_report_is_not_told_it_is_handled() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world, by=HEAD.object_id)
    assess = AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment())
    await uc.dispatch(world.casework, assess, HEAD, case_id=case_id)
    assert "report-being-handled" not in kinds(world)


async def test_the_chair_of_trustees_alone_is_told_of_a_ban() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned_with_letter_sent(world)
    told = prompt(world, case_id, "cmd-ban:ban-imposed")
    assert told.recipients == (CHAIR_OF_TRUSTEES.object_id,)
    assert DPO not in told.recipients  # the trust role's other holder is not told
    assert "Jordan" not in told.text


async def test_the_chair_is_told_when_the_person_writes_and_again_when_the_window_closes() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned_with_letter_sent(world)
    world.clock.to_day(date(2026, 1, 14))
    comments = RecordRepresentation(
        command_id="cmd-comments",
        letter_dated=date(2026, 1, 13),
        received_on=date(2026, 1, 14),
        summary="Asks for the ban to be lifted",
    )
    await uc.dispatch(world.casework, comments, HEAD, case_id=case_id)

    wrote = prompt(world, case_id, "cmd-comments:representation-received")
    assert wrote.recipients == (CHAIR.object_id,)
    assert "chair-decision-needed" not in kinds(world)  # the window is still open (rule 1)

    closed_on = date(2026, 1, 27)  # letter 4 sent on 12 January: 10 school days are over
    world.clock.to_day(closed_on)
    await sweep(world.casework, closed_on)
    decide = prompt(world, case_id, "cmd-ban:letter-4:chair-decision-needed")
    assert decide.recipients == (CHAIR.object_id,)
    assert HEAD.object_id not in decide.recipients
    assert CLERK.object_id not in decide.recipients


async def test_the_chair_recording_the_persons_letter_is_not_told_of_it() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned_with_letter_sent(world)
    world.clock.to_day(date(2026, 1, 14))
    comments = RecordRepresentation(
        command_id="cmd-comments",
        letter_dated=date(2026, 1, 13),
        received_on=date(2026, 1, 14),
        summary="Asks for the ban to be lifted",
    )
    await uc.dispatch(world.casework, comments, CHAIR, case_id=case_id)
    assert "representation-received" not in kinds(world)


async def test_the_timeline_names_who_the_reporters_and_the_trustees_messages_are_for() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await banned_with_letter_sent(world)
    folded = await world.casework.load_folded(case_id)
    assert folded is not None
    lines = [entry.text for entry in narrate(pairs(folded.history), folded.view)]
    assert "Message to the member of staff who reported the incident to be sent in Teams." in lines
    assert "Message to the Chair of Trustees to be sent in Teams." in lines
