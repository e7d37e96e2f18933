"""`python -m graph.provision` against the Graph stand-in: it makes the schema's lists,
changes nothing on a second run and says so, and with a permission or a site grant missing
names it, says how to add it, and changes nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from graph import provision as provisioning
from graph.client import GraphClient
from graph.provision import ProvisioningStopped, provision, site_path, token_roles
from graph.sharepoint_store import SCHEMA, SCHEMA_FILE, SharePointCaseStore, lists_for, load_schema
from tests.casework_world import EXAMPLE_CONFIG
from tests.harness.graph import GraphStandIn, Site
from tests.harness.sharepoint import SCHOOLS, StandInToken, site_url, stand_in_client


@dataclass
class World:
    graph: GraphStandIn
    site: Site
    client: GraphClient
    said: list[str]

    async def provision(self) -> int:
        return await provision(self.client, site_url(self.site), SCHOOLS, say=self.said.append)


@pytest.fixture
async def world(graph: GraphStandIn) -> AsyncIterator[World]:
    site = graph.add_site()
    async with aiohttp.ClientSession() as http:
        yield World(graph, site, stand_in_client(graph, http), [])


def columns_of(site: Site, display_name: str) -> dict[str, dict[str, object]]:
    (found,) = [x for x in site.lists.values() if x.display_name == display_name]
    return {c.name: c.as_json() for c in found.columns.values()}


async def test_provisioning_creates_every_list_column_index_and_unique_constraint(
    world: World,
) -> None:
    made = await world.provision()

    assert made == len(lists_for(SCHOOLS))
    assert sorted(x.display_name for x in world.site.lists.values()) == [
        "Case events",
        "Case index",
        "Case references",
        "Cases (oakfield)",
        "Cases (riverside)",
        "Catch-up checkpoints",
        "Open deadlines",
        "Reception list (oakfield)",
        "Reception list (riverside)",
    ]
    for spec in lists_for(SCHOOLS):
        columns = columns_of(world.site, spec.display_name)
        for column in spec.columns:
            assert columns[column.name]["displayName"] == column.display_name
            assert columns[column.name]["indexed"] is (column.indexed or column.unique)
            assert columns[column.name]["enforceUniqueValues"] is column.unique
    events = columns_of(world.site, "Case events")
    assert events["EventKey"]["enforceUniqueValues"] is True
    # Graph cannot share a list: the run ends with whom to share each school's lists with.
    shares = [line for line in world.said if "security group" in line]
    assert shares == [
        "- 'Cases (oakfield)': the head and senior staff of oakfield, through their Entra ID "
        "security group",
        "- 'Cases (riverside)': the head and senior staff of riverside, through their Entra "
        "ID security group",
        "- 'Reception list (oakfield)': the staff of oakfield (reception reads it), through "
        "their Entra ID security group",
        "- 'Reception list (riverside)': the staff of riverside (reception reads it), through "
        "their Entra ID security group",
    ]
    # The store opens on what provisioning made.
    await SharePointCaseStore.open(world.client, world.site.id, SCHOOLS)


async def test_a_second_run_changes_nothing_and_says_so(world: World) -> None:
    await world.provision()
    writes_before = list(world.graph.writes)
    world.said.clear()

    made = await world.provision()

    assert made == 0
    assert world.graph.writes == writes_before
    assert world.said == [
        f"The site {site_url(world.site)} already has every list and column of the schema: "
        "nothing to change."
    ]


async def test_a_run_adds_only_what_is_missing_from_existing_lists(world: World) -> None:
    await world.provision()
    cases = next(x for x in world.site.lists.values() if x.display_name == "Cases (oakfield)")
    del cases.columns["ReviewDate"]
    cases.columns["Reference"].definition["indexed"] = False
    cases.columns["School"].display_name = "school (old name)"
    world.said.clear()

    made = await world.provision()

    assert made == 3
    assert world.said == [
        "- Cases (oakfield): 'Reference': index",
        "- Cases (oakfield): 'School': rename",
        "- Cases (oakfield): add the column 'Review date'",
        f"3 change(s) made on {site_url(world.site)}.",
    ]
    columns = columns_of(world.site, "Cases (oakfield)")
    assert columns["Reference"]["indexed"] is True
    assert columns["School"]["displayName"] == "School"
    assert columns["ReviewDate"]["dateTime"] == {"format": "dateOnly"}
    assert await world.provision() == 0


async def test_a_column_of_another_type_is_named_and_nothing_changes(world: World) -> None:
    await world.provision()
    cases = next(x for x in world.site.lists.values() if x.display_name == "Cases (oakfield)")
    cases.columns["ReviewDate"].definition = {"text": {}}
    del cases.columns["Status"]
    writes_before = list(world.graph.writes)

    with pytest.raises(ProvisioningStopped, match="'ReviewDate' is of type 'text'") as stopped:
        await world.provision()

    assert "Nothing was changed." in str(stopped.value)
    assert world.graph.writes == writes_before
    assert "Status" not in cases.columns


async def test_without_a_sites_permission_it_names_sites_selected_and_changes_nothing(
    world: World,
) -> None:
    world.graph.app_roles.discard("Sites.Selected")

    with pytest.raises(ProvisioningStopped) as stopped:
        await world.provision()

    message = str(stopped.value)
    assert "it needs Sites.Selected" in message
    assert "API permissions" in message
    assert "Grant admin consent" in message
    assert message.endswith("Nothing was changed.")
    assert world.graph.writes == []
    assert world.site.lists == {}


async def test_without_a_grant_on_the_site_it_names_the_grant_and_changes_nothing(
    world: World,
) -> None:
    world.site.grant = None

    with pytest.raises(ProvisioningStopped) as stopped:
        await world.provision()

    message = str(stopped.value)
    assert f"refused the app access to the site {site_url(world.site)}" in message
    assert "POST /sites/{site-id}/permissions" in message
    assert '"roles": ["write"]' in message
    assert "Grant-PnPAzureADAppSitePermission" in message
    assert message.endswith("Nothing was changed.")
    assert world.graph.writes == []


async def test_with_a_read_only_grant_it_asks_for_write_and_changes_nothing(
    world: World,
) -> None:
    world.site.grant = "read"

    with pytest.raises(ProvisioningStopped) as stopped:
        await world.provision()

    assert stopped.value.changed == 0
    assert "must have the role 'write'" in str(stopped.value)
    assert str(stopped.value).endswith("Nothing was changed.")
    assert world.graph.writes == []
    assert world.site.lists == {}


async def test_a_site_that_does_not_exist_is_named(world: World) -> None:
    with pytest.raises(ProvisioningStopped, match="There is no SharePoint site at"):
        await provision(
            world.client, "https://trust.sharepoint.com/sites/nowhere", SCHOOLS, say=lambda _: None
        )
    assert world.graph.writes == []


def test_the_site_must_be_a_sharepoint_sites_address() -> None:
    assert site_path("https://trust.sharepoint.com/sites/cases/") == (
        "trust.sharepoint.com:/sites/cases"
    )
    for wrong in ("http://trust.sharepoint.com/sites/cases", "https://trust.sharepoint.com/"):
        with pytest.raises(ValueError, match="--site must be a SharePoint site's address"):
            site_path(wrong)


def test_the_schema_file_is_what_the_store_uses() -> None:
    assert load_schema(SCHEMA_FILE) == SCHEMA


def test_a_schema_column_of_an_unknown_type_is_refused_by_name(tmp_path: Path) -> None:
    raw = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    raw["lists"][0]["columns"][0]["type"] = "choice"
    broken = tmp_path / "schema.json"
    broken.write_text(json.dumps(raw), encoding="utf-8")

    with pytest.raises(ValueError, match=r"column CaseEvents\.EventKey has type 'choice'"):
        load_schema(broken)


async def test_the_command_line_provisions_the_stand_in_and_reports_a_second_run(
    graph: GraphStandIn, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = graph.add_site()

    class StandInTokens:
        async def token(self) -> str:
            return graph.access_token

    monkeypatch.setattr(provisioning, "graph_tokens", lambda credentials: StandInTokens())
    environ = {
        "MicrosoftAppId": "00000000-0000-0000-0000-0000000000a1",
        "MicrosoftAppPassword": "not-used-by-the-stand-in",
        "MicrosoftAppType": "SingleTenant",
        "MicrosoftAppTenantId": "00000000-0000-0000-0000-0000000000f1",
    }
    argv = ["--site", site_url(site), "--graph-base-url", graph.base_url]
    argv += ["--config", str(EXAMPLE_CONFIG)]  # its schools: oakfield and riverside

    assert await provisioning._main(argv, environ) == 0
    first = capsys.readouterr().out
    assert await provisioning._main(argv, environ) == 0
    second = capsys.readouterr().out

    assert f"{len(lists_for(SCHOOLS))} change(s) made on {site_url(site)}." in first
    assert "nothing to change" in second
    site.grant = None
    assert await provisioning._main(argv, environ) == 1
    assert "refused the app access" in capsys.readouterr().err


def unsigned_token(**claims: object) -> str:
    """An access token's shape (header.payload.signature), as Entra ID issues them."""

    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("roles", "named"),
    [
        (["Mail.ReadWrite"], "it needs Sites.Selected"),
        (["Sites.Selected"], "the site must be granted to the app"),
    ],
)
async def test_a_bare_access_denied_is_told_apart_by_the_tokens_roles(
    roles: list[str], named: str
) -> None:
    token = unsigned_token(roles=roles, aud="https://graph.microsoft.com")
    async with GraphStandIn(access_token=token) as graph, aiohttp.ClientSession() as http:
        site = graph.add_site()
        # Graph's answer names no permission, as SharePoint's often do not.
        graph.fail(1, status=403, method="GET", message="Access denied")

        with pytest.raises(ProvisioningStopped) as stopped:
            await provision(
                stand_in_client(graph, http),
                site_url(site),
                SCHOOLS,
                tokens=StandInToken(token),
                say=lambda _: None,
            )

        assert named in str(stopped.value)
        assert graph.writes == []


def test_a_token_that_cannot_be_read_gives_no_roles_and_no_error() -> None:
    assert token_roles("not-a-jwt") is None
    assert token_roles("a.b!.c") is None
    assert token_roles(unsigned_token(aud="x")) == frozenset()
    assert token_roles(unsigned_token(roles=["Sites.Selected"])) == frozenset({"Sites.Selected"})
