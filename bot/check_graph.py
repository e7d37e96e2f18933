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
- **Directory**: each role holder's Entra object id is a user in the tenant.
- **Signers' mailboxes** (with `SAFE_PREMISES_DRAFTS=outlook`): the app can read each
  letter signer's mailbox (the first holder of head, chair and clerk at each school, whose
  mailboxes the drafts go into), one `GET /users/{id}/messages?$top=1` each, by `$batch`.
  A 403 is answered with how to give the app `Mail.ReadWrite` limited to the signers'
  mailboxes (an Exchange Online RBAC for Applications role assignment with a management
  scope): the token's `roles` claim cannot show it, since a scoped grant is Exchange's,
  not Entra ID's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp
import jwt

from bot.check import CHECK_TOKEN_POLICY, Finding, Probes
from bot.settings import AppType, DraftsKind, Settings
from casework.config import TrustConfig
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
USER_AGENT = decorated_user_agent("SafePremises", "SafePremises", "check", isv=False)


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
) -> list[Finding]:
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
                "check the app registration's secret (MicrosoftAppPassword) or the managed "
                "identity, and that the tenant (MicrosoftAppTenantId) is the trust's",
            ),
            Finding("Graph permissions, site and directory", None, "not checked without a token"),
        ]
    findings = [Finding("Graph token", True, "a token for Microsoft Graph was issued")]
    findings.append(permissions(token))
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
    if settings.drafts is DraftsKind.OUTLOOK:
        findings.append(await signers_mailboxes(client, config))
    return findings


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


def permissions(token: str) -> Finding:
    check = "Graph permissions"
    roles = token_roles(token)
    if roles is None:
        return Finding(check, None, "the token does not say; the calls below show what is missing")
    missing = [name for name in REQUIRED_PERMISSIONS if name not in roles]
    if missing:
        needs = "; ".join(f"{name} (for {REQUIRED_PERMISSIONS[name]})" for name in missing)
        return Finding(
            check,
            False,
            f"the app lacks {needs}",
            "in the Entra admin centre: App registrations, Safe Premises, API permissions, "
            "Add a permission, Microsoft Graph, Application permissions; add "
            + ", ".join(missing)
            + ", then Grant admin consent",
        )
    return Finding(check, True, "the app holds " + ", ".join(REQUIRED_PERMISSIONS))


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
                f"{len(unknown)} of {len(holders)} role holder(s) are not in the directory: "
                + "; ".join(unknown),
                "correct each object id in the configuration (Entra admin centre: Users, the "
                "person, Object ID), or remove someone who has left",
            )
        ]
    return [Finding("directory", True, f"all {len(holders)} role holder(s) are in the directory")]


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


def signers(config: TrustConfig) -> dict[str, list[str]]:
    """Each signer's object id, with the schools and roles they sign for."""
    directory = ConfigDirectory(config)
    found: dict[str, list[str]] = {}
    for school in config.schools:
        for role in SIGNER_ROLES:
            holders = directory.holders(school.id, role)
            if holders:
                found.setdefault(holders[0].object_id, []).append(f"{role.value} at {school.id}")
    return found


async def signers_mailboxes(client: GraphClient, config: TrustConfig) -> Finding:
    """The app can read each signer's mailbox (where their letters are drafted)."""
    check = "signers' mailboxes"
    people = signers(config)
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
