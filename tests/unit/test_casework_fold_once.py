"""A command folds the case's history once: every stored event is applied to the view one
time, whether it was loaded, appended by the command, or appended by the command's effects
(the letters are drafted from views kept during that one pass, not from a second fold)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from casework import bus
from rules.case import CaseView
from rules.core import fold
from rules.events import Event, EventMeta
from rules.steps.ban import ImposeBan
from rules.steps.risk_assessment import AssessRisk
from tests.builders import POLICE, VIOLENCE, arrangements, assessment, at
from tests.casework_world import HEAD, fake_world, report_violent_incident

MONDAY = date(2026, 1, 12)


async def test_a_ban_folds_each_event_of_the_case_once(monkeypatch: pytest.MonkeyPatch) -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    case_id = (await report_violent_incident(cw, MONDAY)).case_id
    await bus.dispatch(cw, AssessRisk("cmd-assess", 1, assessment()), HEAD, case_id=case_id)
    before = len(await world.store.load(case_id))

    applied: Counter[int] = Counter()

    step = fold._step  # every event after the one that opens the case passes through it

    def counting(view: CaseView, meta: EventMeta, event: Event) -> CaseView:
        applied[meta.seq] += 1
        return step(view, meta, event)

    monkeypatch.setattr(fold, "_step", counting)
    outcome = await bus.dispatch(
        cw,
        ImposeBan("cmd-ban", "A punch", arrangements(POLICE), None, VIOLENCE),
        HEAD,
        case_id=case_id,
    )

    after = len(await world.store.load(case_id))
    assert outcome.letters_drafted == (
        "cmd-ban:letter-4",
        "cmd-ban:ban-notice-to-chair-of-trustees",
    )
    assert after > before + 3  # the ban, its two letters, and the drafts recorded
    assert applied == Counter(range(2, after + 1))  # every event exactly once
