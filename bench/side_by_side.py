"""The floor, the peer and Safe Premises side by side, under the same load (not a test).

    .venv/bin/python -m bench.side_by_side [--seconds 10] [--concurrency 16] [--rounds 1]
                                           [--only premises:decide,…]

In one run it starts, each in its own process pinned to core 0:
- the floor: a bare aiohttp handler that answers 200 with a small JSON body;
- the peer: a minimal echo bot on the stock Bot Framework SDK (botbuilder 4.17.1,
  `CloudAdapter.process`, no authentication, as its samples run locally), which posts its
  echo back through the connector as every botbuilder reply does;
- Safe Premises on the embedded default (SQLite in a temporary folder, the example trust),
  without and then with authentication (the loopback identity provider of tests/harness,
  a signed token on every request, a fixed outbound token).

Each is driven for `--seconds` by a load generator of ours in another process pinned to
core 1, keeping `--concurrency` requests in flight (16: within the app's admission limit of 16
running and 16 waiting, so the figures are of work done, not of quick 503s), against a
loopback Bot Connector in the same process that accepts every reply. It prints requests/s,
server CPU per turn (its utime + stime over the answers), p50/p99 latency, resident memory
after the run, cold start (process start to the first 2xx answer; each server is started
once beforehand, unmeasured, so that every start loads compiled bytecode as a deployed
process does), and the ratios to the peer and to the floor. For the incident report submit
every request is a new case, and afterwards the number of cases in the store is checked
against the number of answers. For the decision invoke (the Chair's "Confirm or overturn"
card, confirming) every request decides a different case, prepared with the Chair before
the server starts (`bench.chair_cases`), and afterwards the number of decisions recorded,
each on its own case, is checked against the number of answers. A 503 (the admission
limit's, e.g. while too many decisions wait for their letters) is counted in its own column,
not as an error, and the load waits its Retry-After before that worker's next request, as
the Bot Connector does. A row that cannot be measured is named under the table; the other
rows are still printed.

Every address is 127.0.0.1; each run is bounded in time and stops its processes itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

APP_ID = "00000000-0000-4000-8000-00000000b07a"
TENANT = "5f3c9a2e-8d41-4b6a-9c0e-2a7d1e4b6f10"  # the example trust's (config/trust.yaml)
STAFF = "a1000000-0000-4000-8000-000000000003"  # Priya Shah, staff at Oakfield
CHAIR = "a1000000-0000-4000-8000-000000000004"  # Graham Whitlock, Chair at Oakfield
NAMES = {STAFF: "Priya Shah", CHAIR: "Graham Whitlock"}
SERVER_CORE, LOAD_CORE = 0, 1
START_TIMEOUT_S = 60.0
# Cases prepared with the Chair for the decision run, per second of it: more than any run
# here has answered (a run that would use them up stops with a message, not a wrong figure).
CASES_PER_S = 800
DRAIN_TIMEOUT_S = 300.0


class RowFailed(Exception):
    """One row could not be measured; the others still are, and the table says which."""


def retry_after(response: aiohttp.ClientResponse) -> float:
    """A 503's Retry-After in seconds (1 s if it has none)."""
    try:
        return float(response.headers.get("Retry-After", "1"))
    except ValueError:
        return 1.0


def pin(core: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > core:
        os.sched_setaffinity(0, {core})


# --- the servers (child processes) -----------------------------------------------------------


def floor_app() -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/api/messages", answer)
    return app


def peer_app() -> web.Application:
    from botbuilder.core import ActivityHandler, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    class Configuration:
        APP_ID = ""
        APP_PASSWORD = ""
        APP_TYPE = "MultiTenant"
        APP_TENANTID = ""

    class EchoBot(ActivityHandler):  # type: ignore[misc]
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(f"Echo: {turn_context.activity.text}")

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(Configuration()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse = await adapter.process(request, bot)
        return response

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


class FixedOutboundToken:
    """`bot.outbound.OutboundTokens` for the authenticated rows: one fixed token."""

    async def token(self) -> str:
        return "bench-outbound-token"


def premises_app(data_dir: Path, metadata_url: str | None) -> web.Application:
    import functools
    import logging

    from bot.app import create_app
    from bot.services import BotServices
    from bot.settings import Settings
    from cards.common import Choice
    from casework.bootstrap import SystemClock, embedded, prepare

    prepared = prepare(Path("config/trust.yaml"))
    config = prepared.config
    outbound_tokens = None
    if metadata_url is None:
        settings = Settings(data_dir=data_dir)
    else:
        # A fixed token stands in for Entra ID's (which cannot be reached from here; the
        # loopback connector accepts any): the test harness's stand-in is not imported, so
        # that the start measured is the product's own and not the harness's too.
        settings = Settings(app_id=APP_ID, app_password="unused", openid_metadata_url=metadata_url)
        outbound_tokens = FixedOutboundToken()
    services = BotServices(
        tenant_id=config.tenant_id,
        trust_name=config.trust.name,
        schools=tuple(Choice(s.id, s.name) for s in config.schools),
        outbound_tokens=outbound_tokens,
        open_casework=functools.partial(embedded, prepared, data_dir, SystemClock()),
    )
    logging.getLogger("bot.app").setLevel(logging.ERROR)
    return create_app(settings, services)


async def serve(kind: str, data_dir: str, metadata_url: str) -> None:
    pin(SERVER_CORE)
    if kind == "floor":
        app = floor_app()
    elif kind == "peer":
        app = peer_app()
    else:
        app = premises_app(Path(data_dir), metadata_url or None)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"port": runner.addresses[0][1]}), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()


# --- the load (a child process on the other core) --------------------------------------------


def message(n: int, service_url: str, text: str, user: str = STAFF) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"f:load-{n}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{user}", "name": NAMES[user], "aadObjectId": user},
        "recipient": {"id": "28:safe-premises-bot", "name": "Safe Premises"},
        "conversation": {
            "id": "a:chat-load" if user == STAFF else f"a:chat-load-{user}",
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-GB",
        "text": text,
        "textFormat": "plain",
    }


def report_submit(n: int, service_url: str, run: str) -> dict[str, Any]:
    invoke = message(n, service_url, "")
    del invoke["text"], invoke["textFormat"]
    invoke["type"] = "invoke"
    invoke["name"] = "adaptiveCard/action"
    invoke["value"] = {
        "action": {
            "type": "Action.Execute",
            "title": "Submit report",
            "verb": "incident.report",
            "data": {
                "commandId": f"{run}-{n}",
                "school": "oakfield",
                "personName": "Jordan Example",
                "relationship": "parent",
                "incidentDate": "2026-03-02",
                "incidentTime": "08:45",
                "location": "The main gate",
                "channel": "in-person",
                "behaviours": "shouting,threat",
                "affected": "staff,pupils",
                "policeCalled": "false",
                "assault": "false",
                "summary": "Shouted at the class teacher and threatened to wait for her.",
                "effect": "The teacher was frightened.",
            },
        },
        "trigger": "manual",
    }
    return invoke


def chair_confirms(
    n: int, service_url: str, run: str, case_id: str, version: int
) -> dict[str, Any]:
    """The Chair's "Confirm or overturn" card pressed on `case_id`: confirm, with a reason."""
    invoke = message(n, service_url, "", user=CHAIR)
    del invoke["text"], invoke["textFormat"]
    invoke["type"] = "invoke"
    invoke["name"] = "adaptiveCard/action"
    invoke["value"] = {
        "action": {
            "type": "Action.Execute",
            "title": "Record the decision",
            "verb": "chair.decide",
            "data": {
                "caseId": case_id,
                "version": version,
                "commandId": f"{run}-{n}",
                "outcome": "confirm",
                "reason": "The ban is needed to keep the staff and pupils safe.",
            },
        },
        "trigger": "manual",
    }
    return invoke


async def drive(
    url: str, turn: str, seconds: float, concurrency: int, service_url: str, token: str
) -> None:
    pin(LOAD_CORE)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    run = f"load-{os.getpid()}-{time.time_ns()}"
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(1, 10**9))
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0), timeout=timeout
    ) as session:
        # "decide:<first>:<last>:<version>": each request confirms the next of the cases
        # bench-<first> … bench-<last>, prepared with the Chair before the run.
        decide = turn.split(":")[1:] if turn.startswith("decide:") else []

        def body(n: int) -> dict[str, Any]:
            if turn == "report":
                return report_submit(n, service_url, run)
            if decide:
                first, last, version = (int(x) for x in decide)
                if first + n > last:
                    raise SystemExit(
                        f"only {last - first + 1} cases were prepared; raise CASES_PER_S"
                    )
                return chair_confirms(n, service_url, run, f"bench-{first + n}", version)
            return message(n, service_url, "help")

        async with session.post(url, json=body(0), headers=headers) as warm:
            await warm.read()
            statuses[-warm.status] = 1  # the warm-up, not counted below
        end = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < end:
                started = time.perf_counter()
                async with session.post(url, json=body(next(counter)), headers=headers) as r:
                    await r.read()
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                    if 200 <= r.status < 300:
                        latencies.append(time.perf_counter() - started)
                    pause = retry_after(r) if r.status == 503 else 0.0
                if pause:
                    # As the Bot Connector does: wait the Retry-After before the next turn
                    # (a load that ignored it would measure 503s, not decisions).
                    await asyncio.sleep(min(pause, max(0.0, end - time.perf_counter())))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]
    print(
        json.dumps(
            {
                "ok": len(latencies),
                "statuses": statuses,
                "elapsed": elapsed,
                "p50": statistics.median(ordered),
                "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            }
        ),
        flush=True,
    )


# --- the orchestration (the parent) ----------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def first_answer(url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    async with aiohttp.ClientSession() as session:
        deadline = time.perf_counter() + START_TIMEOUT_S
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.post(url, json=body, headers=headers) as response:
                    if 200 <= response.status < 300:
                        return
            if time.perf_counter() > deadline:
                raise SystemExit(f"no answer from {url}")
            await asyncio.sleep(0.005)


def connector_app() -> web.Application:
    """A Bot Connector that accepts every reply (the bots' own work is what is measured)."""

    async def accept(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"id": "reply"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", accept)
    return app


def child_environment(pycache: str) -> dict[str, str]:
    """Every child starts as a deployed process does: with compiled bytecode to load (pip
    compiles the libraries; the product's own modules are compiled by their first start, here
    into `pycache`), even where the environment asks Python not to write any."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = pycache
    return environment


async def start_once(kind: str, idp: Any, sink_url: str, environment: dict[str, str]) -> None:
    """Start `kind` to its first answer and stop it, unmeasured: its bytecode is then cached."""
    metadata = idp.metadata_url if kind == "premises-auth" else ""
    token = idp.mint(audience=APP_ID, service_url=sink_url) if metadata else ""
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.side_by_side", "--serve", kind,
        tempfile.mkdtemp(prefix="side-by-side-"), metadata,
        stdout=asyncio.subprocess.PIPE, env=environment,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = await asyncio.wait_for(server.stdout.readline(), START_TIMEOUT_S)
        url = f"http://127.0.0.1:{json.loads(line)['port']}/api/messages"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        await first_answer(url, message(0, sink_url, "help"), headers)
    finally:
        with contextlib.suppress(ProcessLookupError):
            server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), 60)


async def one(
    kind: str,
    turn: str,
    args: argparse.Namespace,
    idp: Any,
    sink_url: str,
    environment: dict[str, str],
) -> dict[str, float]:
    data_dir = tempfile.mkdtemp(prefix="side-by-side-")
    metadata = idp.metadata_url if kind == "premises-auth" else ""
    token = idp.mint(audience=APP_ID, service_url=sink_url) if metadata else ""
    load_turn = turn
    if turn == "decide":
        # Before the server starts and before the clock: the cases the Chair will decide.
        from bench.chair_cases import prepare_cases

        count = int(args.seconds * CASES_PER_S) + 100
        chair = await prepare_cases(Path(data_dir), count)
        load_turn = f"decide:{chair.first}:{chair.last}:{chair.version}"
    started = time.perf_counter()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.side_by_side", "--serve", kind, data_dir, metadata,
        stdout=asyncio.subprocess.PIPE, env=environment,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = await asyncio.wait_for(server.stdout.readline(), START_TIMEOUT_S)
        url = f"http://127.0.0.1:{json.loads(line)['port']}/api/messages"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        await first_answer(url, message(0, sink_url, "help"), headers)
        cold = time.perf_counter() - started
        cpu_before = cpu_seconds(server.pid)
        load = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.side_by_side", "--drive", url, load_turn,
            str(args.seconds), str(args.concurrency), sink_url, token,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(load.communicate(), args.seconds + 60)
        if load.returncode != 0:
            raise RowFailed(f"{kind} {turn}: the load stopped (exit {load.returncode})")
        result = json.loads(out)
        cpu = cpu_seconds(server.pid) - cpu_before
        rss = rss_mb(server.pid)
        if turn == "decide":
            # Each decision's letter is drafted after its answer: wait for the effect
            # worker to finish them, and count its CPU too (the decision's whole cost).
            drained = await drain_letters(Path(data_dir), result["ok"] + 1)
            drained["cpu"] = cpu_seconds(server.pid) - cpu_before - cpu
    finally:
        with contextlib.suppress(ProcessLookupError):
            server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), 60)
    figures = {
        "req/s": result["ok"] / result["elapsed"],
        "CPU ms/turn": cpu * 1000 / max(result["ok"], 1),
        "p50 ms": result["p50"] * 1000,
        "p99 ms": result["p99"] * 1000,
        "RSS MB": rss,
        "cold start ms": cold * 1000,
        "errors": sum(
            v for k, v in result["statuses"].items() if not (200 <= abs(int(k)) < 300 or k == "503")
        ),
        "503s": result["statuses"].get("503", 0),
    }
    if turn == "report":
        with contextlib.closing(sqlite3.connect(Path(data_dir) / "cases.sqlite3")) as db:
            (cases,) = db.execute("SELECT COUNT(*) FROM cases").fetchone()
        answered = result["ok"] + 1  # the warm-up made a case too
        figures["cases == answers"] = float(cases == answered)
        if cases != answered:
            print(f"  {kind}/{turn}: {cases} cases but {answered} answers", file=sys.stderr)
    if turn == "decide":
        from bench.chair_cases import decisions_recorded

        figures["letters drafted by the end of the load"] = drained["at the end"]
        figures["s more to draft the rest"] = drained["seconds"]
        figures["CPU ms/decision with its letter"] = (
            (cpu + drained["cpu"]) * 1000 / max(result["ok"], 1)
        )

        decided, on_cases = decisions_recorded(Path(data_dir))
        answered = result["ok"] + 1  # the warm-up decided a case too
        figures["decisions == answers"] = float(decided == on_cases == answered)
        if not decided == on_cases == answered:
            print(
                f"  {kind}/{turn}: {decided} decisions on {on_cases} cases but {answered} answers",
                file=sys.stderr,
            )
    return figures


async def drain_letters(data_dir: Path, decisions: int) -> dict[str, float]:
    """Wait (at most `DRAIN_TIMEOUT_S`) until every decision's letter is drafted."""
    from bench.chair_cases import letters_drafted

    at_the_end = letters_drafted(data_dir)
    started = time.perf_counter()
    while letters_drafted(data_dir) < decisions:
        if time.perf_counter() - started > DRAIN_TIMEOUT_S:
            print(f"  decide: letters still not all drafted after {DRAIN_TIMEOUT_S:g} s")
            break
        await asyncio.sleep(0.25)
    return {"at the end": float(at_the_end), "seconds": time.perf_counter() - started}


def median_of(rounds: list[dict[str, float]]) -> dict[str, float]:
    """The median of each figure; a check ("… == answers") holds only if it held in every round."""
    return {
        key: (min if key.endswith("== answers") else statistics.median)(r[key] for r in rounds)
        for key in rounds[0]
    }


async def main(args: argparse.Namespace) -> None:
    from tests.harness.idp import LoopbackIdentityProvider
    from tests.harness.servers import serve as serve_loopback

    pin(LOAD_CORE)
    runs = [
        ("floor", "help"),
        ("peer", "help"),
        ("premises", "help"),
        ("premises", "report"),
        ("premises", "decide"),
        ("premises-auth", "help"),
        ("premises-auth", "report"),
    ]
    if args.only:
        wanted = set(args.only.split(",")) | {"floor:help", "peer:help"}  # the ratios' bases
        runs = [(kind, turn) for kind, turn in runs if f"{kind}:{turn}" in wanted]
    results: dict[tuple[str, str], dict[str, float]] = {}
    failed: list[str] = []
    pycache = tempfile.mkdtemp(prefix="side-by-side-bytecode-")
    environment = child_environment(pycache)
    async with LoopbackIdentityProvider() as idp, serve_loopback(connector_app()) as connector:
        for kind in dict.fromkeys(kind for kind, _ in runs):
            await start_once(kind, idp, connector + "/", environment)
        for kind, turn in runs:
            try:
                rounds = [
                    await one(kind, turn, args, idp, connector + "/", environment)
                    for _ in range(args.rounds)
                ]
            except RowFailed as failure:
                print(f"  NOT MEASURED: {failure}", file=sys.stderr, flush=True)
                failed.append(f"{kind} {turn}")
                continue
            results[(kind, turn)] = median_of(rounds)
            print(f"  done: {kind} {turn}", file=sys.stderr, flush=True)
    if ("peer", "help") not in results or ("floor", "help") not in results:
        raise SystemExit("the floor or the peer could not be measured, so there are no ratios")
    keys = ["req/s", "CPU ms/turn", "p50 ms", "p99 ms", "RSS MB", "cold start ms", "errors", "503s"]
    print(
        f"{args.concurrency} in flight, {args.seconds:g} s per run, median of {args.rounds}"
        " round(s); server on core 0, load on core 1"
    )
    print(
        "| server | turn | "
        + " | ".join(keys)
        + " | req/s vs peer | vs floor | CPU vs peer | RSS vs peer | cold start vs peer |"
    )
    print("|---" * (len(keys) + 7) + "|")
    peer, floor = results[("peer", "help")], results[("floor", "help")]
    for (kind, turn), r in results.items():
        cells = [f"{r[k]:.1f}" for k in keys]
        ratios = [
            r["req/s"] / peer["req/s"],
            r["req/s"] / floor["req/s"],
            r["CPU ms/turn"] / peer["CPU ms/turn"],
            r["RSS MB"] / peer["RSS MB"],
            r["cold start ms"] / peer["cold start ms"],
        ]
        extra = " (cases == answers)" if r.get("cases == answers") == 1.0 else ""
        if turn == "report" and not extra:
            extra = " (CASES != ANSWERS)"
        if turn == "decide":
            ok = r.get("decisions == answers") == 1.0
            extra = " (decisions == answers)" if ok else " (DECISIONS != ANSWERS)"
        print(
            f"| {kind} | {turn}{extra} | " + " | ".join(cells) + " | "
            + " | ".join(f"{x:.2f}×" for x in ratios) + " |"
        )  # fmt: skip
    if failed:
        print("not measured (see the messages above): " + ", ".join(failed))
    for (kind, turn), r in results.items():
        if turn == "decide":
            print(
                f"{kind} decide: {r['letters drafted by the end of the load']:.0f} of"
                f" {r['req/s'] * args.seconds:.0f} decisions' letters drafted when the load"
                f" ended, the rest {r['s more to draft the rest']:.1f} s later; CPU per"
                f" decision with its letter {r['CPU ms/decision with its letter']:.1f} ms"
                f" ({r['CPU ms/decision with its letter'] / peer['CPU ms/turn']:.2f}× the"
                " peer's per turn)"
            )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        asyncio.run(serve(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else ""))
    elif sys.argv[1:2] == ["--drive"]:
        url, turn, seconds, concurrency, service_url = sys.argv[2:7]
        token = sys.argv[7] if len(sys.argv) > 7 else ""
        asyncio.run(drive(url, turn, float(seconds), int(concurrency), service_url, token))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--seconds", type=float, default=10.0)
        parser.add_argument("--concurrency", type=int, default=16)
        parser.add_argument("--rounds", type=int, default=1)
        parser.add_argument(
            "--only", default="", help="some rows, e.g. premises:decide,premises-auth:report"
        )
        asyncio.run(main(parser.parse_args()))
