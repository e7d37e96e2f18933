"""The directory from Entra ID: `casework.ports.Directory` answered from the trust's
security groups, one per school and role (`schools[].groups` in the trust configuration),
with each member's name and email from Microsoft Graph.

The port is synchronous (a role is asked for on every turn), so reads are served from an
in-memory `Snapshot`, and Graph is read in the background:

- `EntraDirectory.refresh` reads every configured group's members
  (`GET /groups/{id}/members?$select=id,displayName,mail,userPrincipalName&$top=999`, the
  first pages of up to 20 groups in one `$batch`, then the `@odata.nextLink` pages, also
  batched) and swaps in a new snapshot only when every group was read whole. The bootstrap
  runs it once before the bot accepts turns (a failure stops the start), then `run` repeats
  it every `REFRESH_EVERY_S`.
- **Expiry** (`MAX_AGE_S`, five minutes): no role is granted from a snapshot older than
  that. A person removed from a group loses the role at the next refresh (within a minute
  normally) and in any case within five minutes of Graph showing the change.
- **When a refresh fails** (Graph unavailable or throttled, a permission withdrawn, a group
  deleted), the last good snapshot keeps being served while it is younger than `MAX_AGE_S`,
  the failure is logged (group ids and Graph's status, never a name) and `/readyz` warns
  (`warnings`). Past `MAX_AGE_S` it fails closed: every read raises `DirectoryUnavailable`
  (a `StoreUnavailable`: the user is asked to try again, prompts and letters wait for the
  sweeper) and `/readyz` answers not ready, until a refresh succeeds.
- **Direct members only** (`/members`, not `/transitiveMembers`): a role here opens case
  records about named parents and children, so who holds it must be visible on the group
  itself in the Entra admin centre. A nested group (say "All staff" put inside the heads'
  group by mistake) would silently grant the role to everyone in it; its members are not
  followed, and `python -m bot check` reports the nested group with the fix.
- The trust's own people (role `trust`) stay as the configuration lists them, with their
  titles, at every school.
- Someone in both the head's and the chair's group of one school holds only `head` there:
  nobody reviews their own decision. The check reports it.

Permissions: `GroupMember.Read.All` lists the members (the least privileged application
permission for it); without `User.Read.All` Graph answers the user members with their ids
only, which a refresh refuses rather than serve people without names.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from casework.config import TrustConfig
from casework.ports import Clock, DirectoryUnavailable, Person
from graph.client import BatchRequest, GraphClient, GraphError
from graph.tokens import GraphTokenError
from rules.roles import Role

logger = logging.getLogger(__name__)

REFRESH_EVERY_S = 60.0
MAX_AGE_S = 300.0  # the cache's expiry: no role is granted from an older snapshot
MEMBER_FIELDS = "id,displayName,mail,userPrincipalName"
PAGE_SIZE = 999  # Graph's largest page for a group's members
USER_TYPE = "#microsoft.graph.user"


class DirectoryRefreshFailed(Exception):
    """The groups could not all be read; the message names the groups (by school, role
    and object id), never a person; `fix` says what an administrator should do."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix or (
            "try again; if it persists, check that the bot can reach Microsoft Graph over HTTPS"
        )


def _consent(permission: str) -> str:
    return (
        "in the Entra admin centre: App registrations, Safe Premises, API permissions, Add a "
        f"permission, Microsoft Graph, Application permissions; add {permission}, then Grant "
        "admin consent"
    )


@dataclass(frozen=True)
class GroupMembers:
    """One group's direct members: the users, and how many members of other kinds (nested
    groups, devices, service principals) were left out."""

    group_id: str
    users: tuple[Person, ...]
    others: tuple[str, ...] = ()  # the @odata.type of each member left out


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    people: Mapping[str, Person]
    roles: Mapping[tuple[str, str], frozenset[Role]]  # (object id, school id) -> roles
    groups: Mapping[str, GroupMembers]
    # (school id, object id): in both the head's and the chair's group; holds only head.
    head_and_chair: tuple[tuple[str, str], ...] = ()
    # Indexes of `roles`, built once per snapshot (a turn asks on every activity).
    schools_by_person: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    holders_by_role: Mapping[tuple[str, Role], tuple[Person, ...]] = field(default_factory=dict)


def group_roles(config: TrustConfig) -> dict[str, list[tuple[str, Role]]]:
    """Each configured group id and the (school, role) pairs it gives, in order."""
    served: dict[str, list[tuple[str, Role]]] = {}
    for school in config.schools:
        for role, group in school.groups:
            served.setdefault(group, []).append((school.id, role))
    return served


def _where(served: Sequence[tuple[str, Role]]) -> str:
    return ", ".join(f"{role.value} at {school}" for school, role in served)


async def read_groups(
    client: GraphClient, served: Mapping[str, Sequence[tuple[str, Role]]]
) -> dict[str, GroupMembers]:
    """Every group's direct members, all pages. Raises `DirectoryRefreshFailed`."""
    members: dict[str, list[Mapping[str, Any]]] = {group: [] for group in served}
    pending = {
        group: f"/groups/{quote(group)}/members?$select={MEMBER_FIELDS}&$top={PAGE_SIZE}"
        for group in served
    }
    base = client.base_url + "/"
    while pending:
        order = sorted(pending)
        try:
            answers = await client.batch(
                [BatchRequest(str(n), "GET", pending[group]) for n, group in enumerate(order)]
            )
        except (GraphError, GraphTokenError) as error:
            raise DirectoryRefreshFailed(f"the groups could not be read ({error})") from None
        following: dict[str, str] = {}
        for n, group in enumerate(order):
            answer = answers[str(n)]
            if answer.status in (401, 403):
                raise DirectoryRefreshFailed(
                    f"Graph refused to list the members of group {group} "
                    f"({_where(served[group])}) with {answer.status}: the app needs the "
                    "application permission GroupMember.Read.All, with admin consent",
                    _consent("GroupMember.Read.All"),
                )
            if answer.status == 404:
                raise DirectoryRefreshFailed(
                    f"there is no group {group} ({_where(served[group])}) in the directory",
                    "correct the group's object id under the school's groups in the trust "
                    "configuration (Entra admin centre: Groups, the group, Overview, Object ID)",
                )
            try:
                answer.raise_for_status()
            except GraphError as error:
                raise DirectoryRefreshFailed(
                    f"the members of group {group} could not be read ({error})"
                ) from None
            body = answer.body if isinstance(answer.body, Mapping) else {}
            page = body.get("value")
            if not isinstance(page, list):
                raise DirectoryRefreshFailed(f"Graph's answer for group {group} has no members")
            members[group].extend(m for m in page if isinstance(m, Mapping))
            link = body.get("@odata.nextLink")
            if isinstance(link, str):
                if not link.startswith(base):
                    raise DirectoryRefreshFailed(f"group {group}: a next page outside Graph")
                following[group] = "/" + link.removeprefix(base)
        pending = following
    return {group: _group_members(group, found) for group, found in members.items()}


def _group_members(group: str, found: Sequence[Mapping[str, Any]]) -> GroupMembers:
    users: list[Person] = []
    others: list[str] = []
    for member in found:
        kind = str(member.get("@odata.type", ""))
        object_id = member.get("id")
        if kind != USER_TYPE or not isinstance(object_id, str):
            others.append(kind or "unknown")
            continue
        name = member.get("displayName")
        email = member.get("mail") or member.get("userPrincipalName")
        if not isinstance(name, str) or not name.strip() or not isinstance(email, str):
            # Graph's "limited information" for a type the app may not read.
            raise DirectoryRefreshFailed(
                f"Graph gave the members of group {group} without their names and emails: "
                "the app needs the application permission User.Read.All, with admin consent",
                _consent("User.Read.All"),
            )
        users.append(Person(object_id=object_id.lower(), name=name.strip(), email=email))
    users.sort(key=lambda p: p.object_id)
    return GroupMembers(group, tuple(users), tuple(others))


def build_snapshot(
    config: TrustConfig, groups: Mapping[str, GroupMembers], taken_at: datetime
) -> Snapshot:
    people: dict[str, Person] = {}
    roles: dict[tuple[str, str], set[Role]] = {}
    for school in config.schools:
        for role, group in school.groups:
            for person in groups[group].users:
                people.setdefault(person.object_id, person)
                roles.setdefault((person.object_id, school.id), set()).add(role)
    conflicts: list[tuple[str, str]] = []
    for (object_id, school_id), held in sorted(roles.items()):
        if {Role.HEAD, Role.CHAIR} <= held:
            held.discard(Role.CHAIR)  # nobody reviews their own decision
            conflicts.append((school_id, object_id))
            logger.warning(
                "directory: %s is in both the head's and the chair's group at %s; "
                "holds only head there",
                object_id,
                school_id,
            )
    for trustee in config.trust.people:
        people.setdefault(trustee.object_id, trustee.as_person())
        for school_id in config.school_ids:
            roles.setdefault((trustee.object_id, school_id), set()).add(Role.TRUST)
    schools_by_person: dict[str, list[str]] = {}
    holders_by_role: dict[tuple[str, Role], list[Person]] = {}
    for (object_id, school_id), held in sorted(roles.items()):
        if held:
            schools_by_person.setdefault(object_id, []).append(school_id)
        for role in held:
            holders_by_role.setdefault((school_id, role), []).append(people[object_id])
    return Snapshot(
        taken_at,
        people,
        {key: frozenset(held) for key, held in roles.items()},
        dict(groups),
        tuple(conflicts),
        {oid: tuple(schools) for oid, schools in schools_by_person.items()},
        {key: tuple(found) for key, found in holders_by_role.items()},
    )


class EntraDirectory:
    """`casework.ports.Directory` from the configured Entra ID groups (see the module)."""

    def __init__(
        self,
        config: TrustConfig,
        client: GraphClient,
        clock: Clock,
        *,
        refresh_every_s: float = REFRESH_EVERY_S,
        max_age_s: float = MAX_AGE_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not config.uses_groups:
            raise ValueError("the trust configuration names no groups")
        self._config = config
        self._client = client
        self._clock = clock
        self._served = group_roles(config)
        self.refresh_every_s = refresh_every_s
        self.max_age = timedelta(seconds=max_age_s)
        self._sleep = sleep
        self._snapshot: Snapshot | None = None
        self.last_failure: str | None = None  # why the last refresh failed (None: it did not)

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    async def refresh(self) -> Snapshot:
        """Read every group; on success, serve the new snapshot. Raises
        `DirectoryRefreshFailed` (the last good snapshot stays)."""
        started = self._clock.now()
        try:
            groups = await read_groups(self._client, self._served)
        except DirectoryRefreshFailed as failure:
            self.last_failure = str(failure)
            raise
        self._snapshot = build_snapshot(self._config, groups, started)
        self.last_failure = None
        return self._snapshot

    async def run(self) -> None:
        """Refresh every `refresh_every_s` seconds until cancelled."""
        while True:
            await self._sleep(self.refresh_every_s)
            try:
                await self.refresh()
            except DirectoryRefreshFailed as failure:
                logger.warning(
                    "directory refresh failed; serving the snapshot of %.0f"
                    " s ago (roles are refused after %.0f s): %s",
                    self._age_s() or 0.0,
                    self.max_age.total_seconds(),
                    failure,
                )
            except Exception:
                # A bug must not end the refreshes: the snapshot would then expire for good.
                logger.exception("directory refresh failed unexpectedly; trying again")
                self.last_failure = "an unexpected error (see the log)"

    def _age_s(self) -> float | None:
        if self._snapshot is None:
            return None
        return (self._clock.now() - self._snapshot.taken_at).total_seconds()

    def _current(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            raise DirectoryUnavailable("the directory has not been read from Entra ID yet")
        if self._clock.now() - snapshot.taken_at > self.max_age:
            raise DirectoryUnavailable(
                "the directory was last read from Entra ID more than "
                f"{self.max_age.total_seconds():.0f} s ago, so no role is granted until it "
                "is read again"
            )
        return snapshot

    # --- readiness ----------------------------------------------------------------------

    def not_ready(self) -> str | None:
        """Why no role can be granted now (None: the snapshot is young enough)."""
        try:
            self._current()
        except DirectoryUnavailable as error:
            return str(error)
        return None

    def warnings(self) -> tuple[str, ...]:
        """For `/readyz`: the last refresh failed, and how long the snapshot still serves."""
        age = self._age_s()
        if self.last_failure is None or age is None:
            return ()
        left = max(0.0, self.max_age.total_seconds() - age)
        return (
            "the directory could not be refreshed from Entra ID "
            f"({self.last_failure}); the groups as read {age:.0f} s ago are used for "
            f"{left:.0f} s more, then no role is granted until a refresh succeeds",
        )

    # --- the port -----------------------------------------------------------------------

    def roles_of(self, object_id: str, school_id: str) -> frozenset[Role]:
        return self._current().roles.get((object_id.lower(), school_id), frozenset())

    def schools_of(self, object_id: str) -> Sequence[str]:
        return self._current().schools_by_person.get(object_id.lower(), ())

    def holders(self, school_id: str, role: Role) -> Sequence[Person]:
        """In object-id order, as the configuration's directory lists them."""
        return self._current().holders_by_role.get((school_id, role), ())

    def person(self, object_id: str) -> Person | None:
        return self._current().people.get(object_id.lower())
