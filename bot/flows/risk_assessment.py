"""The risk assessment as a step (`bot.flows.actions`): the head or a nominated senior
member of staff answers the policy's seven questions for the first incident not yet
assessed; question 4 comes pre-filled with the earlier incidents on this person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from cards import risk_assessment as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from rules.behaviours import RiskLevel
from rules.case import CaseView
from rules.commands import Command
from rules.core.view import IncidentRecord
from rules.details import RiskAssessment
from rules.steps.risk_assessment import AssessRisk
from rules.wording import format_day

STEP = "risk.assess"
LEVELS = tuple(Choice(level.value, level.label) for level in RiskLevel)


def _incident(view: CaseView) -> IncidentRecord:
    return view.unassessed_incidents[0]


def previous_incidents(view: CaseView, before_no: int) -> str:
    earlier = view.previous_incidents(before_no)
    if not earlier:
        return "None recorded on this case."
    return "\n".join(
        f"Incident {i.no}, {format_day(i.details.occurred_at.date())}: {i.details.summary}"
        for i in earlier
    )


def form(ctx: StepContext) -> Card:
    view = ctx.view
    incident = _incident(view)
    details = incident.details
    return cards.build(
        cards.RiskAssessmentView(
            reference=view.reference,
            person_name=view.person.name,
            incident=(
                f"Incident {incident.no}, {format_day(details.occurred_at.date())}, "
                f"{details.location}"
            ),
            summary=details.summary,
            previous=previous_incidents(view, incident.no),
            levels=LEVELS,
            data=ctx.data(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    form_of_abuse = read.text(cards.FORM_OF_ABUSE)
    evidence = read.text(cards.EVIDENCE)
    witnesses = read.text(cards.WITNESSES)
    previous = read.text(cards.PREVIOUS)
    intimidated = read.toggle(cards.INTIMIDATED)
    intimidation_notes = read.text(cards.INTIMIDATION_NOTES)
    provocation = read.toggle(cards.PROVOCATION)
    provocation_notes = read.text(cards.PROVOCATION_NOTES)
    risk = read.one(cards.RISK, LEVELS)
    if read.problems:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    assessment = RiskAssessment(
        form_of_abuse=form_of_abuse,
        evidence=evidence,
        witness_accounts=witnesses,
        previous_incidents=previous,
        staff_or_pupils_intimidated=intimidated,
        intimidation_notes=intimidation_notes,
        provocation=provocation,
        provocation_notes=provocation_notes,
        risk=RiskLevel(risk),
    )
    # The incident still unassessed is the one the card was built for: had another been
    # assessed since, the card would be out of date and answered with the Case card.
    return AssessRisk(ctx.command_id, _incident(ctx.view).no, assessment)


ASSESS = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Assess the risk",
        command=AssessRisk,
        form=form,
        parse=parse,
        done_title="Risk assessment recorded",
        offered_when=lambda view: bool(view.unassessed_incidents),
    )
)
