"""The bot under test, served over HTTP on a loopback port, with a Teams-like client.

`bot` runs in authenticated mode (app id set, the loopback identity provider's metadata,
the loopback connector as serviceUrl); `start_bot` builds variants (local development
mode, another router, shorter key timeouts).

Every test of the Teams flows runs twice, on each `backend`: with the cases in SQLite (the
embedded default) and in SharePoint (the Microsoft 365 configuration on the Graph
stand-in). A test gets both by asking for `cases_kept_in` (or `backend`), directly or
through a fixture that does. A module whose tests are about one backend, or touch no case
store, says why in a module-level `ONE_BACKEND = "..."`; collection fails for any other
test that does not run on both, so a new test of the flows cannot quietly run on one.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import OUTBOUND_TIMEOUT_S, create_app
from bot.auth import InboundAuthPolicy
from bot.routing import Router
from bot.services import BotServices
from bot.settings import Settings
from cards.common import Choice
from casework.bootstrap import LETTERS_FOLDER, STORE_FILE, Prepared, embedded
from casework.pipeline import Casework
from casework.ports import CaseStore, Clock
from graph.outlook_drafts import CASE_PROPERTY
from local.sqlite_store import SqliteCaseStore
from tests.casework_world import EXAMPLE_CONFIG
from tests.harness import LoopbackConnector, LoopbackIdentityProvider, TeamsClient, serve
from tests.harness.graph import GraphStandIn
from tests.harness.identities import APP_ID, TRUST_TENANT, StaticOutboundTokens, ready
from tests.harness.sharepoint import casework_on_sharepoint, sharepoint_store

SCHOOLS = (Choice("oak-primary", "Oak Primary School"), Choice("ash-academy", "Ash Academy"))


@dataclass
class BotUnderTest:
    url: str
    client: TeamsClient
    connector: LoopbackConnector
    idp: LoopbackIdentityProvider
    services: BotServices
    settings: Settings
    app: web.Application


StartBot = Callable[..., AbstractAsyncContextManager[BotUnderTest]]
CasesKeptIn = Callable[[Prepared, Path, Clock], AbstractAsyncContextManager[Casework]]


def services_for_tests(**overrides: object) -> BotServices:
    fields: dict[str, object] = {
        "tenant_id": TRUST_TENANT,
        "readiness": ready,
        "trust_name": "Oak Valley Learning Trust",
        "schools": SCHOOLS,
        "outbound_tokens": StaticOutboundTokens(),
    }
    fields.update(overrides)
    return BotServices(**fields)  # type: ignore[arg-type]


@pytest.fixture
def stand_ins() -> list[GraphStandIn]:
    """The Graph stand-ins `cases_kept_in` started for this test (none on SQLite)."""
    return []


BACKENDS = ("sqlite", "sharepoint")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Where the cases are kept for this run of the test: "sqlite" or "sharepoint"."""
    return str(request.param)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    on_one = sorted(
        {
            item.nodeid.split("::", 1)[0]
            for item in items
            if Path(str(item.path)).parent == here
            and "backend" not in getattr(item, "fixturenames", ())
            and not isinstance(getattr(getattr(item, "module", None), "ONE_BACKEND", None), str)
        }
    )
    if on_one:
        raise pytest.UsageError(
            "these end-to-end modules have tests that run on one backend without saying "
            'why (take `cases_kept_in`, or set ONE_BACKEND = "<reason>"): ' + ", ".join(on_one)
        )


@pytest.fixture
async def case_store(
    backend: str, tmp_path: Path, stand_ins: list[GraphStandIn]
) -> AsyncIterator[CaseStore]:
    """The case store alone, on the test's backend, for the tests that wire the other
    ports as fakes (a directory that disagrees with itself, a notifier that fails): the
    SQLite store, or the SharePoint store on a provisioned site of a fresh Graph stand-in
    (for the example trust's schools)."""
    if backend == "sqlite":
        store = SqliteCaseStore.open(tmp_path / STORE_FILE)
        try:
            yield store
        finally:
            store.close()
        return
    async with sharepoint_store() as (on_sharepoint, graph):
        stand_ins.append(graph)
        yield on_sharepoint


@pytest.fixture
def cases_kept_in(backend: str, stand_ins: list[GraphStandIn]) -> CasesKeptIn:
    """Where the test keeps the cases: the embedded default (SQLite), or the Microsoft 365
    configuration (`casework.bootstrap.microsoft365`) on the Graph stand-in. One suite, run
    on both."""
    if backend == "sqlite":
        return embedded

    @asynccontextmanager
    async def on_sharepoint(
        prepared: Prepared, data_dir: Path, clock: Clock
    ) -> AsyncIterator[Casework]:
        async with casework_on_sharepoint(prepared, data_dir, clock) as (casework, graph):
            stand_ins.append(graph)
            yield casework

    return on_sharepoint


def example_trust(tmp_path: Path, people: Mapping[str, str] | None = None) -> Path:
    """The example trust's configuration copied under `tmp_path`, in the harness's tenant,
    with each person's Entra object id in `people` (example id -> the harness's) swapped:
    the path of its trust.yaml."""
    config_dir = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, config_dir)
    trust_yaml = config_dir / EXAMPLE_CONFIG.name
    text = trust_yaml.read_text(encoding="utf-8")
    tenant = text.split("tenant_id: ", 1)[1].split("\n", 1)[0]
    text = text.replace(tenant, TRUST_TENANT)
    for example_id, harness_id in (people or {}).items():
        text = text.replace(example_id, harness_id)
    trust_yaml.write_text(text, encoding="utf-8")
    return trust_yaml


def letter_drafts(
    data_dir: Path, reference: str, stand_ins: Sequence[GraphStandIn] = ()
) -> dict[str, str]:
    """The letter drafts of case `reference`, read where the app made them: each letter
    ("letter-2") -> its plain text, whitespace made single spaces. On SQLite the drafts are
    `.eml` files under the data folder's letters folder; on SharePoint (`stand_ins`, the
    test's Graph stand-ins) they are drafts in the signers' Outlook mailboxes, tagged with
    the case reference, their text read from the HTML body. This is the one place the
    tests read them."""
    if stand_ins:
        return _outlook_drafts(stand_ins, reference)
    found: dict[str, str] = {}
    for path in sorted((data_dir / LETTERS_FOLDER / reference).glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert message["X-Unsent"] == "1"
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        letter = path.stem.rsplit("-", 1)[0]
        assert letter not in found, f"two drafts of {letter}"
        found[letter] = " ".join(str(body.get_content()).split())
    return found


def _outlook_drafts(stand_ins: Sequence[GraphStandIn], reference: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for graph in stand_ins:
        for user in graph.users.values():
            for message in user.messages.values():
                tags = {p.get("id"): p.get("value") for p in message.extended()}
                if tags.get(CASE_PROPERTY) != reference:
                    continue
                # The letter is named by its attachment, "<reference> <letter>.docx".
                (docx,) = [a.name for a in message.attachments if a.name.endswith(".docx")]
                letter = docx.removeprefix(f"{reference} ").removesuffix(".docx")
                assert letter not in found, f"two drafts of {letter}"
                text = _HtmlText()
                text.feed(str(message.body["body"]["content"]))
                found[letter] = " ".join("".join(text.parts).split())
    return found


class _HtmlText(HTMLParser):
    """The text of an HTML letter, a space between its blocks (as its plain text has a
    line break there), none around inline elements."""

    BLOCKS = frozenset(
        {
            "p",
            "br",
            "div",
            "li",
            "ul",
            "ol",
            "tr",
            "td",
            "th",
            "table",
            "h1",
            "h2",
            "h3",
            "h4",
            "address",
            "blockquote",
            "hr",
            "title",
            "style",
        }
    )

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title", "head"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title", "head"):
            self._skip = max(0, self._skip - 1)
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


@pytest.fixture
async def start_bot(
    idp: LoopbackIdentityProvider, connector: LoopbackConnector
) -> AsyncIterator[StartBot]:
    async with aiohttp.ClientSession() as session:

        @asynccontextmanager
        async def start(
            *,
            app_id: str = APP_ID,
            services: BotServices | None = None,
            router: Router | None = None,
            auth_policy: InboundAuthPolicy | None = None,
            monotonic: Callable[[], float] | None = None,
            settings: Settings | None = None,
            outbound_timeout_s: float | None = None,
        ) -> AsyncIterator[BotUnderTest]:
            settings = settings or Settings(
                app_id=app_id,
                app_password="unused" if app_id else "",
                openid_metadata_url=idp.metadata_url,
            )
            app_id = settings.app_id
            chosen = services or services_for_tests()
            if not app_id:
                connector.expected_authorization = None
            app = create_app(
                settings,
                chosen,
                router=router,
                auth_policy=auth_policy,
                monotonic=monotonic,
                outbound_timeout_s=outbound_timeout_s or OUTBOUND_TIMEOUT_S,
                # The loopback connector's serviceUrl is http://127.0.0.1: let its
                # conversation references be stored, as Teams' https ones are.
                allow_loopback_http=True,
            )
            async with serve(app) as url:
                client = TeamsClient(
                    session, url, connector, idp if app_id else None, app_id=app_id
                )
                yield BotUnderTest(url, client, connector, idp, chosen, settings, app)

        yield start


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[BotUnderTest]:
    async with start_bot() as running:
        yield running
