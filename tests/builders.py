"""The one set of builders for the policy's details (the person, an incident, a risk
assessment, ban arrangements), shared by the rules tests and the casework tests.

The values fit the example trust (`config/trust.yaml`): the reporter and the witness are
Oakfield's staff, so a letter drafted from them names real people of the example.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from rules.behaviours import AffectedGroup, Behaviour, Channel, Relationship, RiskLevel
from rules.details import BanArrangements, IncidentDetails, PersonDetails, RiskAssessment

MONDAY = date(2026, 1, 12)  # a Monday in term at Oakfield, where most stories start


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def person(**changes: object) -> PersonDetails:
    values: dict[str, object] = {
        "name": "Jordan Example",
        "relationship": Relationship.PARENT,
        "email": "jordan.example@example.com",
        "postal_address": ("12 Birch Road", "Oakbridge", "OV3 9ZZ"),
        "pupils": ("Casey Example (Year 3)",),
    }
    values.update(changes)
    return PersonDetails(**values)  # type: ignore[arg-type]


def incident(occurred_at: datetime | None = None, **changes: object) -> IncidentDetails:
    """An incident at the gate; by default at 8am on `MONDAY`."""
    values: dict[str, object] = {
        "occurred_at": occurred_at or at(MONDAY, 8),
        "location": "the main gate",
        "channel": Channel.IN_PERSON,
        "behaviours": (Behaviour.SHOUTING, Behaviour.THREAT),
        "summary": "Shouted at the class teacher at pick-up and threatened to wait for her.",
        "effect": "The teacher was frightened; pupils waiting at the gate were upset.",
        "reporter_name": "Priya Shah",
        "affected_groups": (AffectedGroup.STAFF, AffectedGroup.PUPILS),
        "witnesses": ("Daniel Hughes",),
    }
    values.update(changes)
    return IncidentDetails(**values)  # type: ignore[arg-type]


POLICE = "The matter has been reported to the local police."  # letter 4 after a physical act
VIOLENCE = "Punched the caretaker in the face at the main gate."  # an extreme act, in a sentence


def violent_incident(occurred_at: datetime | None = None, **changes: object) -> IncidentDetails:
    """An incident with a physical act recorded: it may ground a ban without earlier steps."""
    values: dict[str, object] = {
        "behaviours": (Behaviour.SHOUTING, Behaviour.HITTING),
        "summary": "Shouted at the caretaker at pick-up and punched him.",
    }
    values.update(changes)
    return incident(occurred_at, **values)


def assessment(risk: RiskLevel = RiskLevel.HIGH) -> RiskAssessment:
    return RiskAssessment(
        form_of_abuse="Shouting and a threat at the gate",
        evidence="Two staff accounts and CCTV",
        witness_accounts="Mr Hughes heard the threat",
        previous_incidents="None",
        staff_or_pupils_intimidated=True,
        intimidation_notes="The teacher will not do gate duty alone",
        provocation=False,
        provocation_notes="",
        risk=risk,
    )


def arrangements(police: str = "") -> BanArrangements:
    return BanArrangements(
        meetings="Meetings about Casey by appointment at the trust office",
        drop_off_and_collection="Casey's grandmother brings and collects Casey",
        police_statement=police,
    )
