"""Issue 9, rule 6: the trust's administrator is warned, in `/readyz` and just after start-up, well
before a school's configured term dates run out (fewer than the configured number of school
days left, 60 by default): past them no reply-by date can be counted and letters wait."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest

from tests.builders import at
from tests.casework_world import fake_world
from tests.e2e.conftest import StartBot, services_for_tests

ONE_BACKEND = "readiness warns on the term dates' horizon, from the configuration; no case is read"

# The example school's terms end on Wednesday 21 July 2027, an INSET day: from Monday 10 May
# 2027, 46 school days are left (the half-term week from 31 May is not in term).
LATE_IN_THE_YEAR = date(2027, 5, 10)


async def test_no_date_guessed_readyz_and_start_up_warn_when_term_dates_run_out(
    start_bot: StartBot, caplog: pytest.LogCaptureFixture
) -> None:
    world = fake_world(at(LATE_IN_THE_YEAR, 9))
    services = services_for_tests(casework=world.casework)
    with caplog.at_level(logging.WARNING):
        async with (
            start_bot(services=services) as bot,
            bot.client.session.get(f"{bot.url}/readyz") as response,
        ):
            body = await response.json()
            status = response.status
            # Logged just after the start (bot/app.py, `TERM_DATES_CHECK_AFTER_S`).
            for _ in range(100):
                if any("term dates running out" in r.getMessage() for r in caplog.records):
                    break
                await asyncio.sleep(0.05)
    assert status == 200
    assert body["status"] == "ready"
    oakfield = [w for w in body["warnings"] if w.startswith("school oakfield:")]
    assert oakfield == [
        "school oakfield: the term dates end on 2027-07-21, 46 school day(s) from today (fewer "
        "than 60); add the next school year's term dates, or letters whose reply-by date "
        "falls after them will wait"
    ]
    logged = [r.getMessage() for r in caplog.records if "term dates running out" in r.getMessage()]
    assert f"term dates running out: {oakfield[0]}" in logged


async def test_no_date_guessed_readyz_has_no_warning_with_terms_well_ahead(
    start_bot: StartBot,
) -> None:
    world = fake_world(at(date(2026, 9, 7), 9))
    async with (
        start_bot(services=services_for_tests(casework=world.casework)) as bot,
        bot.client.session.get(f"{bot.url}/readyz") as response,
    ):
        body = await response.json()
    assert body == {"status": "ready"}
