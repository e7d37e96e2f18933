"""Who issues a command: a person (their Entra object id) or the sweeper."""

from __future__ import annotations

from dataclasses import dataclass

from rules.decide import SYSTEM_ACTOR

# The longest activity id recorded with a command: what every case store keeps (SharePoint
# holds it in a single line of text, 255 characters). Teams' ids are far shorter.
MAX_ACTIVITY_ID_CHARS = 255


@dataclass(frozen=True)
class Actor:
    """Who issues a command: an Entra object id (or the sweeper), and the Teams activity
    it came from, for the audit trail (at most `MAX_ACTIVITY_ID_CHARS`; a longer one is
    not recorded)."""

    object_id: str
    activity_id: str | None = None

    def __post_init__(self) -> None:
        # An id longer than any store keeps came from no Teams client: the command is
        # recorded without it, the same on every store, rather than refused by one.
        if self.activity_id is not None and len(self.activity_id) > MAX_ACTIVITY_ID_CHARS:
            object.__setattr__(self, "activity_id", None)

    @property
    def is_system(self) -> bool:
        return self.object_id == SYSTEM_ACTOR


SYSTEM = Actor(SYSTEM_ACTOR)
