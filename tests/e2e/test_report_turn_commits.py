"""A report submit through the real app, with its effects after the answer, is ONE durable
commit on the embedded default: the command with the head's prompt queued. Nothing else
the turn does writes: the conversation reference, unchanged since the last activity, is not
written again (docs/performance.md). Counted by the store's transactions, not by timing.
On each backend, a turn that only answers writes nothing: no SQLite commit, and on
SharePoint no Graph request that writes."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import OUTBOUND_TIMEOUT_S, create_app
from bot.deliver import DeliveryPolicy
from bot.settings import Settings
from cards.common import Choice
from casework.bootstrap import embedded, prepare
from casework.pipeline import Casework
from casework.worker import EffectWorker
from local import sqlite_store
from tests.casework_world import EXAMPLE_CONFIG
from tests.e2e.conftest import CasesKeptIn, services_for_tests
from tests.e2e.test_report_incident import EXAMPLE_STAFF_ID, complete_report
from tests.harness import LoopbackConnector, LoopbackIdentityProvider, TeamsClient, serve
from tests.harness.graph import GraphStandIn
from tests.harness.identities import APP_ID, STAFF, TRUST_TENANT

ONE_BACKEND = "the one-commit report counts SQLite's transactions, which only SQLite has"


class Commits:
    """The work function of every store transaction committed, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        transaction = sqlite_store.Database.transaction

        def counted(self_: sqlite_store.Database, work: Any) -> Any:
            inner = transaction(self_, work)

            def run(connection: Any) -> Any:
                result = inner(connection)
                self.names.append(work.__qualname__)  # reached once COMMIT has returned
                return result

            return run

        monkeypatch.setattr(sqlite_store.Database, "transaction", counted)

    def take(self) -> list[str]:
        taken, self.names = self.names, []
        return taken


@asynccontextmanager
async def served(
    tmp_path: Path,
    idp: LoopbackIdentityProvider,
    connector: LoopbackConnector,
    kept_in: CasesKeptIn,
) -> AsyncIterator[tuple[TeamsClient, Casework]]:
    config_dir = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, config_dir)
    trust_yaml = config_dir / EXAMPLE_CONFIG.name
    text = trust_yaml.read_text(encoding="utf-8")
    tenant = text.split("tenant_id: ", 1)[1].split("\n", 1)[0]
    text = text.replace(tenant, TRUST_TENANT).replace(EXAMPLE_STAFF_ID, STAFF.aad_object_id)
    trust_yaml.write_text(text, encoding="utf-8")
    clock_at = datetime(2026, 3, 2, 10, tzinfo=UTC)

    class Clock:
        def now(self) -> datetime:
            return clock_at

    async with (
        kept_in(prepare(trust_yaml), tmp_path / "data", Clock()) as casework,
        aiohttp.ClientSession() as session,
    ):
        services = services_for_tests(
            schools=tuple(Choice(s.id, s.name) for s in casework.config.schools),
            casework=casework,
        )
        settings = Settings(
            app_id=APP_ID, app_password="unused", openid_metadata_url=idp.metadata_url
        )
        app = create_app(
            settings,
            services,
            outbound_timeout_s=OUTBOUND_TIMEOUT_S,
            # The deliverer looks once at the start and then not during the test: its
            # rounds (delivering the prompts) are its own transactions, not the turn's.
            delivery_policy=DeliveryPolicy(poll_s=3600.0),
            allow_loopback_http=True,
        )
        async with serve(app) as url:
            yield TeamsClient(session, url, connector, idp, app_id=APP_ID), casework


@pytest.fixture
async def app_and_casework(
    tmp_path: Path, idp: LoopbackIdentityProvider, connector: LoopbackConnector
) -> AsyncIterator[tuple[TeamsClient, Casework]]:
    async with served(tmp_path, idp, connector, embedded) as running:
        yield running


@pytest.fixture
async def on_each_backend(
    tmp_path: Path,
    idp: LoopbackIdentityProvider,
    connector: LoopbackConnector,
    cases_kept_in: CasesKeptIn,
) -> AsyncIterator[tuple[TeamsClient, Casework]]:
    async with served(tmp_path, idp, connector, cases_kept_in) as running:
        yield running


def graph_writes(stand_ins: list[GraphStandIn]) -> list[tuple[str, str]]:
    """Every request to the Graph stand-ins that could write (a `$batch` counts by its
    members), in order; none on SQLite."""
    return [
        (method, path)
        for graph in stand_ins
        for method, path in graph.requests
        if method != "GET" and not path.endswith("$batch")
    ]


async def effects_done(casework: Casework) -> None:
    later = casework.later
    worker = getattr(later, "__self__", None)
    assert isinstance(worker, EffectWorker)
    await worker.drain()


async def test_a_report_submit_with_its_effects_is_one_commit(
    app_and_casework: tuple[TeamsClient, Casework], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, casework = app_and_casework
    await client.say(STAFF, "report")
    form = client.last_card(STAFF)
    commits = Commits(monkeypatch)

    for n in range(1, 4):
        response = await client.press(STAFF, form, "Submit report", complete_report())
        assert response.status == 200
        await effects_done(casework)
        assert commits.take() == ["SqliteCaseStore.append_projected.<locals>.append"], n
        await client.say(STAFF, "report")  # the next report, on a new card
        form = client.last_card(STAFF)
        assert commits.take() == [], n  # a turn that only answers writes nothing

    assert len(await casework.ports.store.cases_at("oakfield")) == 3


async def test_a_turn_that_only_answers_writes_nothing_on_either_backend(
    on_each_backend: tuple[TeamsClient, Casework],
    stand_ins: list[GraphStandIn],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On SharePoint the conversation references and the outbox stay in the local SQLite
    # file, so its commits count there too.
    client, casework = on_each_backend
    await client.say(STAFF, "report")
    form = client.last_card(STAFF)
    response = await client.press(STAFF, form, "Submit report", complete_report())
    assert response.status == 200
    await effects_done(casework)
    commits, writes_before = Commits(monkeypatch), len(graph_writes(stand_ins))

    for text in ("report", "cases", "case OAK-2026-0001", "deadlines", "who is banned"):
        assert (await client.say(STAFF, text)).status == 200
        assert commits.take() == [], text
        assert graph_writes(stand_ins)[writes_before:] == [], text

    assert len(await casework.ports.store.cases_at("oakfield")) == 1
