"""The one set of fakes for the ports in `casework.ports`, shared by every test tier.

They keep the same promises as the real adapters (the contract tests run against both):
appends are all-or-nothing and refuse a taken sequence number, drafts and notifications
are idempotent by key.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from casework.ports import (
    CaseSummary,
    ConversationReference,
    LetterDraft,
    NewEvent,
    Notification,
    OpenDeadline,
    OpenPrompt,
    Person,
    ReceptionEntry,
    SequenceTaken,
    StoredEvent,
)
from rules.roles import Role


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware time")
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def to_day(self, day: date, hour: int = 10) -> None:
        self._now = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class InMemoryCaseStore:
    def __init__(self) -> None:
        self._events: dict[str, list[StoredEvent]] = {}
        self._summaries: dict[str, CaseSummary] = {}
        self._deadlines: dict[str, tuple[OpenDeadline, ...]] = {}
        self._counters: dict[tuple[str, int], int] = {}
        self._allocated: dict[str, str] = {}
        self._log: list[tuple[int, str, int]] = []
        self._checkpoints: dict[str, int] = {}
        self._lock = asyncio.Lock()

    async def allocate_reference(
        self, school_prefix: str, year: int, command_id: str | None = None
    ) -> str:
        async with self._lock:
            if command_id is not None and command_id in self._allocated:
                return self._allocated[command_id]
            n = self._counters.get((school_prefix, year), 0) + 1
            self._counters[(school_prefix, year)] = n
            reference = f"{school_prefix}-{year}-{n:04d}"
            if command_id is not None:
                self._allocated[command_id] = reference
        return reference

    async def load(self, case_id: str) -> Sequence[StoredEvent]:
        return tuple(self._events.get(case_id, ()))

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
        # Through JSON, as a real store must: data that cannot be stored fails here, before
        # anything is written, and comes back as the real stores return it (lists, not tuples).
        data = [json.loads(json.dumps(dict(event.data), allow_nan=False)) for event in events]
        async with self._lock:
            history = self._events.setdefault(case_id, [])
            if len(history) != expected_seq:
                raise SequenceTaken(case_id, expected_seq + 1)
            stored = tuple(
                StoredEvent(
                    case_id=case_id,
                    seq=expected_seq + i,
                    kind=event.kind,
                    data=data[i - 1],
                    actor_id=actor_id,
                    at=at,
                    command_id=command_id,
                    activity_id=activity_id,
                )
                for i, event in enumerate(events, start=1)
            )
            history.extend(stored)
            base = len(self._log)
            self._log += [(base + i, case_id, e.seq) for i, e in enumerate(stored, start=1)]
            return stored

    async def events_for_command(self, case_id: str, command_id: str) -> Sequence[StoredEvent]:
        return tuple(e for e in self._events.get(case_id, ()) if e.command_id == command_id)

    async def save_summary(self, summary: CaseSummary, deadlines: Sequence[OpenDeadline]) -> None:
        stored = self._summaries.get(summary.case_id)
        if stored is not None and stored.projected_seq > summary.projected_seq:
            return
        self._summaries[summary.case_id] = summary
        self._deadlines[summary.case_id] = tuple(deadlines)

    async def summary(self, case_id: str) -> CaseSummary | None:
        return self._summaries.get(case_id)

    async def cases_at(self, school_id: str) -> Sequence[CaseSummary]:
        return tuple(
            sorted(
                (s for s in self._summaries.values() if s.school_id == school_id),
                key=lambda s: s.reference,
            )
        )

    async def cases_page(
        self,
        school_id: str,
        *,
        roles: frozenset[Role] | None = None,
        reported_by: str | None = None,
        after: str | None = None,
        limit: int,
    ) -> Sequence[CaseSummary]:
        def listed(s: CaseSummary) -> bool:
            if roles is None:
                return True
            return bool(s.seen_by & roles) or (
                reported_by is not None and reported_by in s.reported_by
            )

        return tuple(
            s for s in await self.cases_at(school_id) if s.reference > (after or "") and listed(s)
        )[:limit]

    async def open_prompts(self, school_id: str, role: Role, *, limit: int) -> Sequence[OpenPrompt]:
        kept = [
            p
            for s in self._summaries.values()
            if s.school_id == school_id
            for p in s.prompts
            if p.role is role
        ]
        soonest = sorted(
            (p for p in kept if not p.due_on_the_day),
            key=lambda p: (p.due is None, p.due or date.min, p.reference),
        )[:limit]
        return (*soonest, *(p for p in kept if p.due_on_the_day))

    async def case_by_reference(self, reference: str) -> CaseSummary | None:
        return next((s for s in self._summaries.values() if s.reference == reference), None)

    async def reception_list(
        self, school_id: str, *, on: date, limit: int
    ) -> Sequence[ReceptionEntry]:
        entries = [
            s.reception
            for s in self._summaries.values()
            if s.reception is not None
            and s.school_id == school_id
            and (s.reception.until is None or s.reception.until >= on)
        ]
        return tuple(sorted(entries, key=lambda e: (e.person_name, e.case_id))[:limit])

    async def due_by(
        self,
        day: date,
        *,
        after: OpenDeadline | None = None,
        limit: int | None = None,
        sweeper_only: bool = False,
    ) -> Sequence[OpenDeadline]:
        def order(d: OpenDeadline) -> tuple[date, str, str]:
            return (d.due, d.case_id, d.action)

        due = sorted(
            (
                d
                for ds in self._deadlines.values()
                for d in ds
                if d.due <= day and not (sweeper_only and d.role is not None)
            ),
            key=order,
        )
        if after is not None:
            due = [d for d in due if order(d) > order(after)]
        return tuple(due if limit is None else due[:limit])

    async def changes_since(self, position: int, limit: int) -> Sequence[tuple[int, str, int]]:
        return tuple(self._log[position : position + limit])

    async def checkpoint(self, name: str) -> int:
        return self._checkpoints.get(name, 0)

    async def advance_checkpoint(self, name: str, position: int) -> None:
        self._checkpoints[name] = max(self._checkpoints.get(name, 0), position)


class RecordingDrafts:
    """Letter drafts kept in memory, one per key. `fail_next` makes the next call fail,
    as an outage would."""

    def __init__(self) -> None:
        self.drafts: dict[str, LetterDraft] = {}
        self.fail_next = 0

    async def create_draft(self, draft: LetterDraft) -> str:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("letter drafts unavailable (simulated outage)")
        self.drafts.setdefault(draft.key, draft)
        return f"memory:{draft.key}"


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: dict[str, Notification] = {}
        self.fail_next = 0

    async def notify(self, notification: Notification) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("notifier unavailable (simulated outage)")
        self.sent.setdefault(notification.key, notification)


class InMemoryConversations:
    """`casework.ports.Conversations` in a dict, for tests of the application layer."""

    def __init__(self) -> None:
        self.references: dict[str, ConversationReference] = {}

    async def remember(self, reference: ConversationReference) -> None:
        if reference.updated_at is None:
            raise ValueError("a conversation reference is stored with the time it was seen")
        self.references[reference.address] = reference

    async def reference(self, address: str) -> ConversationReference | None:
        return self.references.get(address)

    async def reference_by_channel_name(self, name: str) -> ConversationReference | None:
        named = [
            r
            for r in self.references.values()
            if r.channel_name == name and r.address.startswith("channel:")
        ]
        return max(
            named, key=lambda r: r.updated_at or datetime.min.replace(tzinfo=UTC), default=None
        )

    async def known(self, addresses: Sequence[str]) -> frozenset[str]:
        return frozenset(a for a in addresses if a in self.references)


class StaticDirectory:
    """A directory from a literal table: {(object_id, school_id): roles}."""

    def __init__(
        self,
        people: Iterable[Person],
        roles: Mapping[tuple[str, str], Iterable[Role]],
    ) -> None:
        self._people = {p.object_id: p for p in people}
        self._roles = {key: frozenset(value) for key, value in roles.items()}

    def roles_of(self, object_id: str, school_id: str) -> frozenset[Role]:
        return self._roles.get((object_id, school_id), frozenset())

    def schools_of(self, object_id: str) -> Sequence[str]:
        return tuple(sorted({school for (oid, school) in self._roles if oid == object_id}))

    def holders(self, school_id: str, role: Role) -> Sequence[Person]:
        return tuple(
            self._people[oid]
            for (oid, school), roles in sorted(self._roles.items())
            if school == school_id and role in roles and oid in self._people
        )

    def person(self, object_id: str) -> Person | None:
        return self._people.get(object_id)

    def with_role(self, object_id: str, school_id: str, role: Role) -> StaticDirectory:
        roles = dict(self._roles)
        roles[(object_id, school_id)] = roles.get((object_id, school_id), frozenset()) | {role}
        return StaticDirectory(self._people.values(), roles)


def summary_for_test(case_id: str, school_id: str = "oakfield", **changes: object) -> CaseSummary:
    base = CaseSummary(
        case_id=case_id,
        reference=f"OAK-2026-{case_id[-4:]:0>4}",
        school_id=school_id,
        person_name="Test Person",
        status="incident_reported",
        next_action=None,
        next_deadline=None,
        review_date=None,
        updated_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
    )
    return replace(base, **changes)  # type: ignore[arg-type]
