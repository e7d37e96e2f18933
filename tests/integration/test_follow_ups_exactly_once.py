"""The sweeper's escalations exactly once on the embedded adapters (issue 11, item 4): the
head told of a risk assessment not started within two school days, and of a step left
overdue, once, with two instances sweeping one SQLite file at the same time, across a
restart, and after a crash in the middle of a sweep."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from casework import bus as uc
from casework.bootstrap import STORE_FILE, embedded, prepare
from casework.pipeline import Casework
from casework.ports import Notification
from casework.sweeper import sweep
from local.outbox import SqliteOutbox
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
)
from tests.casework_world import EXAMPLE_CONFIG, HEAD, report_violent_incident
from tests.fakes import FixedClock

MONDAY = date(2026, 1, 12)
THURSDAY = date(2026, 1, 15)  # the report had no assessment on its next two school days
NOT_STARTED = "follow-up:assessment-not-started:incident-1"
Instances = Callable[[], Awaitable[Casework]]


@pytest.fixture
async def instances(tmp_path: Path) -> AsyncIterator[tuple[FixedClock, Instances]]:
    clock = FixedClock(at(MONDAY, 9))
    prepared = prepare(EXAMPLE_CONFIG)
    async with contextlib.AsyncExitStack() as stack:

        async def instance() -> Casework:
            # Each instance opens the store file itself, as a second process would.
            return await stack.enter_async_context(embedded(prepared, tmp_path, clock))

        yield clock, instance


async def reported(cw: Casework) -> str:
    return (await report_violent_incident(cw, MONDAY)).case_id


async def required(cw: Casework, case_id: str, prefix: str) -> list[str]:
    history = await cw.ports.store.load(case_id)
    return [
        e.data["notification_id"]
        for e in history
        if e.kind == "notification-required" and e.data["notification_id"].startswith(prefix)
    ]


async def queued(cw: Casework, case_id: str, prefix: str) -> list[str]:
    history = await cw.ports.store.load(case_id)
    return [
        e.data["notification_id"]
        for e in history
        if e.kind == "notification-queued" and e.data["notification_id"].startswith(prefix)
    ]


async def outbox_keys(tmp_path: Path, clock: FixedClock) -> list[str]:
    outbox = SqliteOutbox.open(tmp_path / STORE_FILE, clock=clock)
    try:
        return [q.notification.key for q in await outbox.all()]
    finally:
        outbox.close()


async def test_two_sweepers_at_once_tell_the_head_once_of_an_assessment_not_started(
    instances: tuple[FixedClock, Instances], tmp_path: Path
) -> None:
    clock, instance = instances
    setup = await instance()
    case_id = await reported(setup)
    clock.to_day(date(2026, 1, 14), 6)
    assert (await sweep(setup, date(2026, 1, 14))).applied == ()  # within its two days
    clock.to_day(THURSDAY, 6)
    sweepers = [await instance(), await instance()]

    reports = await asyncio.gather(*(sweep(cw, THURSDAY) for cw in sweepers))

    applied = [command for r in reports for command in r.applied]
    assert applied == [f"system:reminders:{NOT_STARTED}"]  # by one sweeper only
    assert await required(setup, case_id, NOT_STARTED) == [NOT_STARTED]
    assert await queued(setup, case_id, NOT_STARTED) == [NOT_STARTED]
    keys = await outbox_keys(tmp_path, clock)
    assert keys.count(f"{case_id}:{NOT_STARTED}") == 1
    folded = await setup.load_folded(case_id)
    assert folded is not None
    note = folded.view.notification(NOT_STARTED)
    assert note is not None
    assert note.recipients == (f"user:{HEAD.object_id}",)  # the head alone


async def test_after_a_restart_the_escalation_is_not_sent_again(
    instances: tuple[FixedClock, Instances], tmp_path: Path
) -> None:
    clock, instance = instances
    first = await instance()
    case_id = await reported(first)
    clock.to_day(THURSDAY, 6)
    await sweep(first, THURSDAY)

    restarted = await instance()  # a new process on the same file
    again = await sweep(restarted, THURSDAY)
    clock.to_day(date(2026, 1, 16), 6)
    later = await sweep(restarted, date(2026, 1, 16))

    assert again.applied == later.applied == ()
    assert await required(restarted, case_id, NOT_STARTED) == [NOT_STARTED]
    assert (await outbox_keys(tmp_path, clock)).count(f"{case_id}:{NOT_STARTED}") == 1


class Crash(BaseException):
    """The process dies here: nothing after it in the sweep runs."""


class CrashingNotifier:
    async def notify(self, notification: Notification) -> None:
        raise Crash()


async def test_a_crash_mid_sweep_leaves_the_escalation_to_be_queued_once_by_the_next(
    instances: tuple[FixedClock, Instances], tmp_path: Path
) -> None:
    clock, instance = instances
    dying = await instance()
    case_id = await reported(dying)
    clock.to_day(THURSDAY, 6)
    # It dies after recording that the head is to be told, before the prompt is queued.
    dying.ports = replace(dying.ports, notifier=CrashingNotifier())
    with pytest.raises(Crash):
        await sweep(dying, THURSDAY)
    assert await required(dying, case_id, NOT_STARTED) == [NOT_STARTED]
    assert await queued(dying, case_id, NOT_STARTED) == []

    restarted = await instance()
    await sweep(restarted, THURSDAY)
    await sweep(restarted, THURSDAY)

    assert await required(restarted, case_id, NOT_STARTED) == [NOT_STARTED]
    assert await queued(restarted, case_id, NOT_STARTED) == [NOT_STARTED]
    assert (await outbox_keys(tmp_path, clock)).count(f"{case_id}:{NOT_STARTED}") == 1


async def test_two_sweepers_escalate_a_chairs_overdue_decision_to_the_head_once(
    instances: tuple[FixedClock, Instances], tmp_path: Path
) -> None:
    clock, instance = instances
    setup = await instance()
    case_id = await reported(setup)
    steps = [
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        ImposeBan(
            command_id="cmd-ban",
            reason="A threat",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
        ),
        RecordLetterSent(command_id="cmd-sent", letter_id="cmd-ban:letter-4", sent_on=MONDAY),
    ]
    for command in steps:
        await uc.dispatch(setup, command, HEAD, case_id=case_id)
    clock.to_day(date(2026, 1, 13), 9)
    final = RecordRepresentation("cmd-wrote", date(2026, 1, 13), date(2026, 1, 13), "No", True)
    await uc.dispatch(setup, final, HEAD, case_id=case_id)
    # The Chair's 10 school days from receipt end on 27 January; two school days later the
    # decision is still not made.
    day = date(2026, 1, 29)
    clock.to_day(day, 6)
    sweepers = [await instance(), await instance()]

    await asyncio.gather(*(sweep(cw, day) for cw in sweepers))
    await asyncio.gather(*(sweep(cw, day) for cw in sweepers))

    escalated = await required(setup, case_id, "follow-up:escalated:decide-as-chair")
    overdue = await required(setup, case_id, "follow-up:overdue:decide-as-chair")
    assert len(escalated) == len(overdue) == 1
    assert await required(setup, case_id, "follow-up:due-soon:decide-as-chair") == []
    keys = await outbox_keys(tmp_path, clock)
    assert len(keys) == len(set(keys))
    assert keys.count(f"{case_id}:{escalated[0]}") == 1
