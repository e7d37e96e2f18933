"""A case's current view, folded from its events. Importing this module registers every
step, so `fold` and `apply` know every event.

`fold(events)` replays `(EventMeta, Event)` pairs in order into a frozen `CaseView`;
`apply(view, meta, event)` adds one (`rules.core.fold`). The view and its records are in
`rules.core.view`; what each event adds is its step's fold function (`rules.steps`).
"""

from __future__ import annotations

import rules.steps  # noqa: F401  (registers every step's fold functions)
from rules.core.fold import apply, fold, folded_event_types
from rules.core.view import (
    AssessmentRecord,
    BreachRecord,
    CaseView,
    ChairDecisionRecord,
    DeliveryState,
    IncidentRecord,
    InformalMeetingRecord,
    LetterRecord,
    NotificationRecord,
    ProgressMeetingRecord,
    RemovalRecord,
    ReplyWindow,
    RepresentationRecord,
    ResponseRecord,
    ReviewRecord,
    ReviewStatementRecord,
    SanctionRecord,
    StatementRecord,
    StepRecord,
)

__all__ = [
    "AssessmentRecord",
    "BreachRecord",
    "CaseView",
    "ChairDecisionRecord",
    "DeliveryState",
    "IncidentRecord",
    "InformalMeetingRecord",
    "LetterRecord",
    "NotificationRecord",
    "ProgressMeetingRecord",
    "RemovalRecord",
    "ReplyWindow",
    "RepresentationRecord",
    "ResponseRecord",
    "ReviewRecord",
    "ReviewStatementRecord",
    "SanctionRecord",
    "StatementRecord",
    "StepRecord",
    "apply",
    "fold",
    "folded_event_types",
]
