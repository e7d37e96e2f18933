"""Every command the policy accepts. Importing this module registers every step.

The commands themselves live with their steps (`rules.steps.ban.ImposeBan`, …); this is the
`Command` base and `COMMAND_TYPES`, the whole registry, in the order the steps were loaded.
"""

from __future__ import annotations

import rules.steps  # noqa: F401  (registers every step's commands)
from rules.core.commands import Command, command, registered_commands

COMMAND_TYPES: tuple[type[Command], ...] = registered_commands()

__all__ = ["COMMAND_TYPES", "Command", "command"]
