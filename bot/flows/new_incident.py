"""The head's *new incident* card (`cards.new_incident`), offered on the Case card while an
incident is not yet assessed ("See the new incident"); its button opens the risk
assessment (`bot.flows.risk_assessment`). It records nothing itself.

`card_for(cw, folded)` builds it for a case as it stands, with the button carrying the
case's current version; the prompt to the head on a new incident carries the step's card
(`form`, the same card), built for her by `bot.flows.prompt_steps`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.flows import risk_assessment
from bot.flows.actions import (
    FieldProblems,
    StepAction,
    StepContext,
    case_version,
    register,
)
from cards import new_incident as cards
from cards.actions import open_step
from cards.common import Card, Fact
from casework.history import Folded
from casework.pipeline import Casework
from casework.projection import UK
from rules.case import CaseView
from rules.commands import Command
from rules.steps.risk_assessment import AssessRisk
from rules.wording import format_day

STEP = "incident.new"
START = "Start risk assessment"


def view_for(cw: Casework, view: CaseView, version: int) -> cards.NewIncidentView:
    """The card's view for the first incident not yet assessed (else the latest)."""
    incident = (view.unassessed_incidents or view.incidents)[0 if view.unassessed_incidents else -1]
    d = incident.details
    local = d.occurred_at.astimezone(UK)
    facts = [
        Fact("When", f"{format_day(local.date())}, {local:%H:%M}"),
        Fact("Where", d.location),
        Fact("How", d.channel.label),
        Fact("Reported by", d.reporter_name),
        Fact("Behaviour", "; ".join(b.label for b in d.behaviours)),
        Fact("Police called", "Yes" if d.police_called else "No"),
        Fact("Assault", "Yes" if d.assault else "No"),
    ]
    if d.witnesses:
        facts.append(Fact("Witnesses", "; ".join(d.witnesses)))
    earlier = tuple(
        f"Incident {i.no}, {format_day(i.details.occurred_at.date())}: {i.details.summary}"
        for i in view.previous_incidents(incident.no)
    )
    assess = None
    if not incident.assessed:
        assess = open_step(START, risk_assessment.STEP, view.case_id, version, style="positive")
    return cards.NewIncidentView(
        reference=view.reference,
        school_name=cw.school(view.school_id).name,
        person=f"{view.person.name} ({view.person.relationship.label.lower()})",
        facts=tuple(facts),
        summary=d.summary,
        effect=d.effect,
        earlier=earlier,
        assess=assess,
    )


def card_for(cw: Casework, folded: Folded) -> Card:
    """The new incident card for the case as it stands (for the prompt to the head)."""
    return cards.build(view_for(cw, folded.view, case_version(folded.history)))


def form(ctx: StepContext) -> Card:
    view = view_for(ctx.casework, ctx.view, ctx.version)
    return cards.build(replace(view, problems=tuple(ctx.problems)))


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    # The card has no submit of its own: its button opens the risk assessment.
    return FieldProblems((f"Press “{START}” to assess the risk.",))


NEW_INCIDENT = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="See the new incident",
        command=AssessRisk,
        form=form,
        parse=parse,
        done_title="Risk assessment recorded",
        offered_when=lambda view: bool(view.unassessed_incidents),
    )
)
