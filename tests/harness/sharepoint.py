"""A SharePoint case store on the Graph stand-in, with its lists made from the schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import aiohttp

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


SCHOOLS = ("oakfield", "riverside")  # the schools the contract tests and the example use


@asynccontextmanager
async def sharepoint_store(
    graph: GraphStandIn | None = None, schools: Sequence[str] = SCHOOLS
) -> AsyncIterator[tuple[SharePointCaseStore, GraphStandIn]]:
    """A store on a fresh site of `graph` (or of a stand-in of its own, checked for
    requests Graph would refuse when the block ends)."""
    if graph is None:
        async with GraphStandIn() as own, sharepoint_store(own, schools) as made:
            yield made
        assert not own.violations, "requests Graph would refuse:\n" + "\n".join(own.violations)
        return
    site = graph.add_site()
    async with aiohttp.ClientSession() as http:
        client = stand_in_client(graph, http)
        await provision(client, site_url(site), schools, say=lambda _: None)
        yield await SharePointCaseStore.open(client, site.id, schools), graph
