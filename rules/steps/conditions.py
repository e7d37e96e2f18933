"""Response 3, conditions on the person's access to the school: provisional until the Chair
decides, in letter 2, with a right to write to the Chair within 10 school days."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar

from rules import timeline as tl
from rules.behaviours import LetterKind, SanctionKind
from rules.core.commands import Command, command
from rules.core.decide import (
    DecisionContext,
    assessed_latest,
    chosen_conditions,
    decides,
    letter_required,
    required_text,
)
from rules.core.events import Event, EventMeta, event
from rules.core.fold import cancel_pending_meeting, folds, respond
from rules.core.permissions import CHOOSE_RESPONSE, permitted
from rules.core.view import CaseView, ReplyWindow, SanctionRecord
from rules.details import Conditions
from rules.roles import Role
from rules.state import Trigger


@permitted(CHOOSE_RESPONSE, Role.HEAD)
@command
@dataclass(frozen=True)
class ImposeConditions(Command):
    """Response 3: provisional conditions, letter 2."""

    DONE: ClassVar[str] = (
        "Conditions imposed, pending the Chair's review: letter 2 is being drafted"
    )
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.CONDITIONS_IMPOSED,)
    command_id: str
    conditions: Conditions
    reason: str


@event
@dataclass(frozen=True)
class ConditionsImposed(Event):
    """Response 3, provisional until the Chair decides: letter 2."""

    KIND: ClassVar[str] = "conditions-imposed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.CONDITIONS_IMPOSED
    incident_no: int
    conditions: Conditions
    reason: str
    imposed_on: date
    letter_id: str


def _impose_conditions(view: CaseView, cmd: ImposeConditions, ctx: DecisionContext) -> list[Event]:
    latest = assessed_latest(view)
    conditions = chosen_conditions(cmd.conditions)
    reason = required_text(cmd.reason, "the reason for the conditions")
    letter = letter_required(
        cmd, LetterKind.CONDITIONS, Role.HEAD, (Role.CHAIR,), tl.REPLY_WINDOW_SCHOOL_DAYS
    )
    return [
        ConditionsImposed(latest.no, conditions, reason, ctx.today, letter.letter_id),
        letter,
    ]


decides(ImposeConditions)(_impose_conditions)


def _conditions_imposed(view: CaseView, meta: EventMeta, e: ConditionsImposed) -> CaseView:
    view = respond(view, meta, e.incident_no, Trigger.CONDITIONS_IMPOSED, e.reason, e.letter_id)
    view = cancel_pending_meeting(view, "overtaken by conditions")
    sanction = SanctionRecord(
        kind=SanctionKind.CONDITIONS,
        provisional=True,
        imposed_on=e.imposed_on,
        imposed_by=meta.actor_id,
        incident_no=e.incident_no,
        reason=e.reason,
        letter_id=e.letter_id,
        conditions=e.conditions,
    )
    return replace(view, sanction=sanction, window=ReplyWindow(e.letter_id, LetterKind.CONDITIONS))


folds(ConditionsImposed)(_conditions_imposed)
