"""The example trust (`config/trust.yaml`: Oak Valley, Oakfield with real term dates) wired
for the casework tests, on the shared fakes or on the embedded adapters, and details to
report with. Shared by `tests/unit/test_casework_*` and `tests/integration`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from casework import bus
from casework.bootstrap import wire
from casework.config import TrustConfig, load_trust_config
from casework.pipeline import Actor, Casework, Outcome
from casework.ports import Directory, Ports
from local.config_directory import ConfigDirectory
from templates.render import LetterTemplates
from tests.builders import at, person, violent_incident
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


@dataclass
class FakeWorld:
    casework: Casework
    store: InMemoryCaseStore
    drafts: RecordingDrafts
    notifier: RecordingNotifier
    clock: FixedClock


def fake_world(
    now: datetime, store: InMemoryCaseStore | None = None, directory: Directory | None = None
) -> FakeWorld:
    config = example_config()
    store, drafts, notifier, clock = (
        store or InMemoryCaseStore(),
        RecordingDrafts(),
        RecordingNotifier(),
        FixedClock(now),
    )
    ports = Ports(store, drafts, notifier, directory or ConfigDirectory(config), clock)
    return FakeWorld(wire(ports, config, example_templates()), store, drafts, notifier, clock)


async def report_violent_incident(
    cw: Casework, day: date, actor: Actor = STAFF, command_id: str = "cmd-report"
) -> Outcome:
    """The example person's violent incident at Oakfield at 08:00 on `day`, reported by `actor`:
    the report most casework tests open their case with."""
    return await bus.report_incident(
        cw,
        actor,
        command_id=command_id,
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(day, 8)),
    )
