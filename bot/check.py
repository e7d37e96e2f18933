"""`python -m bot check`: what is wrong with this deployment, one line per check.

Each line is `PASS <check>: <what was found>` or `FAIL <check>: <what was found> Fix: <what
to do>` (or `SKIP`, for a check that cannot run until an earlier one passes). The exit
status is 1 when any check failed, 0 when all passed.

The checks, in order:

- the settings (the same environment and `.env` as `python -m bot`);
- the trust configuration, and each school's term dates (how long until they run out);
- the Bot Framework credentials: a token for the Bot Connector can be had from the
  configured authority (`BOT_AUTHORITY_HOST`, the app registration's tenant); with a
  certificate (`MicrosoftAppCertificatePath`), how long it has left (fewer than
  `CERTIFICATE_WARNING_DAYS` fails, so that it is rotated before it stops the bot);
- for each school, the clerks' channel is reachable (the bot holds a conversation reference
  for it) and the app is installed for each holder of a role the bot prompts;
- with the cases in SharePoint only (`SAFE_PREMISES_STORE=sharepoint`): the Graph checks
  in `bot/check_graph.py` (printed last; run first, because when the schools' roles come
  from Entra ID groups, the app-installed checks ask the directory they read).

Nothing here writes to the case records. Lines name schools, roles and Entra object ids,
never a person's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp

from bot.app import InsecureConfiguration, refuse_insecure_listening
from bot.deliver import ChannelResolver
from bot.outbound import OutboundTokenError, TokenPolicy, msal_tokens
from bot.settings import AppType, Settings, SettingsError, StoreKind
from casework.bootstrap import STORE_FILE, Prepared, embedded, prepare
from casework.config import ConfigError, TrustConfig
from casework.pipeline import Casework
from casework.ports import Clock, Directory, StoreUnavailable
from casework.projection import UK
from casework.queries import unreachable_role_holders
from graph.certificates import CERTIFICATE_SETTING
from graph.tokens import ClientCertificate
from rules.calendar import SchoolCalendar
from rules.roles import Role
from templates.errors import LetterTemplateError

# The roles the bot sends prompts to (docs/casework.md, "Delivery"): each holder must have
# the app installed, or their prompts wait. Staff use the bot when they report; they are
# not prompted, so they are not checked.
PROMPTED_ROLES = (Role.HEAD, Role.SENIOR, Role.CHAIR, Role.CLERK, Role.TRUST)
# A token request in a check should fail quickly rather than back off and wait.
CHECK_TOKEN_POLICY = TokenPolicy(timeout_s=15.0)
# A certificate that expires sooner than this fails the check: time to rotate it.
CERTIFICATE_WARNING_DAYS = 30


@dataclass(frozen=True)
class Finding:
    check: str
    passed: bool | None  # None: skipped, because a check it depends on failed
    found: str
    fix: str = ""

    @property
    def line(self) -> str:
        mark = {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]
        text = f"{mark} {self.check}: {self.found}"
        return f"{text} Fix: {self.fix}" if self.fix else text


@dataclass(frozen=True)
class Probes:
    """What the checks reach the world with (tests point them at the stand-ins)."""

    clock: Clock
    msal_http_client: Any = None  # the requests.Session msal uses; None: a new one
    graph_base_url: str = ""  # "": the settings' GRAPH_BASE_URL


def passed(findings: Sequence[Finding]) -> bool:
    return all(f.passed is not False for f in findings)


async def run_checks(environ: Any, probes: Probes) -> list[Finding]:
    """Every check, in order, as findings. `environ` is the settings' environment."""
    findings: list[Finding] = []
    try:
        settings = Settings.from_environ(environ, now=probes.clock.now())
        refuse_insecure_listening(settings)
    except (SettingsError, InsecureConfiguration) as error:
        # The message names the setting and what to set it to.
        findings.append(Finding("settings", False, f"{str(error).rstrip('.')}."))
        return findings
    findings.append(
        Finding(
            "settings",
            True,
            f"read (cases kept in: {settings.store.value}, data folder {settings.data_dir})",
        )
    )

    prepared = _configuration(settings, findings)
    if prepared is None:
        findings.append(Finding("remaining checks", None, "not run until the configuration loads"))
        return findings
    findings += term_dates(prepared.config, probes.clock)
    findings += await bot_credentials(settings, probes)

    graph_findings: list[Finding] = []
    directory: Directory | None = None
    if settings.store is StoreKind.SHAREPOINT:
        from bot.check_graph import graph_checks

        async with aiohttp.ClientSession() as session:
            graph_findings, directory = await graph_checks(
                settings, prepared.config, session, probes
            )

    store = Path(settings.data_dir) / STORE_FILE
    if not store.is_file():
        findings.append(
            Finding(
                "case store",
                False,
                f"there is no case store at {store}, so no conversation has been recorded",
                "run the check with the running bot's SAFE_PREMISES_DATA, or start the bot "
                "and install the app first (docs/deploy.md, section 6)",
            )
        )
    else:
        try:
            async with embedded(prepared, Path(settings.data_dir), probes.clock) as cw:
                if prepared.config.uses_groups:
                    # The roles are the groups': who holds them was read by the Graph checks.
                    if directory is None:
                        findings.append(
                            Finding("app installed", None, "not checked until the groups are read")
                        )
                    else:
                        cw.ports = replace(cw.ports, directory=directory)
                        findings += await reachable(cw)
                else:
                    findings += await reachable(cw)
        except StoreUnavailable as error:
            from bot.__main__ import data_folder_problem

            findings.append(Finding("case store", False, data_folder_problem(settings, error)))

    return findings + graph_findings


def _configuration(settings: Settings, findings: list[Finding]) -> Prepared | None:
    from bot.__main__ import config_file, groups_mismatch, tenant_mismatch

    try:
        prepared = prepare(config_file(settings))
    except SettingsError as error:
        findings.append(Finding("configuration", False, f"{error}."))
        return None
    except (ConfigError, LetterTemplateError) as error:
        findings.append(
            Finding(
                "configuration",
                False,
                " ".join(str(error).split()),
                "correct each field named, as docs/configuration.md describes",
            )
        )
        return None
    mismatch = tenant_mismatch(settings, prepared.config.tenant_id) or groups_mismatch(
        settings, prepared.config
    )
    if mismatch:
        findings.append(
            Finding(
                "configuration",
                False,
                mismatch + ".",
            )
        )
        return None
    findings.append(
        Finding(
            "configuration",
            True,
            f"{settings.config_path}: {len(prepared.config.schools)} school(s)",
        )
    )
    return prepared


def term_dates(config: TrustConfig, clock: Clock) -> list[Finding]:
    """For each school: when its term dates end, and how many school days that leaves."""
    today = clock.now().astimezone(UK).date()
    threshold = config.trust.term_dates_warning_school_days
    findings = []
    for school in config.schools:
        check = f"term dates ({school.id})"
        calendar = SchoolCalendar(school.region, school.term_dates, school.academic_review_days)
        left = calendar.school_days_left(today)
        dates = school.term_dates
        if left is None or dates is None:
            findings.append(
                Finding(
                    check,
                    False,
                    "no term dates are configured, so deadlines count every weekday",
                    f"add the school's term dates (schools.{school.id}.term_dates)",
                )
            )
            continue
        ends = dates.last_day.isoformat()
        if left < threshold:
            findings.append(
                Finding(
                    check,
                    False,
                    f"they end on {ends}, {left} school day(s) from today, fewer than "
                    f"term_dates_warning_school_days ({threshold})",
                    "add the next school year's term dates to the school's term-dates file "
                    "and restart the bot",
                )
            )
        else:
            findings.append(
                Finding(check, True, f"they end on {ends}, {left} school days from today")
            )
    return findings


async def bot_credentials(settings: Settings, probes: Probes) -> list[Finding]:
    check = "Bot Framework credentials"
    if settings.local_development:
        return [
            Finding(
                check,
                False,
                "MicrosoftAppId is empty, so the bot runs in local development mode: it "
                "checks no tokens and cannot reply in Teams",
                "set MicrosoftAppId, MicrosoftAppTenantId and the app's certificate "
                "(MicrosoftAppCertificatePath) or secret (MicrosoftAppPassword) from the "
                "app registration (docs/deploy.md, section 2)",
            )
        ]
    tokens = msal_tokens(settings, policy=CHECK_TOKEN_POLICY, http_client=probes.msal_http_client)
    where = (
        "the managed identity"
        if settings.app_type is AppType.USER_ASSIGNED_MSI
        else f"{settings.authority_host}/{settings.app_tenant_id or 'botframework.com'}"
    )
    certificate = settings.app_certificate
    using = (
        ""
        if certificate is None
        else f" for the certificate {certificate.thumbprint} ({CERTIFICATE_SETTING})"
    )
    expiry = [] if certificate is None else [certificate_expiry(certificate, probes.clock)]
    try:
        await tokens.token()
    except OutboundTokenError as error:
        return [
            Finding(
                check,
                False,
                f"no token for the Bot Connector from {where}{using} ({_reason(error)})",
                _credentials_fix(str(error), certificate is not None),
            ),
            *expiry,
        ]
    return [
        Finding(check, True, f"a token for the Bot Connector was issued by {where}{using}"),
        *expiry,
    ]


def certificate_expiry(certificate: ClientCertificate, clock: Clock) -> Finding:
    """How long the app's certificate has left; fewer than `CERTIFICATE_WARNING_DAYS`
    fails, with the rotation steps as the fix."""
    check = "Bot Framework certificate"
    expires = certificate.expires
    days = (expires - clock.now()).days
    found = (
        f"{certificate.thumbprint} expires on {expires.date().isoformat()}, {days} day(s) "
        "from today"
    )
    if days < CERTIFICATE_WARNING_DAYS:
        return Finding(
            check,
            False,
            f"{found}, fewer than {CERTIFICATE_WARNING_DAYS}",
            "rotate it now: put a new certificate in Key Vault, upload its public part to "
            "the app registration (Certificates & secrets) beside the old one, point "
            f"{CERTIFICATE_SETTING} at it and restart the bot, then remove the old one "
            '(docs/deploy.md, "Rotating the certificate")',
        )
    return Finding(check, True, found)


def _reason(error: Exception) -> str:
    return str(error).removeprefix("no token for the Bot Connector: ")


def _credentials_fix(reason: str, certificate: bool = False) -> str:
    if certificate and ("invalid_client" in reason or "unauthorized_client" in reason):
        return (
            "Entra ID does not accept the certificate: upload its public part (the .cer or "
            "the PEM certificate, never the key) to the app registration's Certificates & "
            f"secrets, Certificates, and check that {CERTIFICATE_SETTING} names that "
            "certificate's file"
        )
    if "invalid_client" in reason or "unauthorized_client" in reason:
        return (
            "the client secret is wrong or has expired: create a new one on the app "
            "registration and set MicrosoftAppPassword to it"
        )
    if "invalid_request" in reason or "tenant" in reason.lower():
        return "check MicrosoftAppId and MicrosoftAppTenantId against the app registration"
    return (
        "check that the bot can reach the authority over HTTPS (BOT_AUTHORITY_HOST) and that "
        "MicrosoftAppId and MicrosoftAppTenantId match the app registration"
    )


def _clerks_channel_of(cw: Casework) -> Callable[[str], tuple[str | None, str] | None]:
    def configured(school_id: str) -> tuple[str | None, str] | None:
        channel = cw.config.school(school_id).clerks_channel
        return None if channel is None else (channel.channel_id, channel.name)

    return configured


async def reachable(cw: Casework) -> list[Finding]:
    """For each school: the clerks' channel has a stored conversation, and each holder of a
    prompted role has the app installed (a stored personal conversation)."""
    conversations = cw.ports.conversations
    findings = []
    for school in cw.config.schools:
        channel = school.clerks_channel
        if channel is not None and conversations is not None:
            # The deliverer's own lookup: by the configured channel id, else by name.
            resolver = ChannelResolver(_clerks_channel_of(cw))
            reference = await resolver.resolve(conversations, f"channel:{school.id}")
            check = f"clerks' channel ({school.id})"
            if reference is None:
                findings.append(
                    Finding(
                        check,
                        False,
                        f"the bot has no conversation for the channel {channel.name!r}, so "
                        "the clerks' prompts there wait",
                        "add the app to the team with that channel (Teams: the team, Manage "
                        "team, Apps) and mention the bot once in the channel",
                    )
                )
            else:
                findings.append(Finding(check, True, f"{channel.name!r} is reachable"))
        missing = await unreachable_role_holders(cw, school.id, PROMPTED_ROLES)
        held = {
            person.object_id
            for role in PROMPTED_ROLES
            for person in cw.ports.directory.holders(school.id, role)
        }
        not_installed = {person.object_id for _, person in missing}
        check = f"app installed ({school.id})"
        if missing:
            who = ", ".join(
                f"{role.label} ({person.object_id})"
                for role, person in sorted(missing, key=lambda m: (m[0].value, m[1].object_id))
            )
            findings.append(
                Finding(
                    check,
                    False,
                    f"not installed for {len(not_installed)} of {len(held)} role holder(s): {who}",
                    "install the app for them with an app setup policy (Teams admin "
                    "centre: Teams apps, Setup policies, Installed apps), or ask them to add "
                    "it from Built for your org; the bot can reach each once Teams tells it "
                    "of the install",
                )
            )
        else:
            findings.append(Finding(check, True, f"installed for all {len(held)} role holder(s)"))
    return findings
