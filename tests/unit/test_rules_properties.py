"""Properties of the case rules, over generated data and random sequences of steps."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.behaviours import ChairOutcome, SanctionKind
from rules.case import fold, folded_event_types
from rules.commands import Command
from rules.errors import HistoryError, Refusal
from rules.events import EVENT_TYPES, Event, event_from_record, event_to_record
from rules.state import TRANSITIONS, CaseState, Trigger
from rules.steps.chair import ChairDecided
from rules.steps.letters import LetterSent

from .rules_builders import STEPS, Case, case_in

# --- serialisation ------------------------------------------------------------------------

_TEXT = st.text(max_size=20)
_DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
_TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def _strategy(tp: Any) -> st.SearchStrategy[Any]:
    """Every field filled (defaults included), from the type hints."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        return st.one_of(*[_strategy(a) for a in typing.get_args(tp)])
    if tp is type(None):
        return st.none()
    if origin is tuple:
        return st.lists(_strategy(typing.get_args(tp)[0]), max_size=3).map(tuple)
    if origin is frozenset:
        return st.frozensets(_strategy(typing.get_args(tp)[0]), max_size=3)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        fields = {f.name: _strategy(hints[f.name]) for f in dataclasses.fields(tp)}
        return st.builds(tp, **fields)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(list(tp))
    if tp is datetime:
        return _TIMES
    if tp is date:
        return _DATES
    if tp is str:
        return _TEXT
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=0, max_value=10_000)
    raise AssertionError(f"no strategy for {tp!r}")


def test_event_kinds_are_unique_and_stable() -> None:
    kinds = [cls.KIND for cls in EVENT_TYPES]
    assert len(kinds) == len(set(kinds))
    assert all(k == k.lower() and " " not in k for k in kinds)


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda cls: cls.KIND)
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_event_round_trips_through_json(cls: type[Event], data: st.DataObject) -> None:
    event = data.draw(_strategy(cls))
    kind, record = event_to_record(event)
    assert kind == cls.KIND
    stored = json.loads(json.dumps(record))  # only JSON values
    assert event_from_record(kind, stored) == event


def test_a_bad_record_is_a_history_error_not_a_guess() -> None:
    with pytest.raises(HistoryError, match="unknown event kind"):
        event_from_record("no-such-kind", {})
    with pytest.raises(HistoryError, match="incident_no is missing"):
        event_from_record("statement-added", {"statement": {}})
    kind, record = event_to_record(LetterSent("l-1", date(2026, 1, 5)))
    with pytest.raises(HistoryError):
        event_from_record(kind, {**record, "sent_on": 20260105})
    with pytest.raises(HistoryError):
        event_from_record(
            "notification-required", {"notification_id": "n", "kind": "x", "roles": []}
        )


# --- random sequences of steps ----------------------------------------------------------------


def _drive(data: st.DataObject, steps: int = 25, done: list[Command] | None = None) -> Case:
    """Take random steps as an unpredictable user would: mostly ones that move the case on
    (so that deep stages are reached), sometimes any step at all; refusals are expected."""
    case = case_in(CaseState.OPEN)
    for _ in range(data.draw(st.integers(min_value=1, max_value=steps))):
        case.advance(data.draw(st.integers(min_value=0, max_value=20)))
        row = TRANSITIONS[case.state]
        moving = sorted(t for t, target in row.items() if target is not case.state)
        pools: list[list[Trigger]] = [moving or sorted(row), moving or sorted(row), sorted(row)]
        pools.append(sorted(Trigger))
        pool = pools[data.draw(st.integers(min_value=0, max_value=3))]
        trigger = data.draw(st.sampled_from(pool))
        before = (case.view, len(case.history))
        try:
            step = STEPS[trigger]
            step.prepare(case)
            before = (case.view, len(case.history))
            command = step.command(case)
            produced = case.run(command)
        except Refusal:
            assert (case.view, len(case.history)) == before  # a refusal changes nothing
            continue
        fired = [e.trigger for e in produced if e.trigger is not None]
        assert fired == [command.trigger()]  # the command's step is the events' step
        if done is not None:
            done.append(command)
    return case


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.data())
def test_random_steps_never_break_the_transition_table(data: st.DataObject) -> None:
    case = _drive(data)
    # Replaying the whole history checks every event against the table (HistoryError if not).
    assert fold(case.history) == case.view
    for step in case.v.steps:
        assert TRANSITIONS[step.state_before][step.trigger] is step.state_after


@PROPERTY
@given(st.data())
def test_folding_is_deterministic_and_incremental(data: st.DataObject) -> None:
    case = _drive(data)
    assert fold(case.history) == fold(list(case.history))
    for cut in range(1, len(case.history)):
        prefix = fold(case.history[:cut])
        assert prefix is not None
        assert prefix.last_seq == cut


@PROPERTY
@given(st.data())
def test_stored_history_replays_to_the_same_view(data: st.DataObject) -> None:
    case = _drive(data)
    stored = [(meta, json.loads(json.dumps(event_to_record(e)))) for meta, e in case.history]
    replayed = fold([(meta, event_from_record(kind, data)) for meta, (kind, data) in stored])
    assert replayed == case.view


@PROPERTY
@given(st.data())
def test_a_command_replayed_with_its_id_adds_nothing(data: st.DataObject) -> None:
    done: list[Command] = []
    case = _drive(data, steps=10, done=done)
    view, length = case.view, len(case.history)
    for command in done:
        assert case.run(command) == []
    assert (case.view, len(case.history)) == (view, length)


@pytest.mark.parametrize("state", list(CaseState), ids=str)
def test_every_state_is_reached_by_real_commands(state: CaseState) -> None:
    assert case_in(state).state is state


def test_a_history_that_breaks_the_table_is_refused_on_replay() -> None:
    case = case_in(CaseState.OPEN)
    meta = dataclasses.replace(case.history[-1][0], seq=99, command_id="forged")
    forged = ChairDecided(ChairOutcome.CONFIRM, SanctionKind.BAN, "x", case.today, "l")
    with pytest.raises(HistoryError, match="not allowed"):
        fold([*case.history, (meta, forged)])
    with pytest.raises(HistoryError, match="first event must open the case"):
        fold(case.history[1:])


def test_every_event_type_has_a_fold_rule() -> None:
    assert folded_event_types() == set(EVENT_TYPES)
