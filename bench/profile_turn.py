"""A cProfile of Safe Premises' turns alone, after its start (not a test).

    .venv/bin/python -m bench.profile_turn [--turn report] [--turns 300] [--top 15] [--auth]

Starts Safe Premises as `bench.side_by_side` does (the embedded default, the example trust,
no authentication, in a child process), answers one warm-up turn, then profiles the child
while `--turns` turns (`report`: each an incident report submit making a new case;
`decide`: each the Chair confirming a case prepared with the Chair, as in the benchmark; or
`help`) are sent one after another from this process, and prints the child's top entries
by own time and by cumulative time, per turn. With `--auth`, authentication is on, as in
the benchmark's authenticated rows (the loopback identity provider, a signed token on every
request). The start and the warm-up are not in the
profile; the loop's idle time waiting for the next request is (`select`/`epoll`).

Every address is 127.0.0.1; the run is bounded and stops its child itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import signal
import sys
import tempfile
from pathlib import Path

import aiohttp

from bench.side_by_side import (
    APP_ID,
    START_TIMEOUT_S,
    chair_confirms,
    connector_app,
    message,
    report_submit,
)


def child(data_dir: str, out: str, metadata_url: str) -> None:
    """The server: profiling starts on SIGUSR1 and the statistics are written on SIGTERM."""
    from aiohttp import web

    from bench.side_by_side import premises_app

    profiler = cProfile.Profile()

    async def serve() -> None:
        runner = web.AppRunner(premises_app(Path(data_dir), metadata_url or None), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(json.dumps({"port": runner.addresses[0][1]}), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGUSR1, profiler.enable)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        profiler.disable()
        profiler.dump_stats(out)
        await runner.cleanup()

    asyncio.run(serve())


async def run(args: argparse.Namespace) -> None:
    from tests.harness.idp import LoopbackIdentityProvider
    from tests.harness.servers import serve as serve_loopback

    data_dir = tempfile.mkdtemp(prefix="profile-turn-")
    out = str(Path(data_dir) / "turns.prof")
    async with LoopbackIdentityProvider() as idp, serve_loopback(connector_app()) as connector:
        sink = connector + "/"
        metadata = idp.metadata_url if args.auth else ""
        token = idp.mint(audience=APP_ID, service_url=sink) if args.auth else ""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if args.turn == "decide":
            from bench.chair_cases import prepare_cases

            chair = await prepare_cases(Path(data_dir), args.turns + 1)
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.profile_turn", "--child", data_dir, out, metadata,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            assert server.stdout is not None
            line = await asyncio.wait_for(server.stdout.readline(), START_TIMEOUT_S)
            url = f"http://127.0.0.1:{json.loads(line)['port']}/api/messages"
            run_id = f"profile-{os.getpid()}"

            def body(n: int) -> dict[str, object]:
                if args.turn == "report":
                    return report_submit(n, sink, run_id)
                if args.turn == "decide":
                    case_id = f"bench-{chair.first + n}"
                    return chair_confirms(n, sink, run_id, case_id, chair.version)
                return message(n, sink, "help")

            async with aiohttp.ClientSession() as session:
                async with session.post(url, json=body(0), headers=headers) as warm:
                    assert warm.status == 200, warm.status
                    await warm.read()
                server.send_signal(signal.SIGUSR1)
                await asyncio.sleep(0.2)
                for n in range(1, args.turns + 1):
                    async with session.post(url, json=body(n), headers=headers) as answer:
                        assert answer.status == 200, answer.status
                        await answer.read()
        finally:
            with contextlib.suppress(ProcessLookupError):
                server.send_signal(signal.SIGTERM)
            await asyncio.wait_for(server.wait(), 60)
    stats = pstats.Stats(out, stream=(text := io.StringIO()))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        f"{args.turns} {args.turn} turns{' (authenticated)' if args.auth else ''}; "
        f"profiled time {total:.2f} s "
        f"({total * 1000 / args.turns:.2f} ms a turn, the loop's idle time included)"
    )
    for order in ("tottime", "cumulative"):
        stats.sort_stats(order).print_stats(args.top)
    print(text.getvalue())


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "")
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--turn", choices=("report", "help", "decide"), default="report")
        parser.add_argument("--turns", type=int, default=300)
        parser.add_argument("--top", type=int, default=15)
        parser.add_argument("--auth", action="store_true", help="authentication on")
        asyncio.run(run(parser.parse_args()))
