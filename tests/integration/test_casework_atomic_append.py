"""On the embedded SQLite store a command's events are folded and projected before the one
transaction that writes them (`casework.pipeline._as_stored`): the case the pipeline goes on
with must be the case the store gives back, whatever the server's time zone."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from casework import bus
from casework.actor import Actor
from casework.bootstrap import embedded, prepare
from casework.pipeline import Casework
from rules.commands import Command
from rules.prompts import Action
from rules.steps.ban import ImposeBan
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.risk_assessment import AssessRisk
from tests.builders import (
    POLICE,
    VIOLENCE,
    arrangements,
    assessment,
    at,
    person,
    violent_incident,
)
from tests.casework_world import EXAMPLE_CONFIG, HEAD, STAFF
from tests.fakes import FixedClock

TUESDAY_IN_JUNE = date(2026, 6, 2)  # British Summer Time: the UK is an hour ahead of UTC


@pytest.fixture
def server_in_london(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
async def casework(tmp_path: Path, server_in_london: None) -> AsyncIterator[Casework]:
    clock = FixedClock(at(TUESDAY_IN_JUNE, 9))
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, clock) as cw:
        yield cw


async def test_the_case_the_pipeline_goes_on_with_is_the_case_the_store_gives_back(
    casework: Casework,
) -> None:
    opened = await bus.report_incident(
        casework,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(TUESDAY_IN_JUNE, 8)),
    )
    command = AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment())
    head = Actor(HEAD.object_id, activity_id="activity-3")  # the Teams activity it came from

    applied = await casework.apply(opened.case_id, command, head)

    stored = tuple(await casework.ports.store.load(opened.case_id))
    assert applied.folded.history == stored
    assert applied.folded.view == (await casework.load(opened.case_id))[1]
    mine = [e for e in applied.folded.history if e.command_id == "cmd-assess"]
    # The assessment and the reporter's "being handled" notice it brings.
    assert [e.kind for e in mine] == ["risk-assessed", "notification-required"]
    assert [(e.case_id, e.actor_id, e.activity_id) for e in mine] == [
        (opened.case_id, HEAD.object_id, "activity-3")
    ] * 2
    # Kept in UTC, as the store keeps them, even on a server whose clock is in London.
    assert {e.at.utcoffset() for e in applied.folded.history} == {timedelta(0)}


async def test_a_step_with_a_deadline_is_recorded_with_its_row_and_its_teams_activity(
    casework: Casework,
) -> None:
    head = Actor(HEAD.object_id, activity_id="activity-7")
    opened = await bus.report_incident(
        casework,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(TUESDAY_IN_JUNE, 8)),
    )
    case_id = opened.case_id
    steps: list[Command] = [
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        ImposeBan(
            command_id="cmd-ban",
            reason="A physical attack on the caretaker",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
        ),
        RecordLetterSent(
            command_id="cmd-sent", letter_id="cmd-ban:letter-4", sent_on=TUESDAY_IN_JUNE
        ),
        RecordRepresentation(
            command_id="cmd-comments",
            letter_dated=TUESDAY_IN_JUNE,
            received_on=TUESDAY_IN_JUNE,
            summary="Asks for the ban to be lifted",
            nothing_more_to_add=True,
        ),
    ]
    for step in steps:
        outcome = await bus.dispatch(casework, step, head, case_id=case_id)

    # With the Chair now, and the Chair's 10 school days on the case's row.
    (chair,) = [p for p in outcome.prompts if p.action is Action.DECIDE_AS_CHAIR]
    assert chair.deadline is not None
    summary = await casework.ports.store.summary(case_id)
    assert summary is not None
    assert summary.next_deadline == chair.deadline.due
    assert summary.next_action == chair.text
    # Each of the head's events keeps the Teams activity it came from, for the audit trail.
    history = await casework.ports.store.load(case_id)
    assert {e.activity_id for e in history if e.actor_id == HEAD.object_id} == {"activity-7"}
