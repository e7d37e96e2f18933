"""Command handling: (view, command, context) -> events, or a named Refusal. Importing this
module registers every step, so `decide` knows every command.

    decide(view: CaseView | None, command: Command, ctx: DecisionContext) -> list[Event]

The engine (idempotency, permission, stage, then the step) is `rules.core.decide`; each
command's own guards and events are its step's decide function (`rules.steps`).
"""

from __future__ import annotations

import rules.steps  # noqa: F401  (registers every step's decide functions)
from rules.core.decide import SYSTEM_ACTOR, DecisionContext, decide, handled_commands

__all__ = ["SYSTEM_ACTOR", "DecisionContext", "decide", "handled_commands"]
