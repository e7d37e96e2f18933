"""Wiring: one function builds the application layer on real or fake adapters.

    casework = bootstrap(config_path, data_dir, clock)       # the embedded default
    casework = wire(ports, config)                           # tests: fakes from tests/fakes.py

The embedded default keeps the cases (and the notification outbox) in one SQLite file,
`<data_dir>/cases.sqlite3`, and writes letter drafts under `<data_dir>/letters/`. Letter
templates (with the trust's overrides) and the logo are read and checked here, at start,
so that a broken override stops the start instead of a letter later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from casework.config import ConfigDirectory, TrustConfig, load_trust_config
from casework.letters import read_logo, trust_details
from casework.pipeline import Casework
from casework.ports import Clock, Ports
from local.file_drafts import FileLetterDrafts
from local.outbox import SqliteOutbox
from local.sqlite_store import SqliteCaseStore
from templates.render import LetterRenderer, LetterTemplates

STORE_FILE = "cases.sqlite3"
LETTERS_FOLDER = "letters"


class SystemClock:
    """The real clock, for the entry point only; everything else is given a clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def wire(ports: Ports, config: TrustConfig, templates: LetterTemplates | None = None) -> Casework:
    """The application layer on `ports` (real adapters or fakes)."""
    templates = templates or LetterTemplates.load(config.letters_override_folder)
    logo = read_logo(config.trust.branding.logo)
    return Casework(ports, config, LetterRenderer(templates), trust_details(config, logo))


def bootstrap(config_path: Path, data_dir: Path, clock: Clock) -> Casework:
    """The embedded default: SQLite cases and outbox, `.eml` drafts in files.

    Raises `ConfigError`, `LetterTemplateError` or `StoreUnavailable` with a message naming
    what to fix. Close with `casework.close()`.
    """
    config = load_trust_config(config_path)
    store = SqliteCaseStore.open(data_dir / STORE_FILE)
    try:
        outbox = SqliteOutbox(store.database, clock)
        drafts = FileLetterDrafts(data_dir / LETTERS_FOLDER, clock=clock)
        ports = Ports(store, drafts, outbox, ConfigDirectory(config), clock)
        casework = wire(ports, config)
    except BaseException:
        store.close()
        raise
    casework.ping = store.ping
    casework.close_adapters = store.close
    return casework
