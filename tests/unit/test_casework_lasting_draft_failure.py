"""A letter the case's details cannot make fails the same way on every try: it is recorded
as a lasting failure, the signer is told what to correct, and it is not tried again on
every sweep for ever, only once the person's details have changed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from casework import bus, effects
from casework.projection import COMPLETE_EFFECTS
from casework.sweeper import sweep
from rules.steps.ban import ImposeBan
from rules.steps.reporting import UpdatePersonDetails
from rules.steps.risk_assessment import AssessRisk
from templates.errors import LetterError
from tests.builders import POLICE, VIOLENCE, arrangements, assessment, at, person
from tests.casework_world import HEAD, fake_world, report_violent_incident

MONDAY = date(2026, 1, 12)


async def test_a_lasting_draft_failure_is_not_retried_until_the_details_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    case_id = (await report_violent_incident(cw, MONDAY)).case_id
    await bus.dispatch(cw, AssessRisk("cmd-assess", 1, assessment()), HEAD, case_id=case_id)

    tries: list[str] = []
    real = effects.build_draft  # type: ignore[attr-defined]

    def broken_for_the_old_name(inputs: Any, renderer: Any) -> Any:
        tries.append(inputs.letter.letter_id)
        if inputs.view.person.name == person().name:
            raise LetterError("letter-4: addressee: name has a line break")
        return real(inputs, renderer)

    monkeypatch.setattr(effects, "build_draft", broken_for_the_old_name)
    ban = ImposeBan("cmd-ban", "A threat", arrangements(POLICE), None, VIOLENCE)
    outcome = await bus.dispatch(cw, ban, HEAD, case_id=case_id)

    assert world.drafts.drafts == {}
    assert len(tries) == 2  # letter 4 and the notice, each tried once
    _, view = await cw.load(case_id)
    assert view is not None
    letter = view.letter("cmd-ban:letter-4")
    assert letter is not None
    assert letter.draft_blocked
    assert not letter.needs_draft
    told = [n for n in world.notifier.sent.values() if "cannot be drafted" in n.title]
    assert [n.recipients for n in told] == [(HEAD.object_id,)] * 2
    prompt = next(p for p in outcome.prompts if p.letter_id == "cmd-ban:letter-4")
    assert "will not be tried again until they are corrected" in prompt.text
    due = await world.store.due_by(date(2026, 12, 31))
    assert COMPLETE_EFFECTS not in [d.action for d in due]  # no wake-up to retry it

    for day in (13, 14, 15):  # sweeps on the following days try nothing
        world.clock.to_day(date(2026, 1, day))
        await sweep(cw, date(2026, 1, day))
    assert len(tries) == 2

    fixed = replace(person(), name="Jordan Example-Smith")
    await bus.dispatch(cw, UpdatePersonDetails("cmd-fix", fixed), HEAD, case_id=case_id)

    assert len(tries) == 4  # both tried again with the corrected details
    assert len(world.drafts.drafts) == 2
    ready = [n for n in world.notifier.sent.values() if "ready in your drafts" in n.title]
    assert [n.recipients for n in ready] == [(HEAD.object_id,)] * 2  # the follow-up message
