"""The example trust (`config/trust.yaml`: Oak Valley, Oakfield with real term dates) wired
for the casework tests, on the shared fakes or on the embedded adapters, and details to
report with. Shared by `tests/unit/test_casework_*` and `tests/integration`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from casework.bootstrap import wire
from casework.config import ConfigDirectory, TrustConfig, load_trust_config
from casework.pipeline import Actor, Casework
from casework.ports import Ports
from rules.behaviours import AffectedGroup, Behaviour, Channel, Relationship, RiskLevel
from rules.details import BanArrangements, IncidentDetails, PersonDetails, RiskAssessment
from templates.render import LetterTemplates
from tests.fakes import FixedClock, InMemoryCaseStore, RecordingDrafts, RecordingNotifier

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config" / "trust.yaml"

# People of the example configuration at Oakfield.
HEAD = Actor("a1000000-0000-4000-8000-000000000001")  # Rachel Okafor, Headteacher
SENIOR = Actor("a1000000-0000-4000-8000-000000000002")  # Daniel Hughes
STAFF = Actor("a1000000-0000-4000-8000-000000000003")  # Priya Shah
CHAIR = Actor("a1000000-0000-4000-8000-000000000004")  # Graham Whitlock
CLERK = Actor("a1000000-0000-4000-8000-000000000005")  # Siân Ní Bhriain (both schools)
CHAIR_OF_TRUSTEES = Actor("a1000000-0000-4000-8000-000000000021")  # Margaret Ellison
RIVERSIDE_HEAD = Actor("a1000000-0000-4000-8000-000000000011")
STRANGER = Actor("d0000000-0000-4000-8000-00000000dead")


@cache
def example_config() -> TrustConfig:
    return load_trust_config(EXAMPLE_CONFIG)


@cache
def example_templates() -> LetterTemplates:
    return LetterTemplates.load(example_config().letters_override_folder)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@dataclass
class FakeWorld:
    casework: Casework
    store: InMemoryCaseStore
    drafts: RecordingDrafts
    notifier: RecordingNotifier
    clock: FixedClock


def fake_world(now: datetime, store: InMemoryCaseStore | None = None) -> FakeWorld:
    config = example_config()
    store, drafts, notifier, clock = (
        store or InMemoryCaseStore(),
        RecordingDrafts(),
        RecordingNotifier(),
        FixedClock(now),
    )
    ports = Ports(store, drafts, notifier, ConfigDirectory(config), clock)
    return FakeWorld(wire(ports, config, example_templates()), store, drafts, notifier, clock)


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


def incident(occurred_at: datetime, **changes: object) -> IncidentDetails:
    values: dict[str, object] = {
        "occurred_at": occurred_at,
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


def arrangements() -> BanArrangements:
    return BanArrangements(
        meetings="Meetings about Casey by appointment at the trust office",
        drop_off_and_collection="Casey's grandmother brings and collects Casey",
    )
