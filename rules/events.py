"""Every event a case can hold, and their stored form. Importing this module registers
every step.

The events themselves live with their steps (`rules.steps.ban.BanImposed`, …); this is the
`Event` base, `EventMeta`, the effect events many steps produce, the codec, and the whole
registry: `EVENT_TYPES` (in the order the steps were loaded) and `EVENT_KINDS` (by `KIND`).
"""

from __future__ import annotations

import rules.steps  # noqa: F401  (registers every step's events)
from rules.core.events import (
    Event,
    EventMeta,
    LetterRequired,
    NotificationRequired,
    event,
    event_from_record,
    event_kinds,
    event_to_record,
    registered_events,
)

EVENT_TYPES: tuple[type[Event], ...] = registered_events()
EVENT_KINDS: dict[str, type[Event]] = event_kinds()

__all__ = [
    "EVENT_KINDS",
    "EVENT_TYPES",
    "Event",
    "EventMeta",
    "LetterRequired",
    "NotificationRequired",
    "event",
    "event_from_record",
    "event_to_record",
]
