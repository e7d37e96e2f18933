"""Every (state, step) pair through `decide`, driven by the transition table.

A case is brought into each state by the shortest path the table offers, then every step is
tried: an allowed one lands where the table says, any other is refused with NotAllowedNow
(or CaseNotFound before the case exists) and changes nothing. A new state or step in the
table is covered here without touching this file (a new step needs an entry in STEPS).
"""

from __future__ import annotations

import pytest

from rules.errors import CaseNotFound, NotAllowedNow
from rules.state import TRANSITIONS, CaseState, Trigger

from .rules_builders import STEPS, case_in, take

LEGAL = [(s, t) for s in CaseState for t in TRANSITIONS[s]]
ILLEGAL = [(s, t) for s in CaseState for t in Trigger if t not in TRANSITIONS[s]]


def test_every_step_has_a_command_to_try() -> None:
    assert set(STEPS) == set(Trigger)


@pytest.mark.parametrize(("state", "trigger"), LEGAL, ids=str)
def test_a_legal_step_lands_where_the_table_says(state: CaseState, trigger: Trigger) -> None:
    case = case_in(state)
    take(case, trigger)
    assert case.state is TRANSITIONS[state][trigger]
    step = case.v.steps[-1]
    assert step.trigger is trigger
    assert step.state_after is TRANSITIONS[state][trigger]


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL, ids=str)
def test_an_illegal_step_is_refused_and_changes_nothing(state: CaseState, trigger: Trigger) -> None:
    case = case_in(state)
    before = (case.view, len(case.history))
    command = STEPS[trigger].command(case)
    expected = CaseNotFound if state is CaseState.NEW else NotAllowedNow
    with pytest.raises(expected) as refusal:
        case.run(command)
    assert refusal.value.message
    assert (case.view, len(case.history)) == before
