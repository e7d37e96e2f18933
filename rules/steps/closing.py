"""Closing a case, once the latest incident has had a response (no further action counts).
A case in which the policy was used prompts the trust to review the policy: "This Policy will
be reviewed … following each incident where the policy is used"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rules.behaviours import NotificationKind
from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides, notify_once, required_text
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds
from rules.core.permissions import permitted
from rules.core.view import CaseView
from rules.errors import ResponseNotRecorded
from rules.roles import Role
from rules.state import Trigger


@permitted("close the case", Role.HEAD)
@command
@dataclass(frozen=True)
class CloseCase(Command):
    DONE: ClassVar[str] = "Case closed"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.CASE_CLOSED,)
    command_id: str
    reason: str


@event
@dataclass(frozen=True)
class CaseClosed(Event):
    KIND: ClassVar[str] = "case-closed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.CASE_CLOSED
    reason: str


def _close_case(view: CaseView, cmd: CloseCase, ctx: DecisionContext) -> list[Event]:
    latest = view.latest_incident
    if latest is not None and not latest.responses:
        raise ResponseNotRecorded(incident_no=latest.no)
    events: list[Event] = [CaseClosed(required_text(cmd.reason, "why the case is closed"))]
    if view.policy_used:
        # "This Policy will be reviewed … following each incident where the policy is used."
        kind = NotificationKind.POLICY_REVIEW_AFTER_CASE
        events += notify_once(view, f"{cmd.command_id}:{kind.value}", kind, (Role.TRUST,))
    return events


decides(CloseCase)(_close_case)


def _case_closed(view: CaseView, meta: EventMeta, e: CaseClosed) -> CaseView:
    return replace(view, closed_reason=e.reason, closed_at=meta.at, window=None)


folds(CaseClosed)(_case_closed)
