"""Fixtures for the Playground tier: the real bot (`python -m bot`) on a free loopback port
with a fresh data folder, Microsoft 365 Agents Playground pointed at it, and a client.

Import the `*_fixture` functions into a test module; tests ask for them by their
fixture names (`bot_server`, `playground`, `pg`). Each process runs in its own process
group and is stopped, with everything it started, when the module's tests are done.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.devserver import Child, DevServerError, wait_until_answers
from tests.e2e.playground import (
    ROOT,
    PlaygroundClient,
    PlaygroundProcess,
    free_port,
    playground_missing,
)

TRUST_CONFIG = ROOT / "config" / "trust.yaml"
BOT_START_SECONDS = 20.0


@dataclass(frozen=True)
class RunningBot:
    url: str
    data_dir: Path
    output: Path

    @property
    def endpoint(self) -> str:
        return f"{self.url}/api/messages"

    def output_text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


def bot_environ(port: int, data_dir: Path) -> dict[str, str]:
    """Local development mode (no app id: no token checks, loopback only) on `port`.

    The Microsoft app variables are set empty so that a developer's `.env` (which never
    overrides what is set) cannot switch the bot under test to token checks.
    """
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        HOST="127.0.0.1",
        PORT=str(port),
        SAFE_PREMISES_CONFIG=str(TRUST_CONFIG),
        SAFE_PREMISES_DATA=str(data_dir),
        MicrosoftAppId="",
        MicrosoftAppPassword="",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="module", name="bot_server")
def bot_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    work = tmp_path_factory.mktemp("bot")
    port = free_port()
    running = RunningBot(f"http://127.0.0.1:{port}", work / "data", work / "bot-output.log")
    with running.output.open("wb") as output:
        child = Child(
            "bot",
            [sys.executable, "-m", "bot"],
            env=bot_environ(port, running.data_dir),
            cwd=ROOT,
            output=output,
        )
    try:
        wait_until_answers(
            f"{running.url}/readyz", child, timeout=BOT_START_SECONDS, require_ok=True
        )
    except DevServerError as error:
        child.stop()
        pytest.fail(f"{error}\n--- bot output ---\n{running.output_text()[-4000:]}")
    try:
        yield running
    finally:
        child.stop()


@pytest.fixture(scope="module", name="playground")
def playground_fixture(
    bot_server: RunningBot, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlaygroundProcess]:
    missing = playground_missing()
    if missing:
        pytest.skip(f"{missing}: run 'make playground-deps'")
    process = PlaygroundProcess(bot_server.endpoint, tmp_path_factory.mktemp("playground"))
    try:
        process.start()
    except DevServerError as error:
        pytest.fail(f"{error}\n--- Playground output ---\n{process.output_text()[-4000:]}")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(name="pg")
async def pg_fixture(playground: PlaygroundProcess) -> AsyncIterator[PlaygroundClient]:
    """A client listening on the conversation stream from the start of the test."""
    async with PlaygroundClient.connect(playground.base_url) as client:
        yield client
