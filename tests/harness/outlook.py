"""Outlook letter drafts on the Graph stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from graph.outlook_drafts import OutlookLetterDrafts
from tests.harness.graph import GraphStandIn
from tests.harness.sharepoint import stand_in_client


@asynccontextmanager
async def outlook_drafts() -> AsyncIterator[tuple[OutlookLetterDrafts, GraphStandIn]]:
    """Outlook drafts on a fresh stand-in (no users yet), checked for requests Graph would
    refuse when the block ends."""
    async with GraphStandIn() as graph, aiohttp.ClientSession() as http:
        yield OutlookLetterDrafts(stand_in_client(graph, http), http), graph
    assert not graph.violations, "requests Graph would refuse:\n" + "\n".join(graph.violations)
