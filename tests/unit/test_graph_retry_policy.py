"""The Graph client's pure parts: reading Retry-After, splitting batches, naming
operations without ids, the User-Agent, and permissions named in a 403."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from graph.client import (
    MAX_BATCH_REQUESTS,
    BatchRequest,
    _chunks,
    _missing_permissions,
    decorated_user_agent,
    operation_name,
    retry_after_seconds,
)

NOW = 1796292000.0  # Thu, 03 Dec 2026 10:00:00 GMT


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "5"}, 5.0),
        ({"Retry-After": "0.75"}, 0.75),
        ({"Retry-After": " 2.5 "}, 2.5),
        ({"Retry-After": "Thu, 03 Dec 2026 10:00:30 GMT"}, 30.0),
        ({"Retry-After": "Thu, 03 Dec 2026 09:59:00 GMT"}, 0.0),  # already past
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "2", "RateLimit-Reset": "9"}, 9.0),  # the larger of the two
        ({"Retry-After": "12", "RateLimit-Reset": "9"}, 12.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "nan"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(headers: dict[str, str], wait: float) -> None:
    assert retry_after_seconds(headers, NOW) == wait


def requests(count: int, **depends: list[str]) -> list[BatchRequest]:
    return [
        BatchRequest(f"r{n}", "GET", "/users/x", depends_on=depends.get(f"r{n}", []))
        for n in range(count)
    ]


def test_batches_hold_at_most_twenty_in_order() -> None:
    chunks = _chunks(requests(45))
    assert [len(c) for c in chunks] == [20, 20, 5]
    assert [r.id for c in chunks for r in c] == [f"r{n}" for n in range(45)]


def test_a_depends_on_chain_is_never_split_across_batches() -> None:
    chained = requests(25, r19=["r18"], r20=["r19"], r21=["r20"])
    chunks = _chunks(chained)
    where = {r.id: i for i, c in enumerate(chunks) for r in c}
    assert where["r18"] == where["r19"] == where["r20"] == where["r21"]
    assert all(len(c) <= MAX_BATCH_REQUESTS for c in chunks)


def test_a_chain_longer_than_a_batch_is_refused() -> None:
    chained = requests(21, **{f"r{n}": [f"r{n - 1}"] for n in range(1, 21)})
    with pytest.raises(ValueError, match="does not fit one batch"):
        _chunks(chained)


def test_operation_names_keep_the_resource_words_and_drop_ids_and_queries() -> None:
    assert (
        operation_name(
            "GET",
            "https://graph.microsoft.com/v1.0/users/pat.head@example.org/messages/AAMk=?$top=5",
        )
        == "GET /users/{id}/messages/{id}"
    )
    assert operation_name("POST", "$batch") == "POST /$batch"


def test_the_user_agent_is_decorated_as_sharepoint_asks() -> None:
    assert decorated_user_agent("Trust", "SafePremises", "1.2.0") == "ISV|Trust|SafePremises/1.2.0"
    assert decorated_user_agent("Trust", "App", "1", isv=False) == "NONISV|Trust|App/1"
    with pytest.raises(ValueError, match=r"no '\|'"):
        decorated_user_agent("A|B", "App", "1")


def test_the_permissions_required_are_named_not_those_held() -> None:
    message = (
        "Missing role permissions on the request. API requires one of 'Sites.ReadWrite.All', "
        "'Sites.Manage.All'. Roles on the request 'Sites.Selected'."
    )
    assert _missing_permissions(message) == ["Sites.ReadWrite.All", "Sites.Manage.All"]
    assert _missing_permissions("Access denied") == []


def test_graph_imports_no_botbuilder() -> None:
    graph = Path(__file__).resolve().parents[2] / "graph"
    imported = set()
    for module in graph.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert not imported & {"botbuilder", "botframework", "bot"}
