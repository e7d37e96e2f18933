"""Outlook letter drafts on the Graph stand-in, and the trust's people as its users."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from casework.config import TrustConfig
from graph.outlook_drafts import OutlookLetterDrafts
from tests.harness.graph import GraphStandIn
from tests.harness.sharepoint import stand_in_client


def add_people(graph: GraphStandIn, config: TrustConfig) -> None:
    """Each person of the configuration as a user of the tenant, with a mailbox."""
    people = [p for school in config.schools for p in school.people] + list(config.trust.people)
    for person in people:
        if person.object_id not in graph.users:
            graph.add_user(person.object_id, person.name, person.email)


@asynccontextmanager
async def outlook_drafts() -> AsyncIterator[tuple[OutlookLetterDrafts, GraphStandIn]]:
    """Outlook drafts on a fresh stand-in (no users yet), checked for requests Graph would
    refuse when the block ends."""
    async with GraphStandIn() as graph, aiohttp.ClientSession() as http:
        yield OutlookLetterDrafts(stand_in_client(graph, http), http), graph
    assert not graph.violations, "requests Graph would refuse:\n" + "\n".join(graph.violations)
