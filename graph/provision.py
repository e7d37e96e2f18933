"""`python -m graph.provision --site URL`: make the case store's SharePoint lists on a site
from `infra/sharepoint/schema.json` (docs/graph.md, "Provisioning").

It first reads everything (the site, its lists, their columns) and works out what is
missing; only then does it write, and only what is missing. Run twice, the second run
finds nothing to do and says so. What it checks before writing:

- that Graph lets the app read the site at all. A 403 naming the permissions Graph wants
  means the app registration lacks an application permission; so does a bare 403 when
  the app's own token carries no Sites permission (`token_roles`); otherwise a bare 403
  means that, under `Sites.Selected`, the site has not been granted to the app. Either
  way it says which, and how to add it, and changes nothing;
- that no existing column has a different type from the schema's (that needs a person's
  decision; it changes nothing and names the column).

The level of a site grant (read or write) cannot be read through the operations this
product uses (reading a site's permissions needs `Sites.FullControl.All`), so a read-only
grant shows at the first write, which SharePoint refuses whole: provisioning stops there,
says what to grant, and nothing has changed. A list is created with all its columns in one
request, so a refused or interrupted run never leaves half a list; running again continues.

Credentials come from the same environment variables as the bot's (`MicrosoftAppId`,
`MicrosoftAppCertificatePath` or `MicrosoftAppPassword`, `MicrosoftAppTenantId`,
`BOT_AUTHORITY_HOST`), or a managed identity with `MicrosoftAppType=UserAssignedMSI`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from graph.client import (
    GRAPH_BASE_URL,
    GraphClient,
    GraphError,
    GraphForbidden,
    GraphNotFound,
    decorated_user_agent,
)
from graph.sharepoint_store import (
    RECEPTION,
    SCHEMA_FILE,
    ColumnSpec,
    ListSpec,
    lists_for,
    load_schema,
)
from graph.tokens import GraphTokenError, TokenProvider, graph_tokens

LEAST_PRIVILEGE = "Sites.Selected"
DEFAULT_CONFIG = "config/trust.yaml"  # as the bot's SAFE_PREMISES_CONFIG


class ProvisioningStopped(Exception):
    """Provisioning cannot go on; the message says why and what to do. `changed` is how
    many changes were made before it stopped (0: nothing changed)."""

    def __init__(self, message: str, changed: int = 0) -> None:
        super().__init__(message)
        self.changed = changed


@dataclass(frozen=True)
class Change:
    """One write: what it does, in words, and the request."""

    description: str
    method: str
    path: str
    body: Mapping[str, Any]
    shared_with: str = ""  # a new school list: whom a SharePoint administrator shares it with


def site_path(url: str) -> str:
    """`https://trust.sharepoint.com/sites/cases` as Graph's site-by-path key,
    `trust.sharepoint.com:/sites/cases`. Raises `ValueError` for anything else."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    if parts.scheme != "https" or not parts.hostname or not path.startswith("/sites/"):
        raise ValueError(
            f"--site must be a SharePoint site's address such as "
            f"https://contoso.sharepoint.com/sites/cases, not {url!r}"
        )
    return f"{parts.hostname}:{path}"


def _facet(definition: Mapping[str, Any]) -> str:
    """The schema type an existing column has ("" for one the schema does not use)."""
    if "text" in definition:
        return "note" if (definition["text"] or {}).get("allowMultipleLines") else "text"
    if "number" in definition:
        return "number"
    if "dateTime" in definition:
        date_only = (definition["dateTime"] or {}).get("format") == "dateOnly"
        return "date" if date_only else "dateTime"
    return ""


def _list_body(spec: ListSpec) -> dict[str, Any]:
    body: dict[str, Any] = {
        "displayName": spec.display_name,
        "columns": [c.definition() for c in spec.columns],
        "list": {"template": "genericList"},
    }
    if spec.description:
        body["description"] = spec.description
    return body


def _column_changes(
    site_id: str, list_id: str, spec: ListSpec, existing: Sequence[Mapping[str, Any]]
) -> tuple[list[Change], list[str]]:
    """The writes that bring one existing list to the schema, and the conflicts that need a
    person (a column of another type)."""
    by_name = {str(c.get("name")): c for c in existing}
    changes: list[Change] = []
    conflicts: list[str] = []
    base = f"sites/{site_id}/lists/{list_id}/columns"
    for column in spec.columns:
        found = by_name.get(column.name)
        if found is None:
            changes.append(
                Change(
                    f"{spec.display_name}: add the column {column.display_name!r}",
                    "POST",
                    base,
                    column.definition(),
                )
            )
            continue
        if _facet(found) != column.kind:
            conflicts.append(
                f"{spec.display_name}: the column {column.name!r} is of type "
                f"{_facet(found) or 'other'!r}, the schema says {column.kind!r}; change or "
                f"remove it in SharePoint (its values would be lost), then run again"
            )
            continue
        patch = _column_patch(column, found)
        if patch:
            what = ", ".join(_WORDS[k] for k in patch)
            changes.append(
                Change(
                    f"{spec.display_name}: {column.display_name!r}: {what}",
                    "PATCH",
                    f"{base}/{found['id']}",
                    patch,
                )
            )
    return changes, conflicts


_WORDS = {
    "displayName": "rename",
    "indexed": "index",
    "enforceUniqueValues": "enforce unique values",
}


def _column_patch(column: ColumnSpec, found: Mapping[str, Any]) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    if found.get("displayName") != column.display_name:
        patch["displayName"] = column.display_name
    if (column.indexed or column.unique) and not found.get("indexed"):
        patch["indexed"] = True
    if column.unique and not found.get("enforceUniqueValues"):
        patch["enforceUniqueValues"] = True
    return patch


# Application permissions that reach SharePoint sites through Graph.
SITES_PERMISSIONS = frozenset(
    {
        "Sites.Selected",
        "Sites.Read.All",
        "Sites.ReadWrite.All",
        "Sites.Manage.All",
        "Sites.FullControl.All",
    }
)


def token_roles(token: str) -> frozenset[str] | None:
    """The application permissions (`roles` claim) an Entra ID access token says it
    carries, read without checking its signature, for a diagnosis only: None when the
    token cannot be read (Microsoft may change or encrypt the format at any time). The
    token itself is never kept, logged or shown."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    roles = payload.get("roles") if isinstance(payload, dict) else None
    if not isinstance(roles, list):
        return frozenset()  # an app-only token without roles holds no application permission
    return frozenset(str(r) for r in roles)


def _forbidden_message(
    error: GraphForbidden, site: str, roles: frozenset[str] | None = None
) -> str:
    named = error.missing_permissions
    if not named and roles is not None and not roles & SITES_PERMISSIONS:
        named = (LEAST_PRIVILEGE,)  # Graph said only "denied"; the token shows why
    if named:
        wanted = LEAST_PRIVILEGE if LEAST_PRIVILEGE in named else " or ".join(named)
        return (
            f"The app has no Microsoft Graph application permission to reach SharePoint "
            f"sites: it needs {wanted}. Add it in the Entra admin centre: App registrations > "
            f"the bot's app > API permissions > Add a permission > Microsoft Graph > "
            f"Application permissions > {wanted}, then 'Grant admin consent'. Nothing was "
            f"changed."
        )
    return (
        f"SharePoint refused the app access to the site {site}: under {LEAST_PRIVILEGE} the "
        f"site must be granted to the app. A SharePoint or Global administrator adds the "
        f"grant, with the role 'write', by calling Graph's POST /sites/{{site-id}}/permissions "
        f'with {{"roles": ["write"], "grantedToIdentities": [{{"application": {{"id": '
        f'"<the app\'s client id>", "displayName": "Safe Premises"}}}}]}} (this needs '
        f"Sites.FullControl.All), or with PnP PowerShell: Grant-PnPAzureADAppSitePermission "
        f"-AppId <the app's client id> -DisplayName 'Safe Premises' -Site {site} "
        f"-Permissions Write. Nothing was changed."
    )


async def plan(
    client: GraphClient,
    site: str,
    specs: Sequence[ListSpec],
    tokens: TokenProvider | None = None,
) -> tuple[str, list[Change]]:
    """The site's id and the writes that bring it to `specs`, from reads only. Raises
    `ProvisioningStopped` (nothing changed) for a missing permission or a conflict.
    `tokens` (the client's) lets a bare 403 be told apart: no Sites permission at all, or
    no grant on this site."""
    key = site_path(site)
    try:
        found_site = (await client.request("GET", f"sites/{key}")).body
        site_id = str(found_site["id"])
        lists = [entry async for page in client.pages(f"sites/{site_id}/lists") for entry in page]
        changes: list[Change] = []
        conflicts: list[str] = []
        for spec in specs:
            match = next(
                (
                    entry
                    for entry in lists
                    if spec.display_name in (entry.get("displayName"), entry.get("name"))
                    or spec.name in (entry.get("displayName"), entry.get("name"))
                ),
                None,
            )
            if match is None:
                changes.append(
                    Change(
                        f"create the list {spec.display_name!r} with {len(spec.columns)} columns",
                        "POST",
                        f"sites/{site_id}/lists",
                        _list_body(spec),
                        shared_with=_shared_with(spec),
                    )
                )
                continue
            list_id = str(match["id"])
            columns = [
                c
                async for page in client.pages(f"sites/{site_id}/lists/{list_id}/columns")
                for c in page
            ]
            more, clashes = _column_changes(site_id, list_id, spec, columns)
            changes += more
            conflicts += clashes
    except GraphForbidden as error:
        roles = None
        if tokens is not None and not error.missing_permissions:
            with contextlib.suppress(GraphTokenError):
                roles = token_roles(await tokens.token())
        raise ProvisioningStopped(_forbidden_message(error, site, roles)) from error
    except GraphNotFound as error:
        raise ProvisioningStopped(
            f"There is no SharePoint site at {site}. Nothing was changed."
        ) from error
    except GraphError as error:
        raise ProvisioningStopped(
            f"Could not read the site {site}: {error}. Nothing was changed."
        ) from error
    if conflicts:
        raise ProvisioningStopped(
            "The site's lists differ from the schema in ways provisioning will not change:\n"
            + "\n".join(f"- {c}" for c in conflicts)
            + "\nNothing was changed."
        )
    return site_id, changes


async def provision(
    client: GraphClient,
    site: str,
    schools: Sequence[str],
    specs: Sequence[ListSpec] | None = None,
    *,
    tokens: TokenProvider | None = None,
    say: Callable[[str], None] = lambda line: _out(f"{line}\n"),
) -> int:
    """Bring the site to the schema for these schools (each gets its own per-school
    lists); returns the number of changes made (0: it already matched, and it said so).
    Raises `ProvisioningStopped` with what to do."""
    if not schools:
        raise ProvisioningStopped("The configuration names no school. Nothing was changed.")
    specs = load_schema() if specs is None else specs
    _, changes = await plan(client, site, lists_for(schools, specs), tokens)
    if not changes:
        say(f"The site {site} already has every list and column of the schema: nothing to change.")
        return 0
    made = 0
    for change in changes:
        try:
            await client.request(change.method, change.path, json_body=dict(change.body))
        except GraphForbidden as error:
            done = (
                "Nothing was changed."
                if made == 0
                else f"{made} change(s) were made before it; run again after adding the grant."
            )
            raise ProvisioningStopped(
                f"SharePoint refused to {change.description}: the app can read the site but "
                f"not change it. Its grant on {site} must have the role 'write'; a read grant is "
                f"not enough (if it already has 'write', grant 'fullcontrol' for this run and "
                f"set it back afterwards). Ask a SharePoint administrator to change the grant "
                f"(docs/graph.md, 'Permissions'). {done}",
                made,
            ) from error
        except GraphError as error:
            raise ProvisioningStopped(
                f"Could not {change.description}: {error}. {made} change(s) were made before "
                f"it; running again continues from there.",
                made,
            ) from error
        made += 1
        say(f"- {change.description}")
    say(f"{made} change(s) made on {site}.")
    to_share = [c for c in changes if c.shared_with]
    if to_share:
        say(
            "The Graph operations used here cannot set a list's permissions, so a SharePoint "
            "administrator shares each new school list by hand (the list's settings > "
            "Permissions for this list > Stop inheriting permissions, remove the site's "
            "groups, then Grant permissions > Read):"
        )
        for change in to_share:
            say(f"- {change.shared_with}")
    return made


def _shared_with(spec: ListSpec) -> str:
    if not spec.school:
        return ""
    if spec.name.startswith(f"{RECEPTION}/"):
        who = f"the staff of {spec.school} (reception reads it)"
    else:
        who = f"the head and senior staff of {spec.school}"
    return f"{spec.display_name!r}: {who}, through their Entra ID security group"


def _out(text: str) -> None:
    sys.stdout.write(text)


def _err(text: str) -> None:
    sys.stderr.write(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m graph.provision",
        description="Create the case store's SharePoint lists on a site (idempotent).",
    )
    parser.add_argument("--site", required=True, help="https://<tenant>.sharepoint.com/sites/..")
    parser.add_argument(
        "--graph-base-url",
        default=GRAPH_BASE_URL,
        help=f"Microsoft Graph's address (default {GRAPH_BASE_URL}; a stand-in for tests)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="the trust's configuration, for its schools (default: SAFE_PREMISES_CONFIG, "
        "else config/trust.yaml)",
    )
    parser.add_argument("--schema", type=Path, default=SCHEMA_FILE, help=argparse.SUPPRESS)
    return parser


async def _main(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    from casework.config import ConfigError, load_trust_config
    from graph.wiring import credentials_from_environ

    args = _parser().parse_args(argv)
    config = args.config or Path(environ.get("SAFE_PREMISES_CONFIG", "").strip() or DEFAULT_CONFIG)
    try:
        site_path(args.site)
        specs = load_schema(args.schema)
        credentials = credentials_from_environ(environ)
        schools = load_trust_config(config).school_ids
    except (ValueError, ConfigError, OSError) as error:
        _err(f"{error}\n")
        return 2
    async with aiohttp.ClientSession() as http:
        tokens = graph_tokens(credentials)
        client = GraphClient(
            http,
            tokens,
            user_agent=decorated_user_agent("SafePremises", "SafePremises", "provision"),
            base_url=args.graph_base_url,
        )
        try:
            await provision(client, args.site, schools, specs, tokens=tokens)
        except ProvisioningStopped as stopped:
            _err(f"{stopped}\n")
            return 1
        except GraphTokenError as error:
            _err(f"Could not get a Graph token: {error}. Nothing was changed.\n")
            return 1
    return 0


def main() -> None:
    sys.exit(asyncio.run(_main(sys.argv[1:], os.environ)))


if __name__ == "__main__":
    main()
