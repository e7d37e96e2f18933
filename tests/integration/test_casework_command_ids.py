"""A card's command id, on the embedded SQLite default: pressed many times at once it makes
one case and spends one reference; used by someone else it is refused and says nothing
about the case it belongs to."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from casework import bus
from casework.bootstrap import embedded, prepare
from casework.pipeline import Actor, Casework, CommandIdTaken
from rules.steps.risk_assessment import AssessRisk
from tests.builders import assessment, at, incident, person
from tests.casework_world import EXAMPLE_CONFIG, HEAD, SENIOR, STAFF
from tests.fakes import FixedClock

MONDAY = date(2026, 1, 12)


@pytest.fixture
async def casework(tmp_path: Path) -> AsyncIterator[Casework]:
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, FixedClock(at(MONDAY, 9))) as cw:
        yield cw


async def report(cw: Casework, command_id: str, actor: Actor = STAFF) -> str:
    outcome = await bus.report_incident(
        cw,
        actor,
        command_id=command_id,
        school_id="oakfield",
        person=person(),
        incident=incident(at(MONDAY, 8)),
    )
    return outcome.reference


async def test_fifty_presses_of_one_report_card_spend_one_reference(casework: Casework) -> None:
    references = await asyncio.gather(*(report(casework, "cmd-pressed") for _ in range(50)))

    assert set(references) == {"OAK-2026-0001"}
    assert [s.reference for s in await casework.ports.store.cases_at("oakfield")] == [
        "OAK-2026-0001"
    ]
    assert await report(casework, "cmd-next") == "OAK-2026-0002"  # no gap


async def test_someone_elses_report_card_is_refused_and_reveals_nothing(
    casework: Casework,
) -> None:
    reference = await report(casework, "cmd-staff")

    with pytest.raises(CommandIdTaken) as refused:
        await report(casework, "cmd-staff", HEAD)

    assert reference not in refused.value.message
    assert "Oakfield" not in refused.value.message
    assert len(await casework.ports.store.cases_at("oakfield")) == 1


async def test_someone_elses_command_id_on_a_case_is_refused(casework: Casework) -> None:
    case_id = bus.case_id_for("cmd-staff")
    await report(casework, "cmd-staff")
    await bus.dispatch(casework, AssessRisk("cmd-assess", 1, assessment()), HEAD, case_id=case_id)
    before = await casework.ports.store.load(case_id)

    with pytest.raises(CommandIdTaken):
        await bus.dispatch(
            casework, AssessRisk("cmd-assess", 1, assessment()), SENIOR, case_id=case_id
        )

    assert await casework.ports.store.load(case_id) == before
    again = await bus.dispatch(
        casework, AssessRisk("cmd-assess", 1, assessment()), HEAD, case_id=case_id
    )
    assert again.repeated  # the same person's retry is still a repeat
