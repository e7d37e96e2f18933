"""The one path every command takes: authorise → load → fold → decide → append → project →
effects (ARCHITECTURE.md, "Layers" and "Doing things exactly once").

    outcome = await casework.handle(command, actor, case_id=...)

1. Authorise: the actor's roles come from the Directory for the case's school; someone
   the trust's directory does not know is refused in words (`UnknownUser`).
2. Load the case's events and fold them, once, into a `CaseView` (`casework.history`).
3. A command id already in the case's events is answered with the earlier result
   (`Outcome.repeated`): a retry or a double click changes nothing and is not an error.
4. `rules.decide` gives the events, or a named `Refusal` (nothing is written).
5. Append at the sequence number seen. If another append got there first
   (`SequenceTaken`), reload and decide again: the second person is then refused with
   what happened ("… recorded “Chair confirmed” on …"), or, if the two steps do not
   conflict, their step is appended after the other. The appended events are applied to
   the view already folded; the history is not folded again.
6. Project the case's row and open deadlines (`casework.projection`). The row carries the
   last sequence number it reflects, and a store never replaces it with an older one, so
   two writers racing cannot leave it stale.
7. Carry out the effects still undone (`casework.effects`). A failure there never undoes
   or hides the decision already appended; the sweeper retries (`casework.sweeper`).

Logs name case ids, references and command ids, never personal details.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType

from casework.actor import SYSTEM as SYSTEM
from casework.actor import Actor as Actor
from casework.catchup import PROJECTION, catch_up
from casework.config import School, TrustConfig
from casework.effects import EffectFailure as EffectFailure
from casework.effects import EffectsDone, complete_effects
from casework.history import Folded, fold_stored
from casework.notifications import build_notification
from casework.ports import (
    NewEvent,
    Ports,
    QueuedWithAppend,
    ReferenceClaim,
    SequenceTaken,
    StoredEvent,
    StoreUnavailable,
    is_atomic,
    outbox_in_store,
)
from casework.projection import COMPLETE_EFFECTS as COMPLETE_EFFECTS
from casework.projection import UK, project
from casework.term_dates import term_dates_running_out
from rules.calendar import SchoolCalendar
from rules.case import CaseView
from rules.commands import COMMAND_TYPES, Command
from rules.decide import SYSTEM_ACTOR, DecisionContext, decide
from rules.errors import CaseNotFound, InvalidDetails, NotPermitted, Refusal
from rules.events import event_to_record
from rules.prompts import Prompt, pending_effects, prompts_for
from rules.roles import Role
from rules.state import CaseState
from rules.steps.notifications import RecordNotificationQueued
from rules.steps.reporting import ReportIncident
from templates import context as tc
from templates.render import LetterRenderer

logger = logging.getLogger(__name__)

# Appends that lose a race are decided again; more than this many losses in a row means
# something is hammering the case, and the user is told to try again.
MAX_APPEND_ATTEMPTS = 5


class UnknownUser(NotPermitted):
    """Someone the trust's directory does not know: nothing they ask is done."""


class CommandIdTaken(Refusal):
    """A card's command id that someone else's command already used. A command id is a
    repeat only for the person who first used it; for anyone else it says nothing about the
    case it was used on (not its reference, not its school)."""

    TITLE = "Please start again"

    def __init__(self) -> None:
        super().__init__(
            "This card cannot be used again: it belongs to a step someone else has already "
            "recorded. Nothing was changed. Type help to start afresh."
        )


@dataclass(frozen=True)
class Applied:
    """A command recorded (or found already recorded) on the case."""

    folded: Folded  # the case after the command
    events: tuple[StoredEvent, ...]  # the command's own events
    repeated: bool
    failure: EffectFailure | None = None  # the case list could not be updated


@dataclass(frozen=True)
class Outcome:
    """What a command did, for the bot to turn into a card."""

    case_id: str
    reference: str
    school_id: str
    state: CaseState
    done: str  # what was done, in words
    repeated: bool  # the command had been applied before: this is that earlier result
    events: tuple[StoredEvent, ...]  # the events the command appended (then or earlier)
    prompts: tuple[Prompt, ...]  # what each role must do next
    effect_failures: tuple[EffectFailure, ...] = ()
    letters_drafted: tuple[str, ...] = ()  # letter ids drafted while handling the command

    @property
    def state_label(self) -> str:
        return self.state.label


# What each command did, in words, for the card that answers it: each step words its own.
DONE: Mapping[type[Command], str] = MappingProxyType({cls: cls.DONE for cls in COMMAND_TYPES})


@dataclass
class Casework:
    """The application layer, wired once by `casework.bootstrap` (or a test, with fakes)."""

    ports: Ports
    config: TrustConfig
    renderer: LetterRenderer
    trust_letterhead: tc.TrustDetails
    # Set by the bootstrap for adapters that need them (the embedded SQLite file).
    ping: Callable[[], Awaitable[None]] | None = None
    # Where the app hands the cases whose effects are to be carried out after the user has
    # been answered (`casework.worker.EffectWorker.submit`, which keeps only the case id).
    # None: `handle` carries them out itself before it returns (tests on fakes, scripts).
    later: Callable[[Folded], None] | None = None
    close_adapters: Callable[[], None] | None = None
    # Set by the bootstrap for adapters with something an administrator must act on
    # (the directory from Entra ID failing to refresh): shown by `/readyz`.
    adapter_warnings: Callable[[], tuple[str, ...]] | None = None
    _calendars: dict[str, SchoolCalendar] = field(default_factory=dict)

    async def check(self) -> None:
        """Raise `StoreUnavailable` unless the store answers (for readiness checks)."""
        if self.ping is not None:
            await self.ping()

    def close(self) -> None:
        if self.close_adapters is not None:
            self.close_adapters()

    # --- the configuration ----------------------------------------------------------------

    def school(self, school_id: str) -> School:
        try:
            return self.config.school(school_id)
        except KeyError:
            raise InvalidDetails(
                f"There is no school “{school_id}” in the trust's configuration."
            ) from None

    def calendar(self, school_id: str) -> SchoolCalendar:
        if school_id not in self._calendars:
            school = self.school(school_id)
            self._calendars[school_id] = SchoolCalendar(
                school.region, school.term_dates, school.academic_review_days
            )
        return self._calendars[school_id]

    def term_dates_warnings(self) -> tuple[str, ...]:
        """The schools whose configured terms are running out (`/readyz`, the start-up log)."""
        calendars = {school_id: self.calendar(school_id) for school_id in self.config.school_ids}
        threshold = self.config.trust.term_dates_warning_school_days
        return term_dates_running_out(calendars, self.today(), threshold)

    def now(self) -> datetime:
        return self.ports.clock.now()

    def today(self) -> date:
        """The schools' local date (UK)."""
        return self.now().astimezone(UK).date()

    def name_of(self, object_id: str) -> str | None:
        person = self.ports.directory.person(object_id)
        return person.name if person else None

    def context(self, actor: Actor, school_id: str) -> DecisionContext:
        """Who is asking, with their roles at `school_id`. Refuses an unknown user."""
        now = self.now()
        calendar = self.calendar(school_id)
        if actor.is_system:
            return DecisionContext(
                SYSTEM_ACTOR,
                frozenset(),
                now,
                now.astimezone(UK).date(),
                calendar,
                system=True,
                name_of=self.name_of,
            )
        directory = self.ports.directory
        if directory.person(actor.object_id) is None and not directory.schools_of(actor.object_id):
            raise UnknownUser(
                "Safe Premises does not know you yet: your account is not in the trust's "
                "list of staff and governors, so nothing was recorded. Ask your "
                "headteacher or the trust's administrator to add you."
            )
        return DecisionContext(
            actor.object_id,
            frozenset(directory.roles_of(actor.object_id, school_id)),
            now,
            now.astimezone(UK).date(),
            calendar,
            name_of=self.name_of,
        )

    def roles_at(self, actor: Actor, school_id: str) -> frozenset[Role]:
        return frozenset(self.ports.directory.roles_of(actor.object_id, school_id))

    # --- loading -------------------------------------------------------------------------

    async def load_folded(self, case_id: str) -> Folded | None:
        """The case's history, folded once (None for a case with no events)."""
        return fold_stored(tuple(await self.ports.store.load(case_id)))

    async def load(self, case_id: str) -> tuple[tuple[StoredEvent, ...], CaseView | None]:
        folded = await self.load_folded(case_id)
        return (folded.history, folded.view) if folded else ((), None)

    # --- the pipeline ----------------------------------------------------------------------

    async def handle(
        self,
        command: Command,
        actor: Actor,
        *,
        case_id: str,
        known: Folded | None = None,
        claim: ReferenceClaim | None = None,
        unseen: bool = False,
    ) -> Outcome:
        """Apply `command` to the case `case_id` for `actor`, then carry out its effects.
        `known` is the case as the caller already loaded it (not loaded again); `unseen`
        that the caller loaded it and found no events (not loaded again either); `claim`
        the new case's reference, read ahead, to allocate with the first append.

        Raises a `Refusal` (nothing written), `StoreUnavailable` (nothing written) or
        `ReferenceTaken` (nothing written: read another reference).
        """
        applied = await self.apply(case_id, command, actor, known=known, claim=claim, unseen=unseen)
        if self.later is not None:
            # Recorded and projected: the effects (drafts, prompts) follow the answer. On a
            # store with transactions, a case with no effect owed is not handed on: its
            # prompts were queued with it and its row written with it, so there is nothing
            # to do after the answer (a case an older version left behind is caught up by
            # the sweeper, at the start and on its schedule).
            if not is_atomic(self.ports.store) or _owes_effects(applied.folded):
                self.later(applied.folded)
            effects = EffectsDone(applied.folded)
        else:
            effects = await self.settle(applied.folded)
        view = effects.folded.view
        return Outcome(
            case_id=view.case_id,
            reference=view.reference,
            school_id=view.school_id,
            state=view.state,
            done=command.DONE,
            repeated=applied.repeated,
            events=applied.events,
            prompts=prompts_for(view, self.today(), self.calendar(view.school_id)),
            effect_failures=(
                (applied.failure, *effects.failures) if applied.failure else effects.failures
            ),
            letters_drafted=effects.drafted,
        )

    async def settle(self, folded: Folded) -> EffectsDone:
        """What follows a command: the catch-up of derived records (any case a crash left
        behind included), then the effects still owed on this case."""
        try:
            await catch_up(self)
        except StoreUnavailable as error:
            logger.warning("catch-up skipped, store unavailable: %s", error)
        return await complete_effects(self, folded)

    async def complete_effects(self, case_id: str) -> tuple[EffectFailure, ...]:
        """Carry out the effects still undone on the case (the sweeper's retry)."""
        folded = await self.load_folded(case_id)
        if folded is None:
            raise CaseNotFound()
        return (await complete_effects(self, folded)).failures

    async def apply(
        self,
        case_id: str,
        command: Command,
        actor: Actor,
        *,
        known: Folded | None = None,
        claim: ReferenceClaim | None = None,
        unseen: bool = False,
    ) -> Applied:
        """Record `command` on the case and project it. `known` is the case as the caller
        already has it, `unseen` that the caller found it has no events (either is tried
        first; the case is reloaded only if another append got there first)."""
        folded = known
        for attempt in range(MAX_APPEND_ATTEMPTS):
            if attempt or (folded is None and not unseen):
                folded = await self.load_folded(case_id)
            view = folded.view if folded else None
            if folded is None or view is None:
                if not (isinstance(command, ReportIncident) and command.new_case is not None):
                    raise CaseNotFound()
                school_id = command.new_case.school_id
            else:
                school_id = view.school_id
            ctx = self.context(actor, school_id)
            if folded is not None and command.command_id in folded.view.command_ids:
                earlier = tuple(e for e in folded.history if e.command_id == command.command_id)
                if any(e.actor_id != ctx.actor_id for e in earlier):
                    logger.info(
                        "case %s: command id %s reused by another actor; refused",
                        folded.view.reference,
                        command.command_id,
                    )
                    raise CommandIdTaken()
                logger.info(
                    "case %s: command %s was already applied",
                    folded.view.reference,
                    command.command_id,
                )
                return Applied(folded, earlier, repeated=True)
            events = decide(view, command, ctx)
            if not events:
                assert folded is not None  # a new case always has events
                return Applied(folded, (), repeated=False)
            records = [NewEvent(*event_to_record(e)) for e in events]
            expected = folded.view.last_seq if folded else 0
            store = self.ports.store
            failure: EffectFailure | None = None
            try:
                if is_atomic(store):
                    # One durable transaction: the events, the reference, the projection.
                    stored = _as_stored(
                        case_id,
                        expected,
                        records,
                        ctx.actor_id,
                        ctx.now,
                        command.command_id,
                        actor.activity_id,
                    )
                    new = folded.extended(stored) if folded else _first(stored)
                    # The prompts the events call for, queued in the same transaction when
                    # the outbox is in the store's file: nothing is left for after it.
                    queued: list[QueuedWithAppend] = []
                    if outbox_in_store(notifier := self.ports.notifier) and (
                        notifier.shares_transactions_with(store)
                    ):
                        new = self._queue_prompts(new, ctx.now, queued)
                    summary, deadlines = project(
                        new.view, self.today(), self.calendar(new.view.school_id), self.now()
                    )
                    appended = tuple(
                        await store.append_projected(
                            case_id,
                            expected,
                            records,
                            actor_id=ctx.actor_id,
                            at=ctx.now,
                            command_id=command.command_id,
                            activity_id=actor.activity_id,
                            summary=summary,
                            deadlines=deadlines,
                            claim=claim if folded is None else None,
                            checkpoint=PROJECTION,
                            queued=queued,
                        )
                    )[: len(records)]
                    for q in queued:
                        logger.info("case %s: notification %s queued", case_id, q.notification.key)
                else:
                    appended = tuple(
                        await store.append(
                            case_id,
                            expected,
                            records,
                            actor_id=ctx.actor_id,
                            at=ctx.now,
                            command_id=command.command_id,
                            activity_id=actor.activity_id,
                        )
                    )
                    new = folded.extended(appended) if folded else _first(appended)
                    failure = await self._project(new.view)
            except SequenceTaken:
                logger.info(
                    "case %s: command %s lost a race for the next sequence number; deciding again",
                    case_id,
                    command.command_id,
                )
                continue
            logger.info(
                "case %s: command %s appended seq %s..%s",
                new.view.reference,
                command.command_id,
                appended[0].seq,
                appended[-1].seq,
            )
            return Applied(new, appended, repeated=False, failure=failure)
        raise StoreUnavailable(
            "The case was changing too quickly to record this. Nothing was saved; please try again."
        )

    def _queue_prompts(
        self, folded: Folded, now: datetime, queued: list[QueuedWithAppend]
    ) -> Folded:
        """The case with each prompt its events call for recorded as queued, as the system
        records it after `notify` (`casework.effects`); each prompt is added to `queued`,
        for the command's transaction to write. A prompt that cannot be built now (the
        school or a role's holders unknown) is left to the effects after the command."""
        system = self.context(SYSTEM, folded.view.school_id)
        for note in pending_effects(folded.view).notifications:
            try:
                notification = build_notification(
                    folded.view,
                    note,
                    self.school(folded.view.school_id),
                    self.ports.directory,
                    self.config.trust,
                )
                record = RecordNotificationQueued(
                    f"system:queued:{note.notification_id}",
                    note.notification_id,
                    notification.addresses,
                )
                events = decide(folded.view, record, system)
            except Exception as error:  # the effects after the command try it again
                logger.info(
                    "case %s: notification %s left for after the command: %s",
                    folded.view.reference,
                    note.notification_id,
                    type(error).__name__,
                )
                continue
            records = tuple(NewEvent(*event_to_record(e)) for e in events)
            folded = folded.extended(
                _as_stored(
                    folded.case_id,
                    folded.view.last_seq,
                    list(records),
                    system.actor_id,
                    now,
                    record.command_id,
                    None,
                )
            )
            queued.append(
                QueuedWithAppend(notification, record.command_id, system.actor_id, records)
            )
        return folded

    async def _project(self, view: CaseView) -> EffectFailure | None:
        """Rewrite the case's row and due entries. The row carries `view.last_seq`, and the
        store keeps the row that reflects more events, so the last writer to finish cannot
        leave it stale when another append landed meanwhile."""
        try:
            summary, deadlines = project(
                view, self.today(), self.calendar(view.school_id), self.now()
            )
            await self.ports.store.save_summary(summary, deadlines)
        except StoreUnavailable as error:
            logger.warning("case %s: the case list could not be updated: %s", view.case_id, error)
            return EffectFailure(
                "case list", "", "The case list could not be updated; it will be next time."
            )
        return None


def _owes_effects(folded: Folded) -> bool:
    pending = pending_effects(folded.view)
    return bool(pending.letters or pending.notifications)


def _first(events: tuple[StoredEvent, ...]) -> Folded:
    folded = fold_stored(events)
    assert folded is not None  # a new case always has events
    return folded


def _as_stored(
    case_id: str,
    expected_seq: int,
    records: list[NewEvent],
    actor_id: str,
    at: datetime,
    command_id: str,
    activity_id: str | None,
) -> tuple[StoredEvent, ...]:
    """The events as the store will return them (data through JSON, the time in UTC), to
    fold and project before the one transaction that writes both."""
    return tuple(
        StoredEvent(
            case_id=case_id,
            seq=expected_seq + i,
            kind=r.kind,
            data=json.loads(json.dumps(dict(r.data), allow_nan=False)),
            actor_id=actor_id,
            at=at.astimezone(UTC),
            command_id=command_id,
            activity_id=activity_id,
        )
        for i, r in enumerate(records, start=1)
    )
