"""Issue 9, rule 6: no date is ever guessed. A letter whose reply-by date falls after the
school's last configured term is not drafted with a date counted in calendar days: the
signer is told which term dates are missing, the trust's administrator reads it in the log
(without personal data), and the letter is drafted once the dates are there."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from casework import bus
from rules.steps.risk_assessment import AssessRisk
from rules.steps.warning import ClarifyExpectations
from tests.builders import assessment, at, incident, person
from tests.casework_world import HEAD, STAFF, fake_world

# Thursday 8 July 2027: the example school's last term ends on Wednesday 21 July 2027, so 10
# school days from here cannot be counted (the old code printed "Sunday 18 July 2027").
LATE_IN_THE_LAST_TERM = date(2027, 7, 8)


async def test_no_date_guessed_a_reply_by_date_past_the_last_term_is_not_drafted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = fake_world(at(LATE_IN_THE_LAST_TERM, 9))
    cw = world.casework
    reported = await bus.report_incident(
        cw,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=incident(at(LATE_IN_THE_LAST_TERM, 8)),
    )
    case_id = reported.case_id
    await bus.dispatch(cw, AssessRisk("cmd-assess", 1, assessment()), HEAD, case_id=case_id)
    with caplog.at_level(logging.WARNING):
        outcome = await bus.dispatch(cw, ClarifyExpectations("cmd-warn"), HEAD, case_id=case_id)

    assert world.drafts.drafts == {}  # no letter with a guessed date
    _, view = await cw.load(case_id)
    assert view is not None
    letter = view.letter("cmd-warn:letter-1")
    assert letter is not None
    assert letter.term_dates_end == date(2027, 7, 21)
    assert letter.needs_draft  # retried: drafted once the term dates are added
    told = [n for n in world.notifier.sent.values() if "until term dates are added" in n.title]
    assert [n.recipients for n in told] == [(HEAD.object_id,)]
    prompt = next(p for p in outcome.prompts if p.letter_id == "cmd-warn:letter-1")
    assert "ends on Wednesday 21 July 2027" in prompt.text
    assert "term dates from Thursday 22 July 2027" in prompt.text
    logged = [r.getMessage() for r in caplog.records if "cannot be dated" in r.getMessage()]
    assert logged == [
        f"case {view.reference}: letter cmd-warn:letter-1 cannot be dated: the term dates of "
        "school oakfield end on 2027-07-21; add the next school year's term dates"
    ]
    assert person().name not in " ".join(r.getMessage() for r in caplog.records)


async def test_no_date_guessed_a_reply_by_date_inside_the_terms_is_drafted() -> None:
    world = fake_world(at(date(2027, 7, 1), 9))
    cw = world.casework
    reported = await bus.report_incident(
        cw,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=incident(at(date(2027, 7, 1), 8)),
    )
    await bus.dispatch(
        cw, AssessRisk("cmd-assess", 1, assessment()), HEAD, case_id=reported.case_id
    )
    await bus.dispatch(cw, ClarifyExpectations("cmd-warn"), HEAD, case_id=reported.case_id)
    (draft,) = world.drafts.drafts.values()
    assert draft.reply_by == date(2027, 7, 15)
