"""`/readyz` and the directory from Entra ID groups (issue 12, item 7): ready with a warning
while a failed refresh leaves the last snapshot serving, not ready once it is past its
expiry (no role is granted then), ready again when the groups can be read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from casework.bootstrap import GraphSetup, microsoft365, prepare
from graph.entra_directory import MAX_AGE_S, REFRESH_EVERY_S, DirectoryRefreshFailed, EntraDirectory
from graph.provision import provision
from tests.e2e.conftest import StartBot, services_for_tests
from tests.fakes import FixedClock
from tests.harness.graph import GraphStandIn
from tests.harness.sharepoint import USER_AGENT, StandInToken, site_url, stand_in_client
from tests.integration.test_entra_directory import EXAMPLE, populate

ONE_BACKEND = "the directory from Entra ID groups exists only with the SharePoint store"


async def test_readyz_warns_while_the_groups_cannot_be_read_then_is_not_ready_past_the_expiry(
    start_bot: StartBot, tmp_path: Path
) -> None:
    clock = FixedClock(datetime(2026, 12, 3, 10, tzinfo=UTC))
    prepared = prepare(EXAMPLE)
    async with GraphStandIn() as graph, aiohttp.ClientSession() as http:
        populate(graph)
        site = graph.add_site()
        await provision(
            stand_in_client(graph, http),
            site_url(site),
            prepared.config.school_ids,
            say=lambda _: None,
        )
        setup = GraphSetup(
            StandInToken(graph.access_token), site_url(site), graph.base_url, USER_AGENT
        )
        async with microsoft365(prepared, tmp_path, clock, setup, http) as casework:
            directory = casework.ports.directory
            assert isinstance(directory, EntraDirectory)
            async with start_bot(services=services_for_tests(casework=casework)) as bot:

                async def readyz() -> tuple[int, dict[str, object]]:
                    async with bot.client.session.get(f"{bot.url}/readyz") as response:
                        return response.status, await response.json()

                assert await readyz() == (200, {"status": "ready"})

                graph.fail(times=1000, status=404, path=r"/members$")
                clock.advance(timedelta(seconds=REFRESH_EVERY_S))
                with pytest.raises(DirectoryRefreshFailed):
                    await directory.refresh()
                status, body = await readyz()
                assert status == 200
                assert body["status"] == "ready"
                warnings = body["warnings"]
                assert isinstance(warnings, list)
                assert len(warnings) == 1
                assert "could not be refreshed from Entra ID" in warnings[0]

                clock.advance(timedelta(seconds=MAX_AGE_S))
                status, body = await readyz()
                assert status == 503
                assert body["reasons"] == [
                    "the directory was last read from Entra ID more than 300 s ago, so no "
                    "role is granted until it is read again"
                ]

                graph.clear_faults()
                await directory.refresh()
                assert await readyz() == (200, {"status": "ready"})
        assert not graph.violations, graph.violations
