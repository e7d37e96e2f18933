"""Closing the reply window as a step (`bot.flows.actions`): the head or the Chair record
that no written comments arrived within the person's 10 school days. Offered once the
letter has gone and its window is not over; the rules refuse it until the day after the
window's last day, and the card says so."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.forms import step_view
from cards import reply_window as cards
from cards.common import Card
from casework.pipeline import Casework
from rules import timeline as tl
from rules.behaviours import LetterKind
from rules.case import CaseView
from rules.commands import Command
from rules.steps.representations import CloseRepresentationWindow
from rules.wording import format_day


def _open(view: CaseView) -> bool:
    window, letter = view.window, view.window_letter
    if window is None or letter is None or letter.sent_on is None or window.over:
        return False
    return not (window.letter is LetterKind.WARNING and window.representation)


def _passed(view: CaseView, cw: Casework) -> bool:
    """The window's last day has passed (counted as the rules count it)."""
    deadline = tl.reply_deadline(view, tl.lenient(cw.calendar(view.school_id)))
    return deadline is not None and cw.today() > deadline.due


def form(ctx: StepContext) -> Card:
    view = ctx.view
    letter = view.window_letter
    facts = []
    if letter is not None and letter.sent_on is not None:
        facts.append(f"{letter.letter.label} was sent on {format_day(letter.sent_on)}.")
    deadline = tl.reply_deadline(view, tl.lenient(ctx.casework.calendar(view.school_id)))
    if deadline is not None:
        facts.append(f"Their 10 school days to reply end on {format_day(deadline.due)}.")
        if deadline.warning:
            facts.append(deadline.warning)
    facts.append("Record this only if nothing in writing arrived by then.")
    return cards.build(step_view(ctx, facts))


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    return CloseRepresentationWindow(ctx.command_id)


CLOSE = register(
    StepAction(
        step="window.close",
        verb=cards.VERB,
        title="No written comments arrived",
        command=CloseRepresentationWindow,
        form=form,
        parse=parse,
        done_title="Reply window closed",
        offered_when=_open,
        available=_passed,
    )
)
