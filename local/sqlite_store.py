"""The embedded case store: one SQLite file on disk (ports.CaseStore).

One connection per store object, opened once, in WAL mode so that readers never wait for the
writer. sqlite3 blocks, so every call runs in a worker thread (`asyncio.to_thread`), and a
lock keeps one statement sequence at a time on the connection. A connection per call was
measured and rejected: closing the last connection checkpoints the WAL, which made appends
about sixty times slower.

Appends run in one `BEGIN IMMEDIATE` transaction: the sequence check and the inserts are
all or nothing, and the primary key (case_id, seq) refuses a second writer that somehow got
past the check (another process, another store object on the same file).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

from casework.ports import (
    CaseSummary,
    NewEvent,
    Notification,
    OpenDeadline,
    OpenPrompt,
    QueuedWithAppend,
    ReceptionEntry,
    ReferenceClaim,
    ReferenceTaken,
    SequenceTaken,
    StoredEvent,
    StoreUnavailable,
)
from rules.roles import Role

log = logging.getLogger(__name__)

T = TypeVar("T")

# How long a writer waits for another writer's transaction before giving up. Teams allows a
# bot about 15 seconds to answer; a lock held longer than this means something is wrong.
BUSY_TIMEOUT_SECONDS = 5.0

# Each entry moves the schema from version i to i + 1. Only ever append to this list: a file
# created by an earlier version is brought up to date by the entries it has not yet run.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE events (
        case_id     TEXT    NOT NULL,
        seq         INTEGER NOT NULL CHECK (seq >= 1),
        kind        TEXT    NOT NULL,
        data        TEXT    NOT NULL,  -- JSON object
        actor_id    TEXT    NOT NULL,
        at          TEXT    NOT NULL,  -- ISO 8601, UTC, with offset
        command_id  TEXT    NOT NULL,
        activity_id TEXT,
        PRIMARY KEY (case_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX events_by_command ON events (case_id, command_id);

    CREATE TABLE cases (
        case_id       TEXT PRIMARY KEY,
        reference     TEXT NOT NULL,
        school_id     TEXT NOT NULL,
        person_name   TEXT NOT NULL,
        status        TEXT NOT NULL,
        next_action   TEXT,
        next_deadline TEXT,  -- ISO date
        review_date   TEXT,  -- ISO date
        updated_at    TEXT NOT NULL
    );
    CREATE INDEX cases_by_school ON cases (school_id, reference);

    CREATE TABLE deadlines (
        case_id   TEXT NOT NULL,
        school_id TEXT NOT NULL,
        role      TEXT NOT NULL,
        action    TEXT NOT NULL,
        due       TEXT NOT NULL  -- ISO date, so text order is date order
    );
    CREATE INDEX deadlines_by_due ON deadlines (due, case_id, action);
    CREATE INDEX deadlines_by_case ON deadlines (case_id);

    CREATE TABLE reference_counters (
        prefix TEXT    NOT NULL,
        year   INTEGER NOT NULL,
        last   INTEGER NOT NULL,
        PRIMARY KEY (prefix, year)
    );

    CREATE TABLE outbox (
        position     INTEGER PRIMARY KEY AUTOINCREMENT,  -- queue order
        key          TEXT NOT NULL UNIQUE,
        case_id      TEXT NOT NULL,
        school_id    TEXT NOT NULL,
        recipients   TEXT NOT NULL,  -- JSON list of object ids
        channel      TEXT,
        title        TEXT NOT NULL,
        text         TEXT NOT NULL,
        queued_at    TEXT NOT NULL,
        delivered_at TEXT,
        attempts     INTEGER NOT NULL DEFAULT 0,
        last_error   TEXT
    );
    CREATE INDEX outbox_undelivered ON outbox (position) WHERE delivered_at IS NULL;
    """,
    # 2: a deadline's role may be NULL: the sweeper's own wake-up dates.
    """
    CREATE TABLE deadlines_v2 (
        case_id   TEXT NOT NULL,
        school_id TEXT NOT NULL,
        role      TEXT,  -- NULL: the sweeper's own step on that day
        action    TEXT NOT NULL,
        due       TEXT NOT NULL  -- ISO date, so text order is date order
    );
    INSERT INTO deadlines_v2 (case_id, school_id, role, action, due)
        SELECT case_id, school_id, role, action, due FROM deadlines;
    DROP TABLE deadlines;
    ALTER TABLE deadlines_v2 RENAME TO deadlines;
    CREATE INDEX deadlines_by_due ON deadlines (due, case_id, action);
    CREATE INDEX deadlines_by_case ON deadlines (case_id);
    """,
    # 3: the catch-up of derived records (docs/casework.md, "Derived records"). Every
    # append also writes the event log's global order, in the same transaction; the Cases
    # row records the last event it reflects; a checkpoint remembers how far the catch-up
    # got; a case reference is allocated once per reporting command.
    """
    CREATE TABLE event_log (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id  TEXT    NOT NULL,
        seq      INTEGER NOT NULL,
        UNIQUE (case_id, seq)
    );
    INSERT INTO event_log (case_id, seq) SELECT case_id, seq FROM events ORDER BY at, case_id, seq;
    ALTER TABLE cases ADD COLUMN projected_seq INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE checkpoints (
        name     TEXT PRIMARY KEY,
        position INTEGER NOT NULL
    );
    CREATE TABLE reference_allocations (
        command_id TEXT PRIMARY KEY,
        reference  TEXT NOT NULL
    );
    """,
    # 4: listings read the projection, never the events (docs/performance.md). The Cases row
    # keeps who sees the case and who reported on it; `case_sightings` indexes that per
    # school and viewer ("role:chair", "user:<object id>") in reference order; `prompts`
    # keeps each role's next actions, indexed in the order they are listed. Rows written
    # before this version have none of it, so every case is projected again by the next
    # catch-up (its checkpoint and the rows' projected_seq start over).
    """
    ALTER TABLE cases ADD COLUMN seen_by TEXT NOT NULL DEFAULT '[]';  -- JSON list of roles
    ALTER TABLE cases ADD COLUMN reported_by TEXT NOT NULL DEFAULT '[]';  -- JSON object ids
    CREATE TABLE case_sightings (
        school_id TEXT NOT NULL,
        viewer    TEXT NOT NULL,
        reference TEXT NOT NULL,
        case_id   TEXT NOT NULL,
        PRIMARY KEY (school_id, viewer, reference, case_id)
    ) WITHOUT ROWID;
    CREATE INDEX case_sightings_by_case ON case_sightings (case_id);
    CREATE TABLE prompts (
        case_id        TEXT    NOT NULL,
        position       INTEGER NOT NULL,  -- order within the case (soonest first)
        school_id      TEXT    NOT NULL,
        reference      TEXT    NOT NULL,
        role           TEXT    NOT NULL,
        action         TEXT    NOT NULL,
        text           TEXT    NOT NULL,
        due            TEXT,  -- ISO date
        due_order      TEXT    NOT NULL,  -- the due date, or '~' (after every date) for none
        warning        TEXT,
        due_on_the_day INTEGER NOT NULL,
        letter_id      TEXT,
        incident_no    INTEGER,
        PRIMARY KEY (case_id, position)
    ) WITHOUT ROWID;
    CREATE INDEX prompts_listed ON prompts (school_id, role, due_order, reference);
    CREATE INDEX prompts_on_the_day ON prompts (school_id, role) WHERE due_on_the_day = 1;
    UPDATE cases SET projected_seq = 0;
    DELETE FROM checkpoints WHERE name = 'projection';
    """,
    # 5: delivery to Teams (docs/casework.md, "Delivery"). One `deliveries` row per
    # notification and recipient address, claimed by one deliverer at a time (`claimed_until`
    # is a lease, set in a BEGIN IMMEDIATE transaction); `conversations` holds where each
    # address is reached; `unposted_replies` holds replies the Bot Connector did not accept,
    # until they are posted or given up. Notifications queued before this version get their
    # delivery rows here.
    """
    CREATE TABLE deliveries (
        notification_key TEXT    NOT NULL,
        address          TEXT    NOT NULL,  -- "user:<object id>" or "channel:<school id>"
        case_id          TEXT    NOT NULL,
        state            TEXT    NOT NULL,  -- waiting, sent, undeliverable
        due_at           TEXT    NOT NULL,  -- ISO 8601 UTC: not tried before
        attempts         INTEGER NOT NULL DEFAULT 0,
        claimed_until    TEXT,  -- a deliverer's lease (ISO 8601 UTC)
        claimed_by       TEXT,
        last_error       TEXT,
        done_at          TEXT,
        activity_id      TEXT,  -- the id the Bot Connector gave the message
        recorded         INTEGER NOT NULL DEFAULT 0,  -- outcome recorded on the case
        PRIMARY KEY (notification_key, address)
    );
    CREATE INDEX deliveries_due ON deliveries (due_at) WHERE state = 'waiting';
    CREATE INDEX deliveries_unrecorded ON deliveries (notification_key)
        WHERE state <> 'waiting' AND recorded = 0;
    INSERT INTO deliveries (notification_key, address, case_id, state, due_at)
        SELECT o.key, 'user:' || j.value, o.case_id, 'waiting', o.queued_at
        FROM outbox AS o, json_each(o.recipients) AS j WHERE o.delivered_at IS NULL;
    INSERT INTO deliveries (notification_key, address, case_id, state, due_at)
        SELECT key, 'channel:' || school_id, case_id, 'waiting', queued_at
        FROM outbox WHERE delivered_at IS NULL AND channel IS NOT NULL;
    ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT '';
    ALTER TABLE outbox ADD COLUMN reference TEXT NOT NULL DEFAULT '';
    CREATE TABLE conversations (
        address         TEXT PRIMARY KEY,  -- "user:<object id>" or "channel:<channel id>"
        service_url     TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        tenant_id       TEXT NOT NULL,
        bot_id          TEXT NOT NULL,
        channel_id      TEXT NOT NULL,
        channel_name    TEXT,
        updated_at      TEXT NOT NULL
    );
    CREATE INDEX conversations_by_channel_name ON conversations (channel_name)
        WHERE channel_name IS NOT NULL;
    CREATE TABLE unposted_replies (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        service_url     TEXT    NOT NULL,
        conversation_id TEXT    NOT NULL,
        reply_to_id     TEXT,
        body            TEXT    NOT NULL,  -- the serialised activity
        activity_id     TEXT    NOT NULL,  -- the activity it answers (sanitised, for logs)
        due_at          TEXT    NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        claimed_until   TEXT
    );
    CREATE INDEX unposted_replies_due ON unposted_replies (due_at);
    """,
    # 6 (issue 11; deliver's 5 comes before it): reception's list ("who is banned"), one row
    # per case with a ban or conditions in force, written with the case's projection; cases
    # found by their reference. Rows written before this version have no line on the list,
    # so every case is projected again by the next catch-up.
    """
    CREATE TABLE reception_list (
        case_id     TEXT PRIMARY KEY,
        school_id   TEXT    NOT NULL,
        person_name TEXT    NOT NULL,
        banned      INTEGER NOT NULL,
        must_not    TEXT    NOT NULL,  -- JSON list of lines
        until       TEXT               -- ISO date: a ban's end date, if one was set
    );
    CREATE INDEX reception_by_school ON reception_list (school_id, person_name, case_id);
    CREATE INDEX cases_by_reference ON cases (reference);
    UPDATE cases SET projected_seq = 0;
    DELETE FROM checkpoints WHERE name = 'projection';
    """,
    # 7 (issue 10): the sweeper's own rows (role NULL) in an index of their own, in the due
    # index's order, so that its due query reads only them instead of stepping over every
    # person's row due before them (SWEEPER_DUE_BATCH_QUERY).
    """
    CREATE INDEX deadlines_sweeper_due ON deadlines (due, case_id, action) WHERE role IS NULL;
    """,
    # 8 (issue 11, prompts; perf10b's 7 comes before it): the sweeper's follow-ups of
    # people's dated steps (due soon, overdue, escalated to the head) have wake-up rows in
    # the due index. Rows written before this version have none, so every case is projected
    # again by the next catch-up, and an open case's follow-ups are found.
    """
    UPDATE cases SET projected_seq = 0;
    DELETE FROM checkpoints WHERE name = 'projection';
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class Database:
    """One SQLite connection, safe to share between worker threads, schema brought up to date.

    Shared by the case store and the outbox when both live in the same file.

    Calls from the event loop (`call`) are queued and run by one worker thread at a time, in
    the order they were made. Transactions (`transaction`) queued together are committed
    together (group commit): each runs in a savepoint of its own inside one `BEGIN IMMEDIATE
    … COMMIT`, so one that fails is rolled back alone and the others still commit; none is
    answered until that `COMMIT` has returned, and a `COMMIT` that fails fails them all. So
    under load a dozen commands cost one durable commit and one hop to the worker thread,
    instead of one each; a command on its own is one `BEGIN IMMEDIATE … COMMIT` as before.

    Reads marked as such (`read`) queued in the same batch run before its transactions, so
    that they do not split it into several commits: none of the calls in a batch has been
    answered, so none can depend on another's result, and each read sees only what is
    committed. Any other call keeps its place: what was queued before it runs first.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._connection = connection
        self._lock = threading.Lock()
        self._closed = False
        # The calls queued from event loops, and whether a worker thread is taking them.
        self._queue_lock = threading.Lock()
        self._queued: list[_Queued] = []
        self._draining = False

    @classmethod
    def open(cls, path: Path, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> Database:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(
                f"cannot create the folder for the case store, {path.parent}: {error.strerror}"
            ) from error
        try:
            connection = sqlite3.connect(
                path,
                timeout=busy_timeout,
                isolation_level=None,  # explicit BEGIN/COMMIT only
                check_same_thread=False,  # calls arrive from worker threads, under our lock
            )
            connection.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed append survives a power cut, not only a crash of the process.
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            # Statement journals and sorts in memory: no temporary file opened per command.
            connection.execute("PRAGMA temp_store = MEMORY")
            _migrate(connection)
        except sqlite3.Error as error:
            raise StoreUnavailable(f"cannot open the case store at {path}: {error}") from error
        return cls(path, connection)

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the connection, in the calling thread, one caller at a time."""
        with self._lock:
            if self._closed:
                raise StoreUnavailable(f"the case store at {self.path} is closed")
            try:
                return work(self._connection)
            except sqlite3.OperationalError as error:
                # "database is locked" after the busy timeout, a full disk, a vanished file.
                raise StoreUnavailable(f"case store unavailable: {error}") from error

    async def call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` in the worker thread, after the calls queued before it (see the class)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        queued = _Queued(work, loop, future)
        with self._queue_lock:
            self._queued.append(queued)
            start = not self._draining
            self._draining = True
        if start:
            try:
                loop.run_in_executor(None, self._drain)
            except RuntimeError:  # the loop's executor is shut down: this loop is closing
                with self._queue_lock:
                    self._draining = False
                    # Not run later by another loop's worker: its caller is told it failed.
                    if queued in self._queued:
                        self._queued.remove(queued)
                raise
        return await future

    def transaction(
        self, work: Callable[[sqlite3.Connection], T]
    ) -> Callable[[sqlite3.Connection], T]:
        """Wrap `work` in BEGIN IMMEDIATE … COMMIT, rolling back on any exception. Queued
        with others through `call`, it is committed with them (see the class)."""
        return _Transaction(work)

    def read(self, work: Callable[[sqlite3.Connection], T]) -> Callable[[sqlite3.Connection], T]:
        """Mark `work` as a read (it writes nothing): queued with transactions through
        `call`, it may run before them (see the class)."""
        return _Read(work)

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._connection.close()

    # --- the worker thread ------------------------------------------------------------------

    def _drain(self) -> None:
        """Take the queued calls until none is left, each through `run`."""
        while True:
            with self._queue_lock:
                batch, self._queued = self._queued, []
                if not batch:
                    self._draining = False
                    return
            results: list[tuple[_Queued, Any, BaseException | None]] = []
            reads: list[_Queued] = []
            group: list[_Queued] = []
            for queued in [*batch, None]:
                if queued is not None and isinstance(queued.work, _Read):
                    reads.append(queued)
                    continue
                if queued is not None and isinstance(queued.work, _Transaction):
                    group.append(queued)
                    continue
                # The end of the batch, or a call that is neither: what came before it
                # first, the reads before the transactions (none of them has been answered,
                # so none depends on another), then it, alone.
                results += [self._run_one(q) for q in reads]
                if len(group) == 1:  # alone: BEGIN IMMEDIATE … COMMIT, as `run` does it
                    results.append(self._run_one(group[0]))
                elif group:
                    results += self._run_group(group)
                reads, group = [], []
                if queued is not None:
                    results.append(self._run_one(queued))
            _answer(results)

    def _run_one(self, queued: _Queued) -> tuple[_Queued, Any, BaseException | None]:
        try:
            return queued, self.run(queued.work), None
        except BaseException as error:  # the caller's to handle
            return queued, None, error

    def _run_group(self, group: list[_Queued]) -> list[tuple[_Queued, Any, BaseException | None]]:
        try:
            return self.run(lambda connection: _commit_together(connection, group))
        except BaseException as error:  # closed, or the file unavailable: nothing ran
            return [(q, None, error) for q in group]


def _commit_together(
    connection: sqlite3.Connection, group: list[_Queued]
) -> list[tuple[_Queued, Any, BaseException | None]]:
    """The transactions of `group` in one `BEGIN IMMEDIATE … COMMIT`, a savepoint each: one
    that fails is rolled back alone; if the transaction fails, none of them is committed."""
    outcomes: list[tuple[_Queued, Any, BaseException | None]] = []
    current: _Queued | None = None
    try:
        connection.execute("BEGIN IMMEDIATE")
        for current in group:
            assert isinstance(current.work, _Transaction)
            connection.execute("SAVEPOINT command")
            try:
                result = current.work.work(connection)
            except BaseException as error:
                if not connection.in_transaction:
                    raise  # SQLite rolled the whole transaction back: all of it is lost
                connection.execute("ROLLBACK TO command")
                connection.execute("RELEASE command")
                failure: BaseException = error
                if isinstance(error, sqlite3.OperationalError):
                    failure = StoreUnavailable(f"case store unavailable: {error}")
                outcomes.append((current, None, failure))
                continue
            connection.execute("RELEASE command")
            outcomes.append((current, result, None))
        current = None
        connection.execute("COMMIT")
    except BaseException as error:
        # BEGIN, a savepoint, a work or the COMMIT failed: nothing of the group committed.
        with contextlib.suppress(sqlite3.Error):
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        lost = StoreUnavailable(
            f"case store unavailable: {error}"
            if isinstance(error, sqlite3.Error)
            else "case store unavailable: the transaction was rolled back"
        )
        own = lost if isinstance(error, sqlite3.Error) else error
        return [(q, None, own if q is current else lost) for q in group]
    return outcomes


class _Transaction:
    """`work` to run in a transaction of its own, or in a savepoint of a shared one."""

    __slots__ = ("work",)

    def __init__(self, work: Callable[[sqlite3.Connection], Any]) -> None:
        self.work = work

    def __call__(self, connection: sqlite3.Connection) -> Any:
        connection.execute("BEGIN IMMEDIATE")
        try:
            result = self.work(connection)
        except BaseException:
            # SQLite may already have rolled back by itself (a full disk, an I/O error).
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
        return result


class _Read:
    """`work` that only reads: run as it is, and free to go before the transactions queued
    with it."""

    __slots__ = ("work",)

    def __init__(self, work: Callable[[sqlite3.Connection], Any]) -> None:
        self.work = work

    def __call__(self, connection: sqlite3.Connection) -> Any:
        return self.work(connection)


class _Queued:
    __slots__ = ("future", "loop", "work")

    def __init__(
        self,
        work: Callable[[sqlite3.Connection], Any],
        loop: asyncio.AbstractEventLoop,
        future: asyncio.Future[Any],
    ) -> None:
        self.work, self.loop, self.future = work, loop, future


def _answer(results: list[tuple[_Queued, Any, BaseException | None]]) -> None:
    """Hand each result to its caller's event loop: one wake-up per loop per batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Queued, Any, Any]]] = {}
    for result in results:
        by_loop.setdefault(result[0].loop, []).append(result)
    for loop, answers in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(_settle, answers)


def _settle(answers: list[tuple[_Queued, Any, BaseException | None]]) -> None:
    for queued, result, error in answers:
        if queued.future.done():  # the caller was cancelled; the work was done regardless
            continue
        if error is None:
            queued.future.set_result(result)
        else:
            queued.future.set_exception(error)


def _migrate(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = connection.execute("SELECT version FROM schema_version").fetchone()
        current = 0 if row is None else int(row[0])
        if current > SCHEMA_VERSION:
            raise sqlite3.OperationalError(
                f"schema version {current} is newer than this program knows ({SCHEMA_VERSION})"
            )
        for version in range(current, SCHEMA_VERSION):
            # executescript would commit our transaction; run the statements one by one.
            for statement in _statements(MIGRATIONS[version]):
                connection.execute(statement)
        if row is None:
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
        else:
            connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    if current < SCHEMA_VERSION:
        log.info("case store schema migrated from version %s to %s", current, SCHEMA_VERSION)


def _statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def iso_utc(at: datetime) -> str:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("times in the case store must be timezone-aware")
    return at.astimezone(UTC).isoformat()


def from_iso_utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _iso_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _from_iso_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


class SqliteCaseStore:
    """`casework.ports.CaseStore` on a SQLite file. Open with `SqliteCaseStore.open(path)`."""

    def __init__(self, database: Database) -> None:
        self._db = database
        # command id -> the reference `peek_reference` handed out, until released.
        self._in_flight: dict[str, ReferenceClaim] = {}

    @classmethod
    def open(cls, path: Path, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> SqliteCaseStore:
        """Open (creating the file, its folders and its tables if need be) the store at `path`.

        `busy_timeout` is how long, in seconds, a write waits for another writer before the
        call fails with `StoreUnavailable`.
        """
        return cls(Database.open(path, busy_timeout=busy_timeout))

    @property
    def database(self) -> Database:
        return self._db

    def close(self) -> None:
        self._db.close()

    async def ping(self) -> None:
        """Raise `StoreUnavailable` unless the store answers a query (for readiness checks)."""
        await self._db.call(lambda c: c.execute("SELECT version FROM schema_version").fetchone())

    async def allocate_reference(
        self, school_prefix: str, year: int, command_id: str | None = None
    ) -> str:
        def allocate(connection: sqlite3.Connection) -> str:
            if command_id is not None:
                row = connection.execute(
                    "SELECT reference FROM reference_allocations WHERE command_id = ?",
                    (command_id,),
                ).fetchone()
                if row is not None:
                    return str(row[0])
            (n,) = connection.execute(
                """
                INSERT INTO reference_counters (prefix, year, last) VALUES (?, ?, 1)
                ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1
                RETURNING last
                """,
                (school_prefix, year),
            ).fetchone()
            reference = f"{school_prefix}-{year}-{int(n):04d}"
            if command_id is not None:
                connection.execute(
                    "INSERT INTO reference_allocations (command_id, reference) VALUES (?, ?)",
                    (command_id, reference),
                )
            return reference

        return await self._db.call(self._db.transaction(allocate))

    async def peek_reference(
        self, school_prefix: str, year: int, command_id: str
    ) -> ReferenceClaim:
        """A read, no transaction: the number after both the file's counter and the numbers
        this store object has handed out to reports still in flight, so that reports running
        at once in this process claim different numbers (the same command id, pressed again
        meanwhile, gets the same claim). Another process's claim makes ours
        `ReferenceTaken` at the append, and the report reads another."""

        def read(connection: sqlite3.Connection) -> tuple[str | None, int]:
            return _read_reference(connection, school_prefix, year, command_id)

        allocated, last = await self._db.call(self._db.read(read))
        return self._claim(school_prefix, year, command_id, allocated, last)

    async def load_or_peek(
        self, case_id: str, school_prefix: str, year: int, command_id: str
    ) -> tuple[Sequence[StoredEvent], ReferenceClaim | None]:
        """`load(case_id)`, and if the case has no events, `peek_reference(…)` too, in one
        read: a new report's first look at the store."""

        def read(
            connection: sqlite3.Connection,
        ) -> tuple[list[tuple[Any, ...]], tuple[str | None, int] | None]:
            rows = connection.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id = ? ORDER BY seq",
                (case_id,),
            ).fetchall()
            if rows:
                return rows, None
            return rows, _read_reference(connection, school_prefix, year, command_id)

        rows, reference = await self._db.call(self._db.read(read))
        if reference is None:
            return tuple(_event(row) for row in rows), None
        return (), self._claim(school_prefix, year, command_id, *reference)

    def _claim(
        self, school_prefix: str, year: int, command_id: str, allocated: str | None, last: int
    ) -> ReferenceClaim:
        # Called with nothing awaited since the read: the event loop runs one at a time.
        if allocated is not None:
            number = int(allocated.rsplit("-", 1)[1])
            return ReferenceClaim(school_prefix, year, command_id, allocated, number)
        if command_id in self._in_flight:
            return self._in_flight[command_id]
        number = 1 + max(
            [last]
            + [
                c.number
                for c in self._in_flight.values()
                if (c.school_prefix, c.year) == (school_prefix, year)
            ]
        )
        claim = ReferenceClaim(
            school_prefix, year, command_id, f"{school_prefix}-{year}-{number:04d}", number
        )
        self._in_flight[command_id] = claim
        return claim

    def release_reference(self, claim: ReferenceClaim) -> None:
        self._in_flight.pop(claim.command_id, None)

    async def load(self, case_id: str) -> Sequence[StoredEvent]:
        def load(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return connection.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id = ? ORDER BY seq",
                (case_id,),
            ).fetchall()

        return tuple(_event(row) for row in await self._db.call(self._db.read(load)))

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
        at_text = iso_utc(at)
        # Serialise before touching the file: data that is not JSON fails here, writing nothing.
        rows = _event_rows(case_id, expected_seq, events)

        def append(connection: sqlite3.Connection) -> None:
            _insert_events(
                connection, case_id, expected_seq, rows, actor_id, at_text, command_id, activity_id
            )

        await self._db.call(self._db.transaction(append))
        log.debug(
            "case %s: appended seq %s..%s", case_id, expected_seq + 1, expected_seq + len(rows)
        )
        return _stored(case_id, rows, actor_id, at_text, command_id, activity_id)

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
        """The append, the reference claimed, the prompts queued in the outbox with their
        events, the projection and the checkpoint in one `BEGIN IMMEDIATE … COMMIT`: one
        durable commit per command (casework.ports)."""
        at_text = iso_utc(at)
        rows = _event_rows(case_id, expected_seq, events)
        following: list[tuple[QueuedWithAppend, int, list[EventRow]]] = []
        seq = expected_seq + len(rows)
        for q in queued:
            if q.notification.case_id != case_id:
                raise ValueError(
                    f"notification for case {q.notification.case_id} queued with case {case_id}"
                )
            following.append((q, seq, _event_rows(case_id, seq, q.events)))
            seq += len(q.events)
        if summary.case_id != case_id:
            raise ValueError(f"summary for case {summary.case_id} saved with case {case_id}")
        projection = _projection_rows(summary, deadlines)

        def append(connection: sqlite3.Connection) -> None:
            if claim is not None:
                _claim_reference(connection, claim)
            (end,) = connection.execute(
                "SELECT COALESCE(MAX(position), 0) FROM event_log"
            ).fetchone()
            row = connection.execute(
                "SELECT position FROM checkpoints WHERE name = ?", (checkpoint,)
            ).fetchone()
            caught_up = (0 if row is None else int(row[0])) >= int(end)
            _insert_events(
                connection, case_id, expected_seq, rows, actor_id, at_text, command_id, activity_id
            )
            for q, after, q_rows in following:
                _insert_events(
                    connection, case_id, after, q_rows, q.actor_id, at_text, q.command_id, None
                )
                insert_notification(connection, q.notification, at_text)
            _save_projection(connection, summary, deadlines, projection)
            if caught_up:
                # Every case up to the log's end was projected, and this one is now: the
                # catch-up has nothing to read.
                connection.execute(
                    "INSERT INTO checkpoints (name, position)"
                    " SELECT ?, MAX(position) FROM event_log WHERE true"
                    " ON CONFLICT (name) DO UPDATE SET position = MAX(position, excluded.position)",
                    (checkpoint,),
                )

        await self._db.call(self._db.transaction(append))
        log.debug(
            "case %s: appended and projected seq %s..%s",
            case_id,
            expected_seq + 1,
            seq,
        )
        stored = _stored(case_id, rows, actor_id, at_text, command_id, activity_id)
        for q, _, q_rows in following:
            stored += _stored(case_id, q_rows, q.actor_id, at_text, q.command_id, None)
        return stored

    async def events_for_command(self, case_id: str, command_id: str) -> Sequence[StoredEvent]:
        def select(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return connection.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id = ? AND command_id = ?"
                " ORDER BY seq",
                (case_id, command_id),
            ).fetchall()

        return tuple(_event(row) for row in await self._db.call(select))

    async def save_summary(self, summary: CaseSummary, deadlines: Sequence[OpenDeadline]) -> None:
        projection = _projection_rows(summary, deadlines)

        def save(connection: sqlite3.Connection) -> None:
            _save_projection(connection, summary, deadlines, projection)

        await self._db.call(self._db.transaction(save))

    async def summary(self, case_id: str) -> CaseSummary | None:
        def select(connection: sqlite3.Connection) -> list[CaseSummary]:
            rows = connection.execute(
                f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = ?", (case_id,)
            ).fetchall()
            return _with_prompts(connection, rows)

        found = await self._db.call(select)
        return found[0] if found else None

    async def cases_at(self, school_id: str) -> Sequence[CaseSummary]:
        def select(connection: sqlite3.Connection) -> list[CaseSummary]:
            rows = connection.execute(
                f"SELECT {_CASE_COLUMNS} FROM cases WHERE school_id = ? ORDER BY reference",
                (school_id,),
            ).fetchall()
            return _with_prompts(connection, rows)

        return tuple(await self._db.call(select))

    async def cases_page(
        self,
        school_id: str,
        *,
        roles: frozenset[Role] | None = None,
        reported_by: str | None = None,
        after: str | None = None,
        limit: int,
    ) -> Sequence[CaseSummary]:
        start = "" if after is None else after

        def select(connection: sqlite3.Connection) -> list[CaseSummary]:
            if roles is None:
                rows = connection.execute(
                    f"SELECT {_CASE_COLUMNS} FROM cases WHERE school_id = ? AND reference > ?"
                    " ORDER BY reference LIMIT ?",
                    (school_id, start, limit),
                ).fetchall()
                return _with_prompts(connection, rows)
            viewers = [f"role:{r.value}" for r in sorted(roles)]
            if reported_by is not None:
                viewers.append(f"user:{reported_by}")
            # One index range per viewer, each in reference order and cut at `limit`; the
            # union is then cut again, so the cost is the page's, not the school's.
            ranges = " UNION ".join(
                "SELECT * FROM (SELECT reference, case_id FROM case_sightings"
                " WHERE school_id = ? AND viewer = ? AND reference > ?"
                " ORDER BY reference LIMIT ?)"
                for _ in viewers
            )
            rows = connection.execute(
                f"SELECT {_CASE_COLUMNS_OF_C} FROM ({ranges}) AS s"
                " JOIN cases AS c ON c.case_id = s.case_id ORDER BY s.reference LIMIT ?",
                [x for v in viewers for x in (school_id, v, start, limit)] + [limit],
            ).fetchall()
            return _with_prompts(connection, rows)

        return tuple(await self._db.call(select))

    async def open_prompts(self, school_id: str, role: Role, *, limit: int) -> Sequence[OpenPrompt]:
        def select(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return connection.execute(
                f"SELECT {_PROMPT_COLUMNS} FROM (SELECT * FROM prompts"
                " WHERE school_id = ? AND role = ? ORDER BY due_order, reference LIMIT ?)"
                f" UNION SELECT {_PROMPT_COLUMNS} FROM prompts"
                " WHERE school_id = ? AND role = ? AND due_on_the_day = 1"
                " ORDER BY due_order, reference, position",
                (school_id, role.value, limit, school_id, role.value),
            ).fetchall()

        return tuple(_open_prompt(row) for row in await self._db.call(select))

    async def case_by_reference(self, reference: str) -> CaseSummary | None:
        def select(connection: sqlite3.Connection) -> list[CaseSummary]:
            rows = connection.execute(
                f"SELECT {_CASE_COLUMNS} FROM cases WHERE reference = ?", (reference,)
            ).fetchall()
            return _with_prompts(connection, rows)

        found = await self._db.call(select)
        return found[0] if found else None

    async def reception_list(
        self, school_id: str, *, on: date, limit: int
    ) -> Sequence[ReceptionEntry]:
        def select(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return connection.execute(
                "SELECT case_id, school_id, person_name, banned, must_not, until"
                " FROM reception_list WHERE school_id = ? AND (until IS NULL OR until >= ?)"
                " ORDER BY person_name, case_id LIMIT ?",
                (school_id, on.isoformat(), limit),
            ).fetchall()

        return tuple(
            ReceptionEntry(
                case_id=case_id,
                school_id=school,
                person_name=name,
                banned=bool(banned),
                must_not=tuple(json.loads(must_not)),
                until=_from_iso_date(until),
            )
            for case_id, school, name, banned, must_not, until in await self._db.call(select)
        )

    async def due_by(
        self,
        day: date,
        *,
        after: OpenDeadline | None = None,
        limit: int | None = None,
        sweeper_only: bool = False,
    ) -> Sequence[OpenDeadline]:
        def select(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            if after is None and limit is None and not sweeper_only:
                return connection.execute(DUE_BY_QUERY, (day.isoformat(),)).fetchall()
            start = (
                ("", "", "")
                if after is None
                else (after.due.isoformat(), after.case_id, after.action)
            )
            query = SWEEPER_DUE_BATCH_QUERY if sweeper_only else DUE_BATCH_QUERY
            return connection.execute(
                query, (day.isoformat(), *start, -1 if limit is None else limit)
            ).fetchall()

        return tuple(
            OpenDeadline(
                case_id=case_id,
                school_id=school_id,
                role=None if role is None else Role(role),
                action=action,
                due=date.fromisoformat(due),
            )
            for (case_id, school_id, role, action, due) in await self._db.call(select)
        )

    async def changes_since(self, position: int, limit: int) -> Sequence[tuple[int, str, int]]:
        def select(connection: sqlite3.Connection) -> list[tuple[Any, ...]]:
            return connection.execute(
                "SELECT position, case_id, seq FROM event_log WHERE position > ?"
                " ORDER BY position LIMIT ?",
                (position, limit),
            ).fetchall()

        return tuple((int(p), str(c), int(q)) for (p, c, q) in await self._db.call(select))

    async def checkpoint(self, name: str) -> int:
        def select(connection: sqlite3.Connection) -> int:
            row = connection.execute(
                "SELECT position FROM checkpoints WHERE name = ?", (name,)
            ).fetchone()
            return 0 if row is None else int(row[0])

        return await self._db.call(select)

    async def advance_checkpoint(self, name: str, position: int) -> None:
        def advance(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO checkpoints (name, position) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET position = MAX(position, excluded.position)",
                (name, position),
            )

        await self._db.call(self._db.transaction(advance))


def _read_reference(
    connection: sqlite3.Connection, school_prefix: str, year: int, command_id: str
) -> tuple[str | None, int]:
    """(the reference already allocated to `command_id` or None, the counter's last number)."""
    row = connection.execute(
        "SELECT reference FROM reference_allocations WHERE command_id = ?", (command_id,)
    ).fetchone()
    (last,) = connection.execute(
        "SELECT COALESCE(MAX(last), 0) FROM reference_counters WHERE prefix = ? AND year = ?",
        (school_prefix, year),
    ).fetchone()
    return (None if row is None else str(row[0])), int(last)


EventRow = tuple[str, int, str, str]  # (case id, seq, kind, JSON data)


def _event_rows(case_id: str, expected_seq: int, events: Sequence[NewEvent]) -> list[EventRow]:
    return [
        (case_id, expected_seq + i, e.kind, json.dumps(dict(e.data), allow_nan=False))
        for i, e in enumerate(events, start=1)
    ]


def _insert_events(
    connection: sqlite3.Connection,
    case_id: str,
    expected_seq: int,
    rows: list[EventRow],
    actor_id: str,
    at_text: str,
    command_id: str,
    activity_id: str | None,
) -> None:
    (last,) = connection.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM events WHERE case_id = ?", (case_id,)
    ).fetchone()
    if last != expected_seq:
        raise SequenceTaken(case_id, expected_seq + 1)
    try:
        connection.executemany(
            "INSERT INTO events (case_id, seq, kind, data, actor_id, at, command_id,"
            " activity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, actor_id, at_text, command_id, activity_id) for row in rows],
        )
        connection.executemany(
            "INSERT INTO event_log (case_id, seq) VALUES (?, ?)",
            [(case_id, seq) for (_, seq, _, _) in rows],
        )
    except sqlite3.IntegrityError as error:
        if error.sqlite_errorname != "SQLITE_CONSTRAINT_PRIMARYKEY":
            raise
        raise SequenceTaken(case_id, expected_seq + 1) from error


def insert_notification(
    connection: sqlite3.Connection, notification: Notification, queued_at: str
) -> bool:
    """Queue `notification` in the outbox (inside the caller's transaction): its row, and one
    delivery row per address. False if its key was already queued (nothing is written)."""
    cursor = connection.execute(
        "INSERT INTO outbox (key, case_id, school_id, recipients, channel, title, text,"
        " queued_at, kind, reference) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (key) DO NOTHING",
        (
            notification.key,
            notification.case_id,
            notification.school_id,
            json.dumps(list(notification.recipients)),
            notification.channel,
            notification.title,
            notification.text,
            queued_at,
            notification.kind,
            notification.reference,
        ),
    )
    if cursor.rowcount != 1:
        return False
    connection.executemany(
        "INSERT INTO deliveries (notification_key, address, case_id, state, due_at)"
        " VALUES (?, ?, ?, 'waiting', ?) ON CONFLICT DO NOTHING",
        [
            (notification.key, address, notification.case_id, queued_at)
            for address in notification.addresses
        ],
    )
    if not notification.addresses:
        connection.execute(
            "UPDATE outbox SET delivered_at = ? WHERE key = ?", (queued_at, notification.key)
        )
    return True


def _stored(
    case_id: str,
    rows: list[EventRow],
    actor_id: str,
    at_text: str,
    command_id: str,
    activity_id: str | None,
) -> tuple[StoredEvent, ...]:
    at_utc = from_iso_utc(at_text)
    return tuple(
        StoredEvent(
            case_id=case_id,
            seq=seq,
            kind=kind,
            data=json.loads(data),
            actor_id=actor_id,
            at=at_utc,
            command_id=command_id,
            activity_id=activity_id,
        )
        for (_, seq, kind, data) in rows
    )


def _claim_reference(connection: sqlite3.Connection, claim: ReferenceClaim) -> None:
    """Allocate the reference read ahead, or raise `ReferenceTaken` (inside a transaction)."""
    row = connection.execute(
        "SELECT reference FROM reference_allocations WHERE command_id = ?", (claim.command_id,)
    ).fetchone()
    if row is not None:
        if str(row[0]) != claim.reference:
            raise ReferenceTaken(claim.reference)
        return
    row = connection.execute(
        "SELECT last FROM reference_counters WHERE prefix = ? AND year = ?",
        (claim.school_prefix, claim.year),
    ).fetchone()
    if row is not None and int(row[0]) >= claim.number:
        raise ReferenceTaken(claim.reference)
    connection.execute(
        "INSERT INTO reference_counters (prefix, year, last) VALUES (?, ?, ?)"
        " ON CONFLICT (prefix, year) DO UPDATE SET last = excluded.last",
        (claim.school_prefix, claim.year, claim.number),
    )
    connection.execute(
        "INSERT INTO reference_allocations (command_id, reference) VALUES (?, ?)",
        (claim.command_id, claim.reference),
    )


ProjectionRows = tuple[str, str, str, list[str], list[tuple[Any, ...]]]


def _projection_rows(summary: CaseSummary, deadlines: Sequence[OpenDeadline]) -> ProjectionRows:
    """What `_save_projection` writes, computed (and checked) before the transaction."""
    for deadline in deadlines:
        if deadline.case_id != summary.case_id:
            raise ValueError(
                f"deadline for case {deadline.case_id} saved with case {summary.case_id}"
            )
    viewers = dict.fromkeys(
        [f"role:{r.value}" for r in sorted(summary.seen_by)]
        + [f"user:{oid}" for oid in summary.reported_by]
    )
    return (
        iso_utc(summary.updated_at),
        json.dumps(sorted(r.value for r in summary.seen_by)),
        json.dumps(list(summary.reported_by)),
        list(viewers),
        [_prompt_row(summary.case_id, i, p) for i, p in enumerate(summary.prompts)],
    )


def _save_projection(
    connection: sqlite3.Connection,
    summary: CaseSummary,
    deadlines: Sequence[OpenDeadline],
    projection: ProjectionRows,
) -> None:
    """The case's row, sightings, prompts and deadlines, unless a newer row is there."""
    updated_at, seen_by, reported_by, viewers, prompts = projection
    row = connection.execute(
        "SELECT projected_seq FROM cases WHERE case_id = ?", (summary.case_id,)
    ).fetchone()
    if row is not None and int(row[0]) > summary.projected_seq:
        return  # a newer projection is already there: never go back
    connection.execute(
        "INSERT OR REPLACE INTO cases (case_id, reference, school_id, person_name,"
        " status, next_action, next_deadline, review_date, updated_at, projected_seq,"
        " seen_by, reported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            summary.case_id,
            summary.reference,
            summary.school_id,
            summary.person_name,
            summary.status,
            summary.next_action,
            _iso_date(summary.next_deadline),
            _iso_date(summary.review_date),
            updated_at,
            summary.projected_seq,
            seen_by,
            reported_by,
        ),
    )
    connection.execute("DELETE FROM case_sightings WHERE case_id = ?", (summary.case_id,))
    connection.executemany(
        "INSERT INTO case_sightings (school_id, viewer, reference, case_id) VALUES (?, ?, ?, ?)",
        [(summary.school_id, v, summary.reference, summary.case_id) for v in viewers],
    )
    connection.execute("DELETE FROM prompts WHERE case_id = ?", (summary.case_id,))
    connection.executemany(
        f"INSERT INTO prompts ({_PROMPT_COLUMNS}) VALUES ({_PROMPT_PLACEHOLDERS})", prompts
    )
    connection.execute("DELETE FROM reception_list WHERE case_id = ?", (summary.case_id,))
    entry = summary.reception
    if entry is not None:
        connection.execute(
            "INSERT INTO reception_list (case_id, school_id, person_name, banned, must_not,"
            " until) VALUES (?, ?, ?, ?, ?, ?)",
            (
                summary.case_id,
                summary.school_id,
                entry.person_name,
                int(entry.banned),
                json.dumps(list(entry.must_not)),
                _iso_date(entry.until),
            ),
        )
    connection.execute("DELETE FROM deadlines WHERE case_id = ?", (summary.case_id,))
    connection.executemany(
        "INSERT INTO deadlines (case_id, school_id, role, action, due) VALUES (?, ?, ?, ?, ?)",
        [
            (
                d.case_id,
                d.school_id,
                None if d.role is None else d.role.value,
                d.action,
                d.due.isoformat(),
            )
            for d in deadlines
        ],
    )


# "What is due" reads the deadlines index alone, in its order: no scan of the cases.
DUE_BY_QUERY = (
    "SELECT case_id, school_id, role, action, due FROM deadlines"
    " WHERE due <= ? ORDER BY due, case_id, action"
)
# The same, a batch at a time after a given row (row values compare in index order).
DUE_BATCH_QUERY = (
    "SELECT case_id, school_id, role, action, due FROM deadlines"
    " WHERE due <= ? AND (due, case_id, action) > (?, ?, ?) ORDER BY due, case_id, action LIMIT ?"
)
# The sweeper's own rows (role NULL) of that, in the same index order: people's overdue
# rows are stepped over in the index, never returned.
SWEEPER_DUE_BATCH_QUERY = (
    "SELECT case_id, school_id, role, action, due FROM deadlines"
    " WHERE due <= ? AND (due, case_id, action) > (?, ?, ?) AND role IS NULL"
    " ORDER BY due, case_id, action LIMIT ?"
)
_EVENT_COLUMNS = "case_id, seq, kind, data, actor_id, at, command_id, activity_id"
_CASE_COLUMNS = (
    "case_id, reference, school_id, person_name, status, next_action, next_deadline,"
    " review_date, updated_at, projected_seq, seen_by, reported_by"
)
_CASE_COLUMNS_OF_C = ", ".join(f"c.{name.strip()}" for name in _CASE_COLUMNS.split(","))
_PROMPT_COLUMNS = (
    "case_id, position, school_id, reference, role, action, text, due, due_order, warning,"
    " due_on_the_day, letter_id, incident_no"
)
_PROMPT_PLACEHOLDERS = ", ".join("?" for _ in _PROMPT_COLUMNS.split(","))


def _prompt_row(case_id: str, position: int, p: OpenPrompt) -> tuple[Any, ...]:
    if p.case_id != case_id:
        raise ValueError(f"prompt for case {p.case_id} saved with case {case_id}")
    due = _iso_date(p.due)
    return (
        case_id,
        position,
        p.school_id,
        p.reference,
        p.role.value,
        p.action,
        p.text,
        due,
        "~" if due is None else due,
        p.warning,
        int(p.due_on_the_day),
        p.letter_id,
        p.incident_no,
    )


def _open_prompt(row: tuple[Any, ...]) -> OpenPrompt:
    (case_id, _, school_id, reference, role, action, text, due, _, warning, on_the_day,
     letter_id, incident_no) = row  # fmt: skip
    return OpenPrompt(
        case_id=case_id,
        school_id=school_id,
        reference=reference,
        role=Role(role),
        action=action,
        text=text,
        due=_from_iso_date(due),
        warning=warning,
        due_on_the_day=bool(on_the_day),
        letter_id=letter_id,
        incident_no=incident_no,
    )


def _with_prompts(connection: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> list[CaseSummary]:
    """The rows as summaries, each with its kept prompts (one more query for all of them)."""
    if not rows:
        return []
    ids = [row[0] for row in rows]
    kept: dict[str, list[OpenPrompt]] = {case_id: [] for case_id in ids}
    for prompt_row in connection.execute(
        f"SELECT {_PROMPT_COLUMNS} FROM prompts WHERE case_id IN ({', '.join('?' for _ in ids)})"
        " ORDER BY case_id, position",
        ids,
    ):
        kept[prompt_row[0]].append(_open_prompt(prompt_row))
    return [_summary(row, tuple(kept[row[0]])) for row in rows]


def _event(row: tuple[Any, ...]) -> StoredEvent:
    case_id, seq, kind, data, actor_id, at, command_id, activity_id = row
    return StoredEvent(
        case_id=case_id,
        seq=seq,
        kind=kind,
        data=json.loads(data),
        actor_id=actor_id,
        at=from_iso_utc(at),
        command_id=command_id,
        activity_id=activity_id,
    )


def _summary(row: tuple[Any, ...], prompts: tuple[OpenPrompt, ...] = ()) -> CaseSummary:
    (
        case_id,
        reference,
        school_id,
        person_name,
        status,
        next_action,
        next_deadline,
        review_date,
        updated_at,
        projected_seq,
        seen_by,
        reported_by,
    ) = row
    return CaseSummary(
        case_id=case_id,
        reference=reference,
        school_id=school_id,
        person_name=person_name,
        status=status,
        next_action=next_action,
        next_deadline=_from_iso_date(next_deadline),
        review_date=_from_iso_date(review_date),
        updated_at=from_iso_utc(updated_at),
        projected_seq=int(projected_seq),
        seen_by=frozenset(Role(r) for r in json.loads(seen_by)),
        reported_by=tuple(json.loads(reported_by)),
        prompts=prompts,
    )
