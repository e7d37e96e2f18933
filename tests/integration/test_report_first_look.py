"""A new report's first look at the embedded store: the case and its reference in one read.

`SqliteCaseStore.load_or_peek` answers what `load` and then `peek_reference` would; the
report use case (`casework.bus.report_incident`) releases a number it read and did not use
(a refusal, a repeat), and reads it again if the year turned between the look and the
command.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from casework import bus
from casework.bootstrap import embedded, prepare
from casework.pipeline import Casework
from local.sqlite_store import SqliteCaseStore
from rules.errors import NotPermitted
from tests.builders import at, person, violent_incident
from tests.casework_world import EXAMPLE_CONFIG, RIVERSIDE_HEAD, STAFF, report_violent_incident
from tests.fakes import FixedClock

MONDAY = date(2026, 1, 12)


@pytest.fixture
async def cw(tmp_path: Path) -> AsyncIterator[Casework]:
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, FixedClock(at(MONDAY, 9))) as cw:
        yield cw


def store_of(cw: Casework) -> SqliteCaseStore:
    store = cw.ports.store
    assert isinstance(store, SqliteCaseStore)
    return store


async def test_the_first_look_at_a_new_case_is_the_peek(cw: Casework) -> None:
    store = store_of(cw)
    events, claim = await store.load_or_peek("no-such-case", "OAK", 2026, "cmd-new")
    assert events == ()
    assert claim is not None
    assert claim.reference == "OAK-2026-0001"
    # The same command id, still in flight, is read the same claim, as by peek_reference.
    assert await store.peek_reference("OAK", 2026, "cmd-new") == claim
    # Another command in flight meanwhile reads the next number.
    other = await store.peek_reference("OAK", 2026, "cmd-other")
    assert other.reference == "OAK-2026-0002"
    store.release_reference(claim)
    store.release_reference(other)


async def test_the_first_look_at_a_recorded_case_is_its_events_and_no_claim(cw: Casework) -> None:
    outcome = await report_violent_incident(cw, MONDAY)
    store = store_of(cw)
    events, claim = await store.load_or_peek(outcome.case_id, "OAK", 2026, "cmd-report")
    assert claim is None
    assert events == await store.load(outcome.case_id)
    assert events


async def test_a_refused_report_leaves_its_number_for_the_next(cw: Casework) -> None:
    with pytest.raises(NotPermitted):
        await bus.report_incident(
            cw,
            RIVERSIDE_HEAD,
            command_id="cmd-refused",
            school_id="oakfield",
            person=person(),
            incident=violent_incident(at(MONDAY, 8)),
        )
    assert store_of(cw)._in_flight == {}
    outcome = await report_violent_incident(cw, MONDAY)
    assert outcome.reference == "OAK-2026-0001"


async def test_a_repeat_reads_no_number_and_keeps_its_own(cw: Casework) -> None:
    first = await report_violent_incident(cw, MONDAY)
    again = await report_violent_incident(cw, MONDAY)
    assert again.repeated
    assert again.reference == first.reference == "OAK-2026-0001"
    assert store_of(cw)._in_flight == {}
    assert (await report_violent_incident(cw, MONDAY, command_id="cmd-2")).reference == (
        "OAK-2026-0002"
    )


class MidnightClock:
    """31 December at the stroke of midnight: the first look in one year, the rest in the
    next."""

    def __init__(self) -> None:
        self._times = iter([datetime(2026, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)])
        self._after = datetime(2027, 1, 1, 0, 0, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return next(self._times, self._after)


async def test_a_report_read_before_midnight_on_31_december_takes_next_years_number(
    tmp_path: Path,
) -> None:
    clock = MidnightClock()
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, FixedClock(at(MONDAY, 9))) as cw:
        cw.ports = replace(cw.ports, clock=clock)
        outcome = await bus.report_incident(
            cw,
            STAFF,
            command_id="cmd-midnight",
            school_id="oakfield",
            person=person(),
            incident=violent_incident(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)),
        )
        assert outcome.reference == "OAK-2027-0001"
        assert store_of(cw)._in_flight == {}
