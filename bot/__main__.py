"""`python -m bot`: start the bot on HOST:PORT with the embedded default (SQLite, files),
or with the cases in SharePoint when `SAFE_PREMISES_STORE=sharepoint` (docs/graph.md).
`python -m bot check`: check a deployment, one pass/fail line per check (`bot/check.py`).

The only place that reads the process environment (and an optional `.env`, which never
overrides variables already set). Configuration problems end the process with a clear
message and exit status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from aiohttp import web

from bot.app import InsecureConfiguration, create_app, refuse_insecure_listening
from bot.check import Probes, passed, run_checks
from bot.services import BotServices, OpenCasework
from bot.settings import DraftsKind, Settings, SettingsError, StoreKind, graph_credentials
from cards.common import Choice
from casework.bootstrap import (
    LETTERS_FOLDER,
    STORE_FILE,
    GraphSetup,
    Prepared,
    SystemClock,
    embedded,
    microsoft365,
    prepare,
)
from casework.config import ConfigError, TrustConfig
from casework.ports import DirectoryUnavailable, StoreUnavailable
from graph.tokens import graph_tokens
from templates.errors import LetterTemplateError

# The sweeper closes reply windows that passed, sends due reminders and retries undone
# letter drafts and notifications; a quarter of an hour is well inside any deadline.
SWEEP_EVERY_S = 15 * 60
# On SIGTERM, turns still running get time to finish before they are cancelled: aiohttp
# waits up to twice `shutdown_timeout` (graceful, then after closing the request), so
# about 6 s, well inside the 30 s Azure App Service and Container Apps allow before
# killing the process. What a cancelled turn recorded stays recorded, and the sweeper
# finishes its effects.
SHUTDOWN_GRACE_S = 3.0

logger = logging.getLogger("bot")


def main(environ: Mapping[str, str] | None = None, argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv or ())
    logging.basicConfig(
        level=logging.WARNING if arguments.command == "check" else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if environ is None:
        from dotenv import load_dotenv

        load_dotenv(override=False)
        environ = os.environ
    if arguments.command == "check":
        return check(environ)
    try:
        settings = Settings.from_environ(environ)
        refuse_insecure_listening(settings)
        prepared = prepare(config_file(settings))
    except InsecureConfiguration as error:
        print(f"safe-premises: refusing to start: {error}", file=sys.stderr)
        return 2
    except (SettingsError, ConfigError, StoreUnavailable, LetterTemplateError) as error:
        print(f"safe-premises: cannot start: {error}", file=sys.stderr)
        return 2

    config = prepared.config
    mismatch = tenant_mismatch(settings, config.tenant_id) or groups_mismatch(settings, config)
    if mismatch:
        print(f"safe-premises: cannot start: {mismatch}", file=sys.stderr)
        return 2
    services = BotServices(
        tenant_id=config.tenant_id,
        trust_name=config.trust.name,
        schools=tuple(Choice(school.id, school.name) for school in config.schools),
        # The adapters open inside the app's lifetime, on its one HTTP session.
        open_casework=open_casework(settings, prepared),
        sweep_every_s=SWEEP_EVERY_S,
    )
    app = create_app(settings, services)
    logger.info(
        "starting on http://%s:%s (configuration %s, data in %s, cases in %s)",
        settings.host,
        settings.port,
        Path(settings.config_path),
        settings.data_dir,
        settings.sharepoint_site if settings.store is StoreKind.SHAREPOINT else "SQLite",
    )

    def listening() -> None:
        # Said only once it is true: the store is open and the port is bound.
        print(how_to_talk_to_it(settings), flush=True)

    try:
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            print=lambda _: listening(),
            shutdown_timeout=SHUTDOWN_GRACE_S,
        )
    except DirectoryUnavailable as error:
        print(f"safe-premises: cannot start: {error}", file=sys.stderr)
        return 2
    except StoreUnavailable as error:
        print(
            f"safe-premises: cannot start: {data_folder_problem(settings, error)}", file=sys.stderr
        )
        return 2
    except OSError as error:
        print(
            f"safe-premises: cannot listen on {settings.host}:{settings.port}: {error}",
            file=sys.stderr,
        )
        return 2
    return 0


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Start Safe Premises, or check a deployment. Settings come from the "
        "environment and an optional .env file.",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser(
        "check",
        help="check a deployment",
        description="Check this deployment's settings, configuration, term dates, Bot "
        "Framework credentials, the clerks' channels and that the app is installed for each "
        "role holder (and, with Microsoft 365 storage, Graph). Prints one PASS or FAIL line "
        "per check, each failure with its fix; exits 1 if any check fails.",
    )
    return parser.parse_args(list(argv))


def check(environ: Mapping[str, str], probes: Probes | None = None) -> int:
    findings = asyncio.run(run_checks(environ, probes or Probes(clock=SystemClock())))
    for finding in findings:
        print(finding.line, flush=True)
    ok = passed(findings)
    print("All checks passed." if ok else "Some checks failed: see the FAIL lines above.")
    return 0 if ok else 1


def config_file(settings: Settings) -> Path:
    """The trust configuration's path, if it is a file; else `SettingsError` naming
    SAFE_PREMISES_CONFIG (the configuration's own errors name its fields)."""
    path = Path(settings.config_path)
    if not path.is_file():
        raise SettingsError(
            f"SAFE_PREMISES_CONFIG is {str(path)!r}, which is not a file: set it to the trust "
            "configuration's path (config/trust.yaml unless set; see docs/configuration.md)"
        )
    return path


def data_folder_problem(settings: Settings, error: StoreUnavailable) -> str:
    return (
        f"{error} (SAFE_PREMISES_DATA is {str(settings.data_dir)!r}: set it to a folder "
        "the bot can create and write to)"
    )


def open_casework(settings: Settings, prepared: Prepared) -> OpenCasework:
    """The adapters `settings` choose: the embedded default, or the cases in SharePoint
    (the token provider is made here, once, for the app's lifetime)."""
    if settings.store is StoreKind.SHAREPOINT:
        graph = GraphSetup(
            tokens=graph_tokens(graph_credentials(settings)),
            site_url=settings.sharepoint_site,
            base_url=settings.graph_base_url,
            outlook_drafts=settings.drafts is DraftsKind.OUTLOOK,
        )
        return functools.partial(microsoft365, prepared, settings.data_dir, SystemClock(), graph)
    return functools.partial(embedded, prepared, settings.data_dir, SystemClock())


def tenant_mismatch(settings: Settings, configured_tenant: str) -> str:
    """Why the app registration's tenant and the trust's cannot both be meant ("" if fine).

    One tenant: activities are accepted only from the configuration's `tenant_id`, so a
    bot registered in another tenant would refuse every request with 403 and no warning.
    """
    registered = settings.app_tenant_id.strip()
    if not registered or registered.lower() == configured_tenant.strip().lower():
        return ""
    return (
        f"MicrosoftAppTenantId is {registered!r} but the trust configuration's tenant_id "
        f"is {configured_tenant!r}; the bot serves one tenant, so they must be the same: "
        "set MicrosoftAppTenantId to the trust's tenant id, or correct tenant_id in the "
        "configuration"
    )


def groups_mismatch(settings: Settings, config: TrustConfig) -> str:
    """Why the configuration's Entra ID groups cannot be used ("" if fine): only Microsoft
    365 mode reads them, and the embedded default would find nobody holding a role."""
    if not config.uses_groups or settings.store is StoreKind.SHAREPOINT:
        return ""
    return (
        "the trust configuration names Entra ID groups for the schools' roles "
        "(schools[].groups), which only Microsoft 365 mode reads: set "
        "SAFE_PREMISES_STORE=sharepoint, or remove the groups and list each school's people "
        "with their roles"
    )


def how_to_talk_to_it(settings: Settings) -> str:
    endpoint = f"http://{settings.host}:{settings.port}/api/messages"
    lines = [
        f"Safe Premises is listening on {endpoint}",
        f"  case records: {Path(settings.data_dir) / STORE_FILE}",
        f"  letter drafts (.eml files): {Path(settings.data_dir) / LETTERS_FOLDER}"
        if settings.drafts is DraftsKind.FILES
        else "  letter drafts: in each signer's Outlook mailbox",
    ]
    if settings.local_development:
        lines += [
            "To talk to it in a Teams-like page, stop it (Ctrl-C) and run `make playground`,",
            "which starts the bot together with Microsoft 365 Agents Playground; or point any",
            f"Bot Framework client at {endpoint}. Type 'help' or 'report'.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(argv=sys.argv[1:]))
