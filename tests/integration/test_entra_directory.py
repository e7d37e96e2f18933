"""The directory from Entra ID groups (issue 12, item 7), against the Graph stand-in: roles
come from each school's groups, names and emails from Graph; a person removed from a group
loses the role within the expiry; all pages are read, in few requests; when Graph fails
the last snapshot serves until the expiry, then nothing is granted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from casework.bootstrap import GraphSetup, prepare
from casework.config import TrustConfig, load_trust_config
from casework.ports import DirectoryUnavailable, Person, StoreUnavailable
from graph.entra_directory import (
    MAX_AGE_S,
    PAGE_SIZE,
    REFRESH_EVERY_S,
    DirectoryRefreshFailed,
    EntraDirectory,
)
from graph.provision import provision
from rules.roles import Role
from tests.fakes import FixedClock
from tests.harness.graph import GraphStandIn
from tests.harness.sharepoint import USER_AGENT, StandInToken, site_url, stand_in_client

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "trust.microsoft365.yaml"
NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)

OAK_HEAD_GROUP = "6a000000-0000-4000-8000-000000000101"
OAK_SENIOR_GROUP = "6a000000-0000-4000-8000-000000000102"
OAK_CHAIR_GROUP = "6a000000-0000-4000-8000-000000000103"
CLERK_GROUP = "6a000000-0000-4000-8000-000000000100"  # both schools'
OAK_STAFF_GROUP = "6a000000-0000-4000-8000-000000000105"
RIV_HEAD_GROUP = "6a000000-0000-4000-8000-000000000201"
RIV_CHAIR_GROUP = "6a000000-0000-4000-8000-000000000203"
RIV_STAFF_GROUP = "6a000000-0000-4000-8000-000000000205"

OAK_HEAD = "b2000000-0000-4000-8000-000000000001"
OAK_SENIOR = "b2000000-0000-4000-8000-000000000002"
OAK_CHAIR = "b2000000-0000-4000-8000-000000000004"
CLERK = "b2000000-0000-4000-8000-000000000005"
OAK_STAFF = "b2000000-0000-4000-8000-000000000003"
RIV_HEAD = "b2000000-0000-4000-8000-000000000011"
RIV_CHAIR = "b2000000-0000-4000-8000-000000000014"
RIV_STAFF = "b2000000-0000-4000-8000-000000000012"
CHAIR_OF_TRUSTEES = "a1000000-0000-4000-8000-000000000021"


@pytest.fixture(scope="module")
def config() -> TrustConfig:
    return load_trust_config(EXAMPLE)


def populate(graph: GraphStandIn) -> None:
    """The example's groups on the stand-in, each with its people."""
    for n, object_id in enumerate(
        [OAK_HEAD, OAK_SENIOR, OAK_CHAIR, CLERK, OAK_STAFF, RIV_HEAD, RIV_CHAIR, RIV_STAFF]
    ):
        graph.add_user(object_id, f"Person {n}", f"person{n}@oakvalley.example")
    graph.add_group(OAK_HEAD_GROUP, [OAK_HEAD])
    graph.add_group(OAK_SENIOR_GROUP, [OAK_SENIOR])
    graph.add_group(OAK_CHAIR_GROUP, [OAK_CHAIR])
    graph.add_group(CLERK_GROUP, [CLERK])
    graph.add_group(OAK_STAFF_GROUP, [OAK_STAFF, OAK_SENIOR, OAK_HEAD])
    graph.add_group(RIV_HEAD_GROUP, [RIV_HEAD])
    graph.add_group(RIV_CHAIR_GROUP, [RIV_CHAIR])
    graph.add_group(RIV_STAFF_GROUP, [RIV_STAFF])


@pytest.fixture
async def graph() -> AsyncIterator[GraphStandIn]:
    async with GraphStandIn() as stand_in:
        populate(stand_in)
        yield stand_in
        assert not stand_in.violations, stand_in.violations


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def directory(
    config: TrustConfig, graph: GraphStandIn, http: aiohttp.ClientSession, clock: FixedClock
) -> EntraDirectory:
    return EntraDirectory(config, stand_in_client(graph, http), clock)


async def test_roles_come_from_each_schools_groups_with_names_and_emails_from_graph(
    directory: EntraDirectory,
) -> None:
    await directory.refresh()

    assert directory.roles_of(OAK_HEAD, "oakfield") == {Role.HEAD, Role.STAFF}
    assert directory.roles_of(OAK_HEAD.upper(), "oakfield") == {Role.HEAD, Role.STAFF}
    assert directory.roles_of(OAK_HEAD, "riverside") == frozenset()
    assert directory.roles_of(CLERK, "riverside") == {Role.CLERK}
    assert directory.schools_of(CLERK) == ("oakfield", "riverside")
    assert [p.object_id for p in directory.holders("oakfield", Role.STAFF)] == sorted(
        [OAK_HEAD, OAK_SENIOR, OAK_STAFF]
    )
    assert directory.person(OAK_CHAIR) == Person(OAK_CHAIR, "Person 2", "person2@oakvalley.example")
    # The trust's own people stay as configured, at every school.
    assert directory.roles_of(CHAIR_OF_TRUSTEES, "riverside") == {Role.TRUST}
    assert directory.person("c3000000-0000-4000-8000-000000000000") is None


async def test_the_groups_are_read_in_one_batch_each_group_once(
    directory: EntraDirectory, graph: GraphStandIn
) -> None:
    graph.requests.clear()
    await directory.refresh()

    members = [path for method, path in graph.requests if path.endswith("/members")]
    assert graph.requests.count(("POST", "/$batch")) == 1
    # Eight groups: the clerk's group serves both schools and is read once.
    assert sorted(members) == sorted(
        f"/groups/{g}/members"
        for g in (
            OAK_HEAD_GROUP,
            OAK_SENIOR_GROUP,
            OAK_CHAIR_GROUP,
            CLERK_GROUP,
            OAK_STAFF_GROUP,
            RIV_HEAD_GROUP,
            RIV_CHAIR_GROUP,
            RIV_STAFF_GROUP,
        )
    )


async def test_every_page_of_a_large_group_is_read(
    directory: EntraDirectory, graph: GraphStandIn
) -> None:
    staff = [f"d4000000-0000-4000-8000-{n:012d}" for n in range(PAGE_SIZE + 2)]
    for n, object_id in enumerate(staff):
        graph.add_user(object_id, f"Staff {n}", f"staff{n}@riverside.example")
    graph.add_group(RIV_STAFF_GROUP, staff)
    graph.requests.clear()

    await directory.refresh()

    assert len(directory.holders("riverside", Role.STAFF)) == PAGE_SIZE + 2
    assert directory.person(staff[-1]) == Person(
        staff[-1], f"Staff {PAGE_SIZE + 1}", f"staff{PAGE_SIZE + 1}@riverside.example"
    )
    # The second page came in a second batch, with only the page left to read.
    assert graph.requests.count(("POST", "/$batch")) == 2
    assert graph.requests.count(("GET", f"/groups/{RIV_STAFF_GROUP}/members")) == 2


async def test_a_person_removed_from_a_group_loses_the_role_at_the_next_refresh(
    directory: EntraDirectory, graph: GraphStandIn, clock: FixedClock
) -> None:
    await directory.refresh()
    assert Role.CHAIR in directory.roles_of(OAK_CHAIR, "oakfield")

    graph.groups[OAK_CHAIR_GROUP].remove(OAK_CHAIR)
    clock.advance(timedelta(seconds=REFRESH_EVERY_S))
    await directory.refresh()

    assert directory.roles_of(OAK_CHAIR, "oakfield") == frozenset()
    assert directory.holders("oakfield", Role.CHAIR) == ()
    assert directory.person(OAK_CHAIR) is None


async def test_the_refresh_loop_drops_a_removed_role_within_the_expiry(
    config: TrustConfig, graph: GraphStandIn, http: aiohttp.ClientSession, clock: FixedClock
) -> None:
    """The background loop, with an injected sleep that moves the clock: the removal is
    seen within a refresh, and never later than the expiry."""
    rounds = 0
    removed_at = NOW + timedelta(seconds=30)

    async def sleep(seconds: float) -> None:
        nonlocal rounds
        before = clock.now()
        clock.advance(timedelta(seconds=seconds))
        if before < removed_at <= clock.now():
            graph.groups[OAK_HEAD_GROUP].remove(OAK_HEAD)
        rounds += 1
        if rounds > 3:
            raise asyncio.CancelledError

    directory = EntraDirectory(config, stand_in_client(graph, http), clock, sleep=sleep)
    await directory.refresh()
    with pytest.raises(asyncio.CancelledError):
        await directory.run()

    assert Role.HEAD not in directory.roles_of(OAK_HEAD, "oakfield")
    assert clock.now() - removed_at <= timedelta(seconds=MAX_AGE_S)


async def test_when_graph_fails_the_last_snapshot_serves_until_the_expiry_then_nothing(
    directory: EntraDirectory, graph: GraphStandIn, clock: FixedClock
) -> None:
    await directory.refresh()
    graph.fail(times=1000, status=403, path=r"/members$", message="stand-in outage")

    clock.advance(timedelta(seconds=REFRESH_EVERY_S))
    with pytest.raises(DirectoryRefreshFailed, match=r"GroupMember\.Read\.All"):
        await directory.refresh()
    # Still served from the snapshot, with a warning for /readyz.
    assert Role.HEAD in directory.roles_of(OAK_HEAD, "oakfield")
    assert directory.not_ready() is None
    (warning,) = directory.warnings()
    assert "could not be refreshed" in warning
    assert "240 s more" in warning

    clock.advance(timedelta(seconds=MAX_AGE_S - REFRESH_EVERY_S + 1))
    with pytest.raises(DirectoryUnavailable, match="no role is granted"):
        directory.roles_of(OAK_HEAD, "oakfield")
    for read in (
        lambda: directory.schools_of(OAK_HEAD),
        lambda: directory.holders("oakfield", Role.HEAD),
        lambda: directory.person(OAK_HEAD),
    ):
        with pytest.raises(StoreUnavailable):
            read()
    assert directory.not_ready() is not None

    graph.clear_faults()
    await directory.refresh()
    assert Role.HEAD in directory.roles_of(OAK_HEAD, "oakfield")
    assert directory.warnings() == ()


async def test_graph_unavailable_is_a_failed_refresh_not_an_empty_directory(
    config: TrustConfig, graph: GraphStandIn, http: aiohttp.ClientSession, clock: FixedClock
) -> None:
    directory = EntraDirectory(config, stand_in_client(graph, http), clock)
    graph.fail(times=1000, status=503, path=r"/members$")

    with pytest.raises(DirectoryRefreshFailed):
        await directory.refresh()
    with pytest.raises(DirectoryUnavailable, match="not been read"):
        directory.roles_of(OAK_HEAD, "oakfield")


async def test_without_user_read_all_the_refresh_names_the_permission(
    directory: EntraDirectory, graph: GraphStandIn
) -> None:
    graph.app_roles.discard("User.Read.All")
    with pytest.raises(DirectoryRefreshFailed, match=r"User\.Read\.All"):
        await directory.refresh()


async def test_without_a_group_permission_the_refresh_names_it(
    directory: EntraDirectory, graph: GraphStandIn
) -> None:
    graph.app_roles.discard("GroupMember.Read.All")
    with pytest.raises(DirectoryRefreshFailed, match=r"GroupMember\.Read\.All"):
        await directory.refresh()


async def test_a_deleted_group_is_named_with_its_school_and_role(
    directory: EntraDirectory, graph: GraphStandIn
) -> None:
    del graph.groups[RIV_CHAIR_GROUP]
    with pytest.raises(DirectoryRefreshFailed, match=f"{RIV_CHAIR_GROUP} \\(chair at riverside\\)"):
        await directory.refresh()


async def test_a_nested_group_is_not_followed(
    directory: EntraDirectory, graph: GraphStandIn
) -> None:
    graph.add_group("e5000000-0000-4000-8000-000000000001", [RIV_STAFF])
    graph.groups[RIV_HEAD_GROUP].append("e5000000-0000-4000-8000-000000000001")

    snapshot = await directory.refresh()

    assert Role.HEAD not in directory.roles_of(RIV_STAFF, "riverside")
    assert snapshot.groups[RIV_HEAD_GROUP].others == ("#microsoft.graph.group",)


async def test_someone_in_the_heads_and_the_chairs_group_holds_only_head(
    directory: EntraDirectory, graph: GraphStandIn
) -> None:
    graph.groups[OAK_CHAIR_GROUP].append(OAK_HEAD)

    snapshot = await directory.refresh()

    assert directory.roles_of(OAK_HEAD, "oakfield") == {Role.HEAD, Role.STAFF}
    assert snapshot.head_and_chair == (("oakfield", OAK_HEAD),)


# --- the bootstrap ------------------------------------------------------------------------


async def test_microsoft_365_mode_reads_the_groups_before_it_serves(
    graph: GraphStandIn, http: aiohttp.ClientSession, tmp_path: Path, clock: FixedClock
) -> None:
    from casework.bootstrap import microsoft365

    site = graph.add_site()
    prepared = prepare(EXAMPLE)
    await provision(
        stand_in_client(graph, http), site_url(site), prepared.config.school_ids, say=lambda _: None
    )
    setup = GraphSetup(StandInToken(graph.access_token), site_url(site), graph.base_url, USER_AGENT)
    async with microsoft365(prepared, tmp_path, clock, setup, http) as casework:
        assert isinstance(casework.ports.directory, EntraDirectory)
        assert casework.ports.directory.roles_of(OAK_HEAD, "oakfield") == {Role.HEAD, Role.STAFF}
        await casework.check()
        clock.advance(timedelta(seconds=MAX_AGE_S + 1))
        with pytest.raises(DirectoryUnavailable):
            await casework.check()


async def test_microsoft_365_mode_does_not_start_when_the_groups_cannot_be_read(
    graph: GraphStandIn, http: aiohttp.ClientSession, tmp_path: Path, clock: FixedClock
) -> None:
    from casework.bootstrap import microsoft365

    site = graph.add_site()
    prepared = prepare(EXAMPLE)
    await provision(
        stand_in_client(graph, http), site_url(site), prepared.config.school_ids, say=lambda _: None
    )
    setup = GraphSetup(StandInToken(graph.access_token), site_url(site), graph.base_url, USER_AGENT)
    del graph.groups[OAK_HEAD_GROUP]
    with pytest.raises(DirectoryUnavailable, match=f"no group {OAK_HEAD_GROUP}"):
        async with microsoft365(prepared, tmp_path, clock, setup, http):
            pass
