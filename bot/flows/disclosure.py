"""Showing a statement to the person, as two steps (`bot.flows.actions`): the head decides
whether a statement is shown (the risk of retaliation and the reasons), and the head or
senior staff record the day a statement the head released was shown. A statement is named
on the card by its incident, number and who gave it, never by what it says."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.forms import problems, step_view
from bot.flows.when import day
from cards import disclosure as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from rules.behaviours import RiskLevel
from rules.case import CaseView
from rules.commands import Command
from rules.core.view import StatementRecord
from rules.steps.disclosure import DecideDisclosure, RecordStatementReleased
from rules.wording import format_day

RELEASE = (Choice("release", "Show it to the person"), Choice("withhold", "Do not show it"))
LEVELS = tuple(Choice(level.value, level.label) for level in RiskLevel)


def _statements(view: CaseView, keep: Callable[[StatementRecord], bool]) -> tuple[Choice, ...]:
    return tuple(
        Choice(
            f"{i.no}.{n}",
            f"Incident {i.no}, statement {n}: {s.statement.author_name}, "
            f"{format_day(s.statement.given_on)}",
        )
        for i in view.incidents
        for n, s in enumerate(i.statements, start=1)
        if keep(s)
    )


def _any(s: StatementRecord) -> bool:
    return True


def _released_not_shown(s: StatementRecord) -> bool:
    return s.disclosure is not None and s.disclosure.release and s.released_on is None


def _numbers(value: str) -> tuple[int, int]:
    incident, _, statement = value.partition(".")
    return int(incident), int(statement)


def _status(s: StatementRecord) -> str:
    if s.released_on is not None:
        return f"shown on {format_day(s.released_on)}"
    if s.disclosure is None:
        return "no decision yet"
    return "to be shown" if s.disclosure.release else "not to be shown"


def _facts(view: CaseView) -> list[str]:
    return [
        f"Incident {i.no}, statement {n} ({s.statement.author_name}): {_status(s)}."
        for i in view.incidents
        for n, s in enumerate(i.statements, start=1)
    ]


# --- decide ------------------------------------------------------------------------------------


def decide_form(ctx: StepContext) -> Card:
    choices = {
        cards.STATEMENT.id: _statements(ctx.view, _any),
        cards.RELEASE.id: RELEASE,
        cards.RISK.id: LEVELS,
    }
    return cards.build_decide(step_view(ctx, _facts(ctx.view), choices=choices))


def decide_parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    chosen = read.one(cards.STATEMENT, _statements(ctx.view, _any))
    release = read.one(cards.RELEASE, RELEASE)
    risk = read.one(cards.RISK, LEVELS)
    reasons = read.text(cards.REASONS)
    if read.problems:
        return problems(read)
    incident_no, statement_no = _numbers(chosen)
    return DecideDisclosure(
        ctx.command_id,
        incident_no,
        statement_no,
        release == "release",
        RiskLevel(risk),
        reasons,
    )


DECIDE = register(
    StepAction(
        step="disclosure.decide",
        verb=cards.DECIDE_VERB,
        title="Decide whether a statement is shown",
        command=DecideDisclosure,
        form=decide_form,
        parse=decide_parse,
        done_title="Decision recorded",
        secondary=True,
        offered_when=lambda view: bool(_statements(view, _any)),
    )
)


# --- shown -------------------------------------------------------------------------------------


def released_form(ctx: StepContext) -> Card:
    choices = {cards.STATEMENT.id: _statements(ctx.view, _released_not_shown)}
    return cards.build_released(step_view(ctx, _facts(ctx.view), choices=choices))


def released_parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    chosen = read.one(cards.STATEMENT, _statements(ctx.view, _released_not_shown))
    shown_on: date | None = day(
        read, cards.RELEASED_ON, ctx.casework.today(), what="The date it was shown"
    )
    if read.problems or shown_on is None:
        return problems(read)
    incident_no, statement_no = _numbers(chosen)
    return RecordStatementReleased(ctx.command_id, incident_no, statement_no, shown_on)


RELEASED = register(
    StepAction(
        step="disclosure.released",
        verb=cards.RELEASED_VERB,
        title="Record that a statement was shown",
        command=RecordStatementReleased,
        form=released_form,
        parse=released_parse,
        done_title="Recorded as shown",
        secondary=True,
        offered_when=lambda view: bool(_statements(view, _released_not_shown)),
    )
)
