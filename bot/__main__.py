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
from casework.config import ConfigError, load_trust_config
from casework.ports import StoreUnavailable
from local.sqlite_store import SqliteCaseStore

logger = logging.getLogger("bot")

STORE_FILE = "cases.sqlite3"


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
        config = load_trust_config(settings.config_path)
        store = SqliteCaseStore.open(settings.data_dir / STORE_FILE)
    except InsecureConfiguration as error:
        print(f"safe-premises: refusing to start: {error}", file=sys.stderr)
        return 2
    except (SettingsError, ConfigError, StoreUnavailable) as error:
        print(f"safe-premises: cannot start: {error}", file=sys.stderr)
        return 2

    async def readiness() -> Sequence[str]:
        try:
            await store.ping()
        except StoreUnavailable as error:
            return [f"the case store does not answer ({type(error).__name__})"]
        return ()

    services = BotServices(
        tenant_id=config.tenant_id,
        readiness=readiness,
        trust_name=config.trust.name,
        schools=tuple(Choice(school.id, school.name) for school in config.schools),
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
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
