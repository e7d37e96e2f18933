"""The pipeline's less-travelled paths on the fakes: what the user is told when it cannot
record, what the sweeper acts as, the schools' local date, the case list that could not be
updated, and the log lines that let an operator follow a command (case references and
command ids only)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from casework import bus as uc
from casework.actor import SYSTEM, Actor
from casework.bootstrap import embedded, prepare
from casework.effects import EffectFailure
from casework.history import Folded
from casework.pipeline import MAX_APPEND_ATTEMPTS, Casework, CommandIdTaken, UnknownUser
from casework.ports import (
    CaseSummary,
    NewEvent,
    OpenDeadline,
    Person,
    ReferenceClaim,
    SequenceTaken,
    StoredEvent,
    StoreUnavailable,
)
from local.config_directory import ConfigDirectory
from local.outbox import SqliteOutbox
from local.sqlite_store import SqliteCaseStore
from rules.decide import SYSTEM_ACTOR
from rules.errors import CaseNotFound, InvalidDetails
from rules.roles import Role
from rules.state import CaseState
from rules.steps.letters import RecordLetterDrafted
from rules.steps.risk_assessment import AssessRisk
from rules.steps.warning import ClarifyExpectations
from tests.builders import assessment, at
from tests.casework_world import (
    EXAMPLE_CONFIG,
    HEAD,
    SENIOR,
    STAFF,
    STRANGER,
    FakeWorld,
    example_config,
    fake_world,
    report_violent_incident,
)
from tests.fakes import FixedClock, InMemoryCaseStore

MONDAY = date(2026, 1, 12)


async def report(world: FakeWorld, actor: Actor = STAFF, command_id: str = "cmd-report") -> str:
    return (await report_violent_incident(world.casework, MONDAY, actor, command_id)).case_id


def assess(command_id: str = "cmd-assess") -> AssessRisk:
    return AssessRisk(command_id=command_id, incident_no=1, assessment=assessment())


class AlwaysTaken(InMemoryCaseStore):
    """Another writer always got there first: every append after the first case's meets a
    taken sequence number."""

    def __init__(self) -> None:
        super().__init__()
        self.racing = False
        self.attempts = 0

    async def append(
        self,
        case_id: str,
        expected_seq: int,
        events: Sequence[NewEvent],
        *,
        actor_id: str,
        at: datetime,
        command_id: str,
        activity_id: str | None,
    ) -> Sequence[StoredEvent]:
        if self.racing:
            self.attempts += 1
            raise SequenceTaken(case_id, expected_seq + 1)
        return await super().append(
            case_id,
            expected_seq,
            events,
            actor_id=actor_id,
            at=at,
            command_id=command_id,
            activity_id=activity_id,
        )


class ListDown(InMemoryCaseStore):
    """The case list cannot be written; the events can."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def save_summary(self, summary: CaseSummary, deadlines: Sequence[OpenDeadline]) -> None:
        if self.down:
            raise StoreUnavailable("the case list timed out")
        await super().save_summary(summary, deadlines)


async def test_an_unknown_user_is_told_in_full_why_nothing_was_recorded() -> None:
    world = fake_world(at(MONDAY, 9))

    with pytest.raises(UnknownUser) as refused:
        await report(world, STRANGER)

    assert refused.value.message == (
        "Safe Premises does not know you yet: your account is not in the trust's list of "
        "staff and governors, so nothing was recorded. Ask your headteacher or the trust's "
        "administrator to add you."
    )
    assert refused.value.title == "Not allowed for your role"


class NoEntryFor(ConfigDirectory):
    """The configured roles, but no directory entry (name, email) for one person, as when
    Entra ID has not returned them yet."""

    def __init__(self, missing: Actor) -> None:
        super().__init__(example_config())
        self.missing = missing.object_id

    def person(self, object_id: str) -> Person | None:
        return None if object_id == self.missing else super().person(object_id)


async def test_someone_with_roles_but_no_directory_entry_is_still_known() -> None:
    # Known means in the directory or holding a role at a school: either is enough.
    world = fake_world(at(MONDAY, 9), directory=NoEntryFor(STAFF))

    case_id = await report(world, STAFF)

    _, view = await world.casework.load(case_id)
    assert view is not None
    assert view.state is CaseState.OPEN


async def test_a_school_not_in_the_configuration_is_refused_by_its_id() -> None:
    world = fake_world(at(MONDAY, 9))

    with pytest.raises(InvalidDetails) as refused:
        world.casework.calendar("nowhere")

    assert refused.value.message == "There is no school “nowhere” in the trust's configuration."


async def test_a_step_on_a_case_that_was_never_opened_is_refused() -> None:
    world = fake_world(at(MONDAY, 9))

    with pytest.raises(CaseNotFound):
        await uc.dispatch(world.casework, assess(), HEAD, case_id="no-such-case")
    with pytest.raises(CaseNotFound):
        await world.casework.complete_effects("no-such-case")


async def test_a_case_that_keeps_changing_is_refused_after_five_tries_and_nothing_is_saved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="casework.pipeline")
    store = AlwaysTaken()
    world = fake_world(at(MONDAY, 9), store)
    case_id = await report(world)
    before = await store.load(case_id)
    store.racing = True

    with pytest.raises(StoreUnavailable) as refused:
        await uc.dispatch(world.casework, assess(), HEAD, case_id=case_id)

    assert str(refused.value) == (
        "The case was changing too quickly to record this. Nothing was saved; please try again."
    )
    assert store.attempts == MAX_APPEND_ATTEMPTS == 5
    assert await store.load(case_id) == before
    lines = [r.getMessage() for r in caplog.records if r.name == "casework.pipeline"]
    lost = f"case {case_id}: command cmd-assess lost a race for the next sequence number; "
    assert lines.count(lost + "deciding again") == 5


async def test_someone_elses_command_id_is_refused_and_says_nothing_changed() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await report(world)
    await uc.dispatch(world.casework, assess("cmd-shared"), HEAD, case_id=case_id)
    before = await world.store.load(case_id)

    # The same card's command id, pressed by someone else (the senior member of staff's
    # card would carry its own id).
    with pytest.raises(CommandIdTaken) as refused:
        await uc.dispatch(world.casework, assess("cmd-shared"), STAFF, case_id=case_id)

    assert refused.value.message == (
        "This card cannot be used again: it belongs to a step someone else has already "
        "recorded. Nothing was changed. Type help to start afresh."
    )
    assert refused.value.title == "Please start again"
    assert await world.store.load(case_id) == before


async def test_a_case_list_that_cannot_be_updated_keeps_the_decision_and_says_so() -> None:
    store = ListDown()
    world = fake_world(at(MONDAY, 9), store)
    case_id = await report(world)
    store.down = True

    outcome = await uc.dispatch(world.casework, assess(), HEAD, case_id=case_id)

    # The assessment, and the reporter's notice that their report is being handled.
    assert [e.kind for e in outcome.events] == ["risk-assessed", "notification-required"]
    stored = [e.kind for e in await store.load(case_id)]
    assert stored[-3:] == ["risk-assessed", "notification-required", "notification-queued"]
    assert outcome.effect_failures[0] == EffectFailure(
        "case list", "", "The case list could not be updated; it will be next time."
    )
    summary = await store.summary(case_id)
    assert summary is not None
    assert summary.projected_seq < outcome.events[0].seq  # the older row stays


async def test_the_sweeper_acts_as_the_system_with_no_roles() -> None:
    world = fake_world(at(MONDAY, 9))

    ctx = world.casework.context(SYSTEM, "oakfield")

    assert ctx.actor_id == SYSTEM_ACTOR
    assert ctx.roles == frozenset()
    assert ctx.system is True


async def test_a_person_acts_with_their_roles_at_that_school_only() -> None:
    world = fake_world(at(MONDAY, 9))

    ctx = world.casework.context(HEAD, "oakfield")

    assert ctx.actor_id == HEAD.object_id
    assert Role.HEAD in ctx.roles
    assert ctx.system is False
    assert world.casework.roles_at(HEAD, "oakfield") == ctx.roles
    assert world.casework.roles_at(HEAD, "riverside") == frozenset()


async def test_the_day_is_the_schools_local_date_not_utcs() -> None:
    # 23:30 UTC on 1 June is 00:30 on 2 June in the UK (British Summer Time).
    world = fake_world(datetime(2026, 6, 1, 23, 30, tzinfo=UTC))

    assert world.casework.today() == date(2026, 6, 2)
    assert world.casework.context(HEAD, "oakfield").today == date(2026, 6, 2)
    assert world.casework.context(SYSTEM, "oakfield").today == date(2026, 6, 2)


async def test_the_outcome_names_the_stage_in_words() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await report(world)

    outcome = await uc.dispatch(world.casework, assess(), HEAD, case_id=case_id)

    assert outcome.state is CaseState.OPEN
    assert outcome.state_label == CaseState.OPEN.label
    assert outcome.done == AssessRisk.DONE


async def test_the_log_follows_a_command_by_reference_and_command_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="casework.pipeline")
    world = fake_world(at(MONDAY, 9))
    case_id = await report(world)
    caplog.clear()

    seq = (await uc.dispatch(world.casework, assess(), HEAD, case_id=case_id)).events[0].seq
    await uc.dispatch(world.casework, assess(), HEAD, case_id=case_id)

    lines = [r.getMessage() for r in caplog.records if r.name == "casework.pipeline"]
    # The assessment and the reporter's notice that it is being handled.
    assert f"case OAK-2026-0001: command cmd-assess appended seq {seq}..{seq + 1}" in lines
    assert "case OAK-2026-0001: command cmd-assess was already applied" in lines


async def test_the_log_names_a_command_id_reused_by_someone_else(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="casework.pipeline")
    world = fake_world(at(MONDAY, 9))
    case_id = await report(world)
    await uc.dispatch(world.casework, assess("cmd-shared"), HEAD, case_id=case_id)

    with pytest.raises(CommandIdTaken):
        await uc.dispatch(world.casework, assess("cmd-shared"), STAFF, case_id=case_id)

    lines = [r.getMessage() for r in caplog.records if r.name == "casework.pipeline"]
    assert "case OAK-2026-0001: command id cmd-shared reused by another actor; refused" in lines


async def test_the_readiness_check_asks_the_store_and_close_closes_the_adapters() -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    calls: list[str] = []

    async def ping() -> None:
        calls.append("ping")

    await cw.check()  # nothing to ask: no error
    cw.ping = ping
    cw.close_adapters = lambda: calls.append("close")
    await cw.check()
    cw.close()

    assert calls == ["ping", "close"]


async def test_a_store_that_does_not_answer_fails_the_readiness_check() -> None:
    world = fake_world(at(MONDAY, 9))

    async def down() -> None:
        raise StoreUnavailable("no answer")

    world.casework.ping = down
    with pytest.raises(StoreUnavailable):
        await world.casework.check()


async def test_schools_whose_term_dates_are_running_out_are_each_named() -> None:
    # The example trust warns when fewer than 60 school days are left; Oakfield's dates end
    # on Wednesday 21 July 2027 and Riverside's on Tuesday 20 July 2027.
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    assert cw.config.trust.term_dates_warning_school_days == 60
    assert cw.term_dates_warnings() == ()

    world.clock.to_day(date(2027, 6, 21))

    assert cw.term_dates_warnings() == (
        "school oakfield: the term dates end on 2027-07-21, 21 school day(s) from today "
        "(fewer than 60); add the next school year's term dates, or letters whose reply-by "
        "date falls after them will wait",
        "school riverside: the term dates end on 2027-07-20, 20 school day(s) from today "
        "(fewer than 60); add the next school year's term dates, or letters whose reply-by "
        "date falls after them will wait",
    )


async def test_someone_the_directory_does_not_know_has_no_name_and_no_case_has_no_history() -> None:
    world = fake_world(at(MONDAY, 9))

    assert world.casework.name_of(STRANGER.object_id) is None
    assert world.casework.name_of(HEAD.object_id) == "Rachel Okafor"
    assert await world.casework.load("no-such-case") == ((), None)


async def test_the_case_list_row_is_stamped_with_the_time_of_the_step() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await report(world)
    world.clock.set(at(MONDAY, 11))

    await uc.dispatch(world.casework, assess(), HEAD, case_id=case_id)

    summary = await world.store.summary(case_id)
    assert summary is not None
    assert summary.updated_at == at(MONDAY, 11)


async def test_the_log_says_which_case_list_row_could_not_be_updated_and_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = ListDown()
    world = fake_world(at(MONDAY, 9), store)
    case_id = await report(world)
    store.down = True
    caplog.set_level(logging.WARNING, logger="casework.pipeline")

    await uc.dispatch(world.casework, assess(), HEAD, case_id=case_id)

    lines = [r.getMessage() for r in caplog.records if r.name == "casework.pipeline"]
    assert f"case {case_id}: the case list could not be updated: the case list timed out" in lines


class CountingLoads(InMemoryCaseStore):
    def __init__(self) -> None:
        super().__init__()
        self.loads = 0

    async def load(self, case_id: str) -> Sequence[StoredEvent]:
        self.loads += 1
        return await super().load(case_id)


async def test_a_case_the_caller_already_loaded_is_not_loaded_again() -> None:
    store = CountingLoads()
    world = fake_world(at(MONDAY, 9), store)
    cw = world.casework
    case_id = await report(world)
    handed_on: list[Folded] = []
    cw.later = handed_on.append  # effects follow the answer, as in the app
    known = await cw.load_folded(case_id)
    store.loads = 0

    outcome = await cw.handle(assess(), HEAD, case_id=case_id, known=known)

    assert store.loads == 0
    assert outcome.school_id == "oakfield"
    assert outcome.case_id == case_id
    # The case handed on for its effects is the case after the command.
    (folded,) = handed_on
    assert [e.kind for e in folded.history if e.command_id == "cmd-assess"] == [
        "risk-assessed",
        "notification-required",  # the reporter's notice that it is being handled
    ]


async def test_the_log_says_the_catch_up_was_skipped_and_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = ListDown()
    world = fake_world(at(MONDAY, 9), store)
    case_id = await report(world)
    store.down = True
    caplog.set_level(logging.WARNING, logger="casework.pipeline")

    await uc.dispatch(world.casework, assess(), HEAD, case_id=case_id)

    lines = [r.getMessage() for r in caplog.records if r.name == "casework.pipeline"]
    assert "catch-up skipped, store unavailable: the case list timed out" in lines


async def test_a_step_that_changes_nothing_appends_nothing_and_is_not_a_repeat() -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    case_id = await report(world)
    await uc.dispatch(cw, assess(), HEAD, case_id=case_id)
    await uc.dispatch(cw, ClarifyExpectations(command_id="cmd-warn"), HEAD, case_id=case_id)
    (letter,) = (await cw.load(case_id))[1].letters  # type: ignore[union-attr]
    assert letter.draft_ref is not None  # drafted by the command's effects
    before = await world.store.load(case_id)

    # The sweeper records the same draft again (say, after a crash): nothing new to record.
    again = RecordLetterDrafted("system:drafted-again", letter.letter_id, letter.draft_ref)
    outcome = await cw.handle(again, SYSTEM, case_id=case_id)

    assert outcome.events == ()
    assert outcome.repeated is False
    assert await world.store.load(case_id) == before


async def test_the_context_names_people_and_counts_with_the_schools_calendar() -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    calendar = cw.calendar("oakfield")

    for ctx in (cw.context(HEAD, "oakfield"), cw.context(SYSTEM, "oakfield")):
        assert ctx.calendar is calendar
        assert ctx.name_of is not None
        assert ctx.name_of(HEAD.object_id) == "Rachel Okafor"
    # The school's academic review days, from its configuration (letter 4's progress meeting).
    assert calendar.academic_review_days == cw.school("oakfield").academic_review_days
    assert calendar.academic_review_days


async def test_each_event_keeps_the_teams_activity_it_came_from() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await report(world)

    await uc.dispatch(
        world.casework, assess(), Actor(HEAD.object_id, activity_id="activity-9"), case_id=case_id
    )

    assessed = [e for e in await world.store.load(case_id) if e.command_id == "cmd-assess"]
    assert [e.kind for e in assessed] == ["risk-assessed", "notification-required"]
    assert {e.activity_id for e in assessed} == {"activity-9"}


# --- The embedded SQLite store: prompts queued in the command's own transaction ----------
# (`Casework._queue_prompts`, and what `handle` hands on for after the answer.)


def embedded_casework(data_dir: Path) -> AbstractAsyncContextManager[Casework]:
    return embedded(prepare(EXAMPLE_CONFIG), data_dir, FixedClock(at(MONDAY, 9)))


def pipeline_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "casework.pipeline"]


LEFT_FOR_LATER = (
    "case OAK-2026-0001: notification cmd-report:incident-reported left for after the command: "
    "DirectoryNotLoadedError"
)


class DirectoryNotLoadedError(Exception):
    """The directory cannot list a role's holders yet (Entra ID has not answered)."""


class HoldersUnknown(ConfigDirectory):
    """The configured people and roles, but no list of any role's holders."""

    def __init__(self) -> None:
        super().__init__(example_config())

    def holders(self, school_id: str, role: Role) -> Sequence[Person]:
        raise DirectoryNotLoadedError(f"no holders of {role} at {school_id} yet")


async def test_a_reports_prompt_is_queued_for_its_holders_in_the_reports_own_transaction(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="casework.pipeline")
    async with embedded_casework(tmp_path) as cw:
        handed_on: list[Folded] = []
        cw.later = handed_on.append  # effects follow the answer, as in the app

        outcome = await report_violent_incident(cw, MONDAY)
        case_id = outcome.case_id

        # Nothing is left for after the answer: the prompt was queued with the report.
        assert handed_on == []
        assert [e.kind for e in outcome.events] == [
            "case-opened",
            "incident-reported",
            "notification-required",
        ]
        *_, queued = await cw.ports.store.load(case_id)
        assert (queued.kind, queued.command_id, queued.actor_id) == (
            "notification-queued",
            "system:queued:cmd-report:incident-reported",
            SYSTEM_ACTOR,
        )
        assert queued.seq == outcome.events[-1].seq + 1
        assert queued.data == {
            "notification_id": "cmd-report:incident-reported",
            "recipients": [f"user:{HEAD.object_id}", f"user:{SENIOR.object_id}"],
        }
        outbox = cw.ports.notifier
        assert isinstance(outbox, SqliteOutbox)
        (waiting,) = await outbox.all()
        assert waiting.notification.key == f"{case_id}:cmd-report:incident-reported"
        assert waiting.notification.recipients == (HEAD.object_id, SENIOR.object_id)
        assert waiting.notification.title == "Incident reported on case OAK-2026-0001"
        assert (
            f"case {case_id}: notification {case_id}:cmd-report:incident-reported queued"
            in pipeline_lines(caplog)
        )


async def test_a_step_that_calls_for_a_letter_is_handed_on_for_its_draft(tmp_path: Path) -> None:
    async with embedded_casework(tmp_path) as cw:
        handed_on: list[Folded] = []
        cw.later = handed_on.append
        case_id = (await report_violent_incident(cw, MONDAY)).case_id
        await uc.dispatch(cw, assess(), HEAD, case_id=case_id)
        assert handed_on == []  # the reporter's notice went with the assessment

        await uc.dispatch(cw, ClarifyExpectations(command_id="cmd-warn"), HEAD, case_id=case_id)

        # The letter is drafted after the answer: the case is handed on, with the letter
        # still to draft and no prompt left to send.
        (folded,) = handed_on
        (letter,) = folded.view.letters
        assert letter.draft_ref is None
        assert folded.history == tuple(await cw.ports.store.load(case_id))


async def test_a_prompt_whose_holders_are_unknown_is_left_for_after_the_command_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="casework.pipeline")
    async with embedded_casework(tmp_path) as cw:
        cw.ports = replace(cw.ports, directory=HoldersUnknown())
        handed_on: list[Folded] = []
        cw.later = handed_on.append

        outcome = await report_violent_incident(cw, MONDAY)

        assert pipeline_lines(caplog).count(LEFT_FOR_LATER) == 1
        stored = await cw.ports.store.load(outcome.case_id)
        assert [e.kind for e in stored][-1] == "notification-required"
        (folded,) = handed_on  # the effects after the answer try it again
        assert folded.history == tuple(stored)
        outbox = cw.ports.notifier
        assert isinstance(outbox, SqliteOutbox)
        assert list(await outbox.all()) == []


async def test_a_prompt_that_cannot_be_built_does_not_hold_back_the_next_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="casework.pipeline")
    async with embedded_casework(tmp_path) as cw:
        cw.ports = replace(cw.ports, directory=HoldersUnknown())
        cw.later = lambda folded: None  # the effects after the answer never come
        case_id = (await report_violent_incident(cw, MONDAY)).case_id

        # The report's prompt to the head and senior staff still cannot be built; the reporter's
        # notice names its one person and is queued with the assessment.
        outcome = await uc.dispatch(cw, assess(), HEAD, case_id=case_id)

        stored = await cw.ports.store.load(case_id)
        assert [(e.kind, e.command_id) for e in stored if e.seq > outcome.events[-1].seq] == [
            ("notification-queued", "system:queued:report-being-handled:incident-1")
        ]
        assert stored[-1].data == {
            "notification_id": "report-being-handled:incident-1",
            "recipients": [f"user:{STAFF.object_id}"],
        }
        assert (
            pipeline_lines(caplog).count(LEFT_FOR_LATER) == 2
        )  # at the report and at the assessment


async def test_an_outbox_in_another_file_is_written_after_the_command_not_in_its_transaction(
    tmp_path: Path,
) -> None:
    async with embedded_casework(tmp_path / "cases") as cw:
        elsewhere = SqliteOutbox.open(tmp_path / "outbox.sqlite3", clock=cw.ports.clock)
        try:
            cw.ports = replace(cw.ports, notifier=elsewhere)
            assert cw.later is None  # the effects are carried out before the answer

            outcome = await report_violent_incident(cw, MONDAY)

            (waiting,) = await elsewhere.all()
            assert waiting.notification.key == f"{outcome.case_id}:cmd-report:incident-reported"
            stored = await cw.ports.store.load(outcome.case_id)
            assert [e.kind for e in stored][-1] == "notification-queued"
        finally:
            elsewhere.close()


async def test_a_new_report_on_the_embedded_store_reads_its_case_once_to_find_it_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with embedded_casework(tmp_path) as cw:
        store = cw.ports.store
        assert isinstance(store, SqliteCaseStore)
        calls: list[tuple[str, str]] = []
        load, load_or_peek, peek = store.load, store.load_or_peek, store.peek_reference

        async def counted_load(case_id: str) -> Sequence[StoredEvent]:
            calls.append(("load", case_id))
            return await load(case_id)

        async def counted_load_or_peek(
            case_id: str, prefix: str, year: int, command_id: str
        ) -> tuple[Sequence[StoredEvent], ReferenceClaim | None]:
            calls.append(("load_or_peek", case_id))
            return await load_or_peek(case_id, prefix, year, command_id)

        async def counted_peek(prefix: str, year: int, command_id: str) -> ReferenceClaim:
            calls.append(("peek_reference", command_id))
            return await peek(prefix, year, command_id)

        monkeypatch.setattr(store, "load", counted_load)
        monkeypatch.setattr(store, "load_or_peek", counted_load_or_peek)
        monkeypatch.setattr(store, "peek_reference", counted_peek)

        outcome = await report_violent_incident(cw, MONDAY)

        # Read once by the use case, found empty and its reference read in the same call;
        # the pipeline does not read it again.
        assert calls == [("load_or_peek", outcome.case_id)]
        assert outcome.reference == "OAK-2026-0001"


async def test_a_step_recorded_in_one_transaction_has_no_case_list_failure(tmp_path: Path) -> None:
    async with embedded_casework(tmp_path) as cw:
        cw.later = lambda folded: None
        case_id = (await report_violent_incident(cw, MONDAY)).case_id

        applied = await cw.apply(case_id, assess(), HEAD)

        # The case's row was written in the append's own transaction.
        assert applied.failure is None
        summary = await cw.ports.store.summary(case_id)
        assert summary is not None
        assert summary.projected_seq == applied.folded.view.last_seq
