"""The one path every command takes: authorise → load → fold → decide → append → project →
effects (ARCHITECTURE.md, "Layers" and "Doing things exactly once").

    outcome = await casework.handle(command, actor, case_id=...)

1. Authorise: the actor's roles come from the Directory for the case's school; someone
   the trust's directory does not know is refused in words (`UnknownUser`).
2. Load the case's events and fold them into a `CaseView`.
3. A command id already in the case's events is answered with the earlier result
   (`Outcome.repeated`): a retry or a double click changes nothing and is not an error.
4. `rules.decide` gives the events, or a named `Refusal` (nothing is written).
5. Append at the sequence number seen. If another append got there first
   (`SequenceTaken`), reload and decide again: the second person is then refused with
   what happened ("… recorded “Chair confirmed” on …"), or, if the two steps do not
   conflict, their step is appended after the other.
6. Project the case's row and open deadlines (`CaseSummary`, `OpenDeadline`).
7. Carry out the effects still undone: draft each letter (then `RecordLetterDrafted`, or
   `RecordLetterDraftFailed` with the error, which stays VISIBLE on the case) and send
   each notification (then `RecordNotificationSent`). A failure here never undoes or
   hides the decision already appended; the sweeper retries (`casework.sweeper`).

Logs name case ids, references and command ids, never personal details.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType

from casework.config import School, TrustConfig
from casework.letters import UK, LetterInputs, build_draft
from casework.notifications import build_notification
from casework.ports import (
    CaseSummary,
    NewEvent,
    OpenDeadline,
    Ports,
    SequenceTaken,
    StoredEvent,
    StoreUnavailable,
)
from rules import timeline as tl
from rules.calendar import SchoolCalendar
from rules.case import CaseView, LetterRecord, NotificationRecord, fold
from rules.commands import COMMAND_TYPES, Command
from rules.decide import SYSTEM_ACTOR, DecisionContext, decide
from rules.errors import CaseNotFound, InvalidDetails, NotPermitted, Refusal
from rules.events import Event, EventMeta, LetterRequired, event_from_record, event_to_record
from rules.prompts import Prompt, open_deadlines, pending_effects, prompts_for
from rules.roles import Role
from rules.state import CaseState
from rules.steps.letters import RecordLetterDrafted, RecordLetterDraftFailed
from rules.steps.notifications import RecordNotificationSent
from rules.steps.reporting import ReportIncident
from templates import context as tc
from templates.render import LetterRenderer

logger = logging.getLogger(__name__)

# Appends that lose a race are decided again; more than this many losses in a row means
# something is hammering the case, and the user is told to try again.
MAX_APPEND_ATTEMPTS = 5
# The sweeper's wake-up row for effects still undone (a failed draft, an unsent prompt).
COMPLETE_EFFECTS = "complete-effects"


class UnknownUser(NotPermitted):
    """Someone the trust's directory does not know: nothing they ask is done."""


@dataclass(frozen=True)
class Actor:
    """Who issues a command: an Entra object id (or the sweeper), and the Teams activity
    it came from, for the audit trail."""

    object_id: str
    activity_id: str | None = None

    @property
    def is_system(self) -> bool:
        return self.object_id == SYSTEM_ACTOR


SYSTEM = Actor(SYSTEM_ACTOR)


@dataclass(frozen=True)
class EffectFailure:
    """An effect that could not be carried out now; it stays pending and is retried."""

    effect: str  # "letter", "notification" or "case list"
    effect_id: str  # the letter id or notification id ("" for the case list)
    message: str  # for the case record and the user; no personal details


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


@dataclass(frozen=True)
class _Applied:
    history: tuple[StoredEvent, ...]  # the case's whole history after the command
    view: CaseView
    events: tuple[StoredEvent, ...]  # the command's own events
    repeated: bool
    failure: EffectFailure | None = None  # the case list could not be updated


@dataclass(frozen=True)
class _Effects:
    history: tuple[StoredEvent, ...]
    view: CaseView
    failures: tuple[EffectFailure, ...] = ()
    drafted: tuple[str, ...] = ()


def pairs(history: Sequence[StoredEvent]) -> list[tuple[EventMeta, Event]]:
    """Stored events as the rules read them (`HistoryError` for a record they cannot)."""
    return [
        (
            EventMeta(e.seq, e.actor_id, e.at, e.command_id),
            event_from_record(e.kind, dict(e.data)),
        )
        for e in history
    ]


def fold_history(history: Sequence[StoredEvent]) -> CaseView | None:
    return fold(pairs(history))


def project(
    view: CaseView, today: date, calendar: SchoolCalendar, now: datetime
) -> tuple[CaseSummary, list[OpenDeadline]]:
    """The case's row in the Cases list and its rows in the due index (pure)."""
    prompts = prompts_for(view, today, calendar)
    dated = [p for p in prompts if p.deadline is not None]
    review_date = None
    if view.current_review is not None:
        review_date = view.current_review.meeting_on
    else:
        due = tl.review_due(view, tl.lenient(calendar))
        review_date = due.due if due else None
    summary = CaseSummary(
        case_id=view.case_id,
        reference=view.reference,
        school_id=view.school_id,
        person_name=view.person.name,
        status=view.state.value,
        next_action=prompts[0].text if prompts else None,
        next_deadline=dated[0].deadline.due if dated and dated[0].deadline else None,
        review_date=review_date,
        updated_at=now,
    )
    deadlines = [
        OpenDeadline(view.case_id, view.school_id, entry.role, entry.action.value, entry.due)
        for entry in open_deadlines(view, calendar)
    ]
    pending = pending_effects(view)
    since = [x.required_at for x in pending.letters] + [
        n.required_at for n in pending.notifications
    ]
    if since:
        wake = min(since).astimezone(UK).date()
        deadlines.append(OpenDeadline(view.case_id, view.school_id, None, COMPLETE_EFFECTS, wake))
    return summary, deadlines


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
    close_adapters: Callable[[], None] | None = None
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
            self._calendars[school_id] = SchoolCalendar(school.region, school.term_dates)
        return self._calendars[school_id]

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

    async def load(self, case_id: str) -> tuple[tuple[StoredEvent, ...], CaseView | None]:
        history = tuple(await self.ports.store.load(case_id))
        return history, fold_history(history)

    # --- the pipeline ----------------------------------------------------------------------

    async def handle(self, command: Command, actor: Actor, *, case_id: str) -> Outcome:
        """Apply `command` to the case `case_id` for `actor`, then carry out its effects.

        Raises a `Refusal` (nothing written) or `StoreUnavailable` (nothing written).
        """
        applied = await self._apply(case_id, command, actor)
        effects = await self.complete_effects(case_id, applied.history)
        view = effects.view
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

    async def _apply(self, case_id: str, command: Command, actor: Actor) -> _Applied:
        for _attempt in range(MAX_APPEND_ATTEMPTS):
            history, view = await self.load(case_id)
            if view is None:
                if not (isinstance(command, ReportIncident) and command.new_case is not None):
                    raise CaseNotFound()
                school_id = command.new_case.school_id
            else:
                school_id = view.school_id
            ctx = self.context(actor, school_id)
            if view is not None and command.command_id in view.command_ids:
                earlier = tuple(e for e in history if e.command_id == command.command_id)
                logger.info(
                    "case %s: command %s was already applied", view.reference, command.command_id
                )
                return _Applied(history, view, earlier, repeated=True)
            events = decide(view, command, ctx)
            if not events:
                assert view is not None  # a new case always has events
                return _Applied(history, view, (), repeated=False)
            records = [NewEvent(*event_to_record(e)) for e in events]
            try:
                appended = tuple(
                    await self.ports.store.append(
                        case_id,
                        view.last_seq if view else 0,
                        records,
                        actor_id=ctx.actor_id,
                        at=ctx.now,
                        command_id=command.command_id,
                        activity_id=actor.activity_id,
                    )
                )
            except SequenceTaken:
                logger.info(
                    "case %s: command %s lost a race for the next sequence number; deciding again",
                    case_id,
                    command.command_id,
                )
                continue
            history = (*history, *appended)
            new_view = fold_history(history)
            assert new_view is not None
            logger.info(
                "case %s: command %s appended seq %s..%s",
                new_view.reference,
                command.command_id,
                appended[0].seq,
                appended[-1].seq,
            )
            failure = await self._project(case_id, history, new_view)
            return _Applied(history, new_view, appended, repeated=False, failure=failure)
        raise StoreUnavailable(
            "The case was changing too quickly to record this. Nothing was saved; please try again."
        )

    async def _project(
        self, case_id: str, history: tuple[StoredEvent, ...], view: CaseView
    ) -> EffectFailure | None:
        """Rewrite the case's row and due entries. If another append landed meanwhile, the
        row is rewritten from the newer history, so the last writer never leaves it stale."""
        try:
            for _ in range(MAX_APPEND_ATTEMPTS):
                summary, deadlines = project(
                    view, self.today(), self.calendar(view.school_id), self.now()
                )
                await self.ports.store.save_summary(summary, deadlines)
                latest = tuple(await self.ports.store.load(case_id))
                if len(latest) == len(history):
                    return None
                history = latest
                folded = fold_history(history)
                assert folded is not None
                view = folded
        except StoreUnavailable as error:
            logger.warning("case %s: the case list could not be updated: %s", case_id, error)
            return EffectFailure(
                "case list", "", "The case list could not be updated; it will be next time."
            )
        return None

    # --- effects ---------------------------------------------------------------------------

    async def complete_effects(
        self, case_id: str, history: tuple[StoredEvent, ...] | None = None
    ) -> _Effects:
        """Draft the letters and send the notifications still undone on the case, each once
        in this call; record each result as an event."""
        if history is None:
            history, _ = await self.load(case_id)
        view = fold_history(history)
        if view is None:
            raise CaseNotFound()
        failures: list[EffectFailure] = []
        drafted: list[str] = []
        tried: set[str] = set()
        while True:
            pending = pending_effects(view)
            letters = [x for x in pending.letters if f"letter:{x.letter_id}" not in tried]
            notes = [n for n in pending.notifications if f"note:{n.notification_id}" not in tried]
            if not letters and not notes:
                break
            for letter in letters:
                tried.add(f"letter:{letter.letter_id}")
                command, failure = await self._draft(history, view, letter)
                if failure is not None:
                    failures.append(failure)
                try:
                    applied = await self._apply(case_id, command, SYSTEM)
                except (StoreUnavailable, Refusal) as error:
                    failures.append(self._not_recorded("letter", letter.letter_id, error))
                    continue
                history, view = applied.history, applied.view
                if failure is None:
                    drafted.append(letter.letter_id)
            for note in notes:
                tried.add(f"note:{note.notification_id}")
                failure = await self._notify(view, note)
                if failure is not None:
                    failures.append(failure)
                    continue
                command = RecordNotificationSent(
                    f"system:notified:{note.notification_id}", note.notification_id
                )
                try:
                    applied = await self._apply(case_id, command, SYSTEM)
                except (StoreUnavailable, Refusal) as error:
                    failures.append(self._not_recorded("notification", note.notification_id, error))
                    continue
                history, view = applied.history, applied.view
        return _Effects(history, view, tuple(failures), tuple(drafted))

    def _not_recorded(self, effect: str, effect_id: str, error: Exception) -> EffectFailure:
        logger.warning("%s %s done but not recorded: %s", effect, effect_id, type(error).__name__)
        return EffectFailure(
            effect, effect_id, "Done, but not yet recorded on the case; it will be next time."
        )

    def letter_inputs(
        self, history: Sequence[StoredEvent], view: CaseView, letter: LetterRecord
    ) -> LetterInputs:
        """The case as it stood when `letter` was called for, with current contact details."""
        upto = next(
            (
                e.seq
                for e in history
                if e.kind == LetterRequired.KIND and e.data.get("letter_id") == letter.letter_id
            ),
            len(history),
        )
        then = fold_history(history[:upto])
        assert then is not None
        return LetterInputs(
            view=replace(then, person=view.person),
            letter=letter,
            letter_date=self.today(),
            calendar=self.calendar(view.school_id),
            school=self.school(view.school_id),
            trust=self.trust_letterhead,
            config=self.config,
            directory=self.ports.directory,
        )

    async def _draft(
        self, history: Sequence[StoredEvent], view: CaseView, letter: LetterRecord
    ) -> tuple[Command, EffectFailure | None]:
        try:
            draft = build_draft(self.letter_inputs(history, view, letter), self.renderer)
            reference = await self.ports.drafts.create_draft(draft)
        except Exception as error:  # any failure is recorded on the case, never swallowed
            message = f"{type(error).__name__}: {error}"[:500]
            logger.warning(
                "case %s: letter %s could not be drafted: %s",
                view.reference,
                letter.letter_id,
                type(error).__name__,
            )
            failed = RecordLetterDraftFailed(
                f"system:letter-draft-failed:{letter.letter_id}", letter.letter_id, message
            )
            return failed, EffectFailure("letter", letter.letter_id, message)
        logger.info("case %s: letter %s drafted", view.reference, letter.letter_id)
        return RecordLetterDrafted(
            f"system:letter-drafted:{letter.letter_id}", letter.letter_id, reference
        ), None

    async def _notify(self, view: CaseView, note: NotificationRecord) -> EffectFailure | None:
        try:
            notification = build_notification(
                view, note, self.school(view.school_id), self.ports.directory
            )
            await self.ports.notifier.notify(notification)
        except Exception as error:  # stays pending on the case: the sweeper retries
            logger.warning(
                "case %s: notification %s not sent: %s",
                view.reference,
                note.notification_id,
                type(error).__name__,
            )
            return EffectFailure(
                "notification", note.notification_id, f"{type(error).__name__}: {error}"[:500]
            )
        return None
