"""Response 1, clarifying expectations: letter 1, a warning with a right of reply to the
Headteacher/Principal within 10 school days, and the offer of a meeting."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rules import timeline as tl
from rules.behaviours import LetterKind
from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, assessed_latest, decides, letter_required
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds, respond
from rules.core.permissions import CHOOSE_RESPONSE, permitted
from rules.core.view import CaseView, ReplyWindow
from rules.roles import Role
from rules.state import Trigger


@permitted(CHOOSE_RESPONSE, Role.HEAD)
@command
@dataclass(frozen=True)
class ClarifyExpectations(Command):
    """Response 1: letter 1 (a warning; 10 school days to reply; a meeting may follow)."""

    DONE: ClassVar[str] = "Expectations clarified: letter 1 is being drafted"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.EXPECTATIONS_CLARIFIED,)
    command_id: str
    meeting_offered: bool = True


@event
@dataclass(frozen=True)
class ExpectationsClarified(Event):
    """Response 1: letter 1, a warning with a right of reply to the Headteacher/Principal."""

    KIND: ClassVar[str] = "expectations-clarified"
    TRIGGER: ClassVar[Trigger | None] = Trigger.EXPECTATIONS_CLARIFIED
    incident_no: int
    letter_id: str
    meeting_offered: bool


def _clarify_expectations(
    view: CaseView, cmd: ClarifyExpectations, ctx: DecisionContext
) -> list[Event]:
    latest = assessed_latest(view)
    letter = letter_required(
        cmd, LetterKind.WARNING, Role.HEAD, (Role.CHAIR,), tl.REPLY_WINDOW_SCHOOL_DAYS
    )
    return [ExpectationsClarified(latest.no, letter.letter_id, cmd.meeting_offered), letter]


decides(ClarifyExpectations)(_clarify_expectations)


def _expectations_clarified(view: CaseView, meta: EventMeta, e: ExpectationsClarified) -> CaseView:
    view = respond(view, meta, e.incident_no, Trigger.EXPECTATIONS_CLARIFIED, letter_id=e.letter_id)
    window = ReplyWindow(e.letter_id, LetterKind.WARNING, meeting_offered=e.meeting_offered)
    return replace(view, window=window)


folds(ExpectationsClarified)(_expectations_clarified)
