"""Exactly once on the embedded adapters: two instances of the application layer (two
SQLite connections on one file, one drafts folder), acting on one case at the same time."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from casework import bus as uc
from casework.bootstrap import LETTERS_FOLDER, STORE_FILE, embedded, prepare
from casework.pipeline import Casework, Outcome
from casework.sweeper import sweep
from local.outbox import SqliteOutbox
from rules.behaviours import ChairOutcome
from rules.errors import AlreadyDone
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
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
from tests.casework_world import CHAIR, EXAMPLE_CONFIG, HEAD, report_violent_incident
from tests.fakes import FixedClock, RecordingDrafts

MONDAY = date(2026, 1, 12)
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


async def banned(cw: Casework) -> str:
    case_id = (await report_violent_incident(cw, MONDAY)).case_id
    await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        ImposeBan(
            command_id="cmd-ban",
            reason="A threat",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
        ),
        HEAD,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        RecordLetterSent(command_id="cmd-sent", letter_id="cmd-ban:letter-4", sent_on=MONDAY),
        HEAD,
        case_id=case_id,
    )
    return case_id


async def test_the_same_command_through_two_instances_is_applied_once(
    instances: tuple[FixedClock, Instances],
) -> None:
    _, instance = instances
    first, second = await instance(), await instance()
    case_id = (await report_violent_incident(first, MONDAY)).case_id

    results = await asyncio.gather(
        *(
            uc.dispatch(
                cw,
                AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
                HEAD,
                case_id=case_id,
            )
            for cw in (first, second, first, second)
        )
    )

    assert sum(not r.repeated for r in results) == 1
    assert all(r.events == results[0].events for r in results)
    history = await first.ports.store.load(case_id)
    assert [e.kind for e in history].count("risk-assessed") == 1
    assert [e.seq for e in history] == list(range(1, len(history) + 1))


async def test_confirm_and_overturn_at_once_leave_exactly_one_decision(
    instances: tuple[FixedClock, Instances],
) -> None:
    clock, instance = instances
    first, second = await instance(), await instance()
    case_id = await banned(first)
    await uc.dispatch(
        first,
        RecordRepresentation(
            command_id="cmd-comments",
            letter_dated=MONDAY,
            received_on=MONDAY,
            summary="Sorry",
            nothing_more_to_add=True,
        ),
        HEAD,
        case_id=case_id,
    )
    clock.to_day(date(2026, 1, 14))

    results = await asyncio.gather(
        uc.dispatch(
            first,
            DecideAsChair(command_id="cmd-confirm", outcome=ChairOutcome.CONFIRM, reason="Serious"),
            CHAIR,
            case_id=case_id,
        ),
        uc.dispatch(
            second,
            DecideAsChair(
                command_id="cmd-overturn", outcome=ChairOutcome.OVERTURN, reason="Apologised"
            ),
            CHAIR,
            case_id=case_id,
        ),
        return_exceptions=True,
    )

    won = [r for r in results if isinstance(r, Outcome)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1
    assert len(lost) == 1
    assert isinstance(lost[0], AlreadyDone)
    assert "Graham Whitlock" in lost[0].message
    history = await second.ports.store.load(case_id)
    assert [e.kind for e in history].count("chair-decided") == 1
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    chair_letters = [e for e in history if e.kind == "letter-drafted" and "letter-5" in str(e.data)]
    assert len(chair_letters) == 1


async def test_two_sweepers_at_once_send_and_draft_nothing_twice(
    instances: tuple[FixedClock, Instances], tmp_path: Path
) -> None:
    clock, instance = instances
    setup = await instance()
    # The ban's letters fail to draft at first (the mailbox was down), so they wait for the
    # sweepers, as does closing the window once its 10 school days have passed.
    setup.ports = replace(setup.ports, drafts=RecordingDrafts())
    setup.ports.drafts.fail_next = 100  # type: ignore[attr-defined]
    case_id = await banned(setup)
    clock.to_day(date(2026, 1, 27), 6)
    sweepers = [await instance(), await instance()]

    reports = await asyncio.gather(*(sweep(cw, date(2026, 1, 27)) for cw in sweepers))

    applied = [command for r in reports for command in r.applied]
    assert applied == ["system:close-window:cmd-ban:letter-4"]  # by one sweeper only
    history = await setup.ports.store.load(case_id)
    kinds = [e.kind for e in history]
    assert kinds.count("representation-window-closed") == 1
    # Letter 4 went by hand (it was recorded as sent): only the notice is still to draft.
    drafted_ids = [e.data["letter_id"] for e in history if e.kind == "letter-drafted"]
    assert drafted_ids == ["cmd-ban:ban-notice-to-chair-of-trustees"]
    sent = [e.data["notification_id"] for e in history if e.kind == "notification-queued"]
    assert len(sent) == len(set(sent))
    assert "cmd-ban:letter-4:chair-decision-needed" in sent
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    eml = sorted((tmp_path / LETTERS_FOLDER).rglob("*.eml"))
    assert len(eml) == 1
    outbox = SqliteOutbox.open(tmp_path / STORE_FILE, clock=clock)
    try:
        queued = await outbox.all()
    finally:
        outbox.close()
    keys = [q.notification.key for q in queued]
    assert len(keys) == len(set(keys))
    assert f"{case_id}:cmd-ban:letter-4:chair-decision-needed" in keys
