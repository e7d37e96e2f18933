"""Reporting a further incident as a step (`bot.flows.actions`): the head or senior staff
(those who see the case whole), or the member of staff who reported an incident on it, from
their view of the case, record a later incident by the same person on their case, as
incident 2, 3, …, with the incident report's own questions and checks
(`cards.incident_report.read_incident`, `bot.flows.reporting.incident_details`). The
reporter's card names nothing they may not see: not the person, not another's incident."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.reporting import NOT_IN_DIRECTORY, behaviour_choices, incident_details, staff_of
from cards import further_incident as cards
from cards.common import Card, Choice
from cards.incident_report import ValidationProblem, read_incident
from cards.inputs import Submitted, submitted_values
from casework.pipeline import UnknownUser
from rules.behaviours import AffectedGroup, Channel
from rules.commands import Command
from rules.steps.reporting import ReportIncident
from rules.wording import format_day

STEP = "incident.further"
CHANNELS = tuple(Choice(c.value, c.label) for c in Channel)
AFFECTED = tuple(Choice(a.value, a.label) for a in AffectedGroup)


def _staff(ctx: StepContext) -> tuple[Choice, ...]:
    return staff_of(ctx.casework.ports.directory, (ctx.view.school_id,))


def form(ctx: StepContext) -> Card:
    view = ctx.view
    if ctx.own_reports:
        own = [i.no for i in view.incidents if i.reported_by == ctx.actor_id]
        facts = [
            f"You reported incident {', '.join(map(str, own))} on this case. Report here a "
            "later incident by the same person."
        ]
        latest = None
    else:
        facts = [f"{view.person.name}: {len(view.incidents)} incident(s) recorded."]
        latest = view.latest_incident
    if latest is not None:
        facts.append(
            f"The latest, incident {latest.no}, on {format_day(latest.details.occurred_at.date())}."
        )
    return cards.build(
        cards.FurtherIncidentView(
            reference=view.reference,
            facts=tuple(facts),
            data=ctx.data(),
            channels=CHANNELS,
            behaviours=behaviour_choices(),
            affected=AFFECTED,
            staff=_staff(ctx),
            latest_date=ctx.casework.today().isoformat(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    answers = read_incident(
        read,
        channels=CHANNELS,
        behaviours=behaviour_choices(),
        affected=AFFECTED,
        staff=_staff(ctx),
    )
    if read.problems:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    reporter = ctx.casework.ports.directory.person(ctx.actor_id)
    if reporter is None:
        # The incident names its reporter; never a stand-in name.
        raise UnknownUser(NOT_IN_DIRECTORY)
    incident = incident_details(
        answers, submitted_values(data), reporter_name=reporter.name, now=ctx.casework.now()
    )
    if isinstance(incident, ValidationProblem):
        return FieldProblems(incident.problems, dict(incident.at_fields))
    return ReportIncident(ctx.command_id, incident, new_case=None)


FURTHER_INCIDENT = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Report a further incident",
        command=ReportIncident,
        form=form,
        parse=parse,
        done_title="Incident recorded",
        secondary=True,
        offered_when=lambda view: bool(view.incidents),
        reporters=True,
    )
)
