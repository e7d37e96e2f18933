"""The transition table itself: its shape, its diagram, and what it promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.errors import NotAllowedNow
from rules.state import TRANSITIONS, CaseState, Trigger, allowed, next_state, render_mermaid

DOC = Path(__file__).resolve().parents[2] / "docs" / "case-states.md"
PAIRS = [(s, t) for s in CaseState for t in Trigger]


def test_every_state_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(CaseState)


def test_every_state_is_reachable_from_a_new_case() -> None:
    reached, frontier = {CaseState.NEW}, [CaseState.NEW]
    while frontier:
        for target in TRANSITIONS[frontier.pop()].values():
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(CaseState)


def test_every_trigger_is_used_somewhere() -> None:
    used = {t for row in TRANSITIONS.values() for t in row}
    assert used == set(Trigger)


def test_every_live_state_can_still_end_in_closed() -> None:
    # No dead ends: from every state some sequence of steps leads to a closed case.
    can_close = {CaseState.CLOSED}
    changed = True
    while changed:
        changed = False
        for state, row in TRANSITIONS.items():
            if state not in can_close and any(t in can_close for t in row.values()):
                can_close.add(state)
                changed = True
    assert can_close == set(CaseState)


@pytest.mark.parametrize(("state", "trigger"), PAIRS, ids=lambda x: str(x))
def test_next_state_follows_the_table_or_refuses(state: CaseState, trigger: Trigger) -> None:
    if allowed(state, trigger):
        assert next_state(state, trigger) is TRANSITIONS[state][trigger]
    else:
        with pytest.raises(NotAllowedNow, match=state.label):
            next_state(state, trigger)


def test_removal_is_only_in_the_table_while_a_ban_is_in_force() -> None:
    states = {s for s in CaseState if allowed(s, Trigger.REMOVED_FROM_PREMISES)}
    assert states == {s for s in CaseState if s.ban_in_force}
    assert states  # and there are such states


def test_a_breach_needs_a_sanction_in_force() -> None:
    states = {s for s in CaseState if allowed(s, Trigger.BREACH_RECORDED)}
    assert states == {s for s in CaseState if s.sanction_in_force}


def test_the_chair_decides_only_after_the_window() -> None:
    # The Chair's decision is possible only in the "with the Chair" states, which are
    # entered only by the window closing or by a representation saying the person has
    # nothing more to add (issue 9, rule 1: the right of reply runs in full).
    deciding = {s for s in CaseState if allowed(s, Trigger.CHAIR_CONFIRMED)}
    assert deciding == {CaseState.CONDITIONS_WITH_CHAIR, CaseState.BAN_WITH_CHAIR}
    entries = {
        t
        for s, row in TRANSITIONS.items()
        for t, target in row.items()
        if target in deciding and s not in deciding
    }
    assert entries == {Trigger.REPRESENTATION_FINAL, Trigger.REPRESENTATION_WINDOW_CLOSED}


def test_closing_only_with_nothing_pending() -> None:
    closing = {s for s in CaseState if allowed(s, Trigger.CASE_CLOSED)}
    assert closing == {CaseState.OPEN}
    assert not CaseState.OPEN.sanction_in_force


def test_the_doc_is_the_rendered_table() -> None:
    assert DOC.read_text(encoding="utf-8") == render_mermaid(), (
        "docs/case-states.md is out of date: regenerate it with rules.state.render_mermaid()"
    )


def test_the_diagram_draws_every_stage_change_and_lists_every_other_step() -> None:
    text = render_mermaid()
    assert "stateDiagram-v2" in text
    for state, row in TRANSITIONS.items():
        for trigger, target in row.items():
            if target is state:
                rows = [x for x in text.splitlines() if x.startswith(f"| `{state.name}` |")]
                line = rows[-1]  # the "steps that keep the stage" table comes last
                assert trigger.label in line
            else:
                assert f"{state.name} --> {target.name} : {trigger.label}" in text
