"""One contract per port, run against the shared fakes and the real adapters alike.

Whatever the application layer may rely on is written here once; a fake that promised more
or less than the real adapter would make the unit tests lie.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from casework.config import (
    Branding,
    HeadTitle,
    School,
    SchoolPerson,
    Trust,
    TrustConfig,
    TrustPerson,
)
from casework.ports import (
    Attachment,
    CaseStore,
    ConversationReference,
    Conversations,
    Directory,
    LetterDraft,
    LetterDrafts,
    NewEvent,
    Notification,
    Notifier,
    OpenDeadline,
    Person,
    Recipient,
    SentLetters,
    SentState,
    SentStatus,
    SequenceTaken,
    StoredEvent,
)
from local.config_directory import ConfigDirectory
from local.conversations import SqliteConversations
from local.file_drafts import FileLetterDrafts
from local.outbox import SqliteOutbox
from local.sqlite_store import Database, SqliteCaseStore
from rules.calendar import Region
from rules.roles import Role
from tests.fakes import (
    FixedClock,
    InMemoryCaseStore,
    InMemoryConversations,
    RecordingDrafts,
    RecordingNotifier,
    StaticDirectory,
    summary_for_test,
)
from tests.harness.outlook import outlook_drafts
from tests.harness.sharepoint import sharepoint_store

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
HEAD = "a1000000-0000-4000-8000-000000000001"

# --- CaseStore ----------------------------------------------------------------------------


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


def events(*kinds: str) -> list[NewEvent]:
    return [NewEvent(kind, {"n": i, "kind": kind}) for i, kind in enumerate(kinds, start=1)]


async def append(
    store: CaseStore,
    case_id: str,
    expected_seq: int,
    new: Sequence[NewEvent],
    command_id: str = "cmd-1",
    at: datetime = AT,
) -> Sequence[StoredEvent]:
    return await store.append(
        case_id,
        expected_seq,
        new,
        actor_id=HEAD,
        at=at,
        command_id=command_id,
        activity_id="activity-1",
    )


async def test_unknown_case_has_no_events(store: CaseStore) -> None:
    assert await store.load("no-such-case") == ()
    assert await store.events_for_command("no-such-case", "cmd") == ()
    assert await store.summary("no-such-case") is None


async def test_append_numbers_events_from_one_and_load_returns_them(store: CaseStore) -> None:
    stored = await append(store, "case-1", 0, events("incident_reported", "statement_added"))
    more = await append(store, "case-1", 2, events("risk_assessed"), command_id="cmd-2")

    loaded = await store.load("case-1")

    assert list(loaded) == [*stored, *more]
    assert [e.seq for e in loaded] == [1, 2, 3]
    assert [e.kind for e in loaded] == ["incident_reported", "statement_added", "risk_assessed"]
    first = loaded[0]
    assert first.case_id == "case-1"
    assert first.data == {"n": 1, "kind": "incident_reported"}
    assert first.actor_id == HEAD
    assert first.command_id == "cmd-1"
    assert first.activity_id == "activity-1"
    assert first.at == AT
    assert first.at.utcoffset() == timedelta(0)
    assert loaded[2].command_id == "cmd-2"


async def test_times_in_other_offsets_keep_their_instant(store: CaseStore) -> None:
    summer = datetime(2026, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))

    await append(store, "case-1", 0, events("incident_reported"), at=summer)

    (event,) = await store.load("case-1")
    assert event.at == summer
    assert event.at.utcoffset() is not None


async def test_data_round_trips_as_json(store: CaseStore) -> None:
    data = {
        "person": "Siân Ní Bhriain",
        "behaviours": ["shouting", "threats"],
        "witnesses": [{"name": "A. Witness", "statement": None}],
        "police_called": False,
        "count": 3,
    }

    await append(store, "case-1", 0, [NewEvent("incident_reported", data)])

    (event,) = await store.load("case-1")
    assert event.data == data


async def test_tuples_come_back_as_lists(store: CaseStore) -> None:
    await append(store, "case-1", 0, [NewEvent("incident_reported", {"days": ("mon", "tue")})])

    (event,) = await store.load("case-1")
    assert event.data == {"days": ["mon", "tue"]}


async def test_data_that_is_not_json_is_refused_and_nothing_is_written(store: CaseStore) -> None:
    batch = [NewEvent("incident_reported", {"ok": 1}), NewEvent("bad", {"when": date(2026, 1, 5)})]

    with pytest.raises(TypeError):
        await append(store, "case-1", 0, batch)

    assert await store.load("case-1") == ()
    await append(store, "case-1", 0, events("incident_reported"))
    assert [e.seq for e in await store.load("case-1")] == [1]


async def test_a_stale_expected_seq_is_refused_and_changes_nothing(store: CaseStore) -> None:
    await append(store, "case-1", 0, events("incident_reported", "statement_added"))

    with pytest.raises(SequenceTaken) as refused:
        await append(store, "case-1", 1, events("risk_assessed"), command_id="cmd-2")

    assert refused.value.case_id == "case-1"
    assert refused.value.seq == 2
    assert [e.kind for e in await store.load("case-1")] == ["incident_reported", "statement_added"]


async def test_an_expected_seq_beyond_the_history_is_refused(store: CaseStore) -> None:
    await append(store, "case-1", 0, events("incident_reported"))

    with pytest.raises(SequenceTaken):
        await append(store, "case-1", 3, events("risk_assessed"), command_id="cmd-2")

    assert [e.seq for e in await store.load("case-1")] == [1]


async def test_of_two_concurrent_appends_exactly_one_wins(store: CaseStore) -> None:
    await append(store, "case-1", 0, events("incident_reported"))

    results = await asyncio.gather(
        append(store, "case-1", 1, events("chair_confirmed"), command_id="chair"),
        append(store, "case-1", 1, events("chair_overturned", "x"), command_id="head"),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, SequenceTaken)]
    assert len(refused) == 1
    loaded = await store.load("case-1")
    (winner,) = [r for r in results if not isinstance(r, BaseException)]
    assert list(loaded[1:]) == list(winner)


async def test_cases_are_independent(store: CaseStore) -> None:
    await append(store, "case-1", 0, events("incident_reported"))
    await append(store, "case-2", 0, events("incident_reported", "statement_added"))

    assert [e.seq for e in await store.load("case-1")] == [1]
    assert [e.case_id for e in await store.load("case-2")] == ["case-2", "case-2"]


async def test_events_for_command_returns_only_that_commands_events(store: CaseStore) -> None:
    await append(store, "case-1", 0, events("incident_reported"), command_id="report")
    await append(store, "case-1", 1, events("a", "b"), command_id="assess")
    await append(store, "case-2", 0, events("incident_reported"), command_id="assess")

    found = await store.events_for_command("case-1", "assess")

    assert [(e.case_id, e.seq, e.kind) for e in found] == [("case-1", 2, "a"), ("case-1", 3, "b")]
    assert await store.events_for_command("case-1", "never-ran") == ()


async def test_references_count_up_per_prefix_and_year(store: CaseStore) -> None:
    first = await store.allocate_reference("OAK", 2026)
    second = await store.allocate_reference("OAK", 2026)
    other_school = await store.allocate_reference("RIV", 2026)
    next_year = await store.allocate_reference("OAK", 2027)

    assert (first, second, other_school, next_year) == (
        "OAK-2026-0001",
        "OAK-2026-0002",
        "RIV-2026-0001",
        "OAK-2027-0001",
    )


async def test_concurrent_reference_allocations_never_repeat(store: CaseStore) -> None:
    refs = await asyncio.gather(*(store.allocate_reference("OAK", 2026) for _ in range(20)))

    assert sorted(refs) == [f"OAK-2026-{n:04d}" for n in range(1, 21)]


def deadline(
    case_id: str, due: date, action: str = "decide", school: str = "oakfield"
) -> OpenDeadline:
    return OpenDeadline(case_id=case_id, school_id=school, role=Role.CHAIR, action=action, due=due)


async def test_summary_is_saved_and_replaced(store: CaseStore) -> None:
    first = summary_for_test("case-0001", next_deadline=date(2026, 12, 8))
    await store.save_summary(first, [])
    assert await store.summary("case-0001") == first

    later = replace(
        first,
        status="provisional_ban",
        next_action="chair to confirm or overturn",
        review_date=date(2027, 5, 24),
        updated_at=AT,
    )
    await store.save_summary(later, [])

    assert await store.summary("case-0001") == later


async def test_cases_at_lists_one_schools_cases_by_reference(store: CaseStore) -> None:
    await store.save_summary(summary_for_test("case-0002"), [])
    await store.save_summary(summary_for_test("case-0001"), [])
    await store.save_summary(summary_for_test("case-0003", school_id="riverside"), [])

    at_oakfield = await store.cases_at("oakfield")

    assert [s.reference for s in at_oakfield] == ["OAK-2026-0001", "OAK-2026-0002"]
    assert [s.case_id for s in await store.cases_at("riverside")] == ["case-0003"]
    assert await store.cases_at("nowhere") == ()


async def test_due_by_lists_open_deadlines_up_to_the_day_soonest_first(store: CaseStore) -> None:
    await store.save_summary(
        summary_for_test("case-0001"),
        [deadline("case-0001", date(2026, 12, 8)), deadline("case-0001", date(2027, 1, 20))],
    )
    await store.save_summary(
        summary_for_test("case-0002", school_id="riverside"),
        [
            deadline("case-0002", date(2026, 12, 1), "review", "riverside"),
            deadline("case-0002", date(2026, 12, 8), "decide", "riverside"),
        ],
    )

    due = await store.due_by(date(2026, 12, 8))

    assert [(d.due, d.case_id, d.action) for d in due] == [
        (date(2026, 12, 1), "case-0002", "review"),
        (date(2026, 12, 8), "case-0001", "decide"),
        (date(2026, 12, 8), "case-0002", "decide"),
    ]
    assert due[0] == deadline("case-0002", date(2026, 12, 1), "review", "riverside")
    assert await store.due_by(date(2026, 11, 30)) == ()


async def test_saving_a_summary_replaces_its_open_deadlines(store: CaseStore) -> None:
    summary = summary_for_test("case-0001")
    await store.save_summary(summary, [deadline("case-0001", date(2026, 12, 8))])
    await store.save_summary(summary, [deadline("case-0001", date(2026, 12, 22), "review")])

    due = await store.due_by(date(2027, 1, 1))

    assert [(d.due, d.action) for d in due] == [(date(2026, 12, 22), "review")]

    await store.save_summary(summary, [])
    assert await store.due_by(date(2027, 1, 1)) == ()


async def test_a_sweeper_wake_up_date_has_no_role(store: CaseStore) -> None:
    wake_up = OpenDeadline(
        case_id="case-0001",
        school_id="oakfield",
        role=None,
        action="close-representation-window",
        due=date(2026, 12, 9),
    )
    await store.save_summary(summary_for_test("case-0001"), [wake_up])

    assert await store.due_by(date(2026, 12, 9)) == (wake_up,)


# --- LetterDrafts -------------------------------------------------------------------------


@dataclass
class DraftsUnderTest:
    drafts: LetterDrafts
    count: Callable[[], int]  # how many drafts exist


@pytest.fixture(params=["recording fake", "files", "outlook"])
async def drafts(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DraftsUnderTest]:
    if request.param == "files":
        folder = tmp_path / "letters"
        files = FileLetterDrafts(folder, clock=FixedClock(AT))
        yield DraftsUnderTest(files, lambda: len(list(folder.rglob("*.eml"))))
        return
    if request.param == "outlook":
        async with outlook_drafts() as (outlook, graph):
            mailbox = graph.add_user(HEAD, "Rachel Okafor", "r.okafor@oakfield.example")
            yield DraftsUnderTest(outlook, lambda: len(mailbox.messages))
        return
    fake = RecordingDrafts()
    yield DraftsUnderTest(fake, lambda: len(fake.drafts))


def letter(key: str = "case-1/letter-1/1", **changes: object) -> LetterDraft:
    base = LetterDraft(
        key=key,
        case_id="case-1",
        case_reference="OAK-2026-0001",
        letter="letter-1",
        signer=Person(HEAD, "Rachel Okafor", "r.okafor@oakfield.example"),
        to=Recipient("Jordan Example", "jordan@parent.example"),
        cc=(),
        subject="Your conduct at Oakfield Primary Academy",
        html="<p>Dear Jordan Example</p>",
        text="Dear Jordan Example",
        attachments=(Attachment("letter.txt", "text/plain", b"letter"),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_a_draft_is_created_and_a_reference_returned(drafts: DraftsUnderTest) -> None:
    reference = await drafts.drafts.create_draft(letter())

    assert isinstance(reference, str)
    assert reference
    assert drafts.count() == 1


async def test_drafting_the_same_key_twice_yields_one_draft(drafts: DraftsUnderTest) -> None:
    first = await drafts.drafts.create_draft(letter())
    again = await drafts.drafts.create_draft(letter(subject="Changed"))

    assert again == first
    assert drafts.count() == 1


async def test_different_keys_give_different_drafts(drafts: DraftsUnderTest) -> None:
    first = await drafts.drafts.create_draft(letter("case-1/letter-1/1"))
    second = await drafts.drafts.create_draft(letter("case-1/letter-1/2"))

    assert first != second
    assert drafts.count() == 2


async def test_concurrent_drafts_of_one_key_yield_one_draft(drafts: DraftsUnderTest) -> None:
    references = await asyncio.gather(*(drafts.drafts.create_draft(letter()) for _ in range(8)))

    assert len(set(references)) == 1
    assert drafts.count() == 1


async def test_a_draft_is_never_read_back_as_sent_before_it_is(drafts: DraftsUnderTest) -> None:
    reader = drafts.drafts
    if not isinstance(reader, SentLetters):
        pytest.skip("these drafts have no read-back (the port is optional)")
    draft = letter()
    before = await reader.sent_state(draft.signer, draft.key)
    await drafts.drafts.create_draft(draft)
    after = await reader.sent_state(draft.signer, draft.key)

    assert before.status is not SentStatus.SENT
    assert after.status in (SentStatus.DRAFT, SentStatus.UNKNOWN)
    assert after.sent_at is None


async def test_the_files_cannot_tell_whether_a_letter_was_sent(tmp_path: Path) -> None:
    files = FileLetterDrafts(tmp_path, clock=FixedClock(AT))
    await files.create_draft(letter())

    state = await files.sent_state(letter().signer, letter().key)
    assert state == SentState(SentStatus.UNKNOWN)


# --- Notifier -----------------------------------------------------------------------------


Queued = Callable[[], Awaitable[list[Notification]]]  # what the notifier has kept, in order


@pytest.fixture(params=["recording fake", "sqlite outbox"])
async def notifier(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Notifier, Queued]]:
    if request.param == "sqlite outbox":
        outbox = SqliteOutbox.open(tmp_path / "cases.sqlite3", clock=FixedClock(AT))

        async def queued_in_outbox() -> list[Notification]:
            return list(await outbox.pending())

        yield outbox, queued_in_outbox
        outbox.close()
    else:
        fake = RecordingNotifier()

        async def queued_in_fake() -> list[Notification]:
            return list(fake.sent.values())

        yield fake, queued_in_fake


def notification(key: str = "case-1/chair-decision", **changes: object) -> Notification:
    base = Notification(
        key=key,
        case_id="case-1",
        school_id="oakfield",
        recipients=("a1000000-0000-4000-8000-000000000004",),
        channel=None,
        title="A decision is needed",
        text="OAK-2026-0001: confirm or overturn the provisional ban.",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_a_notification_is_kept_as_given(notifier: tuple[Notifier, Queued]) -> None:
    port, queued = notifier
    sent = notification(channel="LAC clerks", recipients=())

    await port.notify(sent)

    assert await queued() == [sent]


async def test_the_same_key_is_kept_once(notifier: tuple[Notifier, Queued]) -> None:
    port, queued = notifier

    await port.notify(notification())
    await port.notify(notification(text="a second attempt"))
    await asyncio.gather(*(port.notify(notification()) for _ in range(5)))
    await port.notify(notification("case-1/other"))

    kept = await queued()
    assert [n.key for n in kept] == ["case-1/chair-decision", "case-1/other"]
    assert kept[0] == notification()


# --- Directory ----------------------------------------------------------------------------

PEOPLE = {
    "head": Person("a1000000-0000-4000-8000-000000000001", "Rachel Okafor", "r@oakfield.example"),
    "staff": Person("a1000000-0000-4000-8000-000000000003", "Priya Shah", "p@oakfield.example"),
    "chair": Person("a1000000-0000-4000-8000-000000000004", "Graham Whitlock", "g@ov.example"),
    "clerk": Person("a1000000-0000-4000-8000-000000000005", "Siân Ní Bhriain", "c@ov.example"),
    "principal": Person("a1000000-0000-4000-8000-000000000011", "Owain P", "o@rs.example"),
    "rchair": Person("a1000000-0000-4000-8000-000000000014", "Catrin Evans", "ce@ov.example"),
    "trustee": Person("a1000000-0000-4000-8000-000000000021", "Margaret E", "m@ov.example"),
}
SCHOOL_ROLES = {
    "oakfield": {
        "head": {Role.HEAD},
        "staff": {Role.STAFF},
        "chair": {Role.CHAIR},
        "clerk": {Role.CLERK},
    },
    "riverside": {
        "principal": {Role.HEAD, Role.STAFF},
        "rchair": {Role.CHAIR},
        "clerk": {Role.CLERK},
    },
}


def static_directory() -> StaticDirectory:
    roles: dict[tuple[str, str], set[Role]] = {}
    for school, holders in SCHOOL_ROLES.items():
        for who, held in holders.items():
            roles[(PEOPLE[who].object_id, school)] = set(held)
        roles[(PEOPLE["trustee"].object_id, school)] = {Role.TRUST}
    return StaticDirectory(PEOPLE.values(), roles)


def config_directory(tmp_path: Path) -> ConfigDirectory:
    schools = tuple(
        School(
            id=school,
            reference_prefix=school[:3].upper(),
            name=school.title(),
            address=("1 Road", "OV1 2AB"),
            email=f"office@{school}.example",
            phone="01632 960000",
            region=Region.ENGLAND,
            term_dates_file=None,
            term_dates=None,
            head_title=HeadTitle.HEADTEACHER,
            clerks_channel=None,
            people=tuple(
                SchoolPerson(
                    PEOPLE[who].object_id, PEOPLE[who].name, PEOPLE[who].email, frozenset(r)
                )
                for who, r in holders.items()
            ),
        )
        for school, holders in SCHOOL_ROLES.items()
    )
    trustee = PEOPLE["trustee"]
    trust = Trust(
        name="Trust",
        registered_name="Trust Ltd",
        company_number="01234567",
        registered_office=("1 Road", "OV1 2AB"),
        website=None,
        policy_last_reviewed=date(2024, 1, 30),
        branding=Branding(tmp_path / "logo.png", "#1F4E79", "#C9A227"),
        people=(TrustPerson(trustee.object_id, trustee.name, trustee.email, "Chair of Trustees"),),
    )
    config = TrustConfig(
        source=tmp_path / "trust.yaml",
        tenant_id="5f3c9a2e-8d41-4b6a-9c0e-2a7d1e4b6f10",
        trust=trust,
        schools=schools,
        letters_override_folder=None,
    )
    return ConfigDirectory(config)


@pytest.fixture(params=["static fake", "configuration"])
def directory(request: pytest.FixtureRequest, tmp_path: Path) -> Directory:
    return config_directory(tmp_path) if request.param == "configuration" else static_directory()


def test_roles_are_per_school(directory: Directory) -> None:
    clerk = PEOPLE["clerk"].object_id
    principal = PEOPLE["principal"].object_id

    assert directory.roles_of(PEOPLE["head"].object_id, "oakfield") == {Role.HEAD}
    assert directory.roles_of(PEOPLE["head"].object_id, "riverside") == frozenset()
    assert directory.roles_of(principal, "riverside") == {Role.HEAD, Role.STAFF}
    assert directory.roles_of(clerk, "oakfield") == directory.roles_of(clerk, "riverside")
    assert directory.roles_of("a1000000-0000-4000-8000-0000000000ff", "oakfield") == frozenset()
    assert directory.roles_of(clerk, "no-such-school") == frozenset()


def test_schools_of_lists_every_school_where_someone_holds_a_role(directory: Directory) -> None:
    assert list(directory.schools_of(PEOPLE["clerk"].object_id)) == ["oakfield", "riverside"]
    assert list(directory.schools_of(PEOPLE["staff"].object_id)) == ["oakfield"]
    assert list(directory.schools_of("a1000000-0000-4000-8000-0000000000ff")) == []


def test_holders_lists_the_people_holding_a_role_at_a_school(directory: Directory) -> None:
    assert list(directory.holders("oakfield", Role.HEAD)) == [PEOPLE["head"]]
    assert list(directory.holders("riverside", Role.STAFF)) == [PEOPLE["principal"]]
    assert list(directory.holders("riverside", Role.SENIOR)) == []
    assert list(directory.holders("no-such-school", Role.HEAD)) == []


def test_trust_governance_holds_the_trust_role_at_every_school(directory: Directory) -> None:
    trustee = PEOPLE["trustee"]

    for school in ("oakfield", "riverside"):
        assert list(directory.holders(school, Role.TRUST)) == [trustee]
        assert directory.roles_of(trustee.object_id, school) == {Role.TRUST}
    assert list(directory.schools_of(trustee.object_id)) == ["oakfield", "riverside"]


def test_person_finds_people_by_object_id(directory: Directory) -> None:
    assert directory.person(PEOPLE["clerk"].object_id) == PEOPLE["clerk"]
    assert directory.person(PEOPLE["trustee"].object_id) == PEOPLE["trustee"]
    assert directory.person("a1000000-0000-4000-8000-0000000000ff") is None


# --- the catch-up's parts of the CaseStore ---------------------------------------------------


async def test_one_reporting_command_spends_one_reference(store: CaseStore) -> None:
    pressed = await asyncio.gather(
        *(store.allocate_reference("OAK", 2026, "cmd-report") for _ in range(50))
    )
    other = await store.allocate_reference("OAK", 2026, "cmd-other")

    assert set(pressed) == {"OAK-2026-0001"}
    assert other == "OAK-2026-0002"
    assert await store.allocate_reference("OAK", 2026, "cmd-report") == "OAK-2026-0001"


async def test_changes_since_lists_appended_events_in_global_order(store: CaseStore) -> None:
    await append(store, "case-1", 0, events("a", "b"))
    await append(store, "case-2", 0, events("a"), command_id="cmd-2")
    await append(store, "case-1", 2, events("c"), command_id="cmd-3")

    everything = await store.changes_since(0, 100)

    assert [(case, seq) for _, case, seq in everything] == [
        ("case-1", 1),
        ("case-1", 2),
        ("case-2", 1),
        ("case-1", 3),
    ]
    positions = [p for p, _, _ in everything]
    assert positions == sorted(positions)
    assert len(set(positions)) == 4
    assert await store.changes_since(positions[1], 2) == tuple(everything[2:4])
    assert await store.changes_since(positions[-1], 100) == ()


async def test_a_checkpoint_starts_at_zero_and_never_moves_back(store: CaseStore) -> None:
    assert await store.checkpoint("projection") == 0
    await store.advance_checkpoint("projection", 7)
    await store.advance_checkpoint("projection", 3)  # a slower instance, behind
    await store.advance_checkpoint("other", 1)

    assert await store.checkpoint("projection") == 7
    assert await store.checkpoint("other") == 1


async def test_a_summary_never_replaces_one_reflecting_more_events(store: CaseStore) -> None:
    newer = replace(summary_for_test("case-0001"), status="ban-provisional", projected_seq=9)
    await store.save_summary(newer, [deadline("case-0001", date(2026, 12, 8))])
    older = replace(newer, status="open", projected_seq=5)
    await store.save_summary(older, [])

    assert await store.summary("case-0001") == newer
    assert [d.case_id for d in await store.due_by(date(2026, 12, 31))] == ["case-0001"]

    same = replace(newer, next_action="chair to decide")
    await store.save_summary(same, [])  # the same events, projected again: replaced
    assert await store.summary("case-0001") == same


# --- Conversations ---------------------------------------------------------------------------


@pytest.fixture(params=["in-memory fake", "sqlite"])
async def conversations(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Conversations]:
    if request.param == "sqlite":
        database = Database.open(tmp_path / "cases.sqlite3")
        yield SqliteConversations(database)
        database.close()
    else:
        yield InMemoryConversations()


def reference(address: str = f"user:{HEAD}", **changes: object) -> ConversationReference:
    base = ConversationReference(
        address=address,
        service_url="https://smba.trafficmanager.net/uk/",
        conversation_id=f"a:personal-chat-{HEAD}",
        tenant_id="tenant-1",
        bot_id="28:bot",
        updated_at=AT,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_a_reference_is_kept_as_given_and_replaced_by_the_next(
    conversations: Conversations,
) -> None:
    assert await conversations.reference(f"user:{HEAD}") is None
    await conversations.remember(reference())
    assert await conversations.reference(f"user:{HEAD}") == reference()
    moved = reference(
        service_url="https://smba.trafficmanager.net/emea/", updated_at=AT + timedelta(hours=1)
    )
    await conversations.remember(moved)
    assert await conversations.reference(f"user:{HEAD}") == moved  # serviceUrl can change


async def test_known_lists_the_addresses_with_a_reference(conversations: Conversations) -> None:
    await conversations.remember(reference())
    assert await conversations.known([f"user:{HEAD}", "user:nobody"]) == {f"user:{HEAD}"}
    assert await conversations.known([]) == frozenset()


async def test_a_channel_is_found_by_its_name_most_recent_first(
    conversations: Conversations,
) -> None:
    await conversations.remember(
        reference("channel:19:a", channel_name="Clerks", conversation_id="19:a")
    )
    later = reference(
        "channel:19:b",
        channel_name="Clerks",
        conversation_id="19:b",
        updated_at=AT + timedelta(days=1),
    )
    await conversations.remember(later)
    assert await conversations.reference_by_channel_name("Clerks") == later
    assert await conversations.reference_by_channel_name("Other") is None


async def test_a_reference_without_its_time_is_refused(conversations: Conversations) -> None:
    with pytest.raises(ValueError, match="time"):
        await conversations.remember(reference(updated_at=None))
    assert await conversations.reference(f"user:{HEAD}") is None
