"""The Microsoft 365 part of `python -m bot check`, run only when the settings select
the cases in SharePoint (`SAFE_PREMISES_STORE=sharepoint`).

- **Graph token**: the app registration (or managed identity) gets a token for Graph.
- **Graph permissions**: the application permissions (app roles) the token carries, read
  from its `roles` claim when the token is a readable JWT, against `REQUIRED_PERMISSIONS`.
  Graph's tokens are not ours to validate (Microsoft asks clients to treat them as opaque),
  so this only reads them, to name what is missing; the calls below are the proof.
- **Site grant**: the trust's site (`SAFE_PREMISES_SHAREPOINT_SITE`) answers the app
  (`Sites.Selected` gives nothing until the site itself grants the app access).
- **SharePoint lists**: the site has every list and column of `infra/sharepoint/schema.json`
  for each school, as `python -m graph.provision` makes them (read only: provisioning's own
  plan, with nothing written).
- **Directory**: each person the configuration lists, by Entra object id, is a user in
  the tenant.
- **Role groups**, when the schools name Entra ID groups (`schools[].groups`): each group
  can be read (`GroupMember.Read.All`, and `User.Read.All` for its members' names and
  emails), and for each school each role's group has at least one member (exactly one for
  the head), no nested groups (not followed) and nobody in both the head's and the chair's
  group. The directory read here is the one `app installed` then checks.
- **Signers' mailboxes** (with `SAFE_PREMISES_DRAFTS=outlook`): the app can read each
  letter signer's mailbox (the first holder of head, chair and clerk at each school, from
  the role groups when the schools name them, whose mailboxes the drafts go into), one
  `GET /users/{id}/messages?$top=1` each, by `$batch`. A 403 is answered with how to give
  the app `Mail.ReadWrite` limited to the signers' mailboxes (an Exchange Online RBAC for
  Applications role assignment with a management scope): the token's `roles` claim cannot
  show it, since a scoped grant is Exchange's, not Entra ID's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp
import jwt

from bot.check import CHECK_TOKEN_POLICY, Finding, Probes
from bot.settings import AppType, DraftsKind, Settings
from casework.config import TrustConfig
from casework.ports import Clock, Directory
from graph.client import (
    GRAPH_BASE_URL,
    BatchRequest,
    GraphClient,
    GraphError,
    GraphForbidden,
    GraphNotFound,
    GraphUnauthorized,
    decorated_user_agent,
)
from graph.entra_directory import DirectoryRefreshFailed, EntraDirectory, group_roles, read_groups
from graph.provision import ProvisioningStopped, plan, site_path
from graph.sharepoint_store import lists_for, load_schema
from graph.tokens import (
    AppCredentials,
    ClientSecret,
    Credential,
    GraphTokenError,
    ManagedIdentity,
    graph_tokens,
)
from local.config_directory import ConfigDirectory
from rules.roles import Role

# Application permissions Microsoft 365 storage needs, and what each is for.
REQUIRED_PERMISSIONS = {
    "Sites.Selected": "the case lists, on the one site granted to the app",
    "User.Read.All": "finding each role holder in the directory",
}
# Needed besides, when the schools' roles come from Entra ID groups.
GROUP_PERMISSIONS = {
    "GroupMember.Read.All": "listing the members of the schools' role groups",
}
USER_AGENT = decorated_user_agent("SafePremises", "SafePremises", "check", isv=False)


def required_permissions(config: TrustConfig) -> dict[str, str]:
    return {**REQUIRED_PERMISSIONS, **(GROUP_PERMISSIONS if config.uses_groups else {})}


def credentials(settings: Settings) -> AppCredentials:
    credential: Credential = (
        ManagedIdentity(settings.app_id)
        if settings.app_type is AppType.USER_ASSIGNED_MSI
        else ClientSecret(settings.app_password)
    )
    return AppCredentials(
        settings.app_id, settings.app_tenant_id, credential, settings.authority_host
    )


class _Token:
    """The one token the checks use (fetched once, by `graph token`)."""

    def __init__(self, value: str) -> None:
        self._value = value

    async def token(self) -> str:
        return self._value


async def graph_checks(
    settings: Settings, config: TrustConfig, session: aiohttp.ClientSession, probes: Probes
) -> tuple[list[Finding], EntraDirectory | None]:
    """The findings, and the directory read from the role groups (None: the configuration
    names no groups, or they could not be read)."""
    tokens = graph_tokens(
        credentials(settings), policy=CHECK_TOKEN_POLICY, http_client=probes.msal_http_client
    )
    try:
        token = await tokens.token()
    except GraphTokenError as error:
        return [
            Finding(
                "Graph token",
                False,
                f"{error}",
                "check the app registration's certificate (MicrosoftAppCertificatePath) or "
                "secret (MicrosoftAppPassword), or the managed identity, and that the tenant "
                "(MicrosoftAppTenantId) is the trust's",
            ),
            Finding("Graph permissions, site and directory", None, "not checked without a token"),
        ], None
    findings = [Finding("Graph token", True, "a token for Microsoft Graph was issued")]
    findings.append(permissions(token, required_permissions(config)))
    client = GraphClient(
        session,
        _Token(token),
        user_agent=USER_AGENT,
        base_url=probes.graph_base_url or settings.graph_base_url or GRAPH_BASE_URL,
    )
    grant = await site_grant(client, settings.sharepoint_site)
    findings.append(grant)
    if grant.passed:
        findings.append(await lists_provisioned(client, settings.sharepoint_site, config))
    else:
        findings.append(Finding("SharePoint lists", None, "not checked until the site answers"))
    findings += await directory(client, config)
    entra = None
    if config.uses_groups:
        groups, entra = await role_groups(client, config, probes.clock)
        findings += groups
    if settings.drafts is DraftsKind.OUTLOOK:
        findings.append(await signers_mailboxes(client, config, entra))
    return findings, entra


def token_roles(token: str) -> frozenset[str] | None:
    """The `roles` claim of a JWT, unverified (None: not a readable JWT)."""
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    roles = claims.get("roles", [])
    if not isinstance(roles, list):
        return frozenset()
    return frozenset(r for r in roles if isinstance(r, str))


def permissions(token: str, required: dict[str, str] = REQUIRED_PERMISSIONS) -> Finding:
    check = "Graph permissions"
    roles = token_roles(token)
    if roles is None:
        return Finding(check, None, "the token does not say; the calls below show what is missing")
    missing = [name for name in required if name not in roles]
    if missing:
        needs = "; ".join(f"{name} (for {required[name]})" for name in missing)
        return Finding(
            check,
            False,
            f"the app lacks {needs}",
            "in the Entra admin centre: App registrations, Safe Premises, API permissions, "
            "Add a permission, Microsoft Graph, Application permissions; add "
            + ", ".join(missing)
            + ", then Grant admin consent",
        )
    return Finding(check, True, "the app holds " + ", ".join(required))


async def site_grant(client: GraphClient, site: str) -> Finding:
    check = "SharePoint site grant"
    try:
        await client.get(f"/sites/{quote(site_path(site), safe=':/')}")
    except GraphForbidden:
        return Finding(
            check,
            False,
            "the site refuses the app",
            "grant the app write access to this one site (POST /sites/{site-id}/permissions "
            "with the app id and role write, by a SharePoint administrator), and check that "
            "it holds Sites.Selected",
        )
    except GraphNotFound:
        return Finding(
            check,
            False,
            f"there is no site {site!r}",
            "set SAFE_PREMISES_SHAREPOINT_SITE to the trust's site's address, as its browser "
            "address bar shows it (https://<tenant>.sharepoint.com/sites/<site>)",
        )
    except (GraphUnauthorized, GraphError) as error:
        return Finding(check, False, f"the site could not be read ({error})", _graph_fix(error))
    return Finding(check, True, "the app can read the trust's site")


async def lists_provisioned(client: GraphClient, site: str, config: TrustConfig) -> Finding:
    """Every list and column of the schema is on the site, for each school: provisioning's
    plan has nothing to change (it reads only)."""
    check = "SharePoint lists"
    provision = f"run python -m graph.provision --site {site} (docs/graph.md, 'Provisioning')"
    try:
        _, changes = await plan(client, site, lists_for(config.school_ids, load_schema()))
    except ProvisioningStopped as stopped:
        return Finding(check, False, str(stopped).splitlines()[0], provision)
    except GraphError as error:
        return Finding(check, False, f"the lists could not be read ({error})", _graph_fix(error))
    if changes:
        missing = "; ".join(c.description for c in changes[:3])
        more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
        return Finding(check, False, f"the site is not provisioned: {missing}{more}", provision)
    return Finding(check, True, "every list and column of the schema is on the site")


async def directory(client: GraphClient, config: TrustConfig) -> list[Finding]:
    """Each role holder in the configuration is a user in the tenant's directory."""
    holders: dict[str, list[str]] = {}
    for school in config.schools:
        for person in school.people:
            holders.setdefault(person.object_id, []).append(school.id)
    for trustee in config.trust.people:
        holders.setdefault(trustee.object_id, []).append("trust")
    ordered = sorted(holders)
    try:
        # Through $batch: 20 users a request, not one request each.
        answers = await client.batch(
            [
                BatchRequest(str(n), "GET", f"/users/{quote(object_id)}?$select=id")
                for n, object_id in enumerate(ordered)
            ]
        )
    except GraphError as error:
        found = f"the users could not be read ({error})"
        return [Finding("directory", False, found, _graph_fix(error))]
    statuses = {object_id: answers[str(n)].status for n, object_id in enumerate(ordered)}
    if any(status in (401, 403) for status in statuses.values()):
        return [
            Finding(
                "directory",
                False,
                "the directory refuses the app",
                "add the application permission User.Read.All and grant admin consent",
            )
        ]
    unknown = [
        f"{object_id} ({', '.join(holders[object_id])})"
        for object_id in ordered
        if statuses[object_id] == 404
    ]
    other = sorted({status for status in statuses.values() if status >= 300 and status != 404})
    if other:
        found = f"some users could not be read (status {', '.join(map(str, other))})"
        return [Finding("directory", False, found, _graph_fix(None))]
    if unknown:
        return [
            Finding(
                "directory",
                False,
                f"{len(unknown)} of {len(holders)} {_listed(config)} are not in the directory: "
                + "; ".join(unknown),
                "correct each object id in the configuration (Entra admin centre: Users, the "
                "person, Object ID), or remove someone who has left",
            )
        ]
    found = f"all {len(holders)} {_listed(config)} are in the directory"
    return [Finding("directory", True, found)]


def _listed(config: TrustConfig) -> str:
    # With groups, the configuration's school people are there for their job titles only.
    return "person(s) the configuration lists" if config.uses_groups else "role holder(s)"


async def role_groups(
    client: GraphClient, config: TrustConfig, clock: Clock
) -> tuple[list[Finding], EntraDirectory | None]:
    """Each school's role groups: readable, each with a holder (see the module)."""
    entra = EntraDirectory(config, client, clock)
    try:
        snapshot = await entra.refresh()
    except DirectoryRefreshFailed:
        return await _unreadable_groups(client, config), None
    findings = []
    for school in config.schools:
        problems: list[str] = []
        fixes: list[str] = []
        counts: list[str] = []
        for role, group in school.groups:
            members = snapshot.groups[group]
            held = len(members.users)
            counts.append(f"{role.value} {held}")
            if held == 0:
                problems.append(f"the {role.value} group {group} has no members")
                fixes.append(
                    f"add the school's {role.label} to the group {group} (Entra admin "
                    "centre: Groups, the group, Members, Add members)"
                )
            elif role is Role.HEAD and held > 1:
                problems.append(f"the head group {group} has {held} members, not one")
                fixes.append(f"leave only the school's {school.head_title} in the group {group}")
            if members.others:
                problems.append(
                    f"the {role.value} group {group} has {len(members.others)} member(s) that "
                    "are not users (nested groups are not followed)"
                )
                fixes.append(
                    f"add the people to the group {group} directly and remove the nested group"
                )
        for school_id, object_id in snapshot.head_and_chair:
            if school_id == school.id:
                problems.append(
                    f"{object_id} is in both the head's and the chair's group, so holds only head"
                )
                fixes.append(
                    "remove them from one of the two groups: nobody reviews their own decision"
                )
        check = f"role groups ({school.id})"
        if problems:
            findings.append(Finding(check, False, "; ".join(problems), "; ".join(fixes)))
        else:
            findings.append(
                Finding(check, True, "each role's group is readable and held: " + ", ".join(counts))
            )
    return findings, entra


async def _unreadable_groups(client: GraphClient, config: TrustConfig) -> list[Finding]:
    """Each group read on its own, to say which cannot be read and why."""
    served = group_roles(config)
    failures: dict[str, DirectoryRefreshFailed] = {}
    for group in served:
        try:
            await read_groups(client, {group: served[group]})
        except DirectoryRefreshFailed as failure:
            failures[group] = failure
    findings = []
    for school in config.schools:
        failed = [failures[group] for _, group in school.groups if group in failures]
        check = f"role groups ({school.id})"
        if failed:
            fixes = list(dict.fromkeys(failure.fix for failure in failed))
            findings.append(Finding(check, False, "; ".join(map(str, failed)), "; ".join(fixes)))
        else:
            findings.append(Finding(check, True, "each role's group is readable"))
    return findings


# The roles that sign letters (rules/steps: the head, the chair and the clerk); a letter is
# drafted in the mailbox of the role's first holder (casework.letter_parts.holder).
SIGNER_ROLES = (Role.HEAD, Role.CHAIR, Role.CLERK)
MAILBOX_FIX = (
    "give the app Mail.ReadWrite on the signers' mailboxes only: put the signers in a "
    "mail-enabled security group, then in Exchange Online PowerShell run New-ServicePrincipal "
    "for the app, New-ManagementScope with a MemberOfGroup filter on that group, and "
    "New-ManagementRoleAssignment -Role 'Application Mail.ReadWrite' with that scope "
    "(docs/deploy.md, 'Limiting mailbox access to the signers'); do not also grant "
    "Mail.ReadWrite in Entra ID, which would reach every mailbox"
)


def signers(config: TrustConfig, directory: Directory) -> dict[str, list[str]]:
    """Each signer's object id, with the schools and roles they sign for."""
    found: dict[str, list[str]] = {}
    for school in config.schools:
        for role in SIGNER_ROLES:
            holders = directory.holders(school.id, role)
            if holders:
                found.setdefault(holders[0].object_id, []).append(f"{role.value} at {school.id}")
    return found


async def signers_mailboxes(
    client: GraphClient, config: TrustConfig, entra: EntraDirectory | None = None
) -> Finding:
    """The app can read each signer's mailbox (where their letters are drafted). With role
    groups the signers are their holders, from `entra` (None: the groups could not be read)."""
    check = "signers' mailboxes"
    if config.uses_groups and entra is None:
        return Finding(check, None, "not checked until the role groups can be read")
    people = signers(config, entra if entra is not None else ConfigDirectory(config))
    ordered = sorted(people)
    try:
        answers = await client.batch(
            [
                BatchRequest(str(n), "GET", f"/users/{quote(object_id)}/messages?$top=1&$select=id")
                for n, object_id in enumerate(ordered)
            ]
        )
    except GraphError as error:
        return Finding(
            check, False, f"the mailboxes could not be read ({error})", _graph_fix(error)
        )
    statuses = {object_id: answers[str(n)].status for n, object_id in enumerate(ordered)}

    def named(wanted: set[int]) -> str:
        return "; ".join(
            f"{object_id} ({', '.join(people[object_id])})"
            for object_id in ordered
            if statuses[object_id] in wanted
        )

    refused = named({401, 403})
    if refused:
        return Finding(check, False, f"the app may not use the mailbox of {refused}", MAILBOX_FIX)
    missing = named({404})
    if missing:
        return Finding(
            check,
            False,
            f"no mailbox for {missing}",
            "give each signer an Exchange Online mailbox (a licence with Exchange), or "
            "correct their object id in the configuration",
        )
    other = sorted({s for s in statuses.values() if s >= 300})
    if other:
        found = f"some mailboxes could not be read (status {', '.join(map(str, other))})"
        return Finding(check, False, found, _graph_fix(None))
    return Finding(check, True, f"the app can use all {len(people)} signer mailbox(es)")


def _graph_fix(error: Exception | None) -> str:
    if isinstance(error, GraphUnauthorized):
        return "the token was refused: check MicrosoftAppTenantId is the trust's tenant"
    return "try again; if it persists, check that the bot can reach Microsoft Graph over HTTPS"
