"""Adding a statement as a step (`bot.flows.actions`): the head or senior staff (those who
see the case whole) add a statement by someone subjected to the behaviour or a witness, to
any incident; the member of staff who reported an incident adds one to their own incidents,
from their view of the case, whose card names nothing they may not see (not the person,
not another's incident)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.forms import problems, step_view
from bot.flows.when import day
from cards import statement as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from rules.case import CaseView
from rules.commands import Command
from rules.details import Statement
from rules.steps.reporting import AddStatement
from rules.wording import format_day

STEP = "statement.add"


def incidents(view: CaseView, reported_by: str | None = None) -> tuple[Choice, ...]:
    """The case's incidents (with `reported_by`, only those that person reported), latest
    first (the one a statement is most often for)."""
    return tuple(
        Choice(str(i.no), f"Incident {i.no}, {format_day(i.details.occurred_at.date())}")
        for i in reversed(view.incidents)
        if reported_by is None or i.reported_by == reported_by
    )


def _incidents(ctx: StepContext) -> tuple[Choice, ...]:
    return incidents(ctx.view, ctx.actor_id if ctx.own_reports else None)


def form(ctx: StepContext) -> Card:
    view = ctx.view
    offered = _incidents(ctx)
    if ctx.own_reports:
        facts = [f"You reported on this case: {'; '.join(c.title for c in reversed(offered))}."]
    else:
        facts = [f"{view.person.name}: {len(view.incidents)} incident(s) recorded."]
    return cards.build(
        step_view(
            ctx,
            facts,
            choices={cards.INCIDENT.id: offered},
            defaults={cards.INCIDENT.id: offered[0].value},
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    incident_no = read.one(cards.INCIDENT, _incidents(ctx))
    author = read.text(cards.AUTHOR)
    pupil = read.toggle(cards.PUPIL)
    given_on = day(read, cards.GIVEN_ON, ctx.casework.today(), what="The date of the statement")
    text = read.text(cards.TEXT)
    if read.problems or given_on is None:
        return problems(read)
    return AddStatement(ctx.command_id, int(incident_no), Statement(author, text, given_on, pupil))


STATEMENT = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Add a statement",
        command=AddStatement,
        form=form,
        parse=parse,
        done_title="Statement added",
        secondary=True,
        offered_when=lambda view: bool(view.incidents),
        reporters=True,
    )
)
