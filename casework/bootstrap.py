"""Wiring: the one place that builds the application layer on real or fake adapters.

    prepared = prepare(config_path)                        # at start: read and check
    async with embedded(prepared, data_dir, clock, session) as casework:
        ...                                                # the app's lifetime
    async with microsoft365(prepared, data_dir, clock, graph, session) as casework:
        ...                                                # cases in SharePoint instead
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

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp

from casework.config import TrustConfig, load_trust_config
from casework.letters import read_logo, trust_details
from casework.pipeline import Casework
from casework.ports import CaseStore, Clock, Directory, DirectoryUnavailable, Ports
from graph.client import GRAPH_BASE_URL, GraphClient, RetryPolicy, decorated_user_agent
from graph.tokens import TokenProvider
from local.config_directory import ConfigDirectory
from local.conversations import SqliteConversations
from local.file_drafts import FileLetterDrafts
from local.outbox import SqliteOutbox
from local.replies import SqliteUnpostedReplies
from local.sqlite_store import SqliteCaseStore
from templates import context as tc
from templates.render import LetterRenderer, LetterTemplates

if TYPE_CHECKING:
    from graph.outlook_drafts import OutlookLetterDrafts

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


# Graph's retries, sized for a Teams turn: the store is called while someone waits for
# the card's answer, so an outage must become "not saved, try again" within seconds, not
# the minutes the client's defaults allow. With 503s (or refused connections) on every
# request, a call gives up after 3 attempts and about 1.5 s of waits.
TURN_POLICY = RetryPolicy(
    max_attempts=3,
    first_backoff_s=0.5,
    max_backoff_s=2.0,
    max_wait_s=5.0,
    attempt_timeout_s=4.0,
    connect_timeout_s=2.0,
)


# The directory's reads of Entra ID groups run in the background (and once at start), with
# nobody waiting on a card: they may wait out a throttle longer than a turn could.
DIRECTORY_POLICY = RetryPolicy(
    max_attempts=4,
    first_backoff_s=1.0,
    max_backoff_s=8.0,
    max_wait_s=30.0,
    attempt_timeout_s=20.0,
    connect_timeout_s=5.0,
)


@dataclass(frozen=True)
class GraphSetup:
    """How the Microsoft 365 adapters reach Graph: the app's token provider (built once,
    for the app's lifetime), the SharePoint site of the case store, Graph's address (a
    stand-in's in the tests) and the User-Agent SharePoint asks for."""

    tokens: TokenProvider
    site_url: str
    base_url: str = GRAPH_BASE_URL
    user_agent: str = decorated_user_agent("SafePremises", "SafePremises", "0.1.0")
    policy: RetryPolicy = TURN_POLICY
    batching: bool = True  # the store's projections through `$batch` (docs/graph.md)
    # Letter drafts in the signers' Outlook mailboxes (False: `.eml` files, as embedded).
    outlook_drafts: bool = True


@asynccontextmanager
async def microsoft365(
    prepared: Prepared,
    data_dir: Path,
    clock: Clock,
    graph: GraphSetup,
    session: aiohttp.ClientSession | None = None,
) -> AsyncIterator[Casework]:
    """The cases in SharePoint lists through Graph (`graph.sharepoint_store`, provisioned
    by `python -m graph.provision`), on the app's one HTTP session, and the letter drafts
    in the signers' Outlook mailboxes (`graph.outlook_drafts`; `.eml` files under
    `<data_dir>/letters/` when `graph.outlook_drafts` is False). When the configuration
    names Entra ID groups for the schools' roles, the directory comes from them
    (`graph.entra_directory`: read once here, before the app accepts turns, then refreshed
    in the background); otherwise from the configuration's people. What has no Graph
    adapter yet stays as in the embedded default: the notification outbox, the
    conversation references and the replies not yet posted in `<data_dir>/cases.sqlite3`
    (whose case tables stay empty). Raises `StoreUnavailable` if the site or its lists
    cannot be found, `DirectoryUnavailable` if the groups cannot be read.
    """
    from graph.sharepoint_store import SharePointCaseStore  # only for this configuration

    if session is None:
        raise ValueError("the SharePoint store needs the app's HTTP session")
    client = GraphClient(
        session,
        graph.tokens,
        user_agent=graph.user_agent,
        base_url=graph.base_url,
        policy=graph.policy,
    )
    cases = await SharePointCaseStore.open_site(
        client, graph.site_url, prepared.config.school_ids, batching=graph.batching
    )
    entra = None
    if prepared.config.uses_groups:
        from graph.entra_directory import DirectoryRefreshFailed, EntraDirectory

        entra = EntraDirectory(
            prepared.config,
            GraphClient(
                session,
                graph.tokens,
                user_agent=graph.user_agent,
                base_url=graph.base_url,
                policy=DIRECTORY_POLICY,
            ),
            clock,
        )
        try:
            await entra.refresh()
        except DirectoryRefreshFailed as failure:
            raise DirectoryUnavailable(
                f"the directory could not be read from Entra ID: {failure}"
            ) from None
    drafts = None
    if graph.outlook_drafts:
        from graph.outlook_drafts import OutlookLetterDrafts

        drafts = OutlookLetterDrafts(client, session, upload_policy=graph.policy)
    async with _adapters(
        prepared, data_dir, clock, cases, directory=entra, outlook=drafts
    ) as casework:
        local_ping = casework.ping

        async def ping() -> None:
            await cases.ping()
            if entra is not None and (reason := entra.not_ready()) is not None:
                raise DirectoryUnavailable(reason)
            if local_ping is not None:
                await local_ping()

        casework.ping = ping
        if entra is None:
            yield casework
            return
        casework.adapter_warnings = entra.warnings
        refreshing = asyncio.create_task(entra.run())
        try:
            yield casework
        finally:
            refreshing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refreshing


@asynccontextmanager
async def embedded(
    prepared: Prepared,
    data_dir: Path,
    clock: Clock,
    session: aiohttp.ClientSession | None = None,
) -> AsyncIterator[Casework]:
    """The embedded default, open for the duration of the `async with`: SQLite cases and
    outbox, `.eml` drafts in files, the directory from the configuration.

    `session` is the app's one HTTP session; the embedded adapters make no HTTP calls
    (`microsoft365` is the configuration that does). Raises `StoreUnavailable` if the SQLite
    file cannot be opened.
    """
    del session  # nothing embedded speaks HTTP
    async with _adapters(prepared, data_dir, clock, None) as casework:
        yield casework


@asynccontextmanager
async def _adapters(
    prepared: Prepared,
    data_dir: Path,
    clock: Clock,
    cases: CaseStore | None,
    directory: Directory | None = None,
    outlook: OutlookLetterDrafts | None = None,
) -> AsyncIterator[Casework]:
    """The embedded adapters on `<data_dir>`, with `cases` as the case store (None: the
    SQLite file's own), `directory` as the directory (None: the configuration's) and
    `outlook` as the letter drafts (None: `.eml` files)."""
    local = SqliteCaseStore.open(data_dir / STORE_FILE)
    try:
        outbox = SqliteOutbox(local.database, clock)
        drafts: FileLetterDrafts | OutlookLetterDrafts = (
            FileLetterDrafts(data_dir / LETTERS_FOLDER, clock=clock) if outlook is None else outlook
        )
        ports = Ports(
            local if cases is None else cases,
            drafts,
            outbox,
            directory or ConfigDirectory(prepared.config),
            clock,
            conversations=SqliteConversations(local.database),
            deliveries=outbox,
            unposted_replies=SqliteUnpostedReplies(local.database),
            sent_letters=drafts,
        )
        casework = Casework(
            ports, prepared.config, LetterRenderer(prepared.templates), prepared.letterhead
        )
        casework.ping = local.ping
        casework.close_adapters = local.close
        yield casework
    finally:
        local.close()
