"""Wiring: the one place that builds the application layer on real or fake adapters.

    prepared = prepare(config_path)                        # at start: read and check
    async with embedded(prepared, data_dir, clock, session) as casework:
        ...                                                # the app's lifetime
    casework = wire(ports, config)                         # tests: fakes from tests/fakes.py

Two steps, because they fail for different reasons at different times:

- `prepare` reads and checks everything a person configures (the trust configuration, the
  term dates, the letter templates with the trust's overrides, the logo). It runs before the
  app listens, so a mistake stops the start with a message naming what to fix, instead of a
  letter failing weeks later.
- `embedded` opens the adapters for the app's lifetime. The app runs it inside its
  `cleanup_ctx`, after it has created its one `aiohttp.ClientSession`, and passes that
  session in: adapters that talk HTTP (Microsoft Graph) share it rather than opening their
  own. The embedded default keeps the cases, the notification outbox, the conversation
  references and the replies not yet posted in one SQLite file,
  `<data_dir>/cases.sqlite3`, and writes letter drafts under `<data_dir>/letters/`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from casework.config import TrustConfig, load_trust_config
from casework.letters import read_logo, trust_details
from casework.pipeline import Casework
from casework.ports import Clock, Ports
from local.config_directory import ConfigDirectory
from local.conversations import SqliteConversations
from local.file_drafts import FileLetterDrafts
from local.outbox import SqliteOutbox
from local.replies import SqliteUnpostedReplies
from local.sqlite_store import SqliteCaseStore
from templates import context as tc
from templates.render import LetterRenderer, LetterTemplates

STORE_FILE = "cases.sqlite3"
LETTERS_FOLDER = "letters"


class SystemClock:
    """The real clock, for the entry point only; everything else is given a clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class Prepared:
    """What a trust configures, read and checked: the configuration, the letter templates
    (defaults with the trust's overrides) and the letterhead."""

    config: TrustConfig
    templates: LetterTemplates
    letterhead: tc.TrustDetails


def prepare(config_path: Path) -> Prepared:
    """Read and check the trust's configuration, term dates, templates and logo.

    Raises `ConfigError` or `LetterTemplateError` with a message naming what to fix.
    """
    config = load_trust_config(config_path)
    return prepared_from(config)


def prepared_from(config: TrustConfig, templates: LetterTemplates | None = None) -> Prepared:
    templates = templates or LetterTemplates.load(config.letters_override_folder)
    letterhead = trust_details(config, read_logo(config.trust.branding.logo))
    return Prepared(config, templates, letterhead)


def wire(ports: Ports, config: TrustConfig, templates: LetterTemplates | None = None) -> Casework:
    """The application layer on `ports` (real adapters or fakes)."""
    prepared = prepared_from(config, templates)
    return Casework(ports, config, LetterRenderer(prepared.templates), prepared.letterhead)


@asynccontextmanager
async def embedded(
    prepared: Prepared,
    data_dir: Path,
    clock: Clock,
    session: aiohttp.ClientSession | None = None,
) -> AsyncIterator[Casework]:
    """The embedded default, open for the duration of the `async with`: SQLite cases and
    outbox, `.eml` drafts in files, the directory from the configuration.

    `session` is the app's one HTTP session; the embedded adapters make no HTTP calls, and
    the Microsoft 365 adapters will take it here. Raises `StoreUnavailable` if the SQLite
    file cannot be opened.
    """
    del session  # nothing embedded speaks HTTP
    store = SqliteCaseStore.open(data_dir / STORE_FILE)
    try:
        outbox = SqliteOutbox(store.database, clock)
        drafts = FileLetterDrafts(data_dir / LETTERS_FOLDER, clock=clock)
        ports = Ports(
            store,
            drafts,
            outbox,
            ConfigDirectory(prepared.config),
            clock,
            conversations=SqliteConversations(store.database),
            deliveries=outbox,
            unposted_replies=SqliteUnpostedReplies(store.database),
        )
        casework = Casework(
            ports, prepared.config, LetterRenderer(prepared.templates), prepared.letterhead
        )
        casework.ping = store.ping
        casework.close_adapters = store.close
        yield casework
    finally:
        store.close()
