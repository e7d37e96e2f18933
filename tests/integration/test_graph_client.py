"""The Graph client against the stand-in: retries honour Retry-After and write once, a
lost answer to a write is a typed error (never a second write), `$batch` splits at 20
and retries throttled members, and every error says what failed without ids or tokens."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from graph.client import (
    BatchRequest,
    GraphBadRequest,
    GraphClient,
    GraphConflict,
    GraphForbidden,
    GraphNotFound,
    GraphOutcomeUnknown,
    GraphPreconditionFailed,
    GraphThrottled,
    GraphUnavailable,
    RetryPolicy,
)
from tests.harness.graph import GraphStandIn, SharePointList, Site
from tests.integration.conftest import USER_AGENT, RecordedSleeps, StaticGraphToken

ITEMS = r"/lists/[^/]+/items$"


async def make_list(client: GraphClient, graph: GraphStandIn) -> tuple[Site, SharePointList, str]:
    site = graph.add_site()
    created = await client.request(
        "POST",
        f"/sites/{site.id}/lists",
        json_body={
            "displayName": "Case events",
            "columns": [
                {"name": "EventKey", "text": {}, "indexed": True, "enforceUniqueValues": True}
            ],
            "list": {"template": "genericList"},
        },
    )
    found = site.lists[created.body["id"]]
    return site, found, f"/sites/{site.id}/lists/{found.id}/items"


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [("2", 2.0), ("1.5", 1.5), ("Thu, 03 Dec 2026 10:00:07 GMT", 7.0)],
)
async def test_throttled_three_times_then_success_writes_once_after_the_waits_asked_for(
    graph: GraphStandIn,
    http: aiohttp.ClientSession,
    sleeps: RecordedSleeps,
    retry_after: str,
    wait: float,
) -> None:
    client = GraphClient(
        http,
        StaticGraphToken(graph.access_token),
        user_agent=USER_AGENT,
        base_url=graph.base_url,
        sleep=sleeps,
        # 2026-12-03 10:00:00 UTC, for the HTTP-date form of Retry-After.
        wall_clock=lambda: 1796292000.0,
    )
    _, events, items = await make_list(client, graph)
    graph.throttle(3, retry_after=retry_after, method="POST", path=ITEMS)

    created = await client.request("POST", items, json_body={"fields": {"EventKey": "SP-1#1"}})

    assert created.status == 201
    assert len(events.items) == 1
    assert graph.writes.count(("POST", items)) == 1
    assert sleeps.waits == [wait, wait, wait]


async def test_without_retry_after_it_backs_off_exponentially_with_jitter_and_gives_up(
    graph: GraphStandIn, client: GraphClient, sleeps: RecordedSleeps
) -> None:
    graph.add_user("u1", "Pat Head", "head@example.org")
    graph.fail(10, status=503, path="/users/")

    with pytest.raises(GraphUnavailable, match=r"GET /users/\{id\} failed with 503"):
        await client.get("/users/u1")

    # first_backoff 1 s, doubling; jitter fixed at 0.5 gives three quarters of each step.
    assert sleeps.waits == [0.75, 1.5, 3.0, 6.0]
    assert graph.requests.count(("GET", "/users/u1")) == RetryPolicy().max_attempts


async def test_a_wait_longer_than_allowed_is_not_slept_but_reported(
    graph: GraphStandIn, client: GraphClient, sleeps: RecordedSleeps
) -> None:
    graph.add_user("u1", "Pat Head", "head@example.org")
    graph.throttle(1, retry_after="600", path="/users/")

    with pytest.raises(GraphThrottled) as throttled:
        await client.get("/users/u1")

    assert throttled.value.retry_after_s == 600.0
    assert sleeps.waits == []


async def test_a_write_whose_answer_is_lost_is_not_repeated_and_says_to_look_first(
    graph: GraphStandIn, client: GraphClient
) -> None:
    _, events, items = await make_list(client, graph)
    graph.drop_response(1, method="POST", path=ITEMS)

    with pytest.raises(GraphOutcomeUnknown, match="may have happened") as lost:
        await client.request("POST", items, json_body={"fields": {"EventKey": "SP-1#1"}})

    # It happened once, and the client did not try again (a retry would double it,
    # or, with the unique key, fail: the store looks the item up by its key instead).
    assert len(events.items) == 1
    assert graph.requests.count(("POST", items)) == 1
    assert isinstance(lost.value, GraphUnavailable)  # callers may treat it as retryable


async def test_a_stalled_write_times_out_as_outcome_unknown(
    graph: GraphStandIn, http: aiohttp.ClientSession, sleeps: RecordedSleeps
) -> None:
    client = GraphClient(
        http,
        StaticGraphToken(graph.access_token),
        user_agent=USER_AGENT,
        base_url=graph.base_url,
        policy=RetryPolicy(attempt_timeout_s=0.3),
        sleep=sleeps,
    )
    _, _, items = await make_list(client, graph)
    graph.stall(1, method="POST", path=ITEMS)

    with pytest.raises(GraphOutcomeUnknown, match="no answer in time"):
        await client.request("POST", items, json_body={"fields": {"EventKey": "SP-1#1"}})


async def test_a_stalled_read_is_retried(
    graph: GraphStandIn, http: aiohttp.ClientSession, sleeps: RecordedSleeps
) -> None:
    client = GraphClient(
        http,
        StaticGraphToken(graph.access_token),
        user_agent=USER_AGENT,
        base_url=graph.base_url,
        policy=RetryPolicy(attempt_timeout_s=0.3),
        sleep=sleeps,
        jitter=lambda: 0.0,
    )
    graph.add_user("u1", "Pat Head", "head@example.org")
    graph.stall(1, path="/users/")

    assert (await client.get("/users/u1"))["id"] == "u1"
    assert sleeps.waits == [0.5]


async def test_refusals_are_typed_and_name_no_ids_addresses_or_tokens(
    graph: GraphStandIn, client: GraphClient
) -> None:
    _, _, items = await make_list(client, graph)
    created = await client.request("POST", items, json_body={"fields": {"EventKey": "SP-1#1"}})
    etag = created.etag
    assert etag is not None
    fields = f"{items}/{created.body['id']}/fields"
    await client.request("PATCH", fields, json_body={"Title": "x"}, headers={"If-Match": etag})

    failures: list[Exception] = []
    with pytest.raises(GraphPreconditionFailed) as stale:
        await client.request("PATCH", fields, json_body={"Title": "y"}, headers={"If-Match": etag})
    failures.append(stale.value)
    with pytest.raises(GraphConflict) as taken:
        await client.request("POST", items, json_body={"fields": {"EventKey": "SP-1#1"}})
    failures.append(taken.value)
    with pytest.raises(GraphNotFound) as missing:
        await client.get("/users/someone.private@example.org")
    failures.append(missing.value)

    assert str(stale.value).startswith(
        "Graph PATCH /sites/{id}/lists/{id}/items/{id}/fields failed with 412"
    )
    for failure in failures:
        text = str(failure)
        assert graph.access_token not in text
        assert "someone.private" not in text
        assert "SP-1#1" not in text


async def test_forbidden_names_the_permission_graph_says_is_missing(
    graph: GraphStandIn, client: GraphClient
) -> None:
    graph.add_user("u1", "Pat Head", "head@example.org")
    graph.fail(
        1,
        status=403,
        path="/users/",
        message="Missing role permissions on the request. API requires one of "
        "'Mail.ReadWrite'. Roles on the request 'Sites.Selected'.",
    )

    with pytest.raises(GraphForbidden, match=r"lacks the permission Mail\.ReadWrite") as denied:
        await client.get("/users/u1")

    assert denied.value.missing_permissions == ("Mail.ReadWrite",)


async def test_a_next_link_to_another_host_is_not_followed_with_the_token(
    client: GraphClient,
) -> None:
    with pytest.raises(GraphBadRequest, match="outside Graph"):
        await client.get("https://attacker.example/v1.0/users")


async def test_a_batch_of_25_goes_in_two_and_a_throttled_member_is_retried(
    graph: GraphStandIn, client: GraphClient, sleeps: RecordedSleeps
) -> None:
    _, events, items = await make_list(client, graph)
    graph.throttle(1, retry_after="3", method="POST", path=ITEMS)
    requests = [
        BatchRequest(
            id=f"e{n}", method="POST", url=items, body={"fields": {"EventKey": f"SP-1#{n}"}}
        )
        for n in range(25)
    ]

    results = await client.batch(requests)

    assert sorted(results) == sorted(r.id for r in requests)
    assert all(r.ok for r in results.values())
    # Two batches (20 + 5), and one more for the member throttled in the first.
    assert graph.requests.count(("POST", "/$batch")) == 3
    assert sleeps.waits == [3.0]
    assert sorted(i.fields["EventKey"] for i in events.items.values()) == sorted(
        f"SP-1#{n}" for n in range(25)
    )


async def test_a_member_that_failed_on_a_throttled_dependency_is_retried_with_it(
    graph: GraphStandIn, client: GraphClient, sleeps: RecordedSleeps
) -> None:
    _, events, items = await make_list(client, graph)
    await client.request("POST", items, json_body={"fields": {"EventKey": "SP-1#0"}})
    graph.throttle(1, retry_after="0.25", method="POST", path=ITEMS)
    requests = [
        BatchRequest("event", "POST", items, body={"fields": {"EventKey": "SP-1#1"}}),
        BatchRequest(
            "projection", "PATCH", f"{items}/1/fields", body={"Title": "x"}, depends_on=["event"]
        ),
    ]

    results = await client.batch(requests)

    assert [results["event"].status, results["projection"].status] == [201, 200]
    assert sleeps.waits == [0.25]
    assert events.items["1"].fields["Title"] == "x"
    assert len(events.items) == 2


async def test_a_chain_throttled_in_the_middle_resends_the_rest_of_the_chain_once(
    graph: GraphStandIn, client: GraphClient, sleeps: RecordedSleeps
) -> None:
    _, events, items = await make_list(client, graph)
    await client.request("POST", items, json_body={"fields": {"EventKey": "SP-1#0"}})
    # A chain: the PATCH, then three creates, each depending on the one before.
    requests = [BatchRequest("e0", "PATCH", f"{items}/1/fields", body={"Title": "x"})] + [
        BatchRequest(
            f"e{n}",
            "POST",
            items,
            body={"fields": {"EventKey": f"SP-1#{n}"}},
            depends_on=[f"e{n - 1}"],
        )
        for n in range(1, 4)
    ]
    # e0 is written; e1 is throttled, so e2 and e3 fail on it (424) along the chain.
    graph.throttle(1, retry_after="0.5", method="POST", path=ITEMS)

    results = await client.batch(requests)

    assert [results[f"e{n}"].status for n in range(4)] == [200, 201, 201, 201]
    assert sleeps.waits == [0.5]
    # The resend carries e1, e2 and e3 (e1's dependsOn on e0, which is not resent,
    # dropped, or Graph would refuse the batch); each item is written once.
    assert graph.requests.count(("POST", "/$batch")) == 2
    assert sorted(i.fields["EventKey"] for i in events.items.values()) == [
        f"SP-1#{n}" for n in range(4)
    ]
    assert [w[0] for w in graph.writes].count("PATCH") == 1


async def test_a_member_refused_for_good_is_returned_for_the_caller_to_check(
    graph: GraphStandIn, client: GraphClient
) -> None:
    _, _, items = await make_list(client, graph)
    await client.request("POST", items, json_body={"fields": {"EventKey": "SP-1#1"}})
    results = await client.batch(
        [
            BatchRequest("a", "POST", items, body={"fields": {"EventKey": "SP-1#1"}}),
            BatchRequest("b", "POST", items, body={"fields": {"EventKey": "SP-1#2"}}),
        ]
    )
    assert results["b"].ok
    with pytest.raises(GraphConflict, match=r"POST /sites/\{id\}/lists/\{id\}/items"):
        results["a"].raise_for_status()


async def test_a_batched_write_answered_504_is_not_sent_again(
    graph: GraphStandIn, client: GraphClient, sleeps: RecordedSleeps
) -> None:
    _, _, items = await make_list(client, graph)
    graph.fail(1, status=504, method="POST", path=ITEMS)
    results = await client.batch(
        [BatchRequest("a", "POST", items, body={"fields": {"EventKey": "SP-1#1"}})]
    )
    assert results["a"].status == 504
    assert graph.requests.count(("POST", "/$batch")) == 1
    assert sleeps.waits == []


async def test_a_write_that_never_got_a_connection_is_retried_then_reported_unavailable(
    http: aiohttp.ClientSession, sleeps: RecordedSleeps
) -> None:
    # A port nobody listens on (bound, then closed): the connection is refused.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = GraphClient(
        http,
        StaticGraphToken("unused"),
        user_agent=USER_AGENT,
        base_url=f"http://127.0.0.1:{port}/v1.0",
        sleep=sleeps,
    )
    with pytest.raises(GraphUnavailable, match="no connection") as unreachable:
        await client.request("POST", "/users/u1/messages", json_body={"subject": "x"})

    assert not isinstance(unreachable.value, GraphOutcomeUnknown)
    assert len(sleeps.waits) == RetryPolicy().max_attempts - 1
