"""`make playground`: the bot and Microsoft 365 Agents Playground together, for trying the
bot in a Teams-like page on this machine, with no tenant and no internet.

Starts `python -m bot` (local development mode: no app id, loopback only) and the
Playground (Node, from `infra/playground/node_modules`, installed by
`make playground-deps`), waits until both answer, says in plain words which page to open
and what to type, and stops both when the user presses Ctrl-C (or when either stops).

Each child runs in its own process group so that Ctrl-C reaches only this process, which
then stops both children in order and waits for them: nothing is left running.

Slightly over our usual 400 lines: starting, watching and stopping the two processes is one
sequence that reads best in one place.

Environment: HOST and PORT (the bot), PLAYGROUND_PORT, PLAYGROUND_AS (the user id, from
`infra/playground/.m365agentsplayground.yml`, to act as instead of the current user),
SAFE_PREMISES_CONFIG and SAFE_PREMISES_DATA (passed to the bot).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml

PLAYGROUND_DIR = Path("infra/playground")
PLAYGROUND_PACKAGE = PLAYGROUND_DIR / "node_modules/@microsoft/m365agentsplayground"
PLAYGROUND_CONFIG = PLAYGROUND_DIR / ".m365agentsplayground.yml"
PLAYGROUND_LOOPBACK = PLAYGROUND_DIR / "loopback.cjs"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 5.0


class DevServerError(RuntimeError):
    """Something stops the bot or the Playground from starting; the message says what to do."""


@dataclass(frozen=True)
class DevServerSettings:
    host: str = "127.0.0.1"
    port: int = 3978
    playground_port: int = 56150
    acting_as: str = ""  # a user id from the Playground config; empty: its current user

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> DevServerSettings:
        def get(name: str, default: str) -> str:
            value = environ.get(name, "").strip()
            return value or default

        return cls(
            host=get("HOST", cls.host),
            port=_port(get("PORT", str(cls.port)), "PORT"),
            playground_port=_port(
                get("PLAYGROUND_PORT", str(cls.playground_port)), "PLAYGROUND_PORT"
            ),
            acting_as=get("PLAYGROUND_AS", ""),
        )


def _port(text: str, name: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise DevServerError(f"{name} must be a port number, not {text!r}") from None
    if not 1 <= port <= 65535:
        raise DevServerError(f"{name} must be a port number from 1 to 65535, not {text!r}")
    return port


# --- the Playground's command line ----------------------------------------------------------


def playground_command(node: str, root: Path, bot_endpoint: str, port: int) -> list[str]:
    """The Playground CLI, as Teams (`msteams`), pointed at the bot, with telemetry off,
    listening on loopback only (see `infra/playground/loopback.cjs`)."""
    return [
        node,
        "--require",
        str(root / PLAYGROUND_LOOPBACK),
        str(root / PLAYGROUND_PACKAGE / "cli.js"),
        "--app-endpoint",
        bot_endpoint,
        "--channel-id",
        "msteams",
        "--port",
        str(port),
        "--disable-telemetry",
    ]


def playground_environ(
    base: Mapping[str, str], config_path: Path, log_file: Path
) -> dict[str, str]:
    """The environment the Playground needs to stay local and quiet.

    Without APPLICATION_INSIGHTS_NO_STATSBEAT it probes a cloud metadata address at start;
    without TEAMSAPPTESTER_BROWSER=none it tries to open a browser itself.
    """
    env = dict(base)
    env.update(
        APPLICATION_INSIGHTS_NO_STATSBEAT="true",
        TEAMSAPPTESTER_BROWSER="none",
        M365_AGENTS_PLAYGROUND_CONFIG_PATH=str(config_path.resolve()),
        M365_AGENTS_PLAYGROUND_LOGFILE=str(log_file.resolve()),
    )
    return env


def config_acting_as(base_config: Path, user_id: str, out: Path) -> Path:
    """Write a copy of the Playground config in which `user_id` is the current user.

    The Playground sends every message as its current user, so trying the head's or the
    chair's cards in the page needs a config where they are that user.
    """
    config: dict[str, Any] = yaml.safe_load(base_config.read_text(encoding="utf-8"))
    users: list[dict[str, Any]] = config["users"]
    chosen = next((u for u in users if u["id"] == user_id), None)
    if chosen is None and config["currentUser"]["id"] != user_id:
        known = ", ".join(u["id"] for u in [config["currentUser"], *users])
        raise DevServerError(
            f"PLAYGROUND_AS={user_id!r} is not a user in {base_config}; choose one of {known}"
        )
    if chosen is not None:  # otherwise the current user already (back as the first person)
        config["users"] = [config["currentUser"] if u is chosen else u for u in users]
        config["currentUser"] = chosen
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


# --- child processes ----------------------------------------------------------------------------


class Child:
    """A child process in its own process group, stopped with everything it started."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        output: IO[Any] | None = None,
    ) -> None:
        self.name = name
        self._process = subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if output is not None else None,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self._process.pid

    def exit_code(self) -> int | None:
        """None while it runs."""
        return self._process.poll()

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int:
        """Ask the whole group to stop; kill it if it has not within `timeout` seconds."""
        if self._process.poll() is None:
            _signal_group(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self._process.pid, signal.SIGKILL)
                self._process.wait(timeout)
        # The leader may have gone while something it started lingers in the group.
        _signal_group(self._process.pid, signal.SIGKILL)
        return self._process.returncode


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def wait_until_answers(
    url: str,
    child: Child,
    *,
    timeout: float = START_TIMEOUT_SECONDS,
    require_ok: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> None:
    """Poll `url` until it answers; any HTTP status counts unless `require_ok` (2xx only)."""
    deadline = monotonic() + timeout
    last = "no answer"
    while True:
        code = child.exit_code()
        if code is not None:
            raise DevServerError(f"the {child.name} stopped while starting (exit code {code})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
            return
        except urllib.error.HTTPError as error:
            error.close()
            if not require_ok:
                return
            last = f"HTTP {error.code}"
        except OSError:
            pass
        if monotonic() >= deadline:
            raise DevServerError(
                f"the {child.name} was not ready at {url} within {timeout:.0f} seconds ({last})"
            )
        sleep(0.1)


_LISTENING = re.compile(rb"Listening on (\d+)")


def wait_for_listening_port(
    output: Path,
    child: Child,
    *,
    timeout: float = START_TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> int:
    """The port the Playground says it listens on.

    It falls back to a random port when the one asked for is taken, so the port it prints
    is the truth.
    """
    deadline = monotonic() + timeout
    while True:
        found = _LISTENING.search(output.read_bytes()) if output.exists() else None
        if found:
            return int(found.group(1))
        code = child.exit_code()
        if code is not None:
            raise DevServerError(f"the {child.name} stopped while starting (exit code {code})")
        if monotonic() >= deadline:
            raise DevServerError(f"the {child.name} did not start within {timeout:.0f} seconds")
        sleep(0.1)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


# --- the command ------------------------------------------------------------------------------


class _Stop(Exception):
    """SIGTERM or SIGHUP (the terminal closed), treated like Ctrl-C."""


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop


def describe_person(trust_config: Mapping[str, Any], object_id: str) -> str:
    """Who the trust configuration says this person is, e.g. "head at Oakfield Primary"."""
    places = [
        f"{' and '.join(person.get('roles', []))} at {school.get('name', school.get('id'))}"
        for school in trust_config.get("schools", [])
        for person in school.get("people", [])
        if person.get("object_id") == object_id
    ]
    if not places:
        return "not in the trust configuration, so the bot will refuse them"
    return "; ".join(places)


def instructions(
    playground_port: int, user: Mapping[str, Any], who: str, data_dir: str, bot_log: Path
) -> str:
    page = f"http://localhost:{playground_port}"
    return "\n".join(
        [
            "",
            "Safe Premises is running, with Microsoft 365 Agents Playground as its Teams.",
            "",
            f"  1. Open {page} in your web browser.",
            f"  2. You are {user['name']} ({who}). The bot's welcome card is in the chat.",
            '  3. Type "report" to report an incident, or "help" to see what you can do.',
            "",
            f"Case records and letters are kept under {data_dir}/; the bot's log is {bot_log}.",
            "Press Ctrl-C here to stop.",
            "",
        ]
    )


def run(settings: DevServerSettings, root: Path, environ: Mapping[str, str], out: IO[str]) -> int:
    """Start both, tell the user what to do, wait for Ctrl-C or a child stopping, stop both."""
    node = shutil.which("node", path=environ.get("PATH"))
    package_dir = root / PLAYGROUND_PACKAGE
    if node is None:
        raise DevServerError("Node.js is needed for the Playground: install the 'nodejs' package")
    if not (package_dir / "cli.js").is_file():
        raise DevServerError("the Playground is not installed: run 'make playground-deps'")
    for port, name in ((settings.port, "PORT"), (settings.playground_port, "PLAYGROUND_PORT")):
        if not port_is_free("127.0.0.1", port):
            raise DevServerError(
                f"port {port} is in use (is 'make run' or another 'make playground' running?); "
                f"stop it or choose another with {name}=…"
            )

    # Beside the bot's own data, so a test's temporary data folder keeps the repo clean.
    data_dir = environ.get("SAFE_PREMISES_DATA", "").strip() or "var"
    work_dir = root / data_dir / "playground"
    work_dir.mkdir(parents=True, exist_ok=True)
    config = root / PLAYGROUND_CONFIG
    if settings.acting_as:
        config = config_acting_as(
            config, settings.acting_as, work_dir / f"as-{settings.acting_as}.yml"
        )
    user: dict[str, Any] = yaml.safe_load(config.read_text(encoding="utf-8"))["currentUser"]
    trust_path = root / (environ.get("SAFE_PREMISES_CONFIG", "").strip() or "config/trust.yaml")
    try:
        trust_config: dict[str, Any] = yaml.safe_load(trust_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DevServerError(f"cannot read the trust configuration {trust_path}: {error}") from None
    who = describe_person(trust_config, str(user["aadObjectId"]))

    bot_url = f"http://{settings.host}:{settings.port}"
    bot_env = dict(environ, HOST=settings.host, PORT=str(settings.port))
    bot_log = work_dir / "bot-output.log"
    playground_log = work_dir / "playground-output.log"
    playground_log.unlink(missing_ok=True)
    children: list[Child] = []
    # The children are in their own process groups, so a closed terminal reaches only
    # this process: it must stop them itself.
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        # The bot's log goes to a file: the terminal keeps the plain instructions.
        with bot_log.open("ab") as log:
            bot = Child("bot", [sys.executable, "-m", "bot"], env=bot_env, cwd=root, output=log)
        children.append(bot)
        try:
            wait_until_answers(bot_url + "/readyz", bot, require_ok=True)
        except DevServerError as error:
            raise DevServerError(f"{error}\n{_tail(bot_log)}") from None
        with playground_log.open("wb") as log:
            playground = Child(
                "Playground",
                playground_command(node, root, bot_url + "/api/messages", settings.playground_port),
                env=playground_environ(environ, config, work_dir / "playground.log"),
                cwd=work_dir,
                output=log,
            )
        children.append(playground)
        try:
            port = wait_for_listening_port(playground_log, playground)
            wait_until_answers(f"http://127.0.0.1:{port}/", playground)
        except DevServerError as error:
            raise DevServerError(f"{error}\n{_tail(playground_log)}") from None
        shown_log = bot_log.relative_to(root) if bot_log.is_relative_to(root) else bot_log
        out.write(instructions(port, user, who, data_dir, shown_log))
        out.flush()
        while True:
            for child in children:
                code = child.exit_code()
                if code is not None:
                    out.write(f"The {child.name} stopped (exit code {code}); stopping the rest.\n")
                    log_file = playground_log if child is playground else bot_log
                    out.write(f"{_tail(log_file)}\nThe whole log is in {log_file}.\n")
                    return 1
            time.sleep(0.2)
    except (KeyboardInterrupt, _Stop):
        out.write("\nStopping the Playground and the bot…\n")
        return 0
    finally:
        for child in reversed(children):
            child.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        out.flush()


def _tail(log_file: Path, lines: int = 15) -> str:
    try:
        text = log_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    try:
        settings = DevServerSettings.from_environ(os.environ)
        return run(settings, root, os.environ, sys.stdout)
    except DevServerError as error:
        sys.stderr.write(f"make playground: {error}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
