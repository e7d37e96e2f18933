"""`python -m bot` in Microsoft 365 mode stops promptly on SIGTERM, even while a turn waits
for an Entra ID that never answers (and a worker thread is stuck in msal)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import aiohttp

from tests.casework_world import EXAMPLE_CONFIG
from tests.e2e.playground import ROOT, free_port
from tests.harness import LoopbackConnector, LoopbackIdentityProvider, TeamsClient
from tests.harness.entra import CLIENT_SECRET
from tests.harness.identities import APP_ID, STAFF, TRUST_TENANT

ONE_BACKEND = (
    "SIGTERM while a token request hangs, on the bot process's default store; no case is read"
)

START_SECONDS = 30.0


def trust_config(tmp_path: Path) -> Path:
    """The example trust, in the harness's tenant."""
    folder = tmp_path / "config"
    shutil.copytree(EXAMPLE_CONFIG.parent, folder)
    trust_yaml = folder / EXAMPLE_CONFIG.name
    text = trust_yaml.read_text(encoding="utf-8")
    tenant = text.split("tenant_id: ", 1)[1].split("\n", 1)[0]
    trust_yaml.write_text(text.replace(tenant, TRUST_TENANT), encoding="utf-8")
    return trust_yaml


async def test_sigterm_stops_the_bot_promptly_while_a_token_request_hangs(
    idp: LoopbackIdentityProvider, connector: LoopbackConnector, tmp_path: Path
) -> None:
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MicrosoftApp")}
    environ.update(
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword=CLIENT_SECRET,
        BOT_AUTHORITY_HOST=idp.authority_host,
        BOT_OPENID_METADATA_URL=idp.metadata_url,
        # requests lets this override `verify`: the child's msal trusts the loopback
        # Entra ID's throwaway certificate, and only it.
        REQUESTS_CA_BUNDLE=idp.entra.ca_file,
        HOST="127.0.0.1",
        PORT=str(port),
        SAFE_PREMISES_CONFIG=str(trust_config(tmp_path)),
        SAFE_PREMISES_DATA=str(tmp_path / "var"),
        PYTHONPATH=str(ROOT),
    )
    idp.entra.stall()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=environ,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    output: list[str] = []
    try:
        async with asyncio.timeout(START_SECONDS):
            while not any("is listening on" in line for line in output):
                line = (await process.stdout.readline()).decode()
                assert line, "the bot ended before listening:\n" + "".join(output)
                output.append(line)

        async with aiohttp.ClientSession() as session:
            client = TeamsClient(session, f"http://127.0.0.1:{port}", connector, idp, APP_ID)
            waiting = asyncio.create_task(client.say(STAFF, "help"))
            await asyncio.wait_for(idp.entra.wait_until_stalled(), 10)

            process.send_signal(signal.SIGTERM)
            started = time.perf_counter()
            status = await asyncio.wait_for(process.wait(), 20)
            stopped_after = time.perf_counter() - started
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError, aiohttp.ClientError):
                await waiting
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    rest = (await process.stdout.read()).decode()
    assert status == 0, "".join(output) + rest
    assert stopped_after < 9.0, f"SIGTERM took {stopped_after:.1f} s\n" + "".join(output) + rest
    assert connector.recorded == []
