"""Who may issue each command (ARCHITECTURE.md, "People and what they may do").

Each step registers its commands' permission with `@permitted(doing, *roles, system=…)`:
the roles that may issue it and whether the sweeper ("system") may. Roles are per school and
not nested, so each permission names every role explicitly: the Headteacher/Principal
appears everywhere except the Chair's and the committee's decisions and the sweeper's own
steps. `rules.permissions.PERMISSIONS` is the whole table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rules.core.commands import Command
from rules.errors import NotPermitted
from rules.roles import Role

# What the head's responses to an incident do, in the refusal "Only … can <doing>."
CHOOSE_RESPONSE = "choose the school's response"


@dataclass(frozen=True)
class Permission:
    roles: frozenset[Role]
    system: bool  # the sweeper may issue it
    doing: str  # what the command does, for the refusal: "Only … can <doing>."


C = TypeVar("C", bound=Command)
_PERMISSIONS: dict[type[Command], Permission] = {}


def permitted(doing: str, *roles: Role, system: bool = False) -> Callable[[type[C]], type[C]]:
    """Register who may issue the decorated command type (applied above `@command`)."""

    def register(cls: type[C]) -> type[C]:
        if cls in _PERMISSIONS:
            raise ValueError(f"{cls.__name__} has two permissions")
        _PERMISSIONS[cls] = Permission(frozenset(roles), system, doing)
        return cls

    return register


def registered_permissions() -> dict[type[Command], Permission]:
    return dict(_PERMISSIONS)


def permission_for(command_type: type[Command]) -> Permission:
    return _PERMISSIONS[command_type]


def required_roles(command: Command | type[Command]) -> frozenset[Role]:
    """The roles that may issue `command` (empty for the sweeper's own steps)."""
    cls = command if isinstance(command, type) else type(command)
    return _PERMISSIONS[cls].roles


def check_permitted(command: Command, roles: frozenset[Role], *, system: bool) -> None:
    """`NotPermitted` unless the actor may issue `command`."""
    permission = permission_for(type(command))
    if system:
        if not permission.system:
            raise NotPermitted(what=permission.doing, needed=permission.roles, sweeper=True)
        return
    if not roles & permission.roles:
        raise NotPermitted(what=permission.doing, needed=permission.roles, held=roles)
