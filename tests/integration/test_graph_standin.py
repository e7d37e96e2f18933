"""The Graph stand-in itself: it refuses what Graph would refuse (a body the OpenAPI subset
does not allow, a `$batch` the batch schema does not allow, an undecorated User-Agent),
keeps unique columns unique, answers 412 on a stale eTag, pages with nextLink, filters
on indexed columns only, keeps drafts, attachments, users and group members, and refuses
an app without a Sites permission or a site grant as SharePoint does."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest

from graph.client import GraphClient, GraphForbidden
from tests.harness.graph import SITES_ROLES, GraphStandIn, Site, openapi_subset
from tests.integration.conftest import USER_AGENT

CASE_EVENTS = {
    "displayName": "Case events",
    "columns": [
        {
            "name": "EventKey",
            "text": {"maxLength": 255},
            "indexed": True,
            "enforceUniqueValues": True,
        },
        {"name": "CaseReference", "text": {}, "indexed": True},
        {"name": "Sequence", "number": {"decimalPlaces": "none"}},
        {"name": "Deadline", "dateTime": {"format": "dateTime"}, "indexed": True},
        {"name": "Notes", "text": {"allowMultipleLines": True}},
    ],
    "list": {"template": "genericList"},
}


async def raw(
    http: aiohttp.ClientSession,
    graph: GraphStandIn,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    sent = {"Authorization": f"Bearer {graph.access_token}", "User-Agent": USER_AGENT}
    async with http.request(
        method, f"{graph.base_url}{path}", json=body, headers={**sent, **(headers or {})}
    ) as response:
        return response.status, await response.json(content_type=None)


async def events_list(http: aiohttp.ClientSession, graph: GraphStandIn) -> tuple[Site, str]:
    site = graph.add_site()
    status, created = await raw(http, graph, "POST", f"/sites/{site.id}/lists", CASE_EVENTS)
    assert status == 201
    return site, str(created["id"])


async def test_a_body_the_openapi_subset_does_not_allow_is_refused_and_recorded(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    site = graph.add_site()
    status, body = await raw(
        http, graph, "POST", f"/sites/{site.id}/lists", {"displayName": 42, "columns": "no"}
    )
    assert status == 400
    assert body["error"]["code"] == "invalidRequest"
    assert any("displayName" in v for v in graph.violations)
    assert site.lists == {}
    graph.violations.clear()


async def test_a_nested_body_is_checked_too(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    graph.add_user("u1", "Pat Head", "head@example.org")
    # The OpenAPI's bodyType enum is lowercase; the docs' "markdown" is no body type at all.
    status, _ = await raw(
        http,
        graph,
        "POST",
        "/users/u1/messages",
        {"subject": "Letter", "body": {"contentType": "markdown", "content": "x"}},
    )
    assert status == 400
    assert any("body" in v for v in graph.violations)
    graph.violations.clear()


def test_the_relaxed_subset_accepts_the_bodies_the_graph_docs_show() -> None:
    subset = openapi_subset()
    samples: list[tuple[str, str, Any]] = [
        ("POST", "/sites/{site-id}/lists", CASE_EVENTS),
        ("POST", "/sites/{site-id}/lists/{list-id}/items", {"fields": {"Title": "x", "N": 1}}),
        (
            "PATCH",
            "/sites/{site-id}/lists/{list-id}/items/{listItem-id}/fields",
            {"Title": "x", "AssignedToLookupId": "12"},
        ),
        (
            "POST",
            "/users/{user-id}/messages",
            {
                "subject": "Letter",
                "body": {"contentType": "html", "content": "<p>Hi</p>"},
                "toRecipients": [{"emailAddress": {"address": "a@example.org", "name": "A"}}],
            },
        ),
        (
            "POST",
            "/users/{user-id}/messages/{message-id}/attachments",
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": "a.docx",
                "contentType": "application/octet-stream",
                "contentBytes": "UEsDBA==",
            },
        ),
        (
            "POST",
            "/users/{user-id}/messages/{message-id}/attachments/microsoft.graph.createUploadSession",
            {"AttachmentItem": {"attachmentType": "file", "name": "big.docx", "size": 5000000}},
        ),
    ]
    for method, template, body in samples:
        assert subset.body_errors(method, template, body) == [], template


async def test_a_batch_the_batch_schema_does_not_allow_is_refused(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    members = [{"id": str(n), "method": "GET", "url": "/users/u1"} for n in range(21)]
    status, _ = await raw(http, graph, "POST", "/$batch", {"requests": members})
    assert status == 400
    status, _ = await raw(
        http,
        graph,
        "POST",
        "/$batch",
        {
            "requests": [
                {"id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/users"}
            ]
        },
    )
    assert status == 400
    status, _ = await raw(
        http,
        graph,
        "POST",
        "/$batch",
        {
            "requests": [
                {"id": "a", "method": "GET", "url": "/users/u1"},
                {"id": "A", "method": "GET", "url": "/users/u1"},
            ]
        },
    )
    assert status == 400  # ids are unique case-insensitively
    assert len(graph.violations) == 3
    graph.violations.clear()


async def test_an_undecorated_user_agent_is_recorded(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    graph.add_user("u1", "Pat Head", "head@example.org")
    await raw(http, graph, "GET", "/users/u1", headers={"User-Agent": "python-aiohttp"})
    assert graph.violations == ["GET /v1.0/users/u1: User-Agent is not decorated"]
    graph.violations.clear()


async def test_a_unique_column_refuses_a_second_item_with_the_same_value(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    site, list_id = await events_list(http, graph)
    items = f"/sites/{site.id}/lists/{list_id}/items"
    first, _ = await raw(http, graph, "POST", items, {"fields": {"EventKey": "SP-1#1"}})
    second, body = await raw(http, graph, "POST", items, {"fields": {"EventKey": "SP-1#1"}})
    other, _ = await raw(http, graph, "POST", items, {"fields": {"EventKey": "SP-1#2"}})

    assert (first, second, other) == (201, 409, 201)
    assert "[EventKey]" in body["error"]["message"]
    assert len(site.lists[list_id].items) == 2


async def test_a_value_longer_than_its_text_column_holds_is_refused_and_changes_nothing(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    # A single line of text holds 255 characters (`text: {}` too); plain multiple lines,
    # 63,999.
    site, list_id = await events_list(http, graph)
    items = f"/sites/{site.id}/lists/{list_id}/items"

    fits = await raw(http, graph, "POST", items, {"fields": {"CaseReference": "x" * 255}})
    one_line = await raw(http, graph, "POST", items, {"fields": {"CaseReference": "x" * 256}})
    notes = await raw(http, graph, "POST", items, {"fields": {"Notes": "x" * 63_999}})
    too_many = await raw(http, graph, "POST", items, {"fields": {"Notes": "x" * 64_000}})
    item_id = fits[1]["id"]
    patched, _ = await raw(
        http, graph, "PATCH", f"{items}/{item_id}/fields", {"CaseReference": "y" * 256}
    )

    assert (fits[0], one_line[0], notes[0], too_many[0], patched) == (201, 400, 201, 400, 400)
    assert "CaseReference" in one_line[1]["error"]["message"]
    assert len(site.lists[list_id].items) == 2
    assert site.lists[list_id].items[item_id].fields["CaseReference"] == "x" * 255


async def test_a_stale_etag_is_refused_with_412_and_changes_nothing(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    site, list_id = await events_list(http, graph)
    items = f"/sites/{site.id}/lists/{list_id}/items"
    _, created = await raw(http, graph, "POST", items, {"fields": {"Notes": "first"}})
    fields = f"{items}/{created['id']}/fields"
    first_etag = created["eTag"]

    ok, updated = await raw(
        http, graph, "PATCH", fields, {"Notes": "second"}, {"If-Match": first_etag}
    )
    stale, refused = await raw(
        http, graph, "PATCH", fields, {"Notes": "third"}, {"If-Match": first_etag}
    )
    _, now = await raw(http, graph, "GET", fields)

    assert (ok, stale) == (200, 412)
    assert refused["error"]["code"] == "preconditionFailed"
    assert updated["@odata.etag"] != first_etag
    assert now["Notes"] == "second"


async def test_items_page_with_next_links_and_filter_on_indexed_columns_only(
    graph: GraphStandIn, http: aiohttp.ClientSession, client: GraphClient
) -> None:
    site, list_id = await events_list(http, graph)
    items = f"/sites/{site.id}/lists/{list_id}/items"
    for n in range(7):
        await raw(
            http,
            graph,
            "POST",
            items,
            {
                "fields": {
                    "EventKey": f"SP-{n % 2}#{n}",
                    "CaseReference": f"SP-{n % 2}",
                    "Deadline": f"2027-01-0{n + 1}T00:00:00Z",
                    "Notes": "x",
                }
            },
        )

    pages = [
        page
        async for page in client.pages(
            items,
            params={
                "$expand": "fields",
                "$top": "2",
                "$filter": "fields/CaseReference eq 'SP-0' and "
                "fields/Deadline le '2027-01-05T00:00:00Z'",
            },
        )
    ]
    keys = [item["fields"]["EventKey"] for page in pages for item in page]
    assert [len(p) for p in pages] == [2, 1]
    assert keys == ["SP-0#0", "SP-0#2", "SP-0#4"]

    refused, body = await raw(http, graph, "GET", f"{items}?$filter=fields/Notes eq 'x'")
    assert refused == 400
    assert "not indexed" in body["error"]["message"]


@pytest.mark.parametrize("size", [10, 3 * 1024 * 1024 + 1])
async def test_a_draft_keeps_its_attachment_directly_or_through_an_upload_session(
    graph: GraphStandIn, http: aiohttp.ClientSession, size: int
) -> None:
    user = graph.add_user("u1", "Pat Head", "head@example.org")
    status, draft = await raw(
        http,
        graph,
        "POST",
        "/users/head@example.org/messages",
        {"subject": "Letter", "body": {"contentType": "html", "content": "<p>Dear</p>"}},
    )
    assert status == 201
    assert draft["isDraft"] is True
    content = b"x" * size
    attachments = f"/users/u1/messages/{draft['id']}/attachments"
    if size <= 3 * 1024 * 1024:
        status, _ = await raw(
            http,
            graph,
            "POST",
            attachments,
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": "letter.docx",
                "contentType": "application/octet-stream",
                "contentBytes": base64.b64encode(content).decode(),
            },
        )
        assert status == 201
    else:
        status, session = await raw(
            http,
            graph,
            "POST",
            f"{attachments}/microsoft.graph.createUploadSession",
            {"AttachmentItem": {"attachmentType": "file", "name": "letter.docx", "size": size}},
        )
        assert status == 201
        step = 3 * 320 * 1024  # Graph asks for chunks in multiples of 320 KiB
        for start in range(0, size, step):
            end = min(start + step, size)
            async with http.put(
                session["uploadUrl"],
                data=content[start:end],
                headers={"Content-Range": f"bytes {start}-{end - 1}/{size}"},
            ) as response:
                assert response.status in (200, 201)

    assert [len(a.content) for a in user.messages[draft["id"]].attachments] == [size]
    status, _ = await raw(
        http, graph, "POST", f"/users/u1/messages/{draft['id']}/microsoft.graph.send"
    )
    assert status == 202
    _, sent = await raw(http, graph, "GET", f"/users/u1/messages/{draft['id']}")
    assert sent["isDraft"] is False
    assert sent["parentFolderId"] == "sentitems"


async def test_group_members_page(graph: GraphStandIn, client: GraphClient) -> None:
    for n in range(5):
        graph.add_user(f"u{n}", f"Person {n}", f"p{n}@example.org")
    graph.add_group("g-heads", [f"u{n}" for n in range(5)])

    pages = [p async for p in client.pages("/groups/g-heads/members", params={"$top": "2"})]

    assert [len(p) for p in pages] == [2, 2, 1]
    assert [m["id"] for p in pages for m in p] == [f"u{n}" for n in range(5)]


async def test_a_site_is_found_by_its_path_as_by_its_id(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    site = graph.add_site("trust.sharepoint.com", "/sites/cases")
    status, found = await raw(http, graph, "GET", "/sites/trust.sharepoint.com:/sites/cases")
    assert (status, found["id"]) == (200, site.id)
    status, lists = await raw(http, graph, "GET", "/sites/trust.sharepoint.com:/sites/cases:/lists")
    assert (status, lists["value"]) == (200, [])


async def test_a_unique_column_that_is_not_indexed_is_refused(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    site, list_id = await events_list(http, graph)
    status, body = await raw(
        http,
        graph,
        "POST",
        f"/sites/{site.id}/lists/{list_id}/columns",
        {"name": "CaseKey", "text": {}, "enforceUniqueValues": True},
    )
    assert status == 400
    assert "must be indexed" in body["error"]["message"]
    assert "CaseKey" not in site.lists[list_id].columns


async def test_a_batch_member_with_a_malformed_body_is_refused_alone(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    graph.add_user("u1", "Pat Head", "head@example.org")
    json_header = {"Content-Type": "application/json"}
    status, body = await raw(
        http,
        graph,
        "POST",
        "/$batch",
        {
            "requests": [
                {"id": "bad", "method": "POST", "url": "/users/u1/messages",
                 "headers": json_header, "body": {"subject": ["not", "a", "string"]}},
                {"id": "good", "method": "GET", "url": "/users/u1"},
            ]
        },
    )  # fmt: skip
    assert status == 200
    statuses = {r["id"]: r["status"] for r in body["responses"]}
    assert statuses == {"bad": 400, "good": 200}
    assert any("subject" in v for v in graph.violations)
    assert graph.users["u1"].messages == {}
    graph.violations.clear()


# --- permissions: what an app without them is answered ------------------------------------


async def test_without_a_sites_permission_a_site_call_is_403_naming_the_permissions_needed(
    graph: GraphStandIn, client: GraphClient
) -> None:
    site = graph.add_site()
    graph.app_roles = {"Mail.ReadWrite"}

    with pytest.raises(GraphForbidden) as refused:
        await client.request("GET", f"sites/{site.id}")

    assert refused.value.missing_permissions == SITES_ROLES
    assert "Mail.ReadWrite" not in refused.value.missing_permissions


async def test_a_site_not_granted_is_refused_and_a_read_grant_refuses_writes(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    site = graph.add_site()
    site.grant = None
    status, body = await raw(http, graph, "GET", f"/sites/{site.id}")
    assert (status, body["error"]["message"]) == (403, "Access denied")

    site.grant = "read"
    assert (await raw(http, graph, "GET", f"/sites/{site.id}/lists"))[0] == 200
    status, _ = await raw(http, graph, "POST", f"/sites/{site.id}/lists", CASE_EVENTS)
    assert status == 403
    assert site.lists == {}

    graph.app_roles = {"Sites.ReadWrite.All"}  # tenant-wide: the site's grant is not asked
    assert (await raw(http, graph, "POST", f"/sites/{site.id}/lists", CASE_EVENTS))[0] == 201


async def test_a_column_is_indexed_renamed_and_made_unique_only_without_duplicates(
    graph: GraphStandIn, http: aiohttp.ClientSession
) -> None:
    site, list_id = await events_list(http, graph)
    items = f"/sites/{site.id}/lists/{list_id}/items"
    for n in (1, 2):
        body = {"fields": {"EventKey": f"k{n}", "Notes": "same"}}
        assert (await raw(http, graph, "POST", items, body))[0] == 201
    (notes,) = [c for c in site.lists[list_id].columns.values() if c.name == "Notes"]
    column = f"/sites/{site.id}/lists/{list_id}/columns/{notes.id}"

    status, changed = await raw(
        http, graph, "PATCH", column, {"indexed": True, "displayName": "Notes (read me)"}
    )
    assert status == 200
    assert (changed["indexed"], changed["displayName"]) == (True, "Notes (read me)")
    status, _ = await raw(http, graph, "PATCH", column, {"enforceUniqueValues": True})
    assert status == 400
    assert notes.unique is False


async def test_group_members_are_direct_selected_and_limited_without_user_read_all(
    graph: GraphStandIn, client: GraphClient
) -> None:
    graph.add_user("u1", "Person 1", "p1@example.org")
    graph.add_user("u2", "Person 2", "p2@example.org")
    graph.add_group("g-inner", ["u2"])
    graph.add_group("g-heads", ["u1", "g-inner"])
    query = {"$select": "id,displayName,mail"}

    (page,) = [p async for p in client.pages("/groups/g-heads/members", params=query)]
    assert page == [
        {"@odata.type": "#microsoft.graph.user", "id": "u1", "displayName": "Person 1",
         "mail": "p1@example.org"},
        {"@odata.type": "#microsoft.graph.group", "id": "g-inner", "displayName": None},
    ]  # fmt: skip

    graph.app_roles.discard("User.Read.All")
    (page,) = [p async for p in client.pages("/groups/g-heads/members", params=query)]
    assert page[0] == {
        "@odata.type": "#microsoft.graph.user", "id": "u1", "displayName": None, "mail": None
    }  # fmt: skip

    graph.app_roles.discard("GroupMember.Read.All")
    with pytest.raises(GraphForbidden):
        await client.get("/groups/g-heads/members")


async def test_group_member_pages_keep_the_select(graph: GraphStandIn, client: GraphClient) -> None:
    for n in range(3):
        graph.add_user(f"u{n}", f"Person {n}", f"p{n}@example.org")
    graph.add_group("g-staff", ["u0", "u1", "u2"])

    pages = [
        p
        async for p in client.pages(
            "/groups/g-staff/members", params={"$select": "id", "$top": "2"}
        )
    ]

    assert pages == [
        [{"@odata.type": "#microsoft.graph.user", "id": "u0"},
         {"@odata.type": "#microsoft.graph.user", "id": "u1"}],
        [{"@odata.type": "#microsoft.graph.user", "id": "u2"}],
    ]  # fmt: skip
