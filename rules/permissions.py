"""Who may issue each command (ARCHITECTURE.md, "People and what they may do"). Importing
this module registers every step.

`PERMISSIONS`: for each command type, the roles that may issue it and whether the sweeper
("system") may, as each step registered it with `@permitted` (`rules.core.permissions`).
"""

from __future__ import annotations

import rules.steps  # noqa: F401  (registers every step's permissions)
from rules.core.commands import Command
from rules.core.permissions import (
    CHOOSE_RESPONSE,
    Permission,
    check_permitted,
    permission_for,
    permitted,
    registered_permissions,
    required_roles,
)
from rules.wording import recorded_as, titles

PERMISSIONS: dict[type[Command], Permission] = registered_permissions()

__all__ = [
    "CHOOSE_RESPONSE",
    "PERMISSIONS",
    "Permission",
    "check_permitted",
    "permission_for",
    "permitted",
    "recorded_as",
    "required_roles",
    "titles",
]
