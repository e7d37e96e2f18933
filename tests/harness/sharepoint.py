"""A SharePoint case store on the Graph stand-in, with its lists made from the schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from casework.bootstrap import GraphSetup, Prepared, microsoft365
from casework.config import TrustConfig
from casework.pipeline import Casework
from casework.ports import Clock
from graph.client import GraphClient, RetryPolicy, decorated_user_agent
from graph.provision import provision
from graph.sharepoint_store import SharePointCaseStore
from tests.harness.graph import GraphStandIn, Site

USER_AGENT = decorated_user_agent("ExampleTrust", "SafePremises", "0.1.0")


class StandInToken:
    def __init__(self, token: str) -> None:
        self._token = token

    async def token(self) -> str:
        return self._token


class NoSleep:
    """The client's sleep: records the waits and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def site_url(site: Site) -> str:
    """The site's address, as a person would paste it into `--site`."""
    return f"https://{site.hostname}{site.path}"


def stand_in_client(
    graph: GraphStandIn, http: aiohttp.ClientSession, sleep: NoSleep | None = None
) -> GraphClient:
    return GraphClient(
        http,
        StandInToken(graph.access_token),
        user_agent=USER_AGENT,
        base_url=graph.base_url,
        policy=RetryPolicy(attempt_timeout_s=2.0),
        sleep=sleep or NoSleep(),
        jitter=lambda: 0.5,
    )


def add_people(graph: GraphStandIn, config: TrustConfig) -> None:
    """Each person of the configuration as a user of the tenant, with a mailbox (where
    the letters they sign are drafted)."""
    people = [p for school in config.schools for p in school.people] + list(config.trust.people)
    for person in people:
        if person.object_id not in graph.users:
            graph.add_user(person.object_id, person.name, person.email)


SCHOOLS = ("oakfield", "riverside")  # the schools the contract tests and the example use


@asynccontextmanager
async def sharepoint_store(
    graph: GraphStandIn | None = None, schools: Sequence[str] = SCHOOLS, *, batching: bool = True
) -> AsyncIterator[tuple[SharePointCaseStore, GraphStandIn]]:
    """A store on a fresh site of `graph` (or of a stand-in of its own, checked for
    requests Graph would refuse when the block ends), with or without `$batch`."""
    if graph is None:
        async with (
            GraphStandIn() as own,
            sharepoint_store(own, schools, batching=batching) as made,
        ):
            yield made
        assert not own.violations, "requests Graph would refuse:\n" + "\n".join(own.violations)
        return
    site = graph.add_site()
    async with aiohttp.ClientSession() as http:
        client = stand_in_client(graph, http)
        await provision(client, site_url(site), schools, say=lambda _: None)
        yield await SharePointCaseStore.open(client, site.id, schools, batching=batching), graph


@asynccontextmanager
async def casework_on_sharepoint(
    prepared: Prepared, data_dir: Path, clock: Clock, *, batching: bool = True
) -> AsyncIterator[tuple[Casework, GraphStandIn]]:
    """The app's Microsoft 365 configuration (`casework.bootstrap.microsoft365`, the code
    path production runs) on a provisioned site of a fresh Graph stand-in: only the token
    and Graph's address differ (and `batching`, to measure the store without `$batch`).
    The stand-in is checked for requests Graph would refuse when the block ends."""
    async with GraphStandIn() as graph, aiohttp.ClientSession() as http:
        site = graph.add_site()
        add_people(graph, prepared.config)
        schools = prepared.config.school_ids
        await provision(stand_in_client(graph, http), site_url(site), schools, say=lambda _: None)
        setup = GraphSetup(
            StandInToken(graph.access_token),
            site_url(site),
            base_url=graph.base_url,
            user_agent=USER_AGENT,
            batching=batching,
        )
        async with microsoft365(prepared, data_dir, clock, setup, http) as casework:
            yield casework, graph
    assert not graph.violations, "requests Graph would refuse:\n" + "\n".join(graph.violations)
