"""The registries the steps join when they are imported: each command's permission, each
command type, each event kind. Each test works on an empty registry of its own, so the real
steps' registrations are untouched; what the real registries hold is checked whole by the
permissions table and `test_every_command_has_a_permission_and_a_handler`."""

from __future__ import annotations

import pytest

from rules.core import commands as core_commands
from rules.core import events as core_events
from rules.core import permissions as core_permissions
from rules.core.commands import Command, command, policy_place, registered_commands
from rules.core.events import Event, event, event_from_record, event_kinds, registered_events
from rules.core.permissions import Permission, permitted, registered_permissions
from rules.errors import HistoryError
from rules.roles import Role
from rules.state import Trigger


@pytest.fixture(autouse=True)
def empty_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core_permissions, "_PERMISSIONS", {})
    monkeypatch.setattr(core_commands, "_REGISTERED", [])
    monkeypatch.setattr(core_events, "_KINDS", {})


def _command_type(name: str, module: str, *triggers: Trigger) -> type[Command]:
    return type(name, (Command,), {"__module__": module, "TRIGGERS": triggers, "DONE": name})


def test_a_permission_records_its_roles_whether_the_sweeper_may_and_what_it_does() -> None:
    first = _command_type("First", "steps.first")
    second = _command_type("Second", "steps.second")

    assert permitted("choose a thing", Role.HEAD, Role.CHAIR)(first) is first
    permitted("close a thing", system=True)(second)

    assert registered_permissions() == {
        first: Permission(frozenset({Role.HEAD, Role.CHAIR}), False, "choose a thing"),
        second: Permission(frozenset(), True, "close a thing"),
    }


def test_a_command_type_given_two_permissions_is_refused_by_name() -> None:
    first = _command_type("First", "steps.first")
    permitted("choose a thing", Role.HEAD)(first)

    with pytest.raises(ValueError, match=r"^First has two permissions$"):
        permitted("choose it again", Role.CHAIR)(first)
    assert registered_permissions()[first].roles == frozenset({Role.HEAD})


def test_command_types_are_listed_in_the_policys_order_of_their_steps() -> None:
    later = _command_type("Later", "steps.later", Trigger.CASE_CLOSED)
    bookkeeping = _command_type("Bookkeeping", "steps.letters")  # asks for no step
    earlier = _command_type("Earlier", "steps.earlier", Trigger.STATEMENT_ADDED)
    for cls in (later, bookkeeping, earlier):
        assert command(cls) is cls

    assert registered_commands() == (earlier, later, bookkeeping)
    assert policy_place("steps.earlier") == list(Trigger).index(Trigger.STATEMENT_ADDED)
    assert policy_place("steps.letters") == len(Trigger)  # after every section
    assert policy_place("steps.nothing-registered") == len(Trigger)


def test_a_command_type_registered_twice_is_refused_by_name() -> None:
    once = _command_type("Once", "steps.once")
    command(once)

    with pytest.raises(ValueError, match=r"^command Once is registered twice$"):
        command(once)
    assert registered_commands() == (once,)


def _event_type(kind: str, module: str) -> type[Event]:
    return type(f"E{kind}", (Event,), {"__module__": module, "KIND": kind})


def test_event_types_are_kept_by_their_stored_kind_in_the_policys_order() -> None:
    late_command = _command_type("Late", "steps.late", Trigger.CASE_CLOSED)
    early_command = _command_type("Early", "steps.early", Trigger.STATEMENT_ADDED)
    command(late_command)
    command(early_command)
    late = _event_type("late-thing", "steps.late")
    early = _event_type("early-thing", "steps.early")

    assert event(late) is late
    event(early)

    assert event_kinds() == {"late-thing": late, "early-thing": early}
    assert registered_events() == (early, late)


def test_an_event_kind_registered_twice_is_refused_by_its_kind() -> None:
    event(_event_type("a-thing", "steps.a"))

    with pytest.raises(ValueError, match=r"^event kind 'a-thing' is registered twice$"):
        event(_event_type("a-thing", "steps.b"))


def test_a_stored_event_the_rules_cannot_read_is_refused_with_its_kind() -> None:
    with pytest.raises(HistoryError, match=r"^unknown event kind 'no-such-kind'$"):
        event_from_record("no-such-kind", {})
