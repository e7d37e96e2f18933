"""Who issues a command: a person (their Entra object id) or the sweeper."""

from __future__ import annotations

from dataclasses import dataclass

from rules.decide import SYSTEM_ACTOR


@dataclass(frozen=True)
class Actor:
    """Who issues a command: an Entra object id (or the sweeper), and the Teams activity
    it came from, for the audit trail."""

    object_id: str
    activity_id: str | None = None

    @property
    def is_system(self) -> bool:
        return self.object_id == SYSTEM_ACTOR


SYSTEM = Actor(SYSTEM_ACTOR)
