"""The SharePoint case store against the Graph stand-in when Graph misbehaves: throttling,
lost answers, concurrent writers and a crash between an append and its projection.

The store's ordinary behaviour is the `CaseStore` contract (test_port_contracts.py and
test_listing_contracts.py, run on it too)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from casework import bus
from casework.bootstrap import embedded, prepare
from casework.catchup import PROJECTION, catch_up
from casework.pipeline import Casework
from casework.ports import (
    NewEvent,
    OpenDeadline,
    ReceptionEntry,
    SequenceTaken,
    StoredEvent,
    StoreUnavailable,
)
from graph.client import (
    BatchRequest,
    BatchResponse,
    GraphClient,
    GraphOutcomeUnknown,
    operation_name,
)
from graph.provision import provision
from graph.sharepoint_store import (
    CASES,
    EVENTS,
    RECEPTION,
    SharePointCaseStore,
    lists_for,
    school_list,
)
from rules.roles import Role
from tests import case_paths
from tests.builders import at, incident, person
from tests.casework_world import EXAMPLE_CONFIG, STAFF
from tests.fakes import FixedClock, summary_for_test
from tests.harness.graph import GraphStandIn, Site
from tests.harness.sharepoint import (
    SCHOOLS,
    NoSleep,
    casework_on_sharepoint,
    site_url,
    stand_in_client,
)

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
MONDAY = date(2026, 1, 12)
OAKFIELD_CASES = school_list(CASES, "oakfield")


def display_name(key: str) -> str:
    return next(spec.display_name for spec in lists_for(SCHOOLS) if spec.name == key)


def items(site: Site, key: str) -> list[dict[str, Any]]:
    found = site.find_list(display_name(key))
    assert found is not None
    return [dict(item.fields) for item in found.items.values()]


def items_path(site: Site, key: str) -> str:
    found = site.find_list(display_name(key))
    assert found is not None
    return f"/lists/{found.id}/items"


@dataclasses.dataclass
class World:
    graph: GraphStandIn
    site: Site
    http: aiohttp.ClientSession
    sleeps: NoSleep
    batching: bool = True

    async def store(self, client: GraphClient | None = None) -> SharePointCaseStore:
        """Another instance of the app on the same site."""
        return await SharePointCaseStore.open(
            client or stand_in_client(self.graph, self.http, self.sleeps),
            self.site.id,
            SCHOOLS,
            batching=self.batching,
        )


@pytest.fixture(params=[True, False], ids=["with $batch", "without $batch"])
async def world(graph: GraphStandIn, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """Every test here runs on the store with and without `$batch`."""
    site = graph.add_site()
    sleeps = NoSleep()
    async with aiohttp.ClientSession() as http:
        await provision(stand_in_client(graph, http), site_url(site), SCHOOLS, say=lambda _: None)
        yield World(graph, site, http, sleeps, batching=request.param)


async def append(
    store: SharePointCaseStore,
    expected_seq: int,
    kinds: Sequence[str],
    command_id: str = "cmd-1",
    case_id: str = "case-1",
) -> Sequence[StoredEvent]:
    return await store.append(
        case_id,
        expected_seq,
        [NewEvent(kind, {"kind": kind}) for kind in kinds],
        actor_id=STAFF.object_id,
        at=AT,
        command_id=command_id,
        activity_id=None,
    )


class Interleaved(GraphClient):
    """A Graph client that, just before its first request matching `method` and `path`,
    lets another instance do `meanwhile`, and then (if `lose`) loses that request's answer
    without sending it: the gap in which two instances race."""

    def __init__(
        self, base: GraphClient, method: str, path: str, meanwhile: Any, *, lose: bool = False
    ) -> None:
        self.__dict__.update(base.__dict__)
        self._match = (method, path)
        self._meanwhile = meanwhile
        self._lose = lose

    async def _maybe_meanwhile(self, method: str, path: str) -> None:
        if self._meanwhile is not None and method == self._match[0] and self._match[1] in path:
            meanwhile, self._meanwhile = self._meanwhile, None
            await meanwhile()
            if self._lose:
                raise GraphOutcomeUnknown(operation_name(method, path), None, detail="lost")

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        await self._maybe_meanwhile(method, path)
        return await super().request(method, path, **kwargs)

    async def batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
        """A `$batch` holding a matching member: the other instance goes first."""
        for member in requests:
            await self._maybe_meanwhile(member.method, member.url.split("?")[0])
        return await super().batch(requests)


# --- throttling and lost answers ----------------------------------------------------------


async def test_an_append_throttled_three_times_is_written_once_after_the_waits_asked(
    world: World,
) -> None:
    store = await world.store()
    world.graph.throttle(3, retry_after="1.5", method="POST", path=items_path(world.site, EVENTS))

    stored = await append(store, 0, ["incident_reported", "statement_added"])

    assert [e.seq for e in stored] == [1, 2]
    assert world.sleeps.waits == [1.5, 1.5, 1.5]
    assert len(items(world.site, EVENTS)) == 1
    assert list(await store.load("case-1")) == list(stored)


async def test_an_append_whose_answer_was_lost_is_found_by_its_key_and_not_written_twice(
    world: World,
) -> None:
    store = await world.store()
    world.graph.drop_response(1, method="POST", path=items_path(world.site, EVENTS))

    stored = await append(store, 0, ["incident_reported"])

    assert [e.seq for e in stored] == [1]
    (written,) = items(world.site, EVENTS)
    assert written["EventKey"] == "case-1/000001"
    assert [e.kind for e in await store.load("case-1")] == ["incident_reported"]
    posts = [r for r in world.graph.requests if r == ("POST", items_path_full(world, EVENTS))]
    assert len(posts) == 1  # looked up by its key, never posted again


def items_path_full(world: World, key: str) -> str:
    return f"/sites/{world.site.id}{items_path(world.site, key)}"


async def test_a_lost_answer_with_another_instances_append_under_the_key_is_sequence_taken(
    world: World,
) -> None:
    other = await world.store()
    base = stand_in_client(world.graph, world.http, world.sleeps)

    async def the_other_appends_first() -> None:
        await append(other, 0, ["incident_reported"], command_id="other")

    racing_lost = await world.store(
        Interleaved(base, "POST", "/items", the_other_appends_first, lose=True)
    )

    with pytest.raises(SequenceTaken) as taken:
        await append(racing_lost, 0, ["incident_reported"], command_id="mine", case_id="case-1")

    assert taken.value.seq == 1
    assert [i["CommandId"] for i in items(world.site, EVENTS)] == ["other"]


async def test_of_two_instances_appending_one_sequence_exactly_one_wins(world: World) -> None:
    one, two = await world.store(), await world.store()
    await append(one, 0, ["incident_reported"])

    results = await asyncio.gather(
        append(one, 1, ["chair_confirmed"], command_id="chair"),
        append(two, 1, ["chair_overturned", "x"], command_id="head"),
        return_exceptions=True,
    )

    assert sum(isinstance(r, SequenceTaken) for r in results) == 1
    (winner,) = [r for r in results if not isinstance(r, BaseException)]
    assert list((await two.load("case-1"))[1:]) == list(winner)
    assert len(items(world.site, EVENTS)) == 2


# --- the projection under concurrent writers ---------------------------------------------


def chair_deadline(case_id: str, due: date) -> OpenDeadline:
    return OpenDeadline(case_id, "oakfield", Role.CHAIR, "decide", due)


async def test_a_projection_answered_412_is_read_again_and_no_newer_row_is_lost(
    world: World,
) -> None:
    first = await world.store()
    await first.save_summary(summary_for_test("case-0001", projected_seq=5), [])
    newer = summary_for_test("case-0001", status="ban-provisional", projected_seq=9)
    other = await world.store()

    async def a_newer_projection_lands() -> None:
        await other.save_summary(newer, [chair_deadline("case-0001", date(2026, 12, 8))])

    base = stand_in_client(world.graph, world.http, world.sleeps)
    slow = await world.store(Interleaved(base, "PATCH", "/fields", a_newer_projection_lands))
    older = summary_for_test("case-0001", status="open", projected_seq=7)

    await slow.save_summary(older, [chair_deadline("case-0001", date(2027, 1, 20))])

    assert await first.summary("case-0001") == newer
    assert await first.due_by(date(2027, 12, 31)) == (
        chair_deadline("case-0001", date(2026, 12, 8)),
    )
    assert len(items(world.site, OAKFIELD_CASES)) == 1
    answered_412 = [w for w in world.graph.writes if w[0] == "PATCH"]
    assert len(answered_412) == 1  # only the newer one's PATCH succeeded


async def test_a_projection_answered_412_by_an_older_writer_is_read_again_and_written(
    world: World,
) -> None:
    store = await world.store()
    await store.save_summary(summary_for_test("case-0001", projected_seq=3), [])
    other = await world.store()

    async def an_older_projection_lands() -> None:
        await other.save_summary(summary_for_test("case-0001", projected_seq=4), [])

    base = stand_in_client(world.graph, world.http, world.sleeps)
    racing = await world.store(Interleaved(base, "PATCH", "/fields", an_older_projection_lands))
    mine = summary_for_test("case-0001", status="ban-confirmed", projected_seq=6)

    await racing.save_summary(mine, [chair_deadline("case-0001", date(2026, 12, 8))])

    assert await store.summary("case-0001") == mine
    (due,) = items(world.site, "OpenDeadlines")
    assert due["ProjectedSeq"] == 6


async def test_two_instances_advancing_the_checkpoint_never_move_it_back(world: World) -> None:
    one, two = await world.store(), await world.store()

    await asyncio.gather(
        *(one.advance_checkpoint(PROJECTION, n) for n in (3, 9, 5)),
        *(two.advance_checkpoint(PROJECTION, n) for n in (7, 2, 8)),
    )

    assert await one.checkpoint(PROJECTION) == 9
    assert len(items(world.site, "CatchUpCheckpoints")) == 1


# --- a crash between the events and their projection ---------------------------------------


@pytest.fixture
async def casework(world: World, tmp_path: Path) -> AsyncIterator[Casework]:
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, FixedClock(at(MONDAY, 9))) as cw:
        on_sharepoint = dataclasses.replace(
            cw, ports=dataclasses.replace(cw.ports, store=await world.store())
        )
        on_sharepoint.ping = None
        on_sharepoint.later = lambda case_id: None  # effects follow, as in the app
        yield on_sharepoint


async def test_a_case_whose_projection_failed_after_its_events_is_caught_up_once(
    world: World, casework: Casework
) -> None:
    store = casework.ports.store
    # Every write to the Cases list fails, beyond the client's retries: the events are
    # written, the row is not (as if the process died between the two).
    world.graph.fail(5, status=503, method="POST", path=items_path(world.site, OAKFIELD_CASES))

    outcome = await bus.report_incident(
        casework,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=incident(at(MONDAY, 8)),
    )

    events = await store.load(outcome.case_id)
    assert events
    assert await store.summary(outcome.case_id) is None

    caught = await catch_up(casework)

    assert caught.projected == (outcome.case_id,)
    row = await store.summary(outcome.case_id)
    assert row is not None
    assert row.projected_seq == len(events)
    assert len(items(world.site, OAKFIELD_CASES)) == 1
    deadlines = items(world.site, "OpenDeadlines")
    assert len({d["Generation"] for d in deadlines}) <= 1  # the failed try's are gone
    again = await catch_up(casework)
    assert again.projected == ()
    assert items(world.site, "OpenDeadlines") == deadlines
    assert list(await store.load(outcome.case_id)) == list(events)
    assert await store.checkpoint(PROJECTION) == caught.checkpoint


# --- who can browse what: one Cases list and one Reception list per school -----------------


async def test_a_schools_cases_and_reception_lines_are_only_in_that_schools_lists(
    world: World,
) -> None:
    store = await world.store()
    banned_at_oakfield = ReceptionEntry("case-0001", "oakfield", "Sam Example", True, ("Enter",))
    await store.save_summary(summary_for_test("case-0001", reception=banned_at_oakfield), [])
    await store.save_summary(summary_for_test("case-0002", school_id="riverside"), [])

    assert [c["CaseId"] for c in items(world.site, OAKFIELD_CASES)] == ["case-0001"]
    assert [c["CaseId"] for c in items(world.site, school_list(CASES, "riverside"))] == [
        "case-0002"
    ]
    assert [r["CaseId"] for r in items(world.site, school_list(RECEPTION, "oakfield"))] == [
        "case-0001"
    ]
    assert items(world.site, school_list(RECEPTION, "riverside")) == []
    # The bot finds either case from anywhere: the trust's case index says where it is.
    other = await world.store()
    found = await other.summary("case-0002")
    assert found is not None
    assert found.school_id == "riverside"
    by_reference = await other.case_by_reference("OAK-2026-0001")
    assert by_reference is not None
    assert by_reference.case_id == "case-0001"


async def test_a_case_at_a_school_without_lists_is_refused_before_anything_is_written(
    world: World,
) -> None:
    store = await world.store()
    writes_before = list(world.graph.writes)

    with pytest.raises(StoreUnavailable, match="no lists for the school elmwood"):
        await store.save_summary(
            summary_for_test("case-0009", school_id="elmwood"),
            [chair_deadline("case-0009", date(2026, 12, 8))],
        )

    assert world.graph.writes == writes_before
    assert await store.cases_at("elmwood") == ()


# --- $batch: round trips, and a batch cut short ------------------------------------------


@pytest.fixture
async def batched(graph: GraphStandIn) -> AsyncIterator[World]:
    """A site and the store with `$batch`, for what only the batched store does."""
    site = graph.add_site()
    async with aiohttp.ClientSession() as http:
        await provision(stand_in_client(graph, http), site_url(site), SCHOOLS, say=lambda _: None)
        yield World(graph, site, http, NoSleep(), batching=True)


BANNED = ReceptionEntry("case-0001", "oakfield", "Sam Example", True, ("Enter the site",))


def deadlines_due(case_id: str, *days: date) -> list[OpenDeadline]:
    return [chair_deadline(case_id, day) for day in days]


async def projected_twice(world: World, store: SharePointCaseStore) -> list[OpenDeadline]:
    """Case 0001 projected once (two deadlines, on reception's list); the deadlines of its
    next projection (seq 6), still to be saved."""
    await store.save_summary(
        summary_for_test("case-0001", projected_seq=3, reception=BANNED),
        deadlines_due("case-0001", date(2026, 12, 1), date(2026, 12, 2)),
    )
    return deadlines_due("case-0001", date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10))


async def test_with_batch_a_projection_costs_two_round_trips_whatever_it_writes(
    batched: World,
) -> None:
    store = await batched.store()
    later = await projected_twice(batched, store)
    lifted = summary_for_test("case-0001", status="ban-lifted", projected_seq=6, reception=None)
    trips, requests = len(batched.graph.round_trips), len(batched.graph.requests)

    await store.save_summary(lifted, later)

    # One $batch reads the row, reception's line and the deadlines; one writes 3 deadlines,
    # the row, reception's line (no longer in force) and deletes the 2 old deadlines.
    assert batched.graph.round_trips[trips:] == [("POST", "/v1.0/$batch")] * 2
    members = [r for r in batched.graph.requests[requests:] if r[1] != "/$batch"]
    assert [m for m, _ in members] == ["GET"] * 3 + ["POST"] * 3 + ["PATCH"] * 2 + ["DELETE"] * 2
    assert await store.summary("case-0001") == lifted
    assert await store.due_by(date(2027, 1, 1)) == tuple(later)
    assert await store.reception_list("oakfield", on=MONDAY, limit=10) == ()


async def test_a_projection_batch_cut_short_after_the_row_is_read_again_and_finished(
    batched: World,
) -> None:
    store = await batched.store()
    later = await projected_twice(batched, store)
    newer = summary_for_test("case-0001", status="ban-lifted", projected_seq=6, reception=None)
    # The write batch performs the new deadlines and the row, then its answer is lost:
    # reception's line and the old deadlines' deletes were never run.
    batched.graph.drop_response(
        1, method="PATCH", path=items_path(batched.site, OAKFIELD_CASES) + "/"
    )

    await store.save_summary(newer, later)

    assert await store.summary("case-0001") == newer
    assert await store.due_by(date(2027, 1, 1)) == tuple(later)
    assert len(items(batched.site, "OpenDeadlines")) == 3  # none written twice, none left
    (line,) = items(batched.site, school_list(RECEPTION, "oakfield"))
    assert (line["InForce"], line["ProjectedSeq"]) == (0, 6)


class GoneAfterALostBatch(GraphClient):
    """A client whose Graph goes away (503 to everything) as soon as a `$batch`'s answer
    is lost: the batch was cut short and the store cannot finish it now."""

    def __init__(self, base: GraphClient, graph: GraphStandIn) -> None:
        self.__dict__.update(base.__dict__)
        self._graph = graph

    async def batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
        try:
            return await super().batch(requests)
        except GraphOutcomeUnknown:
            self._graph.fail(10_000, status=503, path="/lists/")
            raise


async def test_a_projection_batch_cut_short_among_its_deadlines_is_caught_up_whole(
    batched: World, tmp_path: Path
) -> None:
    base = stand_in_client(batched.graph, batched.http, batched.sleeps)
    store = await batched.store(GoneAfterALostBatch(base, batched.graph))
    async with embedded(prepare(EXAMPLE_CONFIG), tmp_path, FixedClock(at(MONDAY, 9))) as cw:
        casework = dataclasses.replace(cw, ports=dataclasses.replace(cw.ports, store=store))
        casework.ping = None
        casework.later = lambda case_id: None
        # The first projection's write batch: the case index line and the first deadline
        # are written, then the answer is lost and Graph goes away.
        batched.graph.drop_response(
            1, method="POST", path=items_path(batched.site, "OpenDeadlines") + "$"
        )
        outcome = await bus.report_incident(
            casework,
            STAFF,
            command_id="cmd-report",
            school_id="oakfield",
            person=person(),
            incident=incident(at(MONDAY, 8)),
        )
        assert items(batched.site, OAKFIELD_CASES) == []
        assert len(items(batched.site, "CaseIndex")) == 1
        partial = items(batched.site, "OpenDeadlines")
        assert partial  # the batch was cut short with a deadline written

        batched.graph.clear_faults()
        caught = await catch_up(casework)

    assert caught.projected == (outcome.case_id,)
    events = await store.load(outcome.case_id)
    row = await store.summary(outcome.case_id)
    assert row is not None
    assert row.projected_seq == len(events)
    assert len(items(batched.site, "CaseIndex")) == 1
    deadlines = items(batched.site, "OpenDeadlines")
    # Only the catch-up's projection's deadlines: the cut-short batch's are gone.
    assert len({(d["ProjectedSeq"], d["Generation"]) for d in deadlines}) == 1
    assert not {d["Generation"] for d in partial} & {d["Generation"] for d in deadlines}
    assert len(deadlines) == len({(d["Action"], d["Due"]) for d in deadlines})


async def test_a_throttled_batch_member_is_retried_after_the_wait_and_written_once(
    batched: World,
) -> None:
    store = await batched.store()
    batched.graph.throttle(
        1, retry_after="2.5", method="POST", path=items_path(batched.site, "OpenDeadlines") + "$"
    )
    due = deadlines_due("case-0001", date(2026, 12, 8), date(2026, 12, 9))

    await store.save_summary(summary_for_test("case-0001", projected_seq=2), due)

    assert batched.sleeps.waits == [2.5]
    assert await store.due_by(date(2027, 1, 1)) == tuple(due)
    assert len(items(batched.site, "OpenDeadlines")) == 2
    assert len(items(batched.site, OAKFIELD_CASES)) == 1
    assert len(items(batched.site, "CaseIndex")) == 1


async def test_two_instances_projecting_a_new_case_at_once_make_one_index_line_and_row(
    world: World,
) -> None:
    one, two = await world.store(), await world.store()
    first = summary_for_test("case-0001", projected_seq=2)
    second = summary_for_test("case-0001", status="ban-provisional", projected_seq=3)

    await asyncio.gather(
        one.save_summary(first, deadlines_due("case-0001", date(2026, 12, 8))),
        two.save_summary(second, deadlines_due("case-0001", date(2026, 12, 9))),
    )

    assert len(items(world.site, "CaseIndex")) == 1
    assert len(items(world.site, OAKFIELD_CASES)) == 1
    assert await one.summary("case-0001") == second
    assert await one.due_by(date(2027, 1, 1)) == (chair_deadline("case-0001", date(2026, 12, 9)),)


async def test_with_batch_reporting_and_assessing_a_case_takes_at_most_34_round_trips(
    tmp_path: Path,
) -> None:
    # docs/graph.md, "Requests per lifecycle": 52 requests, in 52 round trips without
    # $batch and 34 with it. More round trips than this is a regression; update the docs
    # (python -m bench.graph_requests) if a change brings the figure down.
    clock = FixedClock(at(MONDAY, 9))
    async with casework_on_sharepoint(prepare(EXAMPLE_CONFIG), tmp_path, clock) as (cw, graph):
        trips = len(graph.round_trips)
        case_id = await case_paths.reported(cw, clock)
        step = graph.round_trips[trips:]
        assert await cw.ports.store.summary(case_id) is not None

    assert len(step) <= 34
    assert len([t for t in step if t[1].endswith("/$batch")]) >= 4  # the projections


async def test_a_projection_losing_to_a_newer_one_whose_deletes_fail_says_unavailable(
    batched: World,
) -> None:
    store = await batched.store()
    await store.save_summary(summary_for_test("case-0001", projected_seq=5), [])
    newer = summary_for_test("case-0001", status="ban-provisional", projected_seq=9)
    other = await batched.store()

    async def a_newer_projection_lands_and_graph_refuses_deletes() -> None:
        await other.save_summary(newer, [])
        batched.graph.fail(100, status=503, method="DELETE")

    base = stand_in_client(batched.graph, batched.http, batched.sleeps)
    slow = await batched.store(
        Interleaved(base, "PATCH", "/fields", a_newer_projection_lands_and_graph_refuses_deletes)
    )

    with pytest.raises(StoreUnavailable, match="project case case-0001"):
        await slow.save_summary(
            summary_for_test("case-0001", projected_seq=7),
            [chair_deadline("case-0001", date(2027, 1, 20))],
        )

    batched.graph.clear_faults()
    assert await store.summary("case-0001") == newer
    # Its deadline is left for the next projection of the case to delete.
    assert len(items(batched.site, "OpenDeadlines")) == 1


async def test_a_412_on_reception_line_in_a_batch_reads_the_line_again_after_the_row(
    batched: World,
) -> None:
    store = await batched.store()
    later = await projected_twice(batched, store)
    reception = display_name(school_list(RECEPTION, "oakfield"))
    reception_list = batched.site.find_list(reception)
    assert reception_list is not None
    (line,) = reception_list.items.values()
    base = stand_in_client(batched.graph, batched.http, batched.sleeps)

    async def someone_edits_the_line() -> None:
        # A change after our read (a person, in SharePoint): its eTag moves on.
        await base.request(
            "PATCH",
            f"sites/{batched.site.id}/lists/{reception_list.id}/items/{line.id}/fields",
            json_body={"Title": "edited"},
        )

    racing = await batched.store(
        Interleaved(base, "PATCH", f"/lists/{reception_list.id}/items/", someone_edits_the_line)
    )
    conditions = ReceptionEntry("case-0001", "oakfield", "Sam Example", False, ("Film",))
    mine = summary_for_test("case-0001", status="conditions", projected_seq=6, reception=conditions)

    await racing.save_summary(mine, later)

    assert await store.summary("case-0001") == dataclasses.replace(mine, reception=None)
    assert await store.reception_list("oakfield", on=MONDAY, limit=10) == (conditions,)
    assert await store.due_by(date(2027, 1, 1)) == tuple(later)
    assert len(items(batched.site, "OpenDeadlines")) == 3
    # The row was written once: only reception's line was read and written again.
    row_writes = [
        w
        for w in batched.graph.writes
        if w[1].startswith("/sites/" + batched.site.id + items_path(batched.site, OAKFIELD_CASES))
    ]
    assert len(row_writes) == 2  # the first projection's create, and this one's patch


class LateBatch(GraphClient):
    """A client whose lost `$batch` is still running at Graph: after the store has read
    again, just before its next write batch, one more of the lost batch's deadlines is
    written (a copy of one it wrote)."""

    def __init__(self, base: GraphClient, world: World) -> None:
        self.__dict__.update(base.__dict__)
        self._world = world
        self._after_loss: int | None = None
        self.lost_generations: set[str] = set()

    async def batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
        if self._after_loss is not None:
            self._after_loss += 1
            if self._after_loss == 2:  # the re-read was the first; this writes
                await self._late_write()
        try:
            return await super().batch(requests)
        except GraphOutcomeUnknown:
            self._after_loss = 0
            lost = [d for d in items(self._world.site, "OpenDeadlines") if d["ProjectedSeq"] == 6]
            self.lost_generations = {d["Generation"] for d in lost}
            raise

    async def _late_write(self) -> None:
        late = next(
            d
            for d in items(self._world.site, "OpenDeadlines")
            if d["Generation"] in self.lost_generations
        )
        fields = {k: v for k, v in late.items() if k not in ("@odata.etag", "id")}
        await self.request(
            "POST",
            f"sites/{self._world.site.id}{items_path(self._world.site, 'OpenDeadlines')}",
            json_body={"fields": fields},
        )


async def test_a_lost_batch_still_running_at_graph_never_doubles_the_deadlines(
    batched: World,
) -> None:
    store = await batched.store()
    later = await projected_twice(batched, store)
    base = stand_in_client(batched.graph, batched.http, batched.sleeps)
    late = LateBatch(base, batched)
    racing = await batched.store(late)
    newer = summary_for_test("case-0001", status="ban-lifted", projected_seq=6, reception=None)
    batched.graph.drop_response(
        1, method="PATCH", path=items_path(batched.site, OAKFIELD_CASES) + "/"
    )

    await racing.save_summary(newer, later)

    assert late.lost_generations  # the batch was lost after writing its deadlines
    assert await store.summary("case-0001") == newer
    # The late deadline is the lost batch's, an older generation than the one written
    # after it: each deadline once, as the sweeper and the listings read them.
    assert await store.due_by(date(2027, 1, 1)) == tuple(later)
    kept = {d["Generation"] for d in items(batched.site, "OpenDeadlines")}
    assert len(kept - late.lost_generations) == 1


async def test_a_batched_deadline_answered_504_is_read_again_and_listed_once(
    batched: World,
) -> None:
    store = await batched.store()
    later = await projected_twice(batched, store)
    # The gateway times out on the first new deadline: it may have been written.
    batched.graph.fail(
        1, status=504, method="POST", path=items_path(batched.site, "OpenDeadlines") + "$"
    )
    newer = summary_for_test("case-0001", status="ban-lifted", projected_seq=6, reception=None)

    await store.save_summary(newer, later)

    assert await store.summary("case-0001") == newer
    assert await store.due_by(date(2027, 1, 1)) == tuple(later)
    assert len(items(batched.site, "OpenDeadlines")) == 3
