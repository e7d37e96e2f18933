"""No further action: the head's response when the risk assessment calls for none (it is
still a response, so the case may then be closed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, assessed_latest, decides, required_text
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds, respond
from rules.core.permissions import CHOOSE_RESPONSE, permitted
from rules.core.view import CaseView
from rules.roles import Role
from rules.state import Trigger


@permitted(CHOOSE_RESPONSE, Role.HEAD)
@command
@dataclass(frozen=True)
class RecordNoFurtherAction(Command):
    DONE: ClassVar[str] = "No further action recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.NO_FURTHER_ACTION,)
    command_id: str
    reason: str


@event
@dataclass(frozen=True)
class NoFurtherActionRecorded(Event):
    KIND: ClassVar[str] = "no-further-action-recorded"
    TRIGGER: ClassVar[Trigger | None] = Trigger.NO_FURTHER_ACTION
    incident_no: int
    reason: str


def _record_no_further_action(
    view: CaseView, cmd: RecordNoFurtherAction, ctx: DecisionContext
) -> list[Event]:
    latest = assessed_latest(view)
    return [
        NoFurtherActionRecorded(latest.no, required_text(cmd.reason, "the reason for no action"))
    ]


decides(RecordNoFurtherAction)(_record_no_further_action)


def _no_further_action_recorded(
    view: CaseView, meta: EventMeta, e: NoFurtherActionRecorded
) -> CaseView:
    return respond(view, meta, e.incident_no, Trigger.NO_FURTHER_ACTION, e.reason)


folds(NoFurtherActionRecorded)(_no_further_action_recorded)
