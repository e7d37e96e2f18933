"""A stand-in for Microsoft Graph: a loopback aiohttp server that behaves like the parts
of Graph this product uses. It is not Microsoft's service, and only as faithful as the
facts in the project's Graph notes and the OpenAPI subset it validates against.

What it keeps, in memory:

- SharePoint sites, lists, columns (`indexed`, `enforceUniqueValues`; a PATCH may index a
  column, make it unique (refused while it holds duplicates) or rename it) and items, each
  item with an eTag that changes on every write. `If-Match` on PATCH and DELETE answers
  412 when it does not match; a value already taken in a unique column answers 409; a
  value longer than its text column holds (a single line: its `maxLength`, at most 255;
  plain multiple lines: 63,999) answers 400, as SharePoint refuses it.
  `GET .../items` supports `$expand=fields`, `$top` with `@odata.nextLink` paging, and
  `$filter` on `fields/<column>` (and the built-in `fields/ID`, the item's number) with
  `eq`, `ne`, `lt`, `le`, `gt`, `ge` and `and`, which
  (like SharePoint) refuses a column that is not indexed unless the request carries
  `Prefer: HonorNonIndexedQueriesWarningMayFailRandomly`;
- Outlook: drafts in a user's mailbox, their attachments (direct up to 3 MB, larger
  through an upload session whose URL must be called without the token), and sending
  (the message moves to Sent Items, with its `sentDateTime`); a mailbox's messages found
  by a single-value extended property (`$filter=singleValueExtendedProperties/any(...)`),
  which a message shows only when `$expand`ed, as in Graph; `webLink` is an Outlook on
  the web address;
- users and group members (direct members only; a nested group is listed as a group, as
  Graph lists it; `$select`, `$top` up to 999 and `@odata.nextLink` paging; 403 without
  `GroupMember.Read.All` or a broader permission; users' ids only, other properties null,
  without `User.Read.All`, as Graph's "limited information");
- `$batch` (at most 20 members, unique ids, `dependsOn` with 424 for dependents of a
  failed member), each member handled as if called directly.
- permissions: the token's application permissions (`app_roles`, `Sites.Selected` by
  default) and each site's grant under `Sites.Selected` (`Site.grant`, "write" by default;
  "read" or None to withhold it). A `/sites` call without a Sites permission is answered
  403 naming the permissions it needs, as Graph's messages do; one on a site not granted,
  or a write under a read grant, 403 "Access denied", as SharePoint's.

Faults on demand (`throttle`, `fail`, `stall`, `drop_response`), matched by method and
path, counted down per matching request (a `$batch` member counts as a request), until
`clear_faults`.

Every request body is validated against the OpenAPI subset (relaxed for its documented
quirks, see `openapi_validator`) and `$batch` bodies against the batch schema; each
mismatch, a request without the expected bearer token, or without a decorated
User-Agent, is answered 400/401 as Graph would and recorded in `violations`, which the
`graph` fixture asserts is empty at the end of the test.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import functools
import itertools
import json
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from aiohttp import web
from jsonschema import Draft4Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.contracts import load_contract
from tests.harness.servers import serve

_SUBSET_URI = "urn:graph-subset"
USER_AGENT = re.compile(r"^(NONISV|ISV)\|[^|/\s]+\|[^|/\s]+/\S+$")
NON_INDEXED_OK = "HonorNonIndexedQueriesWarningMayFailRandomly"
MAX_DIRECT_ATTACHMENT = 3 * 1024 * 1024
DEFAULT_PAGE = 200
# Application permissions that let an app reach SharePoint sites through Graph, least first.
SITES_ROLES = (
    "Sites.Selected",
    "Sites.Read.All",
    "Sites.ReadWrite.All",
    "Sites.Manage.All",
    "Sites.FullControl.All",
)
DEFAULT_APP_ROLES = frozenset(
    {"Sites.Selected", "Mail.ReadWrite", "GroupMember.Read.All", "User.Read.All"}
)
# Application permissions that let an app list a group's members, and read its users.
GROUP_MEMBER_ROLES = frozenset(
    {
        "GroupMember.Read.All",
        "GroupMember.ReadWrite.All",
        "Group.Read.All",
        "Group.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
    }
)
USER_READ_ROLES = frozenset(
    {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
)


# --- validation ----------------------------------------------------------------------


def relax(node: Any) -> Any:
    """The OpenAPI subset with its documented quirks taken out (PROVENANCE.md and the
    contracts' `validate_graph_bodies.py`), so that valid bodies validate:

    - `additionalProperties: {type: object}` on every schema would refuse every scalar
      custom field and OData annotation: dropped;
    - `@odata.type` listed as required in ~1,300 schemas, which Graph does not require:
      dropped from `required`;
    - `nullable: true` (OpenAPI 3.0) becomes a `null` type, which JSON Schema knows;
    - and one this project found: a property typed `anyOf: [{$ref}, {type: object,
      nullable: true}]` accepts any object, so nested bodies would never be checked; the
      second branch becomes `{type: null}`.
    """
    if isinstance(node, dict):
        if node.get("additionalProperties") == {"type": "object"}:
            node = {k: v for k, v in node.items() if k != "additionalProperties"}
        required = node.get("required")
        if isinstance(required, list) and "@odata.type" in required:
            node = dict(node, required=[r for r in required if r != "@odata.type"])
            if not node["required"]:
                del node["required"]
        if node.get("nullable") is True and isinstance(node.get("type"), str):
            node = dict(node, type=[node["type"], "null"])
        branches = node.get("anyOf")
        if (
            isinstance(branches, list)
            and len(branches) == 2
            and isinstance(branches[0], dict)
            and "$ref" in branches[0]
            and branches[1] == {"nullable": True, "type": "object"}
        ):
            node = dict(node, anyOf=[branches[0], {"type": "null"}])
        return {k: relax(v) for k, v in node.items()}
    if isinstance(node, list):
        return [relax(v) for v in node]
    return node


@dataclass(frozen=True)
class OpenApiSubset:
    spec: dict[str, Any]
    registry: Registry[Any]
    operations: list[tuple[str, re.Pattern[str], str]]  # method, path pattern, template
    batch_schema: dict[str, Any]

    def operation(self, method: str, path: str) -> str | None:
        for op_method, pattern, template in self.operations:
            if op_method == method and pattern.fullmatch(path):
                return template
        return None

    def body_errors(self, method: str, template: str, body: Any) -> list[str]:
        operation = self.spec["paths"][template][method.lower()]
        request_body = operation.get("requestBody")
        if request_body is None:
            return [] if body is None else [f"{method} {template} takes no body"]
        if body is None:
            return [f"{method} {template}: the body is missing"]
        validator = Draft4Validator(
            {
                "$ref": f"{_SUBSET_URI}#/paths/{_pointer(template)}/{method.lower()}"
                "/requestBody/content/application~1json/schema"
            },
            registry=self.registry,
        )
        return [
            f"{method} {template}: {error.json_path}: {error.message[:200]}"
            for error in validator.iter_errors(body)
        ]

    def batch_errors(self, body: Any) -> list[str]:
        # The request branch of the hand-written schema (its other branch is the answer).
        request_branch = {**self.batch_schema["oneOf"][0], "$defs": self.batch_schema["$defs"]}
        errors = list(Draft202012Validator(request_branch).iter_errors(body))
        return [f"POST /$batch: {e.json_path}: {e.message[:200]}" for e in errors]


def _pointer(template: str) -> str:
    return template.replace("~", "~0").replace("/", "~1")


@functools.cache
def openapi_subset() -> OpenApiSubset:
    spec = relax(load_contract("graph-v1.0-subset.openapi.json"))
    registry: Registry[Any] = Registry().with_resource(
        _SUBSET_URI,
        Resource(contents=spec, specification=DRAFT4),  # type: ignore[call-arg]
    )
    operations = []
    for template, methods in spec["paths"].items():
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))
        for method in methods:
            if method in ("get", "post", "put", "patch", "delete"):
                operations.append((method.upper(), pattern, template))
    return OpenApiSubset(spec, registry, operations, load_contract("graph-json-batch.schema.json"))


# --- state ---------------------------------------------------------------------------


SINGLE_LINE_MAX_CHARS = 255  # SharePoint's single line of text, whatever maxLength says
MULTI_LINE_MAX_CHARS = 63_999  # plain multiple lines of text


@dataclass
class Column:
    name: str
    display_name: str
    definition: dict[str, Any]  # as posted (type facet, indexed, enforceUniqueValues, ...)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def indexed(self) -> bool:
        return bool(self.definition.get("indexed")) or self.name == "ID"

    @property
    def unique(self) -> bool:
        return bool(self.definition.get("enforceUniqueValues"))

    @property
    def max_chars(self) -> int | None:
        """How many characters a text column holds (None: not a text column)."""
        text = self.definition.get("text")
        if not isinstance(text, dict):
            return None
        if text.get("allowMultipleLines"):
            return MULTI_LINE_MAX_CHARS
        return min(int(text.get("maxLength", SINGLE_LINE_MAX_CHARS)), SINGLE_LINE_MAX_CHARS)

    def as_json(self) -> dict[str, Any]:
        return {
            **self.definition,
            "id": self.id,
            "name": self.name,
            "displayName": self.display_name,
            "indexed": self.indexed,
            "enforceUniqueValues": self.unique,
        }


@dataclass
class Item:
    id: str
    fields: dict[str, Any]
    created: str
    modified: str
    guid: str = field(default_factory=lambda: str(uuid.uuid4()))
    version: int = 1

    @property
    def etag(self) -> str:
        return f'"{self.guid},{self.version}"'

    def fields_json(self) -> dict[str, Any]:
        return {"@odata.etag": self.etag, "id": self.id, **self.fields}

    def as_json(self, *, expand_fields: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "@odata.etag": self.etag,
            "id": self.id,
            "eTag": self.etag,
            "createdDateTime": self.created,
            "lastModifiedDateTime": self.modified,
        }
        if expand_fields:
            body["fields"] = self.fields_json()
        return body


@dataclass
class SharePointList:
    id: str
    display_name: str
    template: str
    columns: dict[str, Column]
    items: dict[str, Item] = field(default_factory=dict)
    next_id: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.display_name.replace(" ", ""),
            "displayName": self.display_name,
            "list": {"template": self.template, "hidden": False},
        }


@dataclass
class Site:
    id: str
    hostname: str
    path: str
    lists: dict[str, SharePointList] = field(default_factory=dict)
    # The app's grant on this site under Sites.Selected: "read", "write", "manage",
    # "fullcontrol", or None (none: the site is refused, as SharePoint refuses it).
    grant: str | None = "write"

    def find_list(self, key: str) -> SharePointList | None:
        # Graph takes a list's id or its title here.
        for found in self.lists.values():
            if key in (found.id, found.display_name):
                return found
        return None


@dataclass
class Attachment:
    id: str
    name: str
    content_type: str
    content: bytes
    is_inline: bool = False
    content_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "id": self.id,
            "name": self.name,
            "contentType": self.content_type,
            "size": len(self.content),
            "isInline": self.is_inline,
            "contentId": self.content_id,
        }


# Outlook on the web, as Graph's webLink names it for a work or school mailbox.
OUTLOOK_WEB = "https://outlook.office365.com/owa/"


@dataclass
class Message:
    id: str
    body: dict[str, Any]
    folder: str = "drafts"
    sent: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    created: str = field(default_factory=lambda: _now())

    def extended(self) -> list[dict[str, Any]]:
        """The single-value extended properties it was created with."""
        return [
            p for p in self.body.get("singleValueExtendedProperties") or [] if isinstance(p, dict)
        ]

    def as_json(self, web_base: str, expand_ids: tuple[str, ...] = ()) -> dict[str, Any]:
        """As Graph answers it: extended properties only when `$expand`ed by id (Graph
        returns them no other way)."""
        del web_base  # the link is Outlook on the web's, not Graph's
        shown = {k: v for k, v in self.body.items() if k != "singleValueExtendedProperties"}
        reply = {
            **shown,
            "id": self.id,
            "createdDateTime": self.created,
            "isDraft": self.folder == "drafts",
            "parentFolderId": self.folder,
            "hasAttachments": bool(self.attachments),
            "sentDateTime": self.sent,
            "webLink": f"{OUTLOOK_WEB}?ItemID={quote(self.id, safe='')}&exvsurl=1"
            "&viewmodel=ReadMessageItem",
        }
        if expand_ids:
            reply["singleValueExtendedProperties"] = [
                p for p in self.extended() if p.get("id") in expand_ids
            ]
        return reply


@dataclass
class User:
    id: str
    display_name: str
    mail: str
    user_principal_name: str
    messages: dict[str, Message] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "@odata.type": "#microsoft.graph.user",
            "id": self.id,
            "displayName": self.display_name,
            "mail": self.mail,
            "userPrincipalName": self.user_principal_name,
        }


@dataclass
class UploadSession:
    user: User
    message: Message
    name: str
    content_type: str
    size: int
    is_inline: bool = False
    content_id: str | None = None
    received: bytearray = field(default_factory=bytearray)


@dataclass
class Fault:
    kind: str  # "throttle", "fail", "stall", "drop"
    times: int
    method: str | None
    path: re.Pattern[str] | None
    status: int = 429
    retry_after: str | None = None
    message: str = "stand-in fault"

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and (self.method is None or self.method == method)
            and (self.path is None or bool(self.path.search(path)))
        )


@dataclass
class Call:
    method: str
    path: str  # below /v1.0, e.g. /sites/x/lists
    query: dict[str, str]
    headers: Mapping[str, str]
    body: Any


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class _Missing(Exception):
    """What a request names does not exist (answered 404)."""


class _Drop(Exception):
    """Performed the write; now close the connection without answering."""


def _graph_error(status: int, code: str, message: str) -> Reply:
    return Reply(
        status,
        {"error": {"code": code, "message": message, "innerError": {"request-id": "stand-in"}}},
    )


def _now() -> str:
    # Timestamps on records the stand-in makes; no test depends on their value.
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- $filter -------------------------------------------------------------------------

_CLAUSE = re.compile(
    r"^\s*fields/(?P<column>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<op>eq|ne|lt|le|gt|ge)\s+"
    r"(?P<value>'(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false|null)\s*$"
)


def _parse_filter(text: str) -> list[tuple[str, str, Any]]:
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _CLAUSE.match(part)
        if match is None:
            raise ValueError(f"unsupported $filter clause {part[:80]!r}")
        raw = match["value"]
        value: Any
        if raw.startswith("'"):
            value = raw[1:-1].replace("''", "'")
        elif raw in ("true", "false"):
            value = raw == "true"
        elif raw == "null":
            value = None
        else:
            value = float(raw) if "." in raw else int(raw)
        clauses.append((match["column"], match["op"], value))
    return clauses


def _compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if actual is None or expected is None:
        return False
    try:
        return bool(
            {
                "lt": actual < expected,
                "le": actual <= expected,
                "gt": actual > expected,
                "ge": actual >= expected,
            }[op]
        )
    except TypeError:
        return False


# --- Outlook queries -----------------------------------------------------------------

_QUOTED = r"'(?:[^']|'')*'"
_EXTENDED_FILTER = re.compile(
    rf"singleValueExtendedProperties/any\(\s*(?P<var>\w+)\s*:\s*(?P=var)/id eq (?P<id>{_QUOTED})"
    rf"\s+and\s+(?P=var)/value eq (?P<value>{_QUOTED})\s*\)",
    re.IGNORECASE,
)
_EXTENDED_EXPAND = re.compile(
    rf"singleValueExtendedProperties\(\s*\$filter=id eq (?P<id>{_QUOTED})\s*\)", re.IGNORECASE
)


def _unquote(literal: str) -> str:
    return literal[1:-1].replace("''", "'")


# --- the server ----------------------------------------------------------------------


class GraphStandIn:
    def __init__(
        self,
        *,
        access_token: str = "stand-in-graph-token",
        app_roles: frozenset[str] = DEFAULT_APP_ROLES,
    ) -> None:
        self.access_token = access_token
        # The application permissions the token carries (its `roles` claim in Entra ID);
        # remove one to see what a call without it is answered.
        self.app_roles = set(app_roles)
        self.violations: list[str] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of each request/member
        self.round_trips: list[tuple[str, str]] = []  # (method, path) of each HTTP request
        self.writes: list[tuple[str, str]] = []  # writes performed (2xx)
        self.user_agents: set[str] = set()
        self.sites: dict[str, Site] = {}
        self.users: dict[str, User] = {}
        self.groups: dict[str, list[str]] = {}
        self._faults: list[Fault] = []
        self._stalls: list[asyncio.Event] = []
        self._uploads: dict[str, UploadSession] = {}
        self._message_ids = itertools.count(1)
        self._serving: Any = None
        self.url = ""
        self._subset = openapi_subset()

    async def __aenter__(self) -> GraphStandIn:
        app = web.Application(client_max_size=200 * 1024 * 1024)
        app.router.add_route("*", "/v1.0/{tail:.*}", self._http)
        app.router.add_put("/upload/{session}", self._upload)
        self._serving = serve(app)
        self.url = await self._serving.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for event in self._stalls:
            event.set()
        await self._serving.__aexit__(None, None, None)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1.0"

    # --- test controls -----------------------------------------------------------------

    def add_site(self, hostname: str = "trust.sharepoint.com", path: str = "/sites/cases") -> Site:
        site_id = f"{hostname},{uuid.uuid4()},{uuid.uuid4()}"
        site = Site(site_id, hostname, path)
        self.sites[site_id] = site
        return site

    def add_user(self, user_id: str, display_name: str, mail: str) -> User:
        user = User(user_id, display_name, mail, mail)
        self.users[user_id] = user
        return user

    def add_group(self, group_id: str, member_ids: list[str]) -> None:
        """A security group; a member id may be a user's or another group's."""
        self.groups[group_id] = list(member_ids)

    def _fault(
        self,
        kind: str,
        times: int,
        method: str | None,
        path: str | None,
        status: int = 429,
        retry_after: str | None = None,
        message: str = "stand-in fault",
    ) -> None:
        pattern = re.compile(path) if path else None
        self._faults.append(Fault(kind, times, method, pattern, status, retry_after, message))

    def throttle(
        self,
        times: int = 1,
        *,
        retry_after: str | None = "1",
        method: str | None = None,
        path: str | None = None,
        status: int = 429,
    ) -> None:
        """Answer the next `times` matching requests 429 (or 503) with `Retry-After`."""
        self._fault("throttle", times, method, path, status, retry_after)

    def fail(
        self,
        times: int = 1,
        *,
        status: int = 503,
        method: str | None = None,
        path: str | None = None,
        message: str = "stand-in fault",
    ) -> None:
        """Answer the next `times` matching requests `status` (no Retry-After), with
        `message` as Graph's error message (a 403 names a permission this way)."""
        self._fault("fail", times, method, path, status, message=message)

    def stall(self, times: int = 1, *, method: str | None = None, path: str | None = None) -> None:
        """Hang the next `times` matching requests until the test ends."""
        self._fault("stall", times, method, path)

    def release_stalls(self) -> None:
        """Let the stalled requests go on (each is then performed, as a late request is)."""
        for event in self._stalls:
            event.set()
        self._stalls.clear()

    def drop_response(
        self, times: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        """Perform the next `times` matching requests, then close the connection without
        answering (the write happened; the caller cannot know)."""
        self._fault("drop", times, method, path)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, path):
                fault.times -= 1
                return fault
        return None

    def clear_faults(self) -> None:
        """Graph is back: the faults still pending are dropped."""
        self._faults.clear()

    def violation(self, text: str) -> None:
        self.violations.append(text)

    # --- HTTP --------------------------------------------------------------------------

    async def _http(self, request: web.Request) -> web.StreamResponse:
        self.round_trips.append((request.method, request.path))
        self.user_agents.add(request.headers.get("User-Agent", ""))
        if not USER_AGENT.match(request.headers.get("User-Agent", "")):
            self.violation(f"{request.method} {request.path}: User-Agent is not decorated")
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            self.violation(f"{request.method} {request.path}: not the expected bearer token")
            return _json(_graph_error(401, "InvalidAuthenticationToken", "Access token invalid"))
        raw = await request.read()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                self.violation(f"{request.method} {request.path}: the body is not JSON")
                return _json(_graph_error(400, "BadRequest", "Unable to read JSON request"))
        call = Call(
            request.method,
            "/" + request.match_info["tail"],
            dict(request.query),
            request.headers,
            body,
        )
        try:
            reply = await self.handle(call)
        except _Drop:
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError from None
        return _json(reply)

    def _site_by_path(self, path: str) -> str:
        """`/sites/{hostname}:/{server-relative-path}[:/rest]` as `/sites/{site-id}/rest`
        (the OpenAPI subset writes site by path as GET /sites/{site-id})."""
        match = re.match(r"^/sites/([^/:]+):(/[^:]*?)(?::(/.*)?)?$", path)
        if match is not None:
            for site in self.sites.values():
                if (site.hostname, site.path) == (match[1], match[2].rstrip("/")):
                    return f"/sites/{site.id}{match[3] or ''}"
            # No site at that address: Graph answers 404, as for an unknown site id.
            return f"/sites/{match[1]},no-such-site{match[3] or ''}"
        return path

    async def handle(self, call: Call) -> Reply:
        call.path = self._site_by_path(call.path)
        self.requests.append((call.method, call.path))
        fault = self._take_fault(call.method, call.path)
        if fault is not None and fault.kind in ("throttle", "fail"):
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            code = {429: "TooManyRequests", 403: "accessDenied"}.get(
                fault.status, "serviceNotAvailable"
            )
            reply = _graph_error(fault.status, code, fault.message)
            reply.headers.update(headers)
            return reply
        if fault is not None and fault.kind == "stall":
            event = asyncio.Event()
            self._stalls.append(event)
            await event.wait()
        refused = self._denied(call) or self._validated(call)
        if refused is not None:
            reply = refused
        elif call.path == "/$batch":
            reply = await self._batch(call)
        else:
            try:
                reply = self._route(call)
            except (IndexError, KeyError, ValueError, TypeError, AttributeError) as error:
                # A request shape the stand-in does not serve: the test must hear of it.
                self.violation(f"{call.method} {call.path}: the stand-in failed ({error!r})")
                reply = _graph_error(500, "generalException", "stand-in failure")
        if 200 <= reply.status < 300 and call.method != "GET" and call.path != "/$batch":
            self.writes.append((call.method, call.path))
        if fault is not None and fault.kind == "drop":
            raise _Drop
        return reply

    def _denied(self, call: Call) -> Reply | None:
        """The 403 SharePoint gives an app without the permission or the site grant a call
        needs (None: allowed). Only `/sites` calls are checked."""
        if not call.path.startswith("/sites/"):
            return None
        held = [r for r in SITES_ROLES if r in self.app_roles]
        if not held:
            roles = ", ".join(sorted(self.app_roles)) or "none"
            return _graph_error(
                403,
                "accessDenied",
                f"Missing role permissions on the request. API requires one of "
                f"'{', '.join(SITES_ROLES)}'. Roles on the request '{roles}'.",
            )
        site_key = call.path.split("/")[2]
        site = next((x for x in self.sites.values() if x.id == site_key), None)
        if site is None:
            return None  # answered 404 by the route
        write = call.method != "GET"
        if any(r in held for r in SITES_ROLES[2:]):
            return None
        if "Sites.Read.All" in held and not write:
            return None
        if site.grant is None or (write and site.grant == "read"):
            return _graph_error(403, "accessDenied", "Access denied")
        return None

    def _validated(self, call: Call) -> Reply | None:
        """None if the body is valid for the operation; otherwise the 400 (recorded)."""
        if call.path == "/$batch":
            errors = self._subset.batch_errors(call.body)
        else:
            template = self._subset.operation(call.method, call.path)
            if template is None:
                self.violation(f"{call.method} {call.path}: not an operation of the subset")
                return _graph_error(400, "BadRequest", "Resource not found for the segment")
            errors = self._subset.body_errors(call.method, template, call.body)
        if errors:
            self.violations.extend(errors)
            return _graph_error(400, "invalidRequest", "Invalid request body")
        return None

    def _route(self, call: Call) -> Reply:
        parts = [p for p in call.path.split("/") if p]
        try:
            if parts[0] == "sites":
                return self._sites(call, parts[1:])
            if parts[0] == "users":
                return self._users(call, parts[1:])
            if parts[0] == "groups" and len(parts) == 3 and parts[2] == "members":
                return self._members(call, parts[1])
        except _Missing as missing:
            return _graph_error(404, "itemNotFound", f"{missing.args[0]} not found")
        return _graph_error(400, "BadRequest", "not served by the stand-in")

    # --- SharePoint --------------------------------------------------------------------

    def _site(self, key: str) -> Site:
        for site in self.sites.values():
            if key == site.id:
                return site
        raise _Missing("site")

    def _sites(self, call: Call, parts: list[str]) -> Reply:
        site = self._site(parts[0])
        rest = parts[1:]
        if not rest:
            return Reply(200, {"id": site.id, "webUrl": f"https://{site.hostname}{site.path}"})
        if rest == ["lists"]:
            if call.method == "POST":
                return self._create_list(site, call.body)
            return Reply(200, {"value": [lst.as_json() for lst in site.lists.values()]})
        found = site.find_list(rest[1])
        if found is None:
            raise _Missing("list")
        rest = rest[2:]
        if not rest:
            return Reply(200, found.as_json())
        if rest[0] == "columns":
            if call.method == "POST" and len(rest) == 1:
                return self._create_column(found, call.body)
            if call.method == "PATCH" and len(rest) == 2:
                return self._update_column(found, rest[1], call.body)
            return Reply(200, {"value": [c.as_json() for c in found.columns.values()]})
        if rest[0] == "items":
            if len(rest) == 1:
                if call.method == "POST":
                    return self._create_item(found, call.body)
                return self._list_items(found, call)
            item = found.items.get(rest[1])
            if item is None:
                raise _Missing("item")
            if len(rest) == 2 and call.method == "GET":
                return Reply(
                    200, item.as_json(expand_fields="fields" in call.query.get("$expand", ""))
                )
            if len(rest) == 2 and call.method == "DELETE":
                if (failed := self._precondition(call, item)) is not None:
                    return failed
                del found.items[item.id]
                return Reply(204)
            if rest[2:] == ["fields"]:
                if call.method == "GET":
                    return Reply(200, item.fields_json())
                if call.method == "PATCH":
                    return self._update_fields(found, item, call)
        return _graph_error(400, "BadRequest", "not served by the stand-in")

    def _create_list(self, site: Site, body: dict[str, Any]) -> Reply:
        name = str(body.get("displayName", ""))
        if not name:
            return _graph_error(400, "invalidRequest", "displayName is required")
        if site.find_list(name) is not None:
            return _graph_error(409, "nameAlreadyExists", "A list with this name exists")
        columns = {"Title": Column("Title", "Title", {"text": {}})}
        for definition in body.get("columns", []):
            column = _column(definition)
            if isinstance(column, Reply):
                return column
            columns[column.name] = column
        if any(c.unique and not c.indexed for c in columns.values()):
            return _graph_error(
                400, "invalidRequest", "A column enforcing unique values must be indexed"
            )
        template = str((body.get("list") or {}).get("template", "genericList"))
        created = SharePointList(str(uuid.uuid4()), name, template, columns)
        site.lists[created.id] = created
        return Reply(201, created.as_json())

    def _create_column(self, found: SharePointList, body: dict[str, Any]) -> Reply:
        column = _column(body)
        if isinstance(column, Reply):
            return column
        if column.name in found.columns:
            return _graph_error(409, "nameAlreadyExists", "A column with this name exists")
        if column.unique and not column.indexed:
            return _graph_error(
                400, "invalidRequest", "A column enforcing unique values must be indexed"
            )
        found.columns[column.name] = column
        return Reply(201, column.as_json())

    def _update_column(self, found: SharePointList, key: str, body: dict[str, Any]) -> Reply:
        column = next((c for c in found.columns.values() if key in (c.id, c.name)), None)
        if column is None:
            raise _Missing("column")
        if any(k in body for k in ("name", "text", "number", "dateTime", "choice", "boolean")):
            return _graph_error(400, "invalidRequest", "A column's name and type cannot change")
        changed = {**column.definition, **{k: v for k, v in body.items() if k != "displayName"}}
        if changed.get("enforceUniqueValues") and not changed.get("indexed"):
            return _graph_error(
                400, "invalidRequest", "A column enforcing unique values must be indexed"
            )
        if changed.get("enforceUniqueValues") and not column.unique:
            values = [i.fields.get(column.name) for i in found.items.values()]
            if len(values) != len(set(map(repr, values))):
                return _graph_error(
                    400, "invalidRequest", "The column has duplicate values: it cannot be unique"
                )
        column.definition = changed
        if "displayName" in body:
            column.display_name = str(body["displayName"])
        return Reply(200, column.as_json())

    def _check_fields(
        self, found: SharePointList, fields: Mapping[str, Any], item: Item | None
    ) -> Reply | None:
        for name in fields:
            if name.startswith("@") or name in ("id", "ID"):
                continue
            if name not in found.columns:
                return _graph_error(400, "invalidRequest", f"Field '{name}' is not recognized")
            limit = found.columns[name].max_chars
            value = fields[name]
            if limit is not None and isinstance(value, str) and len(value) > limit:
                return _graph_error(
                    400,
                    "invalidRequest",
                    f"The value of field '{name}' is {len(value)} characters; it holds {limit}",
                )
        for column in found.columns.values():
            if not column.unique or column.name not in fields:
                continue
            value = fields[column.name]
            for other in found.items.values():
                if other is not item and other.fields.get(column.name) == value:
                    return _graph_error(
                        409,
                        "nameAlreadyExists",
                        "The list item could not be added or updated because duplicate "
                        "values were found in the following field(s) in the list: "
                        f"[{column.name}].",
                    )
        return None

    def _create_item(self, found: SharePointList, body: dict[str, Any]) -> Reply:
        fields = body.get("fields")
        if not isinstance(fields, dict):
            return _graph_error(400, "invalidRequest", "fields are required")
        if (refused := self._check_fields(found, fields, None)) is not None:
            return refused
        now = _now()
        item = Item(str(next(found.next_id)), dict(fields), now, now)
        found.items[item.id] = item
        return Reply(201, item.as_json(expand_fields=True))

    def _precondition(self, call: Call, item: Item) -> Reply | None:
        # The OpenAPI subset declares If-Match only on DELETE; Graph honours it on PATCH.
        wanted = call.headers.get("If-Match")
        if wanted is not None and wanted != "*" and wanted != item.etag:
            return _graph_error(412, "preconditionFailed", "The eTag does not match")
        return None

    def _update_fields(self, found: SharePointList, item: Item, call: Call) -> Reply:
        if (failed := self._precondition(call, item)) is not None:
            return failed
        if (refused := self._check_fields(found, call.body, item)) is not None:
            return refused
        item.fields.update({k: v for k, v in call.body.items() if not k.startswith("@")})
        item.version += 1
        item.modified = _now()
        return Reply(200, item.fields_json())

    def _list_items(self, found: SharePointList, call: Call) -> Reply:
        items = list(found.items.values())
        text = call.query.get("$filter")
        if text:
            try:
                clauses = _parse_filter(text)
            except ValueError as error:
                self.violation(f"GET items: {error}")
                return _graph_error(400, "invalidRequest", "Invalid filter clause")
            prefer = call.headers.get("Prefer", "")
            for column, _, _ in clauses:
                known = found.columns.get(column) or _BUILT_IN.get(column)
                if known is None:
                    return _graph_error(400, "invalidRequest", f"Field '{column}' not found")
                if not known.indexed and NON_INDEXED_OK not in prefer:
                    return _graph_error(
                        400,
                        "invalidRequest",
                        f"Field '{column}' cannot be referenced in filter or orderby as it is "
                        "not indexed. Provide the 'Prefer: HonorNonIndexedQueriesWarning"
                        "MayFailRandomly' header to allow this, but be warned that such "
                        "queries may fail on large lists.",
                    )
            items = [i for i in items if all(_compare(_value(i, c), op, v) for c, op, v in clauses)]
        try:
            top = int(call.query.get("$top", DEFAULT_PAGE))
            skip = int(call.query.get("$skiptoken", "0"))
        except ValueError:
            return _graph_error(400, "invalidRequest", "Invalid $top or $skiptoken")
        if not 1 <= top <= 5000:
            return _graph_error(400, "invalidRequest", "Invalid $top")
        page = items[skip : skip + top]
        expand = "fields" in call.query.get("$expand", "")
        body: dict[str, Any] = {"value": [i.as_json(expand_fields=expand) for i in page]}
        if skip + top < len(items):
            query = {k: v for k, v in call.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(skip + top)
            encoded = "&".join(f"{k}={_quote(v)}" for k, v in query.items())
            body["@odata.nextLink"] = f"{self.base_url}{call.path}?{encoded}"
        return Reply(200, body)

    # --- Outlook, users, groups --------------------------------------------------------

    def _user(self, key: str) -> User:
        for user in self.users.values():
            if key.lower() in (user.id.lower(), user.user_principal_name.lower()):
                return user
        raise _Missing("user")

    def _users(self, call: Call, parts: list[str]) -> Reply:
        user = self._user(parts[0])
        rest = parts[1:]
        if not rest:
            return Reply(200, user.as_json())
        if rest[0] != "messages":
            return _graph_error(400, "BadRequest", "not served by the stand-in")
        if len(rest) == 1:
            if call.method == "POST":
                body = dict(call.body)
                draft = Message(f"stand-in-message-{next(self._message_ids)}", body)
                # Attachments in the create are made with the message, in one request.
                for given in body.pop("attachments", None) or []:
                    attached = self._attach(draft, given)
                    if attached.status != 201:
                        return attached
                user.messages[draft.id] = draft
                return Reply(201, draft.as_json(self.url))
            return self._list_messages(user, call)
        message = user.messages.get(rest[1])
        if message is None:
            raise _Missing("message")
        tail = rest[2:]
        if not tail:
            if call.method == "GET":
                return Reply(200, message.as_json(self.url))
            if call.method == "PATCH":
                if message.folder != "drafts":
                    return _graph_error(400, "ErrorInvalidOperation", "Only drafts change")
                message.body.update(call.body)
                return Reply(200, message.as_json(self.url))
            if call.method == "DELETE":
                del user.messages[message.id]
                return Reply(204)
        if tail == ["attachments"]:
            if call.method == "GET":
                return Reply(200, {"value": [a.as_json() for a in message.attachments]})
            return self._attach(message, call.body)
        if tail == ["attachments", "microsoft.graph.createUploadSession"]:
            item = (call.body or {}).get("AttachmentItem") or {}
            token = secrets.token_urlsafe(12)
            self._uploads[token] = UploadSession(
                user,
                message,
                str(item.get("name", "")),
                str(item.get("contentType", "")),
                int(item.get("size", 0)),
                bool(item.get("isInline")),
                item.get("contentId"),
            )
            return Reply(
                201,
                {
                    "uploadUrl": f"{self.url}/upload/{token}",
                    "expirationDateTime": "2099-01-01T00:00:00Z",
                    "nextExpectedRanges": ["0-"],
                },
            )
        if tail == ["microsoft.graph.send"] and call.method == "POST":
            if message.folder != "drafts":
                return _graph_error(400, "ErrorInvalidOperation", "Already sent")
            message.folder = "sentitems"
            message.sent = _now()
            return Reply(202)
        return _graph_error(400, "BadRequest", "not served by the stand-in")

    def _list_messages(self, user: User, call: Call) -> Reply:
        """`GET /users/{id}/messages` across the mailbox's folders, with `$filter` on a
        single-value extended property (the only filter served: any other is a violation),
        `$expand=singleValueExtendedProperties($filter=id eq '...')` and `$top`."""
        messages = list(user.messages.values())
        text = call.query.get("$filter")
        if text is not None:
            match = _EXTENDED_FILTER.fullmatch(text.strip())
            if match is None:
                self.violation(f"GET {call.path}: a $filter the stand-in does not serve")
                return _graph_error(400, "BadRequest", "unsupported $filter")
            prop, value = _unquote(match["id"]), _unquote(match["value"])
            messages = [
                m
                for m in messages
                # Graph compares the value case-insensitively, the name exactly.
                if any(
                    p.get("id") == prop and str(p.get("value", "")).lower() == value.lower()
                    for p in m.extended()
                )
            ]
        expand_ids: tuple[str, ...] = ()
        expand = call.query.get("$expand")
        if expand is not None:
            found = _EXTENDED_EXPAND.fullmatch(expand.strip())
            if found is None:
                self.violation(f"GET {call.path}: an $expand the stand-in does not serve")
                return _graph_error(400, "BadRequest", "unsupported $expand")
            expand_ids = (_unquote(found["id"]),)
        top = int(call.query.get("$top", "10"))
        return Reply(200, {"value": [m.as_json(self.url, expand_ids) for m in messages[:top]]})

    def _attach(self, message: Message, body: dict[str, Any]) -> Reply:
        if body.get("@odata.type") != "#microsoft.graph.fileAttachment":
            return _graph_error(400, "invalidRequest", "Only file attachments are served")
        try:
            content = base64.b64decode(str(body.get("contentBytes", "")), validate=True)
        except ValueError:
            return _graph_error(400, "invalidRequest", "contentBytes is not base64")
        if len(content) > MAX_DIRECT_ATTACHMENT:
            return _graph_error(413, "ErrorRequestEntityTooLarge", "Use an upload session")
        attachment = Attachment(
            str(uuid.uuid4()),
            str(body.get("name", "")),
            str(body.get("contentType", "")),
            content,
            bool(body.get("isInline")),
            body.get("contentId"),
        )
        message.attachments.append(attachment)
        return Reply(201, attachment.as_json())

    async def _upload(self, request: web.Request) -> web.Response:
        if "Authorization" in request.headers:
            # Graph refuses the token on the upload URL, which is pre-authenticated.
            self.violation("PUT upload session: sent an Authorization header")
            return _json(_graph_error(401, "InvalidAuthenticationToken", "Do not send a token"))
        upload = self._uploads.get(request.match_info["session"])
        if upload is None:
            return _json(_graph_error(404, "itemNotFound", "upload session"))
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", request.headers.get("Content-Range", ""))
        chunk = await request.read()
        if (
            match is None
            or int(match[1]) != len(upload.received)
            or int(match[3]) != upload.size
            or int(match[2]) - int(match[1]) + 1 != len(chunk)
        ):
            self.violation("PUT upload session: a Content-Range that does not follow on")
            return _json(_graph_error(416, "InvalidRange", "Unexpected range"))
        upload.received.extend(chunk)
        if len(upload.received) < upload.size:
            return _json(Reply(200, {"nextExpectedRanges": [f"{len(upload.received)}-"]}))
        upload.message.attachments.append(
            Attachment(
                str(uuid.uuid4()),
                upload.name,
                upload.content_type,
                bytes(upload.received),
                upload.is_inline,
                upload.content_id,
            )
        )
        del self._uploads[request.match_info["session"]]
        return _json(Reply(201))

    def _members(self, call: Call, group_id: str) -> Reply:
        """A group's direct members, as Graph lists them: users, and nested groups as
        `#microsoft.graph.group` objects (not followed). `$select` picks the properties
        (besides `@odata.type`); without a permission to read users, Graph's "limited
        information": users come back with their id only, every other property null."""
        if not self.app_roles & GROUP_MEMBER_ROLES:
            return _graph_error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            )
        members = self.groups.get(group_id)
        if members is None:
            raise _Missing("group")
        select = [p for p in call.query.get("$select", "").split(",") if p]
        readable_users = bool(self.app_roles & USER_READ_ROLES)
        found: list[dict[str, Any]] = []
        for member in members:
            if member in self.users:
                full = self.users[member].as_json()
                if not readable_users:
                    full = {k: (v if k in ("@odata.type", "id") else None) for k, v in full.items()}
            elif member in self.groups:
                full = {"@odata.type": "#microsoft.graph.group", "id": member, "displayName": None}
            else:
                continue
            if select:
                full = {k: v for k, v in full.items() if k == "@odata.type" or k in select}
            found.append(full)
        try:
            top = int(call.query.get("$top", "100"))
            skip = int(call.query.get("$skiptoken", "0"))
        except ValueError:
            return _graph_error(400, "BadRequest", "Invalid $top or $skiptoken")
        if not 1 <= top <= 999:
            return _graph_error(400, "BadRequest", "Invalid page size specified: $top")
        body: dict[str, Any] = {"value": found[skip : skip + top]}
        if skip + top < len(found):
            query = {k: v for k, v in call.query.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(skip + top)
            encoded = "&".join(f"{k}={_quote(v)}" for k, v in query.items())
            body["@odata.nextLink"] = f"{self.base_url}{call.path}?{encoded}"
        return Reply(200, body)

    # --- $batch ------------------------------------------------------------------------

    async def _batch(self, call: Call) -> Reply:
        members: list[dict[str, Any]] = call.body["requests"]
        ids = [str(m["id"]).lower() for m in members]
        if len(set(ids)) != len(ids):
            self.violation("POST /$batch: duplicate request ids")
            return _graph_error(400, "BadRequest", "Batch request ids must be unique")
        for member in members:
            for dependency in member.get("dependsOn", []):
                if str(dependency).lower() not in ids:
                    self.violation(f"POST /$batch: dependsOn names unknown {dependency!r}")
                    return _graph_error(400, "BadRequest", "Unknown dependsOn id")
        statuses: dict[str, int] = {}
        responses = []
        for member in members:
            key = str(member["id"]).lower()
            failed = [
                d
                for d in member.get("dependsOn", [])
                if not 200 <= statuses.get(str(d).lower(), 0) < 300
            ]
            if failed:
                reply = _graph_error(424, "FailedDependency", "A dependency failed")
            else:
                split = urlsplit(member["url"])
                headers = {k: v for k, v in (member.get("headers") or {}).items()}
                reply = await self.handle(
                    Call(
                        member["method"],
                        split.path,
                        dict(parse_qsl(split.query)),
                        _Headers(headers),
                        member.get("body"),
                    )
                )
            statuses[key] = reply.status
            responses.append(
                {
                    "id": member["id"],
                    "status": reply.status,
                    "headers": reply.headers,
                    "body": reply.body,
                }
            )
        # Graph may answer in any order; the reverse makes sure the client does not rely on it.
        responses.reverse()
        return Reply(200, {"responses": responses})


class _Headers(dict[str, str]):
    """Case-insensitive `get`, as HTTP headers are."""

    def get(self, key: str, default: Any = None) -> Any:
        for name, value in self.items():
            if name.lower() == key.lower():
                return value
        return default


def _column(definition: Mapping[str, Any]) -> Column | Reply:
    name = definition.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", name):
        return _graph_error(400, "invalidRequest", "A column needs a name (letters, digits, _)")
    facets = [
        k
        for k in (
            "boolean",
            "calculated",
            "choice",
            "currency",
            "dateTime",
            "lookup",
            "number",
            "personOrGroup",
            "text",
        )
        if k in definition
    ]
    if len(facets) != 1:
        return _graph_error(400, "invalidRequest", "A column has exactly one type facet")
    return Column(name, str(definition.get("displayName") or name), dict(definition))


# Columns every SharePoint list has besides those it was made with (indexed, as the ID is).
_BUILT_IN = {"ID": Column("ID", "ID", {"number": {}, "indexed": True})}


def _value(item: Item, column: str) -> Any:
    """A field's value for `$filter`: the list item id for `ID`, as SharePoint's."""
    return int(item.id) if column == "ID" else item.fields.get(column)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _json(reply: Reply) -> web.Response:
    if reply.body is None:
        return web.Response(status=reply.status, headers=reply.headers)
    return web.json_response(reply.body, status=reply.status, headers=reply.headers)
