"""The Chair's decision: the Chair of the Local Academy Committee confirms or overturns the
provisional conditions or ban (letters 3 and 5), once the person's representations have
arrived or their 10 school days have passed. Nobody reviews their own decision: the person
who imposed the sanction may not decide on it, whatever roles they hold (issue 9, rule 3)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar

from rules.behaviours import ChairOutcome, LetterKind, SanctionKind
from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides, letter_required, required_text
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds
from rules.core.permissions import permitted
from rules.core.view import CaseView, ChairDecisionRecord
from rules.errors import HistoryError, OwnDecision
from rules.roles import Role
from rules.state import Trigger


@permitted("confirm or overturn the Headteacher/Principal's decision", Role.CHAIR)
@command
@dataclass(frozen=True)
class DecideAsChair(Command):
    DONE: ClassVar[str] = "The Chair's decision recorded: the letter is being drafted"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.CHAIR_CONFIRMED, Trigger.CHAIR_OVERTURNED)
    command_id: str
    outcome: ChairOutcome
    reason: str

    def trigger(self) -> Trigger:
        if self.outcome is ChairOutcome.CONFIRM:
            return Trigger.CHAIR_CONFIRMED
        return Trigger.CHAIR_OVERTURNED


@event
@dataclass(frozen=True)
class ChairDecided(Event):
    """Letters 3 and 5."""

    KIND: ClassVar[str] = "chair-decided"
    outcome: ChairOutcome
    sanction: SanctionKind
    reason: str
    decided_on: date
    letter_id: str

    @property
    def trigger(self) -> Trigger:
        if self.outcome is ChairOutcome.CONFIRM:
            return Trigger.CHAIR_CONFIRMED
        return Trigger.CHAIR_OVERTURNED


def _decide_as_chair(view: CaseView, cmd: DecideAsChair, ctx: DecisionContext) -> list[Event]:
    sanction = view.sanction
    assert sanction is not None  # the table allows this only with a provisional sanction
    if sanction.imposed_by == ctx.actor_id:
        raise OwnDecision(sanction=sanction.kind.label, imposed_on=sanction.imposed_on)
    reason = required_text(cmd.reason, "the reason for your decision")
    kind = (
        LetterKind.CONDITIONS_DECISION
        if sanction.kind is SanctionKind.CONDITIONS
        else LetterKind.BAN_DECISION
    )
    letter = letter_required(cmd, kind, Role.CHAIR, (Role.HEAD,))
    return [
        ChairDecided(cmd.outcome, sanction.kind, reason, ctx.today, letter.letter_id),
        letter,
    ]


decides(DecideAsChair)(_decide_as_chair)


def _chair_decided(view: CaseView, meta: EventMeta, e: ChairDecided) -> CaseView:
    sanction, window = view.sanction, view.window
    if sanction is None or window is None:
        raise HistoryError(f"case {view.case_id}: Chair decided with nothing provisional")
    record = ChairDecisionRecord(
        e.outcome,
        e.sanction,
        e.reason,
        e.decided_on,
        meta.actor_id,
        meta.at,
        e.letter_id,
        window.letter_id,
        window.representation,
        window.closed_on,
        window.representations,
    )
    view = replace(view, chair_decisions=(*view.chair_decisions, record), window=None)
    if e.outcome is ChairOutcome.CONFIRM:
        confirmed = replace(
            sanction, provisional=False, confirmed_on=e.decided_on, confirmed_by=meta.actor_id
        )
        return replace(view, sanction=confirmed, review_anchor=e.decided_on)
    return replace(view, sanction=None, review_anchor=None)


folds(ChairDecided)(_chair_decided)
