"""Many activities at once against the bot over loopback HTTP (not a test).

    .venv/bin/python -m bench.bench_inbound_load [--requests 500] [--profile FILE]
        [--limits IN_FLIGHT,WAITING]

The bot runs in a child process (so that its memory is measured alone), authenticated,
with the loopback identity provider's keys and a minimal loopback Bot Connector that
accepts every reply. The parent sends `--requests` "help" messages at once, each with a
signed token, and asks `/healthz` every 50 ms while they are in flight. It prints the
answers by status, the latency of the messages and of `/healthz`, and the bot's resident
memory before, just after, and 5 s after the burst. With `--profile FILE` the bot runs
under cProfile and writes its statistics to FILE when it stops.

Every address is on 127.0.0.1; the run is bounded (one burst, a fixed settle time) and
stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import signal
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

APP_ID = "00000000-0000-4000-8000-00000000b07a"
TENANT = "7a3e0c55-1b2d-4e6f-8a9b-0c1d2e3f4a5b"
SETTLE_S = 5.0
CHILD_START_TIMEOUT_S = 30.0


# --- the bot, in the child process ----------------------------------------------------------


async def serve_bot(metadata_url: str, limits: tuple[int, int] | None) -> None:
    import logging

    from bot.admission import RequestLimits
    from bot.app import create_app
    from bot.services import BotServices
    from bot.settings import Settings
    from cards.common import Choice
    from tests.harness.identities import StaticOutboundTokens

    settings = Settings(app_id=APP_ID, app_password="unused", openid_metadata_url=metadata_url)
    services = BotServices(
        tenant_id=TENANT,
        trust_name="Oak Valley Learning Trust",
        schools=(Choice("oak-primary", "Oak Primary School"),),
        outbound_tokens=StaticOutboundTokens(),
    )
    # The bot's refusals are one line each; hundreds of them would only slow the terminal.
    logging.getLogger("bot.app").setLevel(logging.ERROR)
    chosen = RequestLimits(*limits) if limits else None
    runner = web.AppRunner(create_app(settings, services, limits=chosen), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"port": runner.addresses[0][1]}), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


def child_main(metadata_url: str, profile: str | None, limits: tuple[int, int] | None) -> None:
    if profile is None:
        asyncio.run(serve_bot(metadata_url, limits))
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        asyncio.run(serve_bot(metadata_url, limits))
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


# --- the load, in the parent ---------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def connector_app() -> web.Application:
    """A Bot Connector that accepts every reply (the bot's work is what is measured)."""
    sent = 0

    async def accept(request: web.Request) -> web.Response:
        nonlocal sent
        await request.read()
        sent += 1
        return web.json_response({"id": f"reply-{sent}"})

    app = web.Application()
    app.router.add_post("/{tail:.*}", accept)
    app.router.add_put("/{tail:.*}", accept)
    return app


def activity(n: int, service_url: str) -> dict[str, Any]:
    user = f"b1000000-0000-4000-8000-{n:012d}"
    return {
        "type": "message",
        "id": f"f:load-{n}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{user}", "name": "Load", "aadObjectId": user},
        "recipient": {"id": "28:safe-premises-bot", "name": "Safe Premises"},
        "conversation": {"id": f"a:chat-{n}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
        "text": "help",
        "textFormat": "plain",
    }


def summary(label: str, seconds: list[float]) -> str:
    if not seconds:
        return f"{label}: none"
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"{label}: median {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms (n={len(ordered)})"
    )


async def run(requests: int, profile: str | None, limits: tuple[int, int] | None) -> None:
    from tests.harness.idp import LoopbackIdentityProvider
    from tests.harness.servers import serve

    async with LoopbackIdentityProvider() as idp, serve(await connector_app()) as connector:
        service_url = connector + "/"
        token = idp.mint(audience=APP_ID, service_url=service_url)
        command = [sys.executable, "-m", "bench.bench_inbound_load", "--child", idp.metadata_url]
        if profile:
            command += ["--profile", profile]
        if limits:
            command += ["--limits", f"{limits[0]},{limits[1]}"]
        child = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
        try:
            assert child.stdout is not None
            line = await asyncio.wait_for(child.stdout.readline(), CHILD_START_TIMEOUT_S)
            bot = f"http://127.0.0.1:{json.loads(line)['port']}"
            await measure(bot, token, service_url, requests, child.pid)
        finally:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)
            await asyncio.wait_for(child.wait(), 60)


async def measure(bot: str, token: str, service_url: str, requests: int, pid: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        # One message first: the signing keys are fetched, the modules are warm.
        async with session.post(
            f"{bot}/api/messages", json=activity(0, service_url), headers=headers
        ) as warm:
            await warm.read()
        before = rss_mb(pid)
        statuses: Counter[int] = Counter()
        latencies: dict[int, list[float]] = {}

        async def one(n: int) -> None:
            started = time.perf_counter()
            async with session.post(
                f"{bot}/api/messages", json=activity(n, service_url), headers=headers
            ) as response:
                await response.read()
                statuses[response.status] += 1
                latencies.setdefault(response.status, []).append(time.perf_counter() - started)

        health: list[float] = []
        done = asyncio.Event()

        async def probe_health() -> None:
            while not done.is_set():
                started = time.perf_counter()
                async with session.get(f"{bot}/healthz") as response:
                    await response.read()
                health.append(time.perf_counter() - started)
                await asyncio.sleep(0.05)

        prober = asyncio.create_task(probe_health())
        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(1, requests + 1)))
        elapsed = time.perf_counter() - started
        done.set()
        await prober
        after = rss_mb(pid)
        await asyncio.sleep(SETTLE_S)
        settled = rss_mb(pid)

    print(f"{requests} concurrent 'help' messages, authenticated, in {elapsed:.1f} s")
    print("answers by status:", dict(sorted(statuses.items())))
    for status, seconds in sorted(latencies.items()):
        print(" ", summary(f"HTTP {status}", seconds))
    print(" ", summary("/healthz during the burst", health))
    print(
        f"bot memory (RSS): {before:.0f} MB before, {after:.0f} MB after, "
        f"{settled:.0f} MB {SETTLE_S:.0f} s later"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", help="write the bot's cProfile statistics here")
    parser.add_argument(
        "--limits",
        metavar="IN_FLIGHT,WAITING",
        help="the bot's RequestLimits max_in_flight and max_waiting (default: the app's)",
    )
    parser.add_argument("--child", metavar="METADATA_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    limits = tuple(int(n) for n in args.limits.split(",")) if args.limits else None
    if limits is not None and len(limits) != 2:
        parser.error("--limits takes two numbers, IN_FLIGHT,WAITING")
    chosen = (limits[0], limits[1]) if limits else None
    if args.child:
        child_main(args.child, args.profile, chosen)
    else:
        asyncio.run(run(args.requests, args.profile, chosen))


if __name__ == "__main__":
    main()
