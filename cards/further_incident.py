"""Report a further incident on a case already open (policy, "Recording of incidents"): a
later incident by the same person, recorded on their case, so that the school's response can
take the earlier steps into account (a ban where "all relevant procedures have been
exhausted and aggression or intimidation continue"). The incident's own questions only, the
same inputs as the incident report's (`cards.incident_report`): the case already names the
school and the person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import step_form
from cards.common import Card, Choice, paragraph
from cards.incident_report import incident_elements

VERB = "incident.further"


@dataclass(frozen=True)
class FurtherIncidentView:
    reference: str
    facts: Sequence[str]  # the person, the incidents already recorded
    data: Mapping[str, Any]  # the ids the submit carries (`cards.actions.step_data`)
    channels: Sequence[Choice]
    behaviours: Sequence[Choice]
    affected: Sequence[Choice]
    staff: Sequence[Choice] = ()  # the school's staff, to pick witnesses from
    latest_date: str = ""  # YYYY-MM-DD: today, the date picker's max
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def build(view: FurtherIncidentView) -> Card:
    return step_form.build(
        step_form.StepForm(
            title="Report a further incident",
            intro=(
                paragraph(f"Case **{view.reference}**"),
                step_form.facts_paragraph(view.facts),
                paragraph(
                    "Record what happened this time, as facts: what was said and done, by "
                    "whom, and who saw it. Fields marked with * are needed."
                ),
            ),
            inputs=incident_elements(
                channels=view.channels,
                behaviours=view.behaviours,
                affected=view.affected,
                staff=view.staff,
                latest_date=view.latest_date,
            ),
            submit="Record the incident",
            verb=VERB,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
            not_recorded="The incident has not been recorded yet:",
        )
    )
