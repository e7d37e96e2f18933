"""`python -m bot check` (issue 13, item 4): against the loopback Entra ID and the Graph
stand-in, each problem it is shown is reported on its own FAIL line with its fix, the exit
status says whether any check failed, and a deployment with everything in place passes."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import jwt
import pytest
import requests

from bot.__main__ import check, main
from bot.check import Finding, Probes, run_checks
from bot.check_graph import REQUIRED_PERMISSIONS
from bot.check_graph import signers as signers_of
from casework.ports import ConversationReference
from graph.provision import provision
from local.config_directory import ConfigDirectory
from local.conversations import SqliteConversations
from local.sqlite_store import SqliteCaseStore
from tests.casework_world import CLERK, EXAMPLE_CONFIG, example_config
from tests.fakes import FixedClock
from tests.harness.certificates import AppCertificate, app_certificate
from tests.harness.entra import CLIENT_SECRET, LoopbackAppServiceIdentity, LoopbackEntraId
from tests.harness.graph import GraphStandIn
from tests.harness.identities import APP_ID
from tests.harness.sharepoint import SCHOOLS, site_url, stand_in_client

ROOT = Path(__file__).resolve().parents[2]
TENANT = example_config().tenant_id
NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)
CHANNEL_ID = "19:clerks0000000000000000000000000@thread.tacv2"
PROMPTED = ("head", "senior", "chair", "clerk", "trust")


def role_holders() -> set[str]:
    config = example_config()
    held = {p.object_id for s in config.schools for p in s.people if set(p.roles) & set(PROMPTED)}
    return held | {p.object_id for p in config.trust.people}


def everyone() -> set[str]:
    config = example_config()
    return {p.object_id for s in config.schools for p in s.people} | {
        p.object_id for p in config.trust.people
    }


async def remember(data: Path, *, users: set[str], channel: bool = True) -> None:
    store = SqliteCaseStore.open(data / "cases.sqlite3")
    try:
        conversations = SqliteConversations(store.database)
        for object_id in users:
            await conversations.remember(
                ConversationReference(
                    f"user:{object_id}",
                    "https://smba.trafficmanager.net/uk/",
                    f"a:chat-{object_id}",
                    TENANT,
                    f"28:{APP_ID}",
                    updated_at=NOW,
                )
            )
        if channel:
            await conversations.remember(
                ConversationReference(
                    f"channel:{CHANNEL_ID}",
                    "https://smba.trafficmanager.net/uk/",
                    f"{CHANNEL_ID};messageid=1",
                    TENANT,
                    f"28:{APP_ID}",
                    channel_name="LAC clerks",
                    updated_at=NOW,
                )
            )
    finally:
        store.close()


@pytest.fixture
async def entra() -> AsyncIterator[LoopbackEntraId]:
    async with LoopbackEntraId() as server:
        # msal's HTTP client, trusting the loopback Entra ID; closed before it stops.
        with server.http_client() as session:
            server.msal_http = session  # type: ignore[attr-defined]
            yield server


@pytest.fixture
async def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    await remember(folder, users=role_holders())
    return folder


def environ(entra: LoopbackEntraId, data: Path, **changes: str) -> dict[str, str]:
    return {
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": CLIENT_SECRET,
        "MicrosoftAppTenantId": TENANT,
        "MicrosoftAppType": "SingleTenant",
        "BOT_AUTHORITY_HOST": entra.authority_host,
        "SAFE_PREMISES_CONFIG": str(EXAMPLE_CONFIG),
        "SAFE_PREMISES_DATA": str(data),
    } | changes


def probes(entra: LoopbackEntraId, *, now: datetime = NOW, graph: str = "") -> Probes:
    session = entra.msal_http  # type: ignore[attr-defined]
    return Probes(FixedClock(now), msal_http_client=session, graph_base_url=graph)


def failed(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings if f.passed is False}


def the(findings: list[Finding], check: str) -> Finding:
    return next(f for f in findings if f.check == check)


# --- everything in place ------------------------------------------------------------------


async def test_a_deployment_with_everything_in_place_passes_every_check(
    entra: LoopbackEntraId, data: Path
) -> None:
    findings = await run_checks(environ(entra, data), probes(entra))
    assert failed(findings) == {}
    checks = [f.check for f in findings]
    for expected in (
        "settings",
        "configuration",
        "term dates (oakfield)",
        "Bot Framework credentials",
        "clerks' channel (oakfield)",
        "app installed (oakfield)",
        "app installed (riverside)",
    ):
        assert expected in checks
    assert all(f.passed for f in findings)
    # The Graph checks belong to Microsoft 365 storage only.
    assert not any("Graph" in c or c == "directory" for c in checks)


async def test_the_command_prints_one_line_per_check_and_exits_zero_when_all_pass(
    entra: LoopbackEntraId, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `check` runs its own event loop, as `python -m bot check` does: off this test's loop.
    status = await asyncio.to_thread(check, environ(entra, data), probes(entra))
    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[-1] == "All checks passed."
    assert all(line.startswith("PASS ") for line in lines[:-1])


async def test_the_bot_framework_token_comes_from_the_configured_authority_and_tenant(
    entra: LoopbackEntraId, data: Path
) -> None:
    findings = await run_checks(environ(entra, data), probes(entra))
    assert the(findings, "Bot Framework credentials").passed
    assert entra.tenants == [TENANT]
    assert entra.scopes == ["https://api.botframework.com/.default"]


# --- each problem, with its fix -------------------------------------------------------------


async def test_term_dates_running_out_are_reported_with_how_long_is_left_and_the_fix(
    entra: LoopbackEntraId, data: Path
) -> None:
    findings = await run_checks(
        environ(entra, data), probes(entra, now=datetime(2027, 6, 28, 10, tzinfo=UTC))
    )
    problem = failed(findings)["term dates (oakfield)"]
    assert "they end on 2027-07-21" in problem.found
    assert "school day(s) from today" in problem.found
    assert "add the next school year's term dates" in problem.fix
    assert "Fix: add the next school year's term dates" in problem.line


async def test_term_dates_far_from_running_out_pass_saying_how_long_is_left(
    entra: LoopbackEntraId, data: Path
) -> None:
    findings = await run_checks(environ(entra, data), probes(entra))
    assert the(findings, "term dates (oakfield)").found.startswith("they end on 2027-07-21, ")


async def test_a_wrong_client_secret_is_reported_with_the_fix(
    entra: LoopbackEntraId, data: Path
) -> None:
    findings = await run_checks(
        environ(entra, data, MicrosoftAppPassword="not-the-secret"), probes(entra)
    )
    problem = failed(findings)["Bot Framework credentials"]
    assert "invalid_client" in problem.found
    assert "MicrosoftAppPassword" in problem.fix
    assert "not-the-secret" not in problem.line


def with_certificate(
    entra: LoopbackEntraId, data: Path, made: AppCertificate, *, registered: bool = True
) -> dict[str, str]:
    """The settings with the app's certificate instead of its secret."""
    if registered:
        entra.certificates.append(made.certificate_pem)
    settings = environ(entra, data, MicrosoftAppCertificatePath=str(made.pem_file(data.parent)))
    settings.pop("MicrosoftAppPassword")
    return settings


async def test_a_certificate_gets_the_bot_framework_token_and_its_expiry_passes(
    entra: LoopbackEntraId, data: Path
) -> None:
    made = app_certificate(valid_until=datetime(2027, 6, 1, tzinfo=UTC))
    findings = await run_checks(with_certificate(entra, data, made), probes(entra))

    assert failed(findings) == {}
    credentials = the(findings, "Bot Framework credentials")
    assert f"for the certificate {made.thumbprint} (MicrosoftAppCertificatePath)" in (
        credentials.found
    )
    assert the(findings, "Bot Framework certificate").line == (
        f"PASS Bot Framework certificate: {made.thumbprint} expires on 2027-06-01, "
        "179 day(s) from today"
    )
    assert entra.token_requests == 1
    assert entra.refusals == []


async def test_a_certificate_that_expires_within_30_days_fails_with_the_rotation(
    entra: LoopbackEntraId, data: Path
) -> None:
    made = app_certificate(valid_until=datetime(2026, 12, 20, tzinfo=UTC))
    findings = await run_checks(with_certificate(entra, data, made), probes(entra))

    assert the(findings, "Bot Framework credentials").passed is True  # it still works
    problem = failed(findings)["Bot Framework certificate"]
    assert problem.found == (
        f"{made.thumbprint} expires on 2026-12-20, 16 day(s) from today, fewer than 30"
    )
    assert "upload its public part to the app registration" in problem.fix
    assert "Rotating the certificate" in problem.fix


async def test_a_certificate_the_app_registration_does_not_hold_is_reported_with_the_fix(
    entra: LoopbackEntraId, data: Path
) -> None:
    made = app_certificate("never uploaded")
    findings = await run_checks(
        with_certificate(entra, data, made, registered=False), probes(entra)
    )

    problem = failed(findings)["Bot Framework credentials"]
    assert "invalid_client" in problem.found
    assert "upload its public part" in problem.fix
    assert "Certificates & secrets" in problem.fix
    assert "MicrosoftAppPassword" not in problem.fix


async def test_an_expired_certificate_fails_the_settings_check_naming_the_setting(
    entra: LoopbackEntraId, data: Path
) -> None:
    made = app_certificate(valid_until=datetime(2026, 11, 30, tzinfo=UTC))
    findings = await run_checks(with_certificate(entra, data, made), probes(entra))

    problem = failed(findings)["settings"]
    assert problem.found.startswith("MicrosoftAppCertificatePath is ")
    assert "whose certificate expired on 2026-11-30" in problem.found
    assert entra.token_requests == 0


async def test_local_development_mode_fails_the_credentials_check_naming_the_settings(
    entra: LoopbackEntraId, data: Path
) -> None:
    settings = environ(entra, data)
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId"):
        settings.pop(name)
    settings["MicrosoftAppType"] = "MultiTenant"
    problem = failed(await run_checks(settings, probes(entra)))["Bot Framework credentials"]
    assert "MicrosoftAppId is empty" in problem.found
    assert "MicrosoftAppId" in problem.fix
    assert entra.token_requests == 0


async def test_an_uninstalled_clerk_is_reported_by_role_and_object_id_with_the_fix(
    entra: LoopbackEntraId, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    await remember(data, users=role_holders() - {CLERK.object_id})
    problem = failed(await run_checks(environ(entra, data), probes(entra)))
    # The clerk serves both schools: both say so.
    for school in ("oakfield", "riverside"):
        line = problem[f"app installed ({school})"]
        assert f"Clerk to the Local Academy Committee ({CLERK.object_id})" in line.found
        assert line.found.startswith("not installed for 1 of ")
        assert "install the app for them" in line.fix
    # Names are not printed: only roles and object ids.
    assert "Siân" not in "".join(f.line for f in problem.values())


async def test_a_clerks_channel_the_bot_has_no_conversation_for_is_reported_with_the_fix(
    entra: LoopbackEntraId, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    await remember(data, users=role_holders(), channel=False)
    problem = failed(await run_checks(environ(entra, data), probes(entra)))
    line = problem["clerks' channel (oakfield)"]
    assert "'LAC clerks'" in line.found
    assert "add the app to the team" in line.fix


async def test_a_data_folder_without_a_case_store_is_reported_not_created(
    entra: LoopbackEntraId, tmp_path: Path
) -> None:
    data = tmp_path / "nothing-here"
    problem = failed(await run_checks(environ(entra, data), probes(entra)))["case store"]
    assert "SAFE_PREMISES_DATA" in problem.fix
    assert not data.exists()


async def test_a_bad_setting_is_reported_naming_it_and_the_rest_is_not_run(
    entra: LoopbackEntraId, data: Path
) -> None:
    findings = await run_checks(environ(entra, data, MicrosoftAppType="Sometimes"), probes(entra))
    assert [f.check for f in findings] == ["settings"]
    assert "MicrosoftAppType must be one of" in findings[0].found
    assert entra.token_requests == 0


async def test_no_credentials_on_a_public_interface_fails_the_settings_check(
    entra: LoopbackEntraId, data: Path
) -> None:
    settings = environ(entra, data, HOST="0.0.0.0")
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId"):
        settings.pop(name)
    settings["MicrosoftAppType"] = "MultiTenant"
    findings = await run_checks(settings, probes(entra))
    assert [f.check for f in findings] == ["settings"]
    assert "HOST=127.0.0.1" in findings[0].found


async def test_a_broken_configuration_is_reported_naming_the_field(
    entra: LoopbackEntraId, data: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "trust.yaml"
    broken.write_text("tenant_id: not-a-guid\n", encoding="utf-8")
    findings = await run_checks(
        environ(entra, data, SAFE_PREMISES_CONFIG=str(broken)), probes(entra)
    )
    problem = failed(findings)["configuration"]
    assert "tenant_id" in problem.found
    assert "\n" not in problem.line
    assert findings[-1].passed is None  # the rest is not run


def test_the_exit_status_is_non_zero_when_a_check_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main({"MicrosoftAppType": "Sometimes"}, ["check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL settings: MicrosoftAppType must be one of")
    assert "Some checks failed" in out


def test_python_m_bot_check_is_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PORT": "eighty"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.startswith("FAIL settings: PORT must be a number")


# --- Microsoft 365 storage: the Graph checks ----------------------------------------------


def graph_token(roles: list[str]) -> str:
    """A token shaped like Entra ID's for Graph (unsigned here: the check only reads it)."""
    return jwt.encode(
        {"aud": "https://graph.microsoft.com", "tid": TENANT, "roles": roles}, "k" * 32
    )


@pytest.fixture
async def graph(entra: LoopbackEntraId) -> AsyncIterator[GraphStandIn]:
    entra.access_token = graph_token(sorted(REQUIRED_PERMISSIONS))
    async with GraphStandIn(access_token=entra.access_token) as stand_in:
        for object_id in sorted(everyone()):
            stand_in.add_user(object_id, "Someone", f"{object_id}@oakvalley.example")
        yield stand_in
        assert not stand_in.violations, stand_in.violations


def m365(entra: LoopbackEntraId, data: Path, site: str) -> dict[str, str]:
    return environ(
        entra, data, SAFE_PREMISES_STORE="sharepoint", SAFE_PREMISES_SHAREPOINT_SITE=site
    )


async def provisioned(graph: GraphStandIn) -> str:
    """A site on the stand-in with the schema's lists for the example trust's schools, as
    `python -m graph.provision` makes them; its address."""
    site = graph.add_site()
    async with aiohttp.ClientSession() as http:
        await provision(stand_in_client(graph, http), site_url(site), SCHOOLS, say=lambda _: None)
    return site_url(site)


async def test_microsoft_365_checks_pass_against_the_graph_stand_in(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    site = await provisioned(graph)
    findings = await run_checks(m365(entra, data, site), probes(entra, graph=graph.base_url))
    assert failed(findings) == {}
    for name in (
        "Graph token",
        "Graph permissions",
        "SharePoint site grant",
        "SharePoint lists",
        "directory",
    ):
        assert the(findings, name).passed, name
    assert "https://graph.microsoft.com/.default" in entra.scopes


async def test_a_missing_graph_permission_is_named_with_the_fix(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    entra.access_token = graph.access_token = graph_token(["Sites.Selected"])
    site = site_url(graph.add_site())
    findings = await run_checks(m365(entra, data, site), probes(entra, graph=graph.base_url))
    problem = failed(findings)["Graph permissions"]
    assert "User.Read.All" in problem.found
    assert "Sites.Selected" not in problem.found
    assert "Grant admin consent" in problem.fix


async def test_a_site_that_has_not_granted_the_app_access_is_reported_with_the_fix(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    site = site_url(graph.add_site())
    graph.fail(status=403, path=r"^/sites/", message="Access denied")
    findings = await run_checks(m365(entra, data, site), probes(entra, graph=graph.base_url))
    problem = failed(findings)["SharePoint site grant"]
    assert "refuses the app" in problem.found
    assert "grant the app write access" in problem.fix


async def test_a_site_address_that_names_no_site_is_reported_naming_the_setting(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    findings = await run_checks(
        m365(entra, data, "https://trust.sharepoint.com/sites/elsewhere"),
        probes(entra, graph=graph.base_url),
    )
    assert "SAFE_PREMISES_SHAREPOINT_SITE" in failed(findings)["SharePoint site grant"].fix


async def test_a_site_without_the_lists_is_reported_with_the_provisioning_command(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    site = site_url(graph.add_site())
    findings = await run_checks(m365(entra, data, site), probes(entra, graph=graph.base_url))
    problem = failed(findings)["SharePoint lists"]
    assert problem.found.startswith("the site is not provisioned: create the list")
    assert f"python -m graph.provision --site {site}" in problem.fix
    assert the(findings, "SharePoint site grant").passed


async def test_an_unknown_role_holder_is_reported_by_object_id_with_the_fix(
    entra: LoopbackEntraId, data: Path, tmp_path: Path
) -> None:
    entra.access_token = graph_token(sorted(REQUIRED_PERMISSIONS))
    async with GraphStandIn(access_token=entra.access_token) as graph:
        for object_id in sorted(everyone() - {CLERK.object_id}):
            graph.add_user(object_id, "Someone", f"{object_id}@oakvalley.example")
        site = site_url(graph.add_site())
        findings = await run_checks(m365(entra, data, site), probes(entra, graph=graph.base_url))
        assert not graph.violations
    problem = failed(findings)["directory"]
    assert f"{CLERK.object_id} (oakfield, riverside)" in problem.found
    assert problem.found.startswith("1 of ")
    assert "correct each object id" in problem.fix


async def test_a_directory_that_refuses_the_app_names_the_permission(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    site = site_url(graph.add_site())
    graph.fail(status=403, path=r"^/users/", message="Insufficient privileges")
    findings = await run_checks(m365(entra, data, site), probes(entra, graph=graph.base_url))
    assert "User.Read.All" in failed(findings)["directory"].fix


async def test_no_graph_token_is_reported_and_the_graph_calls_are_skipped(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    site = site_url(graph.add_site())
    findings = await run_checks(
        m365(entra, data, site) | {"MicrosoftAppPassword": "wrong"},
        probes(entra, graph=graph.base_url),
    )
    assert "invalid_client" in failed(findings)["Graph token"].found
    assert the(findings, "Graph permissions, site and directory").passed is None


async def test_the_signers_mailboxes_are_checked_when_drafts_go_to_outlook(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    site = await provisioned(graph)
    findings = await run_checks(m365(entra, data, site), probes(entra, graph=graph.base_url))
    mailboxes = the(findings, "signers' mailboxes")
    assert mailboxes.passed
    signers = signers_of(example_config(), ConfigDirectory(example_config()))
    assert mailboxes.found == f"the app can use all {len(signers)} signer mailbox(es)"
    mailbox_reads = [p for m, p in graph.requests if m == "GET" and p.endswith("/messages")]
    assert sorted(p.split("/")[2] for p in mailbox_reads) == sorted(signers)

    files = m365(entra, data, site) | {"SAFE_PREMISES_DRAFTS": "files"}
    without = await run_checks(files, probes(entra, graph=graph.base_url))
    assert "signers' mailboxes" not in {f.check for f in without}


async def test_a_mailbox_the_app_may_not_use_is_named_with_the_scoped_permission_fix(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    site = await provisioned(graph)
    head = next(p for p in example_config().schools[0].people if "head" in p.roles)
    # Exchange refuses a mailbox outside the app's management scope with 403.
    graph.fail(status=403, path=rf"^/users/{head.object_id}/messages$", message="Access is denied.")
    findings = await run_checks(m365(entra, data, site), probes(entra, graph=graph.base_url))
    problem = failed(findings)["signers' mailboxes"]
    assert problem.found.startswith(f"the app may not use the mailbox of {head.object_id} (head at")
    assert "Application Mail.ReadWrite" in problem.fix
    assert "New-ManagementScope" in problem.fix
    assert "do not also grant Mail.ReadWrite in Entra ID" in problem.fix


async def test_a_signer_without_a_mailbox_is_named(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn
) -> None:
    site = await provisioned(graph)
    clerk_messages = rf"^/users/{CLERK.object_id}/messages$"
    graph.fail(status=404, path=clerk_messages, message="The mailbox is either inactive")
    findings = await run_checks(m365(entra, data, site), probes(entra, graph=graph.base_url))
    problem = failed(findings)["signers' mailboxes"]
    assert problem.found.startswith(f"no mailbox for {CLERK.object_id} (clerk at oakfield")
    assert "Exchange Online mailbox" in problem.fix


# --- the guide (docs/deploy.md) -------------------------------------------------------------


def guide_section() -> str:
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    return deploy.split("### Check the deployment", 1)[1].split("\n## ", 1)[0]


def checks_the_guide_names() -> set[str]:
    section = guide_section()
    named = set(re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE))
    prose = section.split("`SAFE_PREMISES_STORE=sharepoint`", 1)[1]
    named |= {n for n in re.findall(r"`([^`\n]+)`", prose) if not re.search(r"[._=]", n)}
    schools = [s.id for s in example_config().schools]
    return {name.replace("<school>", school) for name in named for school in schools} - {
        "SAFE_PREMISES_SHAREPOINT_SITE"
    }


async def test_the_guide_names_exactly_the_checks_the_command_makes(
    entra: LoopbackEntraId, data: Path, graph: GraphStandIn, tmp_path: Path
) -> None:
    from tests.integration.test_entra_directory import populate

    site = await provisioned(graph)
    populate(graph)
    made = set()
    for settings in (
        environ(entra, data),
        m365(entra, data, site),
        environ(entra, tmp_path / "no-store"),  # the case store line shows only then
        with_certificate(entra, data, app_certificate()),  # the certificate's line
        with_groups(entra, data, site),  # the role groups' lines show only then
    ):
        findings = await run_checks(settings, probes(entra, graph=graph.base_url))
        made |= {f.check for f in findings if f.passed is not None}
    assert checks_the_guide_names() == made


async def test_the_command_the_guide_gives_runs_against_the_loopback_entra_id(
    entra: LoopbackEntraId, data: Path
) -> None:
    # The command in the section's shell block (the container's `docker exec` prefix aside).
    block = re.search(r"^```sh\n(.*?)^```", guide_section(), re.MULTILINE | re.DOTALL)
    assert block
    line = next(span for span in block.group(1).splitlines() if "python -m bot check" in span)
    command = line[line.index("python -m bot check") :].split()
    settings = environ(entra, data) | {
        "PATH": "/usr/bin:/bin",
        # msal's own HTTP client, in the child, trusts the loopback Entra ID's certificate.
        "REQUESTS_CA_BUNDLE": entra.ca_file,
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, *command[1:]],
        cwd=ROOT,
        env=settings,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = result.stdout.splitlines()
    assert "PASS Bot Framework credentials: a token for the Bot Connector was issued" in (
        result.stdout
    )
    assert all(re.match(r"^(PASS|FAIL|SKIP) ", line) for line in lines[:-1]), lines
    # Today's date decides the term dates' lines; the status follows the lines either way.
    assert result.returncode == (1 if any(line.startswith("FAIL") for line in lines) else 0)


async def test_the_graph_checks_run_even_when_the_case_store_is_missing(
    entra: LoopbackEntraId, graph: GraphStandIn, tmp_path: Path
) -> None:
    site = await provisioned(graph)
    findings = await run_checks(
        m365(entra, tmp_path / "no-store", site), probes(entra, graph=graph.base_url)
    )
    assert set(failed(findings)) == {"case store"}
    assert the(findings, "directory").passed


async def test_a_managed_identity_gets_its_bot_framework_token_from_the_identity_endpoint(
    monkeypatch: pytest.MonkeyPatch, entra: LoopbackEntraId, data: Path
) -> None:
    settings = environ(entra, data, MicrosoftAppType="UserAssignedMSI")
    settings.pop("MicrosoftAppPassword")
    async with LoopbackAppServiceIdentity() as identity:
        monkeypatch.setenv("IDENTITY_ENDPOINT", identity.endpoint)
        monkeypatch.setenv("IDENTITY_HEADER", identity.identity_header)
        with requests.Session() as session:
            session.trust_env = False
            findings = await run_checks(settings, Probes(FixedClock(NOW), session))
    line = the(findings, "Bot Framework credentials")
    assert line.passed
    assert "the managed identity" in line.found
    assert identity.requests[0]["client_id"] == APP_ID
    assert entra.token_requests == 0


# --- the role groups (schools' roles from Entra ID groups) ---------------------------------

GROUPS_CONFIG = ROOT / "config" / "trust.microsoft365.yaml"
GROUP_ROLES = sorted({*REQUIRED_PERMISSIONS, "GroupMember.Read.All"})


def with_groups(entra: LoopbackEntraId, data: Path, site: str) -> dict[str, str]:
    return m365(entra, data, site) | {"SAFE_PREMISES_CONFIG": str(GROUPS_CONFIG)}


@pytest.fixture
async def grouped(entra: LoopbackEntraId, tmp_path: Path) -> AsyncIterator[GraphStandIn]:
    """The stand-in with the Microsoft 365 example's groups, each with a holder."""
    from tests.integration.test_entra_directory import populate

    entra.access_token = graph_token(GROUP_ROLES)
    async with GraphStandIn(access_token=entra.access_token) as stand_in:
        populate(stand_in)
        for object_id in sorted(everyone()):
            stand_in.add_user(object_id, "Someone", f"{object_id}@oakvalley.example")
        yield stand_in
        assert not stand_in.violations, stand_in.violations


async def groups_data(folder: Path, graph: GraphStandIn) -> Path:
    """A data folder where every member of the groups has the app installed."""
    members = {m for members in graph.groups.values() for m in members if m in graph.users}
    trust = {p.object_id for p in example_config().trust.people}
    await remember(folder, users=members | trust)
    return folder


async def test_role_groups_that_are_readable_and_held_pass(
    entra: LoopbackEntraId, grouped: GraphStandIn, tmp_path: Path
) -> None:
    site = await provisioned(grouped)
    data = await groups_data(tmp_path / "data", grouped)
    findings = await run_checks(
        with_groups(entra, data, site), probes(entra, graph=grouped.base_url)
    )
    assert failed(findings) == {}
    assert the(findings, "role groups (oakfield)").found.endswith(
        "head 1, senior 1, chair 1, clerk 1, staff 3"
    )
    assert "GroupMember.Read.All" in the(findings, "Graph permissions").found
    # The app-installed lines count the groups' holders, not the configuration's.
    assert the(findings, "app installed (riverside)").found == "installed for all 5 role holder(s)"


async def test_with_role_groups_the_signers_whose_mailboxes_are_checked_are_the_groups_holders(
    entra: LoopbackEntraId, grouped: GraphStandIn, tmp_path: Path
) -> None:
    site = await provisioned(grouped)
    data = await groups_data(tmp_path / "data", grouped)
    findings = await run_checks(
        with_groups(entra, data, site), probes(entra, graph=grouped.base_url)
    )
    assert the(findings, "signers' mailboxes").passed
    read = {p.split("/")[2] for m, p in grouped.requests if m == "GET" and p.endswith("/messages")}
    # The head, chair and clerk of each school, as the groups name them (the configuration
    # of the Microsoft 365 example lists nobody for those roles).
    from tests.integration.test_entra_directory import (
        CLERK as GROUP_CLERK,
    )
    from tests.integration.test_entra_directory import (
        OAK_CHAIR,
        OAK_HEAD,
        RIV_CHAIR,
        RIV_HEAD,
    )

    assert read == {OAK_HEAD, OAK_CHAIR, RIV_HEAD, RIV_CHAIR, GROUP_CLERK}


async def test_a_group_without_members_is_named_with_the_fix(
    entra: LoopbackEntraId, grouped: GraphStandIn, tmp_path: Path
) -> None:
    from tests.integration.test_entra_directory import RIV_CHAIR_GROUP

    site = await provisioned(grouped)
    data = await groups_data(tmp_path / "data", grouped)
    grouped.groups[RIV_CHAIR_GROUP] = []
    findings = await run_checks(
        with_groups(entra, data, site), probes(entra, graph=grouped.base_url)
    )
    problem = failed(findings)["role groups (riverside)"]
    assert problem.found == f"the chair group {RIV_CHAIR_GROUP} has no members"
    assert (
        f"add the school's Chair of the Local Academy Committee to the group {RIV_CHAIR_GROUP}"
        in (problem.fix)
    )
    assert the(findings, "role groups (oakfield)").passed


async def test_a_nested_group_and_a_head_who_is_also_chair_are_reported(
    entra: LoopbackEntraId, grouped: GraphStandIn, tmp_path: Path
) -> None:
    from tests.integration.test_entra_directory import (
        OAK_CHAIR_GROUP,
        OAK_HEAD,
        OAK_STAFF_GROUP,
        RIV_STAFF_GROUP,
    )

    site = await provisioned(grouped)
    data = await groups_data(tmp_path / "data", grouped)
    grouped.groups[OAK_STAFF_GROUP].append(RIV_STAFF_GROUP)
    grouped.groups[OAK_CHAIR_GROUP].append(OAK_HEAD)
    findings = await run_checks(
        with_groups(entra, data, site), probes(entra, graph=grouped.base_url)
    )
    problem = failed(findings)["role groups (oakfield)"]
    assert f"the staff group {OAK_STAFF_GROUP} has 1 member(s) that are not users" in problem.found
    assert f"{OAK_HEAD} is in both the head's and the chair's group" in problem.found
    assert "remove the nested group" in problem.fix


async def test_a_group_the_app_may_not_read_names_the_permission_and_skips_installs(
    entra: LoopbackEntraId, grouped: GraphStandIn, tmp_path: Path
) -> None:
    site = await provisioned(grouped)
    data = await groups_data(tmp_path / "data", grouped)
    entra.access_token = grouped.access_token = graph_token(sorted(REQUIRED_PERMISSIONS))
    grouped.app_roles.discard("GroupMember.Read.All")
    findings = await run_checks(
        with_groups(entra, data, site), probes(entra, graph=grouped.base_url)
    )
    problems = failed(findings)
    assert "GroupMember.Read.All" in problems["Graph permissions"].found
    for school in ("oakfield", "riverside"):
        assert "GroupMember.Read.All" in problems[f"role groups ({school})"].found
        assert "Grant admin consent" in problems[f"role groups ({school})"].fix
    assert the(findings, "app installed").passed is None


async def test_a_group_id_that_names_no_group_is_reported_with_its_school_and_role(
    entra: LoopbackEntraId, grouped: GraphStandIn, tmp_path: Path
) -> None:
    from tests.integration.test_entra_directory import CLERK_GROUP

    site = await provisioned(grouped)
    data = await groups_data(tmp_path / "data", grouped)
    del grouped.groups[CLERK_GROUP]
    findings = await run_checks(
        with_groups(entra, data, site), probes(entra, graph=grouped.base_url)
    )
    problem = failed(findings)["role groups (riverside)"]
    assert f"no group {CLERK_GROUP} (clerk at oakfield, clerk at riverside)" in problem.found
    assert "correct the group's object id" in problem.fix


async def test_groups_in_the_configuration_without_microsoft_365_are_refused(
    entra: LoopbackEntraId, data: Path
) -> None:
    findings = await run_checks(
        environ(entra, data, SAFE_PREMISES_CONFIG=str(GROUPS_CONFIG)), probes(entra)
    )
    assert "SAFE_PREMISES_STORE=sharepoint" in failed(findings)["configuration"].found
