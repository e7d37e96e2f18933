"""`python -m bot`: start the bot on HOST:PORT with the embedded default (SQLite, files).

The only place that reads the process environment (and an optional `.env`, which never
overrides variables already set). Configuration problems end the process with a clear
message and exit status 2, without a traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from aiohttp import web

from bot.app import InsecureConfiguration, create_app, refuse_insecure_listening
from bot.services import BotServices
from bot.settings import Settings, SettingsError
from cards.common import Choice
from casework.bootstrap import SystemClock, bootstrap
from casework.config import ConfigError
from casework.ports import StoreUnavailable
from templates.errors import LetterTemplateError

logger = logging.getLogger("bot")


def main(environ: Mapping[str, str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if environ is None:
        from dotenv import load_dotenv

        load_dotenv(override=False)
        environ = os.environ
    try:
        settings = Settings.from_environ(environ)
        refuse_insecure_listening(settings)
        casework = bootstrap(settings.config_path, settings.data_dir, SystemClock())
    except InsecureConfiguration as error:
        print(f"safe-premises: refusing to start: {error}", file=sys.stderr)
        return 2
    except (SettingsError, ConfigError, StoreUnavailable, LetterTemplateError) as error:
        print(f"safe-premises: cannot start: {error}", file=sys.stderr)
        return 2

    async def readiness() -> Sequence[str]:
        try:
            await casework.check()
        except StoreUnavailable as error:
            return [f"the case store does not answer ({type(error).__name__})"]
        return ()

    config = casework.config
    services = BotServices(
        tenant_id=config.tenant_id,
        readiness=readiness,
        trust_name=config.trust.name,
        schools=tuple(Choice(school.id, school.name) for school in config.schools),
        casework=casework,
    )
    app = create_app(settings, services)
    logger.info(
        "starting on http://%s:%s (configuration %s, data in %s)",
        settings.host,
        settings.port,
        Path(settings.config_path),
        settings.data_dir,
    )
    try:
        web.run_app(app, host=settings.host, port=settings.port, print=None)
    except OSError as error:
        print(
            f"safe-premises: cannot listen on {settings.host}:{settings.port}: {error}",
            file=sys.stderr,
        )
        return 2
    finally:
        casework.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
