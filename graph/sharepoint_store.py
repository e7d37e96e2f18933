"""The case store on SharePoint lists, through Microsoft Graph (docs/graph.md, "The
SharePoint case store").

It implements `casework.ports.CaseStore`, not `AtomicCaseStore`: SharePoint has no
transaction across items, so the pipeline appends the events first and the catch-up
(`casework.catchup`) brings the derived lists up to date from them. What keeps it whole:

- **Events** are the truth, in the `CaseEvents` list: one item per append, keyed by a
  unique, indexed `EventKey` (the case id and the zero-padded number of the append's first
  event). Two appends of the same sequence cannot both be created: the second gets 409,
  which is `SequenceTaken`. A create whose answer was lost (`GraphOutcomeUnknown`) is
  looked up by its key before anything is written again; if the item there is not this
  append's, the sequence was taken.
- **Cases**, **Open deadlines** and **Catch-up checkpoints** are derived, written after the
  events, updated with `If-Match` and re-read on 412. A derived record is never replaced by
  one reflecting fewer events (`CaseSummary.projected_seq`), and a checkpoint never moves
  back, so instances may race.
- **Case references** are items with a unique `Reference`, so two instances never issue
  the same one, and a unique `CommandId`, so one command spends one reference.

With `batching` (the default), a projection (`save_summary`) is two round trips: its reads
in one `$batch`, its writes in another as one `dependsOn` chain in the unbatched order, each
member's status checked; a batch cut short is read again and finished, or left for the
catch-up (docs/graph.md, "`$batch`").

Every query filters on indexed columns only and reads a page (`PAGE` items, far under
SharePoint's 5,000-item list view threshold) per request, following `@odata.nextLink`.

The lists are `SCHEMA`, read from `infra/sharepoint/schema.json`, which `graph.provision`
applies to a site. Internal column names are stable and are what the code uses; display
names are what people see in SharePoint.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from casework.ports import (
    CaseSummary,
    NewEvent,
    OpenDeadline,
    OpenPrompt,
    ReceptionEntry,
    SequenceTaken,
    StoredEvent,
    StoreUnavailable,
)
from graph.client import (
    MAX_BATCH_REQUESTS,
    BatchRequest,
    BatchResponse,
    GraphClient,
    GraphConflict,
    GraphNotFound,
    GraphOutcomeUnknown,
    GraphPreconditionFailed,
    GraphThrottled,
    GraphUnavailable,
)
from graph.tokens import GraphTokenError
from rules.roles import Role

logger = logging.getLogger(__name__)

PAGE = 200  # items per request: one page, far under the 5,000-item list view threshold
MAX_EVENTS_PER_APPEND = 1023  # a position is the item id times 1024 plus the event's place
_POSITION_SPAN = 1024
MAX_DETAILS_CHARS = 63_999  # a multi-line plain text column's limit in SharePoint
_ATTEMPTS = 8  # re-reads after a 412, lookups after a lost answer
_REFERENCE_ATTEMPTS = 200  # numbers tried by one allocation before giving up


# --- the schema ------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    name: str  # internal name: what the code reads and writes, never changed
    display_name: str  # what people see
    kind: str  # "text", "note" (multi-line text), "number", "date", "dateTime"
    indexed: bool = False
    unique: bool = False

    def definition(self) -> dict[str, Any]:
        facet: dict[str, Any]
        if self.kind == "text":
            facet = {"text": {"allowMultipleLines": False, "maxLength": 255}}
        elif self.kind == "note":
            facet = {"text": {"allowMultipleLines": True, "textType": "plain"}}
        elif self.kind == "number":
            facet = {"number": {"decimalPlaces": "none"}}
        elif self.kind == "date":
            facet = {"dateTime": {"format": "dateOnly"}}
        else:
            facet = {"dateTime": {"format": "dateTime"}}
        column: dict[str, Any] = {"name": self.name, "displayName": self.display_name, **facet}
        if self.indexed or self.unique:
            column["indexed"] = True
        if self.unique:
            column["enforceUniqueValues"] = True
        return column


@dataclass(frozen=True)
class ListSpec:
    name: str  # the key the code uses (stable)
    display_name: str
    columns: tuple[ColumnSpec, ...]
    description: str = ""
    # One list per school (what a school's people browse, shared with them alone), or one
    # for the trust (the bot's own records).
    per_school: bool = False
    school: str = ""  # set on one school's copy of a per-school list (`for_school`)

    def for_school(self, school_id: str) -> ListSpec:
        """This school's list: keyed `<name>/<school id>`, shown as `<display name>
        (<school id>)` (the id, not the school's name, so renaming a school in the
        configuration does not orphan its lists)."""
        return replace(
            self,
            name=school_list(self.name, school_id),
            display_name=f"{self.display_name} ({school_id})",
            description=f"{self.description} School: {school_id}.".strip(),
            per_school=False,
            school=school_id,
        )


EVENTS = "CaseEvents"
CASES = "Cases"
DEADLINES = "OpenDeadlines"
RECEPTION = "ReceptionList"
CASE_INDEX = "CaseIndex"
REFERENCES = "CaseReferences"
CHECKPOINTS = "CatchUpCheckpoints"

# The lists and columns, kept in one file that provisioning (`graph.provision`) applies and
# this store reads, so the two never disagree.
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "infra" / "sharepoint" / "schema.json"
_KINDS = ("text", "note", "number", "date", "dateTime")


def load_schema(path: Path = SCHEMA_FILE) -> tuple[ListSpec, ...]:
    """The lists of the schema file. Raises `ValueError` naming what is wrong in it."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    specs = []
    for entry in raw["lists"]:
        columns = []
        for column in entry["columns"]:
            if column["type"] not in _KINDS:
                raise ValueError(
                    f"{path.name}: column {entry['name']}.{column['name']} has type "
                    f"{column['type']!r}; use one of {', '.join(_KINDS)}"
                )
            columns.append(
                ColumnSpec(
                    column["name"],
                    column["displayName"],
                    column["type"],
                    indexed=bool(column.get("indexed")),
                    unique=bool(column.get("unique")),
                )
            )
        specs.append(
            ListSpec(
                entry["name"],
                entry["displayName"],
                tuple(columns),
                description=str(entry.get("description", "")),
                per_school=bool(entry.get("perSchool")),
            )
        )
    names = {s.name for s in specs}
    needed = {EVENTS, CASES, CASE_INDEX, DEADLINES, RECEPTION, REFERENCES, CHECKPOINTS}
    if not needed <= names:
        raise ValueError(f"{path.name}: no list {', '.join(sorted(needed - names))}")
    per_school = {s.name for s in specs if s.per_school}
    if per_school != {CASES, RECEPTION}:
        raise ValueError(f"{path.name}: the lists per school are {CASES} and {RECEPTION}")
    return tuple(specs)


def school_list(name: str, school_id: str) -> str:
    return f"{name}/{school_id}"


def lists_for(schools: Sequence[str], specs: Sequence[ListSpec] | None = None) -> list[ListSpec]:
    """The concrete lists of a site for these schools: the trust's lists once, and each
    per-school list once per school."""
    chosen = SCHEMA if specs is None else specs
    made: list[ListSpec] = []
    for spec in chosen:
        if spec.per_school:
            made += [spec.for_school(school) for school in schools]
        else:
            made.append(spec)
    return made


SCHEMA: tuple[ListSpec, ...] = load_schema()


# --- the store -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    id: str
    etag: str
    fields: Mapping[str, Any]


class SharePointCaseStore:
    """`CaseStore` on a site's lists. `open()` finds the lists; nothing is cached besides
    their ids and which school each case is at (which never changes), so any number of
    instances share one site."""

    def __init__(
        self,
        client: GraphClient,
        site_id: str,
        list_ids: Mapping[str, str],
        schools: Sequence[str],
        *,
        generation: Callable[[], str] | None = None,
        batching: bool = True,
    ) -> None:
        """`batching`: a projection's reads go in one `$batch` and its writes in another
        (docs/graph.md, "`$batch`"); False sends each request on its own."""
        self._client = client
        self._batching = batching
        self._site = site_id
        self._lists = dict(list_ids)
        self._schools = frozenset(schools)
        self._generation = generation or _generation
        self._school_of_case: dict[str, str] = {}

    @classmethod
    async def open(
        cls, client: GraphClient, site_id: str, schools: Sequence[str], *, batching: bool = True
    ) -> SharePointCaseStore:
        """Find the store's lists on the site, the trust's and each school's, by name
        (internal or display)."""
        wanted = lists_for(schools)
        found: dict[str, str] = {}
        async with _graph_errors("open the lists"):
            async for page in client.pages(f"sites/{site_id}/lists"):
                for entry in page:
                    for spec in wanted:
                        names = {entry.get("name"), entry.get("displayName")}
                        if spec.name in names or spec.display_name in names:
                            found[spec.name] = str(entry["id"])
        missing = [s.display_name for s in wanted if s.name not in found]
        if missing:
            raise StoreUnavailable(
                f"the SharePoint site has no list {', '.join(repr(m) for m in missing)}: "
                "run python -m graph.provision"
            )
        return cls(client, site_id, found, schools, batching=batching)

    @classmethod
    async def open_site(
        cls, client: GraphClient, site_url: str, schools: Sequence[str], *, batching: bool = True
    ) -> SharePointCaseStore:
        """`open` on the site at `site_url` (https://<tenant>.sharepoint.com/sites/...)."""
        parts = urlsplit(site_url.strip())
        key = f"{parts.hostname}:{parts.path.rstrip('/')}"
        async with _graph_errors("find the SharePoint site"):
            try:
                found = await client.request("GET", f"sites/{key}")
            except GraphNotFound as error:
                raise StoreUnavailable(f"there is no SharePoint site at {site_url}") from error
        return await cls.open(client, str(found.body["id"]), schools, batching=batching)

    async def ping(self) -> None:
        """One cheap read (the events list itself): raises `StoreUnavailable` unless
        SharePoint answers."""
        async with _graph_errors("reach SharePoint"):
            await self._client.request("GET", f"sites/{self._site}/lists/{self._lists[EVENTS]}")

    # --- Graph helpers ---------------------------------------------------------------

    def _items_path(self, list_key: str) -> str:
        return f"sites/{self._site}/lists/{self._lists[list_key]}/items"

    async def _query(self, list_key: str, conditions: Sequence[str]) -> AsyncIterator[_Item]:
        """Every item matching all `conditions` (each `fields/<indexed column> op value`),
        a page per request."""
        params = {"$expand": "fields", "$top": str(PAGE), "$filter": " and ".join(conditions)}
        async for page in self._client.pages(self._items_path(list_key), params=params):
            for entry in page:
                yield _item(entry)

    async def _find(self, list_key: str, conditions: Sequence[str]) -> list[_Item]:
        return [item async for item in self._query(list_key, conditions)]

    async def _create(self, list_key: str, fields: Mapping[str, Any]) -> _Item:
        response = await self._client.request(
            "POST", self._items_path(list_key), json_body={"fields": dict(fields)}
        )
        return _item(response.body)

    async def _update(self, list_key: str, item: _Item, fields: Mapping[str, Any]) -> None:
        await self._client.request(
            "PATCH",
            f"{self._items_path(list_key)}/{item.id}/fields",
            json_body=dict(fields),
            headers={"If-Match": item.etag},
        )

    async def _delete(self, list_key: str, item: _Item) -> None:
        with contextlib.suppress(GraphNotFound):  # another instance deleted it first
            await self._client.request("DELETE", f"{self._items_path(list_key)}/{item.id}")

    # --- references ------------------------------------------------------------------

    async def allocate_reference(
        self, school_prefix: str, year: int, command_id: str | None = None
    ) -> str:
        series = f"{school_prefix}-{year}"
        # Every item has a command id, so the unique column never holds two blanks.
        claim = command_id if command_id is not None else f"unclaimed:{uuid.uuid4()}"
        async with _graph_errors(f"allocate a reference at {series}"):
            if command_id is not None:
                existing = await self._reference_of(claim)
                if existing is not None:
                    return existing
            taken = [
                int(float(i.fields.get("Number", 0)))
                for i in await self._find(REFERENCES, [_eq("Series", series)])
            ]
            number = max(taken, default=0)
            for _ in range(_REFERENCE_ATTEMPTS):
                number += 1
                reference = f"{series}-{number:04d}"
                fields = {
                    "Title": reference,
                    "Reference": reference,
                    "Series": series,
                    "Number": number,
                    "CommandId": claim,
                }
                try:
                    await self._create(REFERENCES, fields)
                    return reference
                except GraphConflict:
                    pass  # the number, or this command's claim, was taken meanwhile
                except GraphOutcomeUnknown:
                    pass  # looked for below, by the claim
                existing = await self._reference_of(claim)
                if existing is not None:
                    return existing
        raise StoreUnavailable(f"no free reference at {series} after {_REFERENCE_ATTEMPTS} tries")

    async def _reference_of(self, claim: str) -> str | None:
        found = await self._find(REFERENCES, [_eq("CommandId", claim)])
        return str(found[0].fields["Reference"]) if found else None

    # --- events ----------------------------------------------------------------------

    async def load(self, case_id: str) -> Sequence[StoredEvent]:
        async with _graph_errors(f"load case {case_id}"):
            items = await self._find(EVENTS, [_eq("CaseId", case_id)])
        return tuple(e for item in _by_first_seq(items) for e in _events_of(item))

    async def events_for_command(self, case_id: str, command_id: str) -> Sequence[StoredEvent]:
        async with _graph_errors(f"read case {case_id}"):
            items = await self._find(EVENTS, [_eq("CaseId", case_id), _eq("CommandId", command_id)])
        return tuple(e for item in _by_first_seq(items) for e in _events_of(item))

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
        if not events:
            return ()
        if len(events) > MAX_EVENTS_PER_APPEND:
            raise ValueError(f"at most {MAX_EVENTS_PER_APPEND} events in one append")
        if at.utcoffset() is None:
            raise ValueError("event times must be timezone-aware")
        # Through JSON first: data that cannot be stored fails here, before anything is sent.
        details = json.dumps(
            [{"kind": e.kind, "data": dict(e.data)} for e in events],
            ensure_ascii=False,
            allow_nan=False,
        )
        if len(details) > MAX_DETAILS_CHARS:
            raise ValueError(
                f"case {case_id}: these events need {len(details)} characters; a SharePoint "
                f"item holds at most {MAX_DETAILS_CHARS}"
            )
        first = expected_seq + 1
        key = _event_key(case_id, first)
        fields: dict[str, Any] = {
            "Title": f"{case_id} #{first}",
            "EventKey": key,
            "CaseId": case_id,
            "FirstSeq": first,
            "LastSeq": expected_seq + len(events),
            "Kinds": ", ".join(e.kind for e in events),
            "Details": details,
            "ActorId": actor_id,
            "At": at.isoformat(),
            "CommandId": command_id,
            "ActivityId": activity_id or "",
        }
        async with _graph_errors(f"append to case {case_id}"):
            history = await self._find(EVENTS, [_eq("CaseId", case_id)])
            if _event_count(history) != expected_seq:
                # Stale, or beyond the history: either way that sequence is not free.
                raise SequenceTaken(case_id, first)
            for _ in range(_ATTEMPTS):
                try:
                    item = await self._create(EVENTS, fields)
                    return _events_of(item)
                except GraphConflict:
                    pass  # the key is taken: by another append, or by our lost first try
                except GraphOutcomeUnknown:
                    logger.warning("case %s: the answer to an append was lost; looking", case_id)
                found = await self._find(EVENTS, [_eq("EventKey", key)])
                if found:
                    if _same_append(found[0].fields, fields):
                        return _events_of(found[0])  # our write happened: never twice
                    raise SequenceTaken(case_id, first)
            raise StoreUnavailable(f"case {case_id}: the append could not be confirmed")

    # --- the projection --------------------------------------------------------------

    async def save_summary(self, summary: CaseSummary, deadlines: Sequence[OpenDeadline]) -> None:
        for d in deadlines:
            if d.case_id != summary.case_id:
                raise ValueError(f"deadline for case {d.case_id} saved with {summary.case_id}")
        cases = self._school_list(CASES, summary.school_id)
        fields = _summary_fields(summary)
        generation = self._generation()
        seq = summary.projected_seq
        if self._batching:
            async with _graph_errors(f"project case {summary.case_id}"):
                await self._save_summary_batched(summary, deadlines, generation)
            return
        async with _graph_errors(f"project case {summary.case_id}"):
            await self._index(summary)
            # The new deadlines first, then the row, then the old deadlines go: a reader may
            # briefly see both (a spurious wake-up re-reads the case), never neither.
            written = False
            for _ in range(_ATTEMPTS):
                rows = await self._find(cases, [_eq("CaseId", summary.case_id)])
                row = rows[0] if rows else None
                if row is not None and _int(row.fields.get("ProjectedSeq")) > seq:
                    if written:
                        await self._drop_deadlines(summary.case_id, seq, generation, mine=True)
                    return  # a newer projection is there: keep it
                if not written:
                    for d in deadlines:
                        await self._create(DEADLINES, _deadline_fields(d, seq, generation))
                    written = True
                try:
                    if row is None:
                        await self._create(cases, fields)
                    else:
                        await self._update(cases, row, fields)
                except (GraphConflict, GraphPreconditionFailed):
                    continue  # another instance wrote the row meanwhile: read it again
                except GraphOutcomeUnknown:
                    continue  # our create may have happened: read it again
                await self._save_reception(summary)
                await self._drop_deadlines(summary.case_id, seq, generation, mine=False)
                return
        raise StoreUnavailable(f"case {summary.case_id}: the projection kept changing")

    async def _save_summary_batched(
        self, summary: CaseSummary, deadlines: Sequence[OpenDeadline], generation: str
    ) -> None:
        """`save_summary` in two round trips: one `$batch` reads the case's index line (the
        first time this instance projects the case), row, reception line and deadlines; a
        second writes, as one `dependsOn` chain in the unbatched order: the index line, the
        new deadlines, the row (`If-Match`), reception's line (`If-Match`), then the older
        deadlines deleted. A member that fails stops the chain there (424 for the rest).
        A 409 or 412 reads everything again and decides again, creating only this
        projection's deadlines not yet there. A lost answer (the batch cut short, or
        still running at Graph) does the same under a new generation, so the lost
        batch's deadlines, however many it wrote, count as an older projection's: deleted
        here, or ignored by `due_by` and deleted by the next projection. So a batch cut
        short anywhere is made whole here or, if Graph stays away, by the catch-up."""
        case_id, seq = summary.case_id, summary.projected_seq
        cases = self._school_list(CASES, summary.school_id)
        reception = self._school_list(RECEPTION, summary.school_id)
        for _ in range(_ATTEMPTS):
            queries = {
                "row": (cases, [_eq("CaseId", case_id)]),
                "reception": (reception, [_eq("CaseId", case_id)]),
                "deadlines": (DEADLINES, [_eq("CaseId", case_id)]),
            }
            indexed = self._school_of_case.get(case_id) == summary.school_id
            if not indexed:
                queries["index"] = (CASE_INDEX, [_eq("CaseId", case_id)])
            found = await self._read_together(queries)
            if not indexed and found["index"]:
                school = str(found["index"][0].fields["School"])
                if school != summary.school_id:
                    raise ValueError(
                        f"case {case_id} is at {school}; it cannot be projected at "
                        f"{summary.school_id}"
                    )
                self._school_of_case[case_id] = school
                indexed = True
            row = found["row"][0] if found["row"] else None
            mine = [i for i in found["deadlines"] if _is_mine(i, seq, generation)]
            if row is not None and _int(row.fields.get("ProjectedSeq")) > seq:
                # A newer projection is there: keep it, and take back what we wrote.
                failed = await self._run_chain([_Write("DELETE", DEADLINES, i) for i in mine])
                if failed is not None:
                    failed[1].raise_for_status()
                return
            chain: list[_Write] = []
            if not indexed:
                chain.append(_Write("POST", CASE_INDEX, None, _index_fields(summary)))
            there = Counter(_deadline_key(i.fields) for i in mine)
            for d in deadlines:
                key = _deadline_key(_deadline_fields(d, seq, generation))
                if there[key] > 0:
                    there[key] -= 1  # written by an earlier try of this projection
                else:
                    chain.append(
                        _Write("POST", DEADLINES, None, _deadline_fields(d, seq, generation))
                    )
            chain.append(
                _Write("POST" if row is None else "PATCH", cases, row, _summary_fields(summary))
            )
            line = found["reception"][0] if found["reception"] else None
            if (line is not None or summary.reception is not None) and (
                line is None or _int(line.fields.get("ProjectedSeq")) <= seq
            ):
                fields = _reception_fields(summary, summary.reception)
                chain.append(_Write("POST" if line is None else "PATCH", reception, line, fields))
            chain += [
                _Write("DELETE", DEADLINES, i)
                for i in found["deadlines"]
                if _is_older(i, seq, generation)
            ]
            try:
                failed = await self._run_chain(chain)
            except GraphOutcomeUnknown:
                logger.warning("case %s: the answer to a projection was lost; reading", case_id)
                # Some of the chain may have been written, or may still be: read it all
                # again, and write this projection's deadlines anew, never beside the lost
                # batch's under one generation.
                generation = self._generation()
                continue
            if failed is None:
                if not indexed:
                    self._school_of_case[case_id] = summary.school_id
                return
            write, answer = failed
            if answer.status in (409, 412) or (answer.status == 504 and write.method == "POST"):
                if write.list_key == reception:
                    # The row is written: reception's line is decided again on its own.
                    await self._save_reception(summary)
                    await self._drop_deadlines(case_id, seq, generation, mine=False)
                    return
                if answer.status == 504 and write.list_key == DEADLINES:
                    generation = self._generation()  # as for a lost batch: it may land late
                continue  # another instance wrote meanwhile (or our write may have): read again
            answer.raise_for_status()
            raise StoreUnavailable(f"case {case_id}: Graph answered {answer.status}")
        raise StoreUnavailable(f"case {case_id}: the projection kept changing")

    async def _read_together(
        self, queries: Mapping[str, tuple[str, Sequence[str]]]
    ) -> dict[str, list[_Item]]:
        """Each query's items (as `_find`), the first page of every query in one `$batch`;
        further pages, if any, one request each."""
        requests = []
        for name, (list_key, conditions) in queries.items():
            params = {"$expand": "fields", "$top": str(PAGE), "$filter": " and ".join(conditions)}
            url = f"/{self._items_path(list_key)}?{urlencode(params, quote_via=quote, safe='$')}"
            requests.append(BatchRequest(name, "GET", url))
        answers = await self._client.batch(requests)
        found: dict[str, list[_Item]] = {}
        for name in queries:
            answer = answers[name]
            answer.raise_for_status()
            body = answer.body if isinstance(answer.body, Mapping) else {}
            found[name] = [_item(e) for e in body.get("value") or ()]
            link = body.get("@odata.nextLink")
            if isinstance(link, str):
                async for page in self._client.pages(link):
                    found[name] += [_item(e) for e in page]
        return found

    async def _run_chain(self, chain: Sequence[_Write]) -> tuple[_Write, BatchResponse] | None:
        """Send `chain` in order, each write depending on the one before, 20 a `$batch`.
        None when every write succeeded (a delete finding nothing counts: another instance
        deleted it first); otherwise the first write that failed, with its answer."""
        start = 0
        while start < len(chain):
            window = chain[start : start + MAX_BATCH_REQUESTS]
            requests = [
                self._batch_request(str(n), write, depends_on=(str(n - 1),) if n else ())
                for n, write in enumerate(window)
            ]
            answers = await self._client.batch(requests)
            resume = start + len(window)
            for n, write in enumerate(window):
                answer = answers[str(n)]
                if answer.ok:
                    continue
                if write.method == "DELETE" and answer.status == 404:
                    resume = start + n + 1  # the rest failed on it (424): send them again
                    break
                return write, answer
            start = resume
        return None

    def _batch_request(self, id: str, write: _Write, *, depends_on: Sequence[str]) -> BatchRequest:
        items = f"/{self._items_path(write.list_key)}"
        etag = {"If-Match": write.item.etag} if write.item is not None else {}
        if write.method == "POST":
            return BatchRequest(
                id, "POST", items, body={"fields": dict(write.fields)}, depends_on=depends_on
            )
        assert write.item is not None
        if write.method == "PATCH":
            return BatchRequest(
                id,
                "PATCH",
                f"{items}/{write.item.id}/fields",
                body=dict(write.fields),
                headers=etag,
                depends_on=depends_on,
            )
        return BatchRequest(id, "DELETE", f"{items}/{write.item.id}", depends_on=depends_on)

    async def _save_reception(self, summary: CaseSummary) -> None:
        """The case's line on reception's list, unless the item reflects more events. A case
        with no line keeps its item (if it ever had one) marked not in force."""
        seq = summary.projected_seq
        entry = summary.reception
        reception = self._school_list(RECEPTION, summary.school_id)
        for _ in range(_ATTEMPTS):
            found = await self._find(reception, [_eq("CaseId", summary.case_id)])
            item = found[0] if found else None
            if item is None and entry is None:
                return
            if item is not None and _int(item.fields.get("ProjectedSeq")) > seq:
                return  # a newer projection wrote it
            fields = _reception_fields(summary, entry)
            try:
                if item is None:
                    await self._create(reception, fields)
                else:
                    await self._update(reception, item, fields)
                return
            except (GraphConflict, GraphPreconditionFailed, GraphOutcomeUnknown):
                continue  # another instance (or our lost try) wrote it: read again
        raise StoreUnavailable(f"case {summary.case_id}: reception's line kept changing")

    async def _drop_deadlines(self, case_id: str, seq: int, generation: str, *, mine: bool) -> None:
        """`mine`: remove this projection's own deadlines (it lost to a newer one).
        Otherwise remove those of older projections: fewer events, or the same events
        projected earlier (a smaller generation)."""
        for item in await self._find(DEADLINES, [_eq("CaseId", case_id)]):
            if (_is_mine if mine else _is_older)(item, seq, generation):
                await self._delete(DEADLINES, item)

    def _school_list(self, name: str, school_id: str) -> str:
        if school_id not in self._schools:
            raise StoreUnavailable(
                f"the SharePoint store has no lists for the school {school_id}: add it to the "
                "configuration and run python -m graph.provision"
            )
        return school_list(name, school_id)

    async def _index(self, summary: CaseSummary) -> None:
        """The case's line in the trust's case index (which school, which reference),
        written once, before its row at the school, so the row is always found."""
        if self._school_of_case.get(summary.case_id) == summary.school_id:
            return
        for _ in range(_ATTEMPTS):
            found = await self._find(CASE_INDEX, [_eq("CaseId", summary.case_id)])
            if found:
                school = str(found[0].fields["School"])
                if school != summary.school_id:
                    raise ValueError(
                        f"case {summary.case_id} is at {school}; it cannot be projected at "
                        f"{summary.school_id}"
                    )
                self._school_of_case[summary.case_id] = school
                return
            try:
                await self._create(CASE_INDEX, _index_fields(summary))
            except (GraphConflict, GraphOutcomeUnknown):
                continue  # another instance (or our lost try) wrote it: read it
            self._school_of_case[summary.case_id] = summary.school_id
            return
        raise StoreUnavailable(f"case {summary.case_id}: the case index kept changing")

    async def _indexed(self, condition: str) -> tuple[str, str] | None:
        """(case id, school id) of the case index's line matching `condition`."""
        found = await self._find(CASE_INDEX, [condition])
        if not found:
            return None
        case_id, school = str(found[0].fields["CaseId"]), str(found[0].fields["School"])
        self._school_of_case[case_id] = school
        return case_id, school

    async def _row(self, case_id: str, school_id: str) -> CaseSummary | None:
        if school_id not in self._schools:
            return None
        rows = await self._find(school_list(CASES, school_id), [_eq("CaseId", case_id)])
        return _summary(rows[0].fields) if rows else None

    async def summary(self, case_id: str) -> CaseSummary | None:
        async with _graph_errors(f"read case {case_id}"):
            school = self._school_of_case.get(case_id)
            if school is None:
                indexed = await self._indexed(_eq("CaseId", case_id))
                if indexed is None:
                    return None
                school = indexed[1]
            return await self._row(case_id, school)

    async def cases_at(self, school_id: str) -> Sequence[CaseSummary]:
        if school_id not in self._schools:
            return ()
        async with _graph_errors(f"list the cases at {school_id}"):
            rows = await self._find(school_list(CASES, school_id), [_eq("School", school_id)])
        return tuple(sorted((_summary(r.fields) for r in rows), key=lambda s: s.reference))

    async def case_by_reference(self, reference: str) -> CaseSummary | None:
        async with _graph_errors(f"find the case {reference}"):
            indexed = await self._indexed(_eq("Reference", reference))
            return None if indexed is None else await self._row(*indexed)

    async def reception_list(
        self, school_id: str, *, on: date, limit: int
    ) -> Sequence[ReceptionEntry]:
        if school_id not in self._schools:
            return ()
        reception = school_list(RECEPTION, school_id)
        async with _graph_errors(f"read reception's list at {school_id}"):
            items = await self._find(reception, [_eq("School", school_id), "fields/InForce eq 1"])
        entries = (_reception_entry(i.fields) for i in items)
        kept = (e for e in entries if e.until is None or e.until >= on)
        return tuple(sorted(kept, key=lambda e: (e.person_name, e.case_id))[:limit])

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

        cases = await self.cases_at(school_id)
        return tuple(s for s in cases if s.reference > (after or "") and listed(s))[:limit]

    async def open_prompts(self, school_id: str, role: Role, *, limit: int) -> Sequence[OpenPrompt]:
        kept = [p for s in await self.cases_at(school_id) for p in s.prompts if p.role is role]
        soonest = sorted(
            (p for p in kept if not p.due_on_the_day),
            key=lambda p: (p.due is None, p.due or date.min, p.reference),
        )[:limit]
        return (*soonest, *(p for p in kept if p.due_on_the_day))

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

        conditions = [f"fields/Due le '{_sp_date(day)}'"]
        if after is not None:
            conditions.append(f"fields/Due ge '{_sp_date(after.due)}'")
        async with _graph_errors("read the open deadlines"):
            items = await self._find(DEADLINES, conditions)
        # Two projections of a case may briefly both be there: keep the newest one's.
        newest: dict[str, tuple[int, str]] = {}
        for item in items:
            key = (_int(item.fields.get("ProjectedSeq")), str(item.fields.get("Generation", "")))
            case_id = str(item.fields["CaseId"])
            newest[case_id] = max(newest.get(case_id, key), key)
        due = sorted(
            (
                _deadline(item.fields)
                for item in items
                if newest[str(item.fields["CaseId"])]
                == (_int(item.fields.get("ProjectedSeq")), str(item.fields.get("Generation", "")))
            ),
            key=order,
        )
        if sweeper_only:
            due = [d for d in due if d.role is None]
        if after is not None:
            due = [d for d in due if order(d) > order(after)]
        return tuple(due if limit is None else due[:limit])

    # --- the catch-up ----------------------------------------------------------------

    async def changes_since(self, position: int, limit: int) -> Sequence[tuple[int, str, int]]:
        """Positions are the event item's list id × 1024 plus the event's place in it:
        list ids only grow, so the order is the order of the appends."""
        changes: list[tuple[int, str, int]] = []
        async with _graph_errors("read the event log"):
            params = {
                "$expand": "fields",
                "$top": str(PAGE),
                "$filter": f"fields/ID ge {position // _POSITION_SPAN}",
            }
            async for page in self._client.pages(self._items_path(EVENTS), params=params):
                for item in sorted((_item(e) for e in page), key=lambda i: int(i.id)):
                    first = _int(item.fields.get("FirstSeq"))
                    last = _int(item.fields.get("LastSeq"))
                    for place, seq in enumerate(range(first, last + 1)):
                        at = int(item.id) * _POSITION_SPAN + place
                        if at > position:
                            changes.append((at, str(item.fields["CaseId"]), seq))
                if len(changes) >= limit:
                    break
        return tuple(sorted(changes)[:limit])

    async def checkpoint(self, name: str) -> int:
        async with _graph_errors(f"read the checkpoint {name}"):
            found = await self._find(CHECKPOINTS, [_eq("CheckpointName", name)])
        return _int(found[0].fields.get("Position")) if found else 0

    async def advance_checkpoint(self, name: str, position: int) -> None:
        async with _graph_errors(f"advance the checkpoint {name}"):
            for _ in range(_ATTEMPTS):
                found = await self._find(CHECKPOINTS, [_eq("CheckpointName", name)])
                try:
                    if not found:
                        await self._create(
                            CHECKPOINTS,
                            {"Title": name, "CheckpointName": name, "Position": position},
                        )
                        return
                    if _int(found[0].fields.get("Position")) >= position:
                        return  # never back
                    await self._update(CHECKPOINTS, found[0], {"Position": position})
                    return
                except (GraphConflict, GraphPreconditionFailed, GraphOutcomeUnknown):
                    continue  # another instance (or our lost try) wrote it: read again
        raise StoreUnavailable(f"the checkpoint {name} kept changing")


# --- helpers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Write:
    """One write of a `$batch` chain: a create (`item` None), a patch with `If-Match` or a
    delete of `item`."""

    method: str  # "POST", "PATCH" or "DELETE"
    list_key: str
    item: _Item | None
    fields: Mapping[str, Any] = field(default_factory=dict)


def _is_mine(item: _Item, seq: int, generation: str) -> bool:
    """A deadline written by the projection (`seq`, `generation`)."""
    return _int(item.fields.get("ProjectedSeq")) == seq and (
        str(item.fields.get("Generation", "")) == generation
    )


def _is_older(item: _Item, seq: int, generation: str) -> bool:
    """A deadline of an older projection: fewer events, or the same events projected
    earlier (a smaller generation)."""
    item_seq = _int(item.fields.get("ProjectedSeq"))
    return item_seq < seq or (
        item_seq == seq and str(item.fields.get("Generation", "")) < generation
    )


def _deadline_key(f: Mapping[str, Any]) -> tuple[str, str, str]:
    return (str(f.get("Action", "")), str(f.get("Role", "")), str(f.get("Due", ""))[:10])


def _index_fields(s: CaseSummary) -> dict[str, Any]:
    return {
        "Title": s.reference,
        "CaseId": s.case_id,
        "Reference": s.reference,
        "School": s.school_id,
    }


class _graph_errors:
    """Graph outages and throttling as `StoreUnavailable` (with the operation named, never
    personal data); other errors (a refused request: a defect or a missing list) propagate."""

    def __init__(self, what: str) -> None:
        self._what = what

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: type[BaseException] | None, error: Any, tb: Any) -> None:
        if isinstance(error, GraphUnavailable | GraphThrottled | GraphTokenError):
            raise StoreUnavailable(f"cannot {self._what}: {error}") from error


def _generation() -> str:
    """Orders the projections of one case made from the same events: later is larger."""
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"


def _eq(column: str, value: str) -> str:
    escaped = value.replace("'", "''")
    return f"fields/{column} eq '{escaped}'"


def _event_key(case_id: str, seq: int) -> str:
    return f"{case_id}/{seq:06d}"


def _item(entry: Any) -> _Item:
    fields = dict(entry.get("fields") or {})
    etag = entry.get("eTag") or entry.get("@odata.etag") or fields.get("@odata.etag") or ""
    return _Item(str(entry["id"]), str(etag), fields)


def _int(value: Any) -> int:
    return int(float(value)) if value not in (None, "") else 0


def _by_first_seq(items: Sequence[_Item]) -> list[_Item]:
    return sorted(items, key=lambda i: _int(i.fields.get("FirstSeq")))


def _event_count(items: Sequence[_Item]) -> int:
    return max((_int(i.fields.get("LastSeq")) for i in items), default=0)


def _same_append(stored: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    return all(
        stored.get(k) == fields[k] for k in ("CaseId", "CommandId", "Details", "ActorId", "At")
    )


def _events_of(item: _Item) -> tuple[StoredEvent, ...]:
    f = item.fields
    first = _int(f.get("FirstSeq"))
    at = datetime.fromisoformat(str(f["At"]))
    return tuple(
        StoredEvent(
            case_id=str(f["CaseId"]),
            seq=first + i,
            kind=str(entry["kind"]),
            data=entry["data"],
            actor_id=str(f["ActorId"]),
            at=at,
            command_id=str(f["CommandId"]),
            activity_id=str(f["ActivityId"]) if f.get("ActivityId") else None,
        )
        for i, entry in enumerate(json.loads(str(f["Details"])))
    )


def _sp_date(day: date) -> str:
    """A date-only column's value as Graph reads and writes it."""
    return f"{day.isoformat()}T00:00:00Z"


def _from_sp_date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _summary_fields(s: CaseSummary) -> dict[str, Any]:
    return {
        "Title": s.reference,
        "CaseId": s.case_id,
        "Reference": s.reference,
        "School": s.school_id,
        "PersonName": s.person_name,
        "Status": s.status,
        "NextAction": s.next_action or "",
        "NextDeadline": _sp_date(s.next_deadline) if s.next_deadline else None,
        "ReviewDate": _sp_date(s.review_date) if s.review_date else None,
        "UpdatedAt": s.updated_at.astimezone(UTC).isoformat(),
        "ProjectedSeq": s.projected_seq,
        "SeenBy": json.dumps(sorted(r.value for r in s.seen_by)),
        "ReportedBy": json.dumps(list(s.reported_by)),
        "Prompts": json.dumps([_prompt_json(s.case_id, p) for p in s.prompts], ensure_ascii=False),
    }


def _summary(f: Mapping[str, Any]) -> CaseSummary:
    return CaseSummary(
        case_id=str(f["CaseId"]),
        reference=str(f["Reference"]),
        school_id=str(f["School"]),
        person_name=str(f.get("PersonName") or ""),
        status=str(f["Status"]),
        next_action=str(f["NextAction"]) if f.get("NextAction") else None,
        next_deadline=_from_sp_date(f.get("NextDeadline")),
        review_date=_from_sp_date(f.get("ReviewDate")),
        updated_at=datetime.fromisoformat(str(f["UpdatedAt"])),
        projected_seq=_int(f.get("ProjectedSeq")),
        seen_by=frozenset(Role(r) for r in json.loads(str(f.get("SeenBy") or "[]"))),
        reported_by=tuple(json.loads(str(f.get("ReportedBy") or "[]"))),
        prompts=tuple(_prompt(p) for p in json.loads(str(f.get("Prompts") or "[]"))),
    )


def _prompt_json(case_id: str, p: OpenPrompt) -> dict[str, Any]:
    if p.case_id != case_id:
        raise ValueError(f"prompt for case {p.case_id} saved with case {case_id}")
    return {
        "case_id": p.case_id,
        "school_id": p.school_id,
        "reference": p.reference,
        "role": p.role.value,
        "action": p.action,
        "text": p.text,
        "due": p.due.isoformat() if p.due else None,
        "warning": p.warning,
        "due_on_the_day": p.due_on_the_day,
        "letter_id": p.letter_id,
        "incident_no": p.incident_no,
    }


def _prompt(p: Mapping[str, Any]) -> OpenPrompt:
    return OpenPrompt(
        case_id=p["case_id"],
        school_id=p["school_id"],
        reference=p["reference"],
        role=Role(p["role"]),
        action=p["action"],
        text=p["text"],
        due=date.fromisoformat(p["due"]) if p["due"] else None,
        warning=p["warning"],
        due_on_the_day=bool(p["due_on_the_day"]),
        letter_id=p["letter_id"],
        incident_no=p["incident_no"],
    )


def _reception_fields(summary: CaseSummary, entry: ReceptionEntry | None) -> dict[str, Any]:
    return {
        "Title": summary.reference,
        "CaseId": summary.case_id,
        "School": summary.school_id,
        "PersonName": entry.person_name if entry is not None else "",
        "InForce": 1 if entry is not None else 0,
        "Banned": 1 if entry is not None and entry.banned else 0,
        "MustNot": json.dumps(
            list(entry.must_not) if entry is not None else [], ensure_ascii=False
        ),
        "Until": _sp_date(entry.until) if entry is not None and entry.until else None,
        "ProjectedSeq": summary.projected_seq,
    }


def _reception_entry(f: Mapping[str, Any]) -> ReceptionEntry:
    return ReceptionEntry(
        case_id=str(f["CaseId"]),
        school_id=str(f["School"]),
        person_name=str(f.get("PersonName") or ""),
        banned=_int(f.get("Banned")) == 1,
        must_not=tuple(json.loads(str(f.get("MustNot") or "[]"))),
        until=_from_sp_date(f.get("Until")),
    )


def _deadline_fields(d: OpenDeadline, seq: int, generation: str) -> dict[str, Any]:
    return {
        "Title": f"{d.case_id} {d.action}",
        "CaseId": d.case_id,
        "School": d.school_id,
        "Role": d.role.value if d.role is not None else "",
        "Action": d.action,
        "Due": _sp_date(d.due),
        "ProjectedSeq": seq,
        "Generation": generation,
    }


def _deadline(f: Mapping[str, Any]) -> OpenDeadline:
    due = _from_sp_date(f["Due"])
    assert due is not None
    return OpenDeadline(
        case_id=str(f["CaseId"]),
        school_id=str(f["School"]),
        role=Role(f["Role"]) if f.get("Role") else None,
        action=str(f["Action"]),
        due=due,
    )
