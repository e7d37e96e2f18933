"""The incident report's submit, from the card's plain values to the rules' types.

`cards.incident_report.parse` checks that everything needed is there and every choice is
one the card offered; this module makes the date and time a moment in the school's own
time (UK), refuses a date that does not exist or is in the future, and builds the
person's and the incident's details. Problems come back as a `ValidationProblem`, so the
card is shown again with what the person typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from cards.incident_report import ReportSubmission, ValidationProblem
from cards.inputs import submitted_values
from rules.behaviours import AffectedGroup, Behaviour, Channel, Relationship
from rules.details import IncidentDetails, PersonDetails

UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Report:
    command_id: str
    school_id: str
    person: PersonDetails
    incident: IncidentDetails


def to_report(
    submission: ReportSubmission, values: dict[str, str], *, reporter_name: str, now: datetime
) -> Report | ValidationProblem:
    try:
        day = date.fromisoformat(submission.incident_date)
        moment = time.fromisoformat(submission.incident_time)
    except ValueError:
        return ValidationProblem(("Give a date and time that exist.",), values)
    occurred_at = datetime.combine(day, moment.replace(tzinfo=None), tzinfo=UK)
    if occurred_at > now:
        return ValidationProblem(
            ("The date and time of the incident cannot be in the future.",), values
        )
    return Report(
        command_id=submission.command_id,
        school_id=submission.school_id,
        person=PersonDetails(
            name=submission.person_name, relationship=Relationship(submission.relationship)
        ),
        incident=IncidentDetails(
            occurred_at=occurred_at,
            location=submission.location,
            channel=Channel(submission.channel),
            behaviours=tuple(Behaviour(b) for b in submission.behaviours),
            summary=submission.summary,
            effect=submission.effect,
            reporter_name=reporter_name,
            affected_groups=tuple(AffectedGroup(a) for a in submission.affected),
            witnesses=submission.witnesses,
            police_called=submission.police_called,
            assault=submission.assault,
            evidence=submission.evidence,
        ),
    )


__all__ = ["Report", "ValidationProblem", "submitted_values", "to_report"]
