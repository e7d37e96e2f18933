"""The end of a defined period (issue 9, rule 5): a ban imposed "for a defined period", or
conditions or a ban the committee extended to a new end date, end by themselves on that
date. The ban or conditions are in force up to and including their end date; on the next
day the sweeper records the end, so that the case's stage, the prompts (no review, no
progress meeting) and every list that follows the stage no longer treat them as in force.
A review in progress for them does not take place; its letter 6, and any letter imposing
them or giving the Chair's decision on them, if not yet sent, is withdrawn."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar

from rules.behaviours import LetterKind, SanctionKind
from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds
from rules.core.permissions import permitted
from rules.core.view import CaseView
from rules.errors import HistoryError, PeriodNotEnded
from rules.roles import Role
from rules.state import Trigger

PERIOD_ENDED_REASON = "the defined period ended"
_OF_THE_SANCTION = frozenset(
    {
        LetterKind.CONDITIONS,
        LetterKind.BAN,
        LetterKind.BAN_NOTICE_TO_CHAIR_OF_TRUSTEES,
        LetterKind.CONDITIONS_DECISION,
        LetterKind.BAN_DECISION,
    }
)


@permitted("record that the defined period ended", Role.HEAD, system=True)
@command
@dataclass(frozen=True)
class EndSanctionPeriod(Command):
    """The sweeper's step on the day after the end date of the sanction in force (the head
    may record it too, should the sweeper not have run)."""

    DONE: ClassVar[str] = "The defined period ended: no longer in force"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.SANCTION_PERIOD_ENDED,)
    command_id: str


@event
@dataclass(frozen=True)
class SanctionPeriodEnded(Event):
    """The ban or conditions reached the end of their defined period (`ended_on`, their
    last day in force) and are no longer in force."""

    KIND: ClassVar[str] = "sanction-period-ended"
    TRIGGER: ClassVar[Trigger | None] = Trigger.SANCTION_PERIOD_ENDED
    sanction: SanctionKind
    ended_on: date
    letter_id: str  # the letter (2 or 4) that imposed it


def period_end_command_id(view: CaseView) -> str | None:
    """The id of the sweeper's command that ends the sanction in force (None: no end date).
    Derived from the case's facts, so that two sweepers issue the same id."""
    sanction = view.sanction
    if sanction is None or sanction.until is None:
        return None
    return f"system:period-ended:{sanction.letter_id}:{sanction.until.isoformat()}"


def _end_sanction_period(
    view: CaseView, cmd: EndSanctionPeriod, ctx: DecisionContext
) -> list[Event]:
    sanction = view.sanction
    assert sanction is not None  # the table allows this step only while one is in force
    if sanction.until is None or ctx.today <= sanction.until:
        raise PeriodNotEnded(sanction=sanction.kind.label, until=sanction.until)
    return [SanctionPeriodEnded(sanction.kind, sanction.until, sanction.letter_id)]


decides(EndSanctionPeriod)(_end_sanction_period)


def _sanction_period_ended(view: CaseView, meta: EventMeta, e: SanctionPeriodEnded) -> CaseView:
    if view.sanction is None:
        raise HistoryError(f"case {view.case_id}: a period ended with no sanction in force")
    reviews = view.reviews
    current = view.current_review
    withdrawn: set[str] = set()
    if current is not None:
        # The committee no longer meets about it: the review is over, and its request for a
        # statement, if it has not gone, is withdrawn.
        reviews = (*reviews[:-1], replace(current, overtaken=True))
        withdrawn.add(current.letter_id)
    # A letter imposing it, or the Chair's decision on it, that has not gone by now would
    # tell the person of something no longer in force: withdrawn too.
    letters = tuple(
        replace(x, withdrawn_reason=PERIOD_ENDED_REASON)
        if not x.done and (x.letter_id in withdrawn or x.letter in _OF_THE_SANCTION)
        else x
        for x in view.letters
    )
    return replace(
        view,
        sanction=None,
        window=None,
        review_anchor=None,
        reviews=reviews,
        letters=letters,
        period_ends=(*view.period_ends, e.ended_on),
    )


folds(SanctionPeriodEnded)(_sanction_period_ended)
