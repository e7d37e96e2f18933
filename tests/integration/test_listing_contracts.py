"""The listings' reads (`CaseStore.cases_page`, `open_prompts`, `due_by` in batches,
`case_by_reference`, `reception_list`) keep the same promises on SQLite, on the fake and on
SharePoint (the Graph stand-in): a page in reference order, only the cases the viewer may
list, the soonest prompts first, reception's lines in force by name."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from casework.ports import CaseStore, CaseSummary, OpenDeadline, OpenPrompt, ReceptionEntry
from local.sqlite_store import SqliteCaseStore
from rules.roles import Role
from tests.fakes import InMemoryCaseStore, summary_for_test
from tests.harness.sharepoint import sharepoint_store


@pytest.fixture(params=["in-memory fake", "sqlite", "sharepoint", "sharepoint without $batch"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[CaseStore]:
    if request.param == "sqlite":
        sqlite = SqliteCaseStore.open(tmp_path / "cases.sqlite3")
        yield sqlite
        sqlite.close()
    elif request.param.startswith("sharepoint"):
        batching = request.param == "sharepoint"
        async with sharepoint_store(batching=batching) as (sharepoint, _):
            yield sharepoint
    else:
        yield InMemoryCaseStore()


def prompt(case_id: str, role: Role, due: date | None, **changes: object) -> OpenPrompt:
    base = OpenPrompt(
        case_id=case_id,
        school_id="oakfield",
        reference=f"OAK-2026-{case_id[-4:]:0>4}",
        role=role,
        action="send-letter",
        text="Send letter 4 and record the date it was sent.",
        due=due,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_a_page_of_every_case_in_reference_order(store: CaseStore) -> None:
    for n in (3, 1, 2, 4):
        await store.save_summary(summary_for_test(f"case-{n:04d}"), [])

    first = await store.cases_page("oakfield", limit=2)
    rest = await store.cases_page("oakfield", after=first[-1].reference, limit=10)

    assert [s.case_id for s in first] == ["case-0001", "case-0002"]
    assert [s.case_id for s in rest] == ["case-0003", "case-0004"]
    assert await store.cases_page("riverside", limit=10) == ()


async def test_a_page_of_the_cases_a_role_sees_or_a_person_reported(store: CaseStore) -> None:
    await store.save_summary(summary_for_test("case-0001"), [])
    await store.save_summary(summary_for_test("case-0002", seen_by=frozenset({Role.CHAIR})), [])
    await store.save_summary(summary_for_test("case-0003", reported_by=("staff-1",)), [])
    await store.save_summary(
        summary_for_test("case-0004", seen_by=frozenset({Role.CHAIR, Role.CLERK})), []
    )

    chair = await store.cases_page("oakfield", roles=frozenset({Role.CHAIR}), limit=10)
    staff = await store.cases_page(
        "oakfield", roles=frozenset({Role.STAFF}), reported_by="staff-1", limit=10
    )
    both = await store.cases_page(
        "oakfield", roles=frozenset({Role.CHAIR, Role.CLERK}), reported_by="staff-1", limit=2
    )

    assert [s.case_id for s in chair] == ["case-0002", "case-0004"]
    assert chair[1].seen_by == frozenset({Role.CHAIR, Role.CLERK})
    assert [s.case_id for s in staff] == ["case-0003"]
    assert staff[0].reported_by == ("staff-1",)
    assert [s.case_id for s in both] == ["case-0002", "case-0003"]


async def test_a_summary_comes_back_with_its_prompts(store: CaseStore) -> None:
    kept = (
        prompt("case-0001", Role.HEAD, date(2026, 12, 1), warning="Counted in working days"),
        prompt("case-0001", Role.CLERK, None, due_on_the_day=True, action="reschedule-review"),
        prompt("case-0001", Role.HEAD, None, letter_id=None, incident_no=1),
    )
    summary = summary_for_test("case-0001", prompts=kept)
    await store.save_summary(summary, [])

    assert await store.summary("case-0001") == summary
    assert await store.cases_page("oakfield", limit=5) == (summary,)


async def test_open_prompts_are_the_soonest_for_the_role_and_those_due_on_the_day(
    store: CaseStore,
) -> None:
    dues = {1: date(2026, 12, 3), 2: None, 3: date(2026, 12, 1), 4: date(2026, 12, 2)}
    for n, due in dues.items():
        kept = (prompt(f"case-{n:04d}", Role.HEAD, due), prompt(f"case-{n:04d}", Role.CHAIR, due))
        await store.save_summary(summary_for_test(f"case-{n:04d}", prompts=kept), [])
    on_the_day = prompt("case-0005", Role.HEAD, None, due_on_the_day=True)
    await store.save_summary(summary_for_test("case-0005", prompts=(on_the_day,)), [])

    head = await store.open_prompts("oakfield", Role.HEAD, limit=3)

    assert [(p.case_id, p.role) for p in head][:3] == [
        ("case-0003", Role.HEAD),
        ("case-0004", Role.HEAD),
        ("case-0001", Role.HEAD),
    ]
    assert set(head[3:]) == {on_the_day}
    assert [p.case_id for p in await store.open_prompts("oakfield", Role.CHAIR, limit=10)] == [
        "case-0003",
        "case-0004",
        "case-0001",
        "case-0002",
    ]
    assert await store.open_prompts("riverside", Role.HEAD, limit=10) == ()


async def test_a_new_projection_replaces_the_prompts_and_sightings(store: CaseStore) -> None:
    first = summary_for_test(
        "case-0001",
        seen_by=frozenset({Role.CHAIR}),
        prompts=(prompt("case-0001", Role.CHAIR, date(2026, 12, 1)),),
    )
    await store.save_summary(first, [])
    await store.save_summary(replace(first, projected_seq=2, seen_by=frozenset(), prompts=()), [])

    assert await store.cases_page("oakfield", roles=frozenset({Role.CHAIR}), limit=10) == ()
    assert await store.open_prompts("oakfield", Role.CHAIR, limit=10) == ()


async def test_due_by_reads_a_batch_at_a_time_after_a_row(store: CaseStore) -> None:
    for n in range(1, 6):
        case_id = f"case-{n:04d}"
        rows = [
            OpenDeadline(case_id, "oakfield", None, "send-reminders", date(2026, 12, n)),
            OpenDeadline(case_id, "oakfield", Role.HEAD, "send-letter", date(2026, 12, n)),
        ]
        await store.save_summary(summary_for_test(case_id), rows)
    everything = await store.due_by(date(2026, 12, 4))

    batches: list[OpenDeadline] = []
    after: OpenDeadline | None = None
    while batch := await store.due_by(date(2026, 12, 4), after=after, limit=3):
        batches += batch
        after = batch[-1]

    assert len(everything) == 8
    assert tuple(batches) == tuple(everything)


async def test_due_by_for_the_sweeper_reads_only_its_own_rows_in_batches(
    store: CaseStore,
) -> None:
    for n in range(1, 6):
        case_id = f"case-{n:04d}"
        rows = [OpenDeadline(case_id, "oakfield", Role.HEAD, "send-letter", date(2026, 12, n))]
        if n % 2:
            rows.append(
                OpenDeadline(case_id, "oakfield", None, "send-reminders", date(2026, 12, n))
            )
        await store.save_summary(summary_for_test(case_id), rows)

    batches: list[OpenDeadline] = []
    after: OpenDeadline | None = None
    while batch := await store.due_by(date(2026, 12, 5), after=after, limit=2, sweeper_only=True):
        assert len(batch) <= 2
        batches += batch
        after = batch[-1]

    everything = await store.due_by(date(2026, 12, 5))
    assert tuple(batches) == tuple(d for d in everything if d.role is None)
    assert [d.case_id for d in batches] == ["case-0001", "case-0003", "case-0005"]


async def test_a_case_is_found_by_its_reference(store: CaseStore) -> None:
    await store.save_summary(summary_for_test("case-0001"), [])
    await store.save_summary(summary_for_test("case-0002", school_id="riverside"), [])

    found = await store.case_by_reference("OAK-2026-0002")

    assert found is not None
    assert (found.case_id, found.school_id) == ("case-0002", "riverside")
    assert await store.case_by_reference("OAK-2026-0009") is None


def on_the_list(
    case_id: str,
    name: str,
    until: date | None = None,
    *,
    banned: bool = True,
    must_not: tuple[str, ...] = ("Enter the premises",),
    **changes: object,
) -> CaseSummary:
    entry = ReceptionEntry(case_id, "oakfield", name, banned, must_not, until)
    return replace(summary_for_test(case_id, reception=entry), **changes)  # type: ignore[arg-type]


async def test_reception_list_is_the_schools_lines_in_force_by_name(store: CaseStore) -> None:
    await store.save_summary(on_the_list("case-0001", "Sam Example"), [])
    await store.save_summary(
        on_the_list("case-0002", "Alex Sample", banned=False, must_not=("Come unaccompanied",)),
        [],
    )
    await store.save_summary(on_the_list("case-0003", "Ended Ban", until=date(2026, 3, 20)), [])
    await store.save_summary(on_the_list("case-0004", "Other School", school_id="riverside"), [])
    await store.save_summary(summary_for_test("case-0005"), [])

    listed = await store.reception_list("oakfield", on=date(2026, 3, 21), limit=10)
    on_its_last_day = await store.reception_list("oakfield", on=date(2026, 3, 20), limit=10)

    assert [(e.person_name, e.banned, e.must_not) for e in listed] == [
        ("Alex Sample", False, ("Come unaccompanied",)),
        ("Sam Example", True, ("Enter the premises",)),
    ]
    assert [e.person_name for e in on_its_last_day] == ["Alex Sample", "Ended Ban", "Sam Example"]
    assert on_its_last_day[1].until == date(2026, 3, 20)
    assert len(await store.reception_list("oakfield", on=date(2026, 3, 21), limit=1)) == 1


async def test_a_line_taken_off_reception_list_by_a_newer_projection_stays_off(
    store: CaseStore,
) -> None:
    await store.save_summary(on_the_list("case-0001", "Sam Example", projected_seq=3), [])
    await store.save_summary(summary_for_test("case-0001", projected_seq=5), [])
    # A slow writer of the older projection comes last: the row and the list stay as they are.
    await store.save_summary(on_the_list("case-0001", "Sam Example", projected_seq=3), [])

    assert await store.reception_list("oakfield", on=date(2026, 3, 21), limit=10) == ()
    row = await store.case_by_reference("OAK-2026-0001")
    assert row is not None
    assert row.projected_seq == 5
