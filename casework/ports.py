"""The ports: the only ways the application layer touches the world.

Each is a small `typing.Protocol`. The embedded default implements them in `local/`
(SQLite, files), Microsoft 365 in `graph/`, and the tests in `tests/fakes.py`; all of them
pass the same contract tests (`tests/integration/test_port_contracts.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from typing_extensions import TypeIs

from rules.roles import Role

# --- Clock ------------------------------------------------------------------------------


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


# --- Case store -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewEvent:
    """An event the rules produced, not yet stored. `data` is JSON-serialisable."""

    kind: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class StoredEvent:
    """One entry of a case's append-only history. `seq` starts at 1 and has no gaps."""

    case_id: str
    seq: int
    kind: str
    data: Mapping[str, Any]
    actor_id: str  # Entra object id of whoever issued the command ("system" for the sweeper)
    at: datetime  # timezone-aware UTC
    command_id: str  # the card action's command id: the same id is never applied twice
    activity_id: str | None  # the Teams activity the command came from, for the audit trail


class SequenceTaken(Exception):
    """Another append reached this case first: reload, decide again, and tell the user."""

    def __init__(self, case_id: str, seq: int) -> None:
        super().__init__(f"case {case_id}: sequence {seq} is already taken")
        self.case_id = case_id
        self.seq = seq


class StoreUnavailable(Exception):
    """The store could not be reached in time. Nothing was written."""


class DirectoryUnavailable(StoreUnavailable):
    """Who holds which role cannot be answered: the directory from Entra ID is older than
    its expiry (`graph.entra_directory`). Nothing is granted; like an unreachable store,
    the user is asked to try again and prompts and letters wait."""


@dataclass(frozen=True)
class OpenPrompt:
    """One thing one role must do next on a case, as the projection keeps it for listings
    (`rules.prompts.prompts_for`, computed when the case last changed).

    Only "overdue" depends on the day it is read, so it is not kept; a prompt whose deadline
    is the day it is read (move a review meeting now) is kept with `due_on_the_day`."""

    case_id: str
    school_id: str
    reference: str
    role: Role
    action: str  # a `rules.prompts.Action` value
    text: str
    due: date | None  # None: the policy sets no date (or `due_on_the_day`)
    warning: str | None = None  # shown next to the date (`rules.calendar.Deadline.warning`)
    due_on_the_day: bool = False
    letter_id: str | None = None
    incident_no: int | None = None


@dataclass(frozen=True)
class ReceptionEntry:
    """One line of reception's list ("who is banned"): someone banned from a school's
    premises or under conditions there, what they must not do, and nothing else about the
    case. Kept by the projection, so the list is read without replaying any case."""

    case_id: str
    school_id: str
    person_name: str
    banned: bool  # True: banned from the premises; False: under conditions
    must_not: tuple[str, ...]  # what they must not do, in reception's words
    until: date | None = None  # the ban's end date, where one was set (it ends after it)


@dataclass(frozen=True)
class CaseSummary:
    """The Cases projection: one row per case, rewritten after each append.

    It is what people browse (and, in SharePoint, filter by school). Events stay the truth.
    """

    case_id: str
    reference: str  # human reference, e.g. "OAK-2026-0003"
    school_id: str
    person_name: str
    status: str
    next_action: str | None
    next_deadline: date | None
    review_date: date | None
    updated_at: datetime
    # The last event (its sequence number) this row reflects: a store never replaces a row
    # with one that reflects fewer events, so a slow writer cannot undo a newer projection.
    projected_seq: int = 0
    # Who may list the case, kept so that a listing reads rows instead of replaying cases
    # (casework.queries): the roles besides the head and senior staff who see the whole case
    # now, and the Entra object ids of the staff who reported its incidents.
    seen_by: frozenset[Role] = frozenset()
    reported_by: tuple[str, ...] = ()
    # Every role's next actions on the case, soonest first (what "my prompts" lists).
    prompts: tuple[OpenPrompt, ...] = ()
    # The case's line on reception's list: a ban or conditions in force (None: none).
    reception: ReceptionEntry | None = None


@dataclass(frozen=True)
class OpenDeadline:
    """One thing some role must do on a case by a date: the index behind "what is due".

    `role` None is the sweeper's own wake-up date (close a reply window, send reminders,
    finish effects that failed)."""

    case_id: str
    school_id: str
    role: Role | None
    action: str
    due: date


class CaseStore(Protocol):
    async def allocate_reference(
        self, school_prefix: str, year: int, command_id: str | None = None
    ) -> str:
        """A new, never-reused case reference such as "OAK-2026-0003".

        With `command_id`, the same command always gets the same reference: a submit
        pressed fifty times, or retried after a crash, spends one reference.
        """
        ...

    async def load(self, case_id: str) -> Sequence[StoredEvent]:
        """Every event of the case in sequence order (empty for an unknown case)."""
        ...

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
        """Append `events` after the `expected_seq` events already seen, all or nothing.

        Raises `SequenceTaken` if another append took any of those sequence numbers.
        """
        ...

    async def events_for_command(self, case_id: str, command_id: str) -> Sequence[StoredEvent]:
        """The events a command already produced on this case (empty if it never ran)."""
        ...

    async def save_summary(self, summary: CaseSummary, deadlines: Sequence[OpenDeadline]) -> None:
        """Replace the case's projection row and its open deadlines, unless the stored row
        already reflects more events (`projected_seq`), in which case nothing changes."""
        ...

    async def summary(self, case_id: str) -> CaseSummary | None: ...

    async def cases_at(self, school_id: str) -> Sequence[CaseSummary]: ...

    # -- listings: read from the projection, a page at a time (casework.queries) --

    async def cases_page(
        self,
        school_id: str,
        *,
        roles: frozenset[Role] | None = None,
        reported_by: str | None = None,
        after: str | None = None,
        limit: int,
    ) -> Sequence[CaseSummary]:
        """Up to `limit` of the school's cases by reference, after the reference `after`.

        `roles` None: every case. Otherwise only the cases some role in `roles` sees whole
        (`CaseSummary.seen_by`) or that `reported_by` reported on."""
        ...

    async def open_prompts(self, school_id: str, role: Role, *, limit: int) -> Sequence[OpenPrompt]:
        """The role's prompts at the school: the `limit` soonest (dated before undated, then
        by reference), and every prompt `due_on_the_day` besides."""
        ...

    async def case_by_reference(self, reference: str) -> CaseSummary | None:
        """The case's row by its reference ("OAK-2026-0003"), None for no such case."""
        ...

    async def reception_list(
        self, school_id: str, *, on: date, limit: int
    ) -> Sequence[ReceptionEntry]:
        """Up to `limit` of the school's `ReceptionEntry` rows in force on the day `on` (a
        ban whose `until` has passed is left out), by the person's name."""
        ...

    async def due_by(
        self,
        day: date,
        *,
        after: OpenDeadline | None = None,
        limit: int | None = None,
        sweeper_only: bool = False,
    ) -> Sequence[OpenDeadline]:
        """Open deadlines falling on or before `day`, across all cases, soonest first
        (by due, case id, action): with `after`, only those after it in that order; with
        `limit`, at most that many (the sweeper reads a batch at a time); with
        `sweeper_only`, only the sweeper's own rows (`role` None), never people's."""
        ...

    # -- the catch-up of derived records (casework.catchup) --

    async def changes_since(self, position: int, limit: int) -> Sequence[tuple[int, str, int]]:
        """(position, case id, sequence number) of up to `limit` appended events after
        `position` in the event log's global order (positions start at 1 and only grow)."""
        ...

    async def checkpoint(self, name: str) -> int:
        """How far the catch-up called `name` got (0: not started)."""
        ...

    async def advance_checkpoint(self, name: str, position: int) -> None:
        """Record progress; a checkpoint never moves back (two instances may race)."""
        ...


@dataclass(frozen=True)
class ReferenceClaim:
    """A new case's reference, read ahead of its first append (`peek_reference`) and
    allocated in the append's own transaction (`AtomicCaseStore.append_projected`)."""

    school_prefix: str
    year: int
    command_id: str
    reference: str  # "{prefix}-{year}-{n:04d}"
    number: int  # n


class ReferenceTaken(Exception):
    """The reference read ahead was allocated meanwhile (another process): read another."""


@runtime_checkable
class AtomicCaseStore(Protocol):
    """A case store with transactions across its tables (the embedded SQLite file): a
    command's reference, events, projection and catch-up checkpoint are written in ONE
    durable transaction. Stores without it (SharePoint) take the separate calls of
    `CaseStore` and the catch-up (docs/casework.md, "Derived records")."""

    async def peek_reference(
        self, school_prefix: str, year: int, command_id: str
    ) -> ReferenceClaim:
        """The reference the next report at that school and year is to claim (a read: nothing
        is written; the same command id gets the reference it was already allocated)."""
        ...

    async def load_or_peek(
        self, case_id: str, school_prefix: str, year: int, command_id: str
    ) -> tuple[Sequence[StoredEvent], ReferenceClaim | None]:
        """`load(case_id)`; if the case has no events, also `peek_reference(school_prefix,
        year, command_id)` in the same read (a new report's first look: one call, not two).
        The claim is None when the case has events."""
        ...

    def release_reference(self, claim: ReferenceClaim) -> None:
        """The report that read `claim` is over (recorded, refused or failed): a number never
        claimed may be read again."""
        ...

    async def append_projected(
        self,
        case_id: str,
        expected_seq: int,
        events: Sequence[NewEvent],
        *,
        actor_id: str,
        at: datetime,
        command_id: str,
        activity_id: str | None,
        summary: CaseSummary,
        deadlines: Sequence[OpenDeadline],
        claim: ReferenceClaim | None,
        checkpoint: str,
        queued: Sequence[QueuedWithAppend] = (),
    ) -> Sequence[StoredEvent]:
        """`CaseStore.append`, and in the same transaction: the claimed reference allocated
        (`ReferenceTaken` if it is not free), each of `queued` (its notification in the
        outbox, its events after the command's), `save_summary(summary, deadlines)`, and
        the checkpoint `checkpoint` moved past these events if it was at the end of the log
        before them (so the catch-up has nothing to do). All or nothing. Returns the
        command's events followed by those of `queued`, in order."""
        ...


def is_atomic(store: object) -> TypeIs[AtomicCaseStore]:
    """`isinstance(store, AtomicCaseStore)`, answered once per class (a protocol check
    looks up every member, and the pipeline asks on every command). The protocol has
    methods only, so the class decides."""
    return _class_is(type(store), AtomicCaseStore)


# (class, protocol) → whether the class has the protocol's methods, worked out once.
_CLASS_IS: dict[tuple[type, type], bool] = {}


def _class_is(cls: type, protocol: type) -> bool:
    known = _CLASS_IS.get((cls, protocol))
    if known is None:
        known = _CLASS_IS[cls, protocol] = issubclass(cls, protocol)
    return known


@dataclass(frozen=True)
class QueuedWithAppend:
    """A prompt the command's events call for, queued in the command's own transaction:
    the notification into the outbox (`OutboxInStore`), and the system's events recording
    it queued (`RecordNotificationQueued`), appended after the command's events."""

    notification: Notification
    command_id: str  # the system command's id ("system:queued:<notification id>")
    actor_id: str
    events: tuple[NewEvent, ...]


@runtime_checkable
class OutboxInStore(Protocol):
    """A notifier whose outbox lives in the case store's own file, so that
    `AtomicCaseStore.append_projected` can queue into it in the command's transaction."""

    def shares_transactions_with(self, store: object) -> bool:
        """True if a transaction of `store` can write this outbox's rows."""
        ...


def outbox_in_store(notifier: object) -> TypeIs[OutboxInStore]:
    """`isinstance(notifier, OutboxInStore)`, answered once per class (as `is_atomic`)."""
    return _class_is(type(notifier), OutboxInStore)


# --- Letter drafts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None  # set for an inline image referenced as cid:… in the HTML


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str | None = None
    postal_address: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person:
    """Someone in the trust's directory (identified by their Entra object id)."""

    object_id: str
    name: str
    email: str


@dataclass(frozen=True)
class LetterDraft:
    """A letter ready for its signer to read, adjust and send from their own mailbox."""

    key: str  # stable per case and letter: drafting the same key twice yields one draft
    case_id: str
    case_reference: str
    letter: str  # which letter, e.g. "letter-4" or "meeting-follow-up"
    signer: Person  # the draft goes into this person's Drafts
    to: Recipient
    cc: tuple[Recipient, ...]
    subject: str
    html: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    reply_by: date | None = None


class LetterDrafts(Protocol):
    async def create_draft(self, draft: LetterDraft) -> str:
        """Save the draft and return its reference (a path or a message id).

        Idempotent by `draft.key`: a second call with the same key returns the first
        reference and creates nothing.
        """
        ...


class SentStatus(StrEnum):
    UNKNOWN = "unknown"  # these drafts cannot tell (files): only the signer knows
    DRAFT = "draft"  # still a draft, unsent, in the signer's mailbox
    SENT = "sent"  # the mailbox shows it sent, at `SentState.sent_at`
    MISSING = "missing"  # no message with the draft's key in the mailbox (deleted?)


@dataclass(frozen=True)
class SentState:
    """What the signer's mailbox says of a draft. Only `SENT` is evidence that the letter
    went; nothing else may be recorded as sent without the signer saying so."""

    status: SentStatus
    sent_at: datetime | None = None  # when the mailbox says it was sent (SENT only)


@runtime_checkable
class SentLetters(Protocol):
    """Reads back whether a draft has been sent (optional: `Ports.sent_letters`)."""

    async def sent_state(self, signer: Person, key: str) -> SentState:
        """The state of the draft made for `key` in `signer`'s mailbox. Raises when the
        mailbox cannot be read; never guesses."""
        ...


# --- Notifier ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Notification:
    """A prompt to people or to the clerks' channel. Carries a case reference, never
    personal details: the reader opens the case in Teams to see them."""

    key: str  # idempotency key: the same key is delivered once
    case_id: str
    school_id: str
    recipients: tuple[str, ...] = ()  # Entra object ids
    channel: str | None = None  # a configured channel name, e.g. the clerks' channel
    title: str = ""
    text: str = ""
    kind: str = ""  # a `rules.behaviours.NotificationKind` value: which card to carry
    reference: str = ""  # the case reference the prompt's button opens

    @property
    def addresses(self) -> tuple[str, ...]:
        """One delivery per address: "user:<object id>" for each recipient's personal chat
        with the bot, "channel:<school id>" for the school's clerks' channel."""
        users = tuple(f"user:{oid}" for oid in dict.fromkeys(self.recipients))
        return users + ((f"channel:{self.school_id}",) if self.channel else ())


class Notifier(Protocol):
    async def notify(self, notification: Notification) -> None:
        """Durably queue the notification once per key, one delivery per address. Queued
        is not sent: a deliverer posts it and records each recipient's outcome."""
        ...


@dataclass(frozen=True)
class ClaimedDelivery:
    """One notification to one address, claimed by one deliverer until `claimed_until`."""

    notification: Notification
    address: str
    attempts: int  # attempts before this one
    claimed_until: datetime


@dataclass(frozen=True)
class DeliveryOutcome:
    """A final outcome not yet recorded on its case (`RecordNotificationDelivered` or
    `RecordNotificationUndeliverable`)."""

    case_id: str
    notification_id: str
    address: str
    sent: bool
    reason: str  # why it was undeliverable ("" when sent)


class DeliveryQueue(Protocol):
    """The outbox as the deliverer sees it: per-address rows, each claimed by one deliverer
    at a time (two instances never post one notification to one address at once)."""

    async def claim_due(
        self, now: datetime, *, limit: int, claimer: str, lease_s: float
    ) -> Sequence[ClaimedDelivery]: ...

    async def mark_sent(self, key: str, address: str, at: datetime, activity_id: str) -> None: ...

    async def mark_undeliverable(
        self, key: str, address: str, at: datetime, reason: str
    ) -> None: ...

    async def retry_at(self, key: str, address: str, due_at: datetime, error: str) -> None: ...

    async def unrecorded_outcomes(self, limit: int) -> Sequence[DeliveryOutcome]: ...

    async def mark_recorded(self, key: str, address: str) -> None: ...


# --- Conversations (where Teams prompts go) --------------------------------------------


# Why a delivery waits when its recipient has no stored conversation (the app not installed
# or not used yet). Storing their conversation makes such deliveries due at once.
NOT_REACHABLE_YET = "cannot be reached in Teams yet"


@dataclass(frozen=True)
class ConversationReference:
    """Where a proactive message to one address goes, from the last activity seen there.

    `address` is "user:<Entra object id>" for a personal chat, "channel:<Teams channel id>"
    for a team channel. Refreshed from every activity: Teams may move a conversation to
    another serviceUrl (the embedded store writes a change at once, and an unchanged
    reference again only after `local.conversations.REWRITE_UNCHANGED_AFTER`)."""

    address: str
    service_url: str  # https (or http on a loopback host, local mode and tests)
    conversation_id: str
    tenant_id: str
    bot_id: str  # the bot's own account in that conversation (the activity's recipient)
    channel_id: str = "msteams"
    channel_name: str | None = None  # a team channel's display name, when Teams sent it
    updated_at: datetime | None = None


class Conversations(Protocol):
    async def remember(self, reference: ConversationReference) -> None:
        """Store (or replace) the reference for its address."""
        ...

    async def reference(self, address: str) -> ConversationReference | None: ...

    async def reference_by_channel_name(self, name: str) -> ConversationReference | None:
        """The most recent team-channel reference whose display name is `name`."""
        ...

    async def known(self, addresses: Sequence[str]) -> frozenset[str]:
        """Those of `addresses` that have a stored reference."""
        ...


@dataclass(frozen=True)
class UnpostedReply:
    """A reply the Bot Connector did not accept, kept until it is posted or given up."""

    reply_id: int
    service_url: str
    conversation_id: str
    reply_to_id: str | None
    body: Mapping[str, Any]  # the serialised activity
    activity_id: str  # the activity it answers (sanitised), for the log
    attempts: int


class UnpostedReplies(Protocol):
    async def add(
        self,
        *,
        service_url: str,
        conversation_id: str,
        reply_to_id: str | None,
        body: Mapping[str, Any],
        activity_id: str,
        due_at: datetime,
    ) -> None: ...

    async def claim_due(
        self, now: datetime, *, limit: int, lease_s: float
    ) -> Sequence[UnpostedReply]: ...

    async def posted(self, reply_id: int) -> None:
        """Posted, or given up: the reply is removed."""
        ...

    async def retry_at(self, reply_id: int, due_at: datetime) -> None: ...


# --- Directory --------------------------------------------------------------------------


class Directory(Protocol):
    """Who holds which role at which school (from the trust configuration, or from Entra
    ID groups in Microsoft 365 mode, which may raise `DirectoryUnavailable`)."""

    def roles_of(self, object_id: str, school_id: str) -> frozenset[Role]: ...

    def schools_of(self, object_id: str) -> Sequence[str]: ...

    def holders(self, school_id: str, role: Role) -> Sequence[Person]: ...

    def person(self, object_id: str) -> Person | None: ...


@dataclass(frozen=True)
class Ports:
    """Everything the application layer needs, wired once by the bootstrap."""

    store: CaseStore
    drafts: LetterDrafts
    notifier: Notifier
    directory: Directory
    clock: Clock
    # Delivery to Teams (bot/deliver.py): where each address is reached, and the outbox's
    # per-address rows. None: nothing delivers (tests of the application layer alone).
    conversations: Conversations | None = None
    deliveries: DeliveryQueue | None = None
    unposted_replies: UnpostedReplies | None = None
    # Reads back whether a draft was sent (the Outlook drafts). None: nothing can tell.
    sent_letters: SentLetters | None = None
