"""`make playground` (`python -m bot.devserver`): both processes start, the person is told
which page to open, and Ctrl-C stops both, leaving nothing running."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.devserver import DevServerError, config_acting_as, describe_person
from tests.e2e.playground import ROOT, free_port, playground_missing
from tests.e2e.playground_fixtures import TRUST_CONFIG, bot_environ

ONE_BACKEND = "the Playground dev server starts the bot on the embedded default (SQLite)"

PLAYGROUND_CONFIG = ROOT / "infra" / "playground" / ".m365agentsplayground.yml"
START_SECONDS = 30.0
STOP_SECONDS = 15.0


def load(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: dict[str, object] = json.loads(response.read())
        return body


class DevServer:
    """`python -m bot.devserver` as a person runs it, its output in a file."""

    def __init__(self, tmp_path: Path, **extra: str) -> None:
        self.bot_port = free_port()
        self.playground_port = free_port()
        self.output = tmp_path / "devserver-output.txt"
        env = bot_environ(self.bot_port, tmp_path / "data")
        env.update(PLAYGROUND_PORT=str(self.playground_port), **extra)
        with self.output.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.devserver"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def wait_for_output(self, pattern: str, seconds: float = START_SECONDS) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text())
            if found:
                return found
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"no {pattern!r} in the output:\n{self.text()}")

    def stop(self, sig: signal.Signals) -> int:
        self.process.send_signal(sig)
        return self.process.wait(STOP_SECONDS)

    def ensure_stopped(self) -> None:
        # Its own handler stops the children; SIGKILL only if it does not end at all.
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(STOP_SECONDS)


@pytest.fixture(name="devserver_factory")
def devserver_factory_fixture(tmp_path: Path) -> Iterator[list[DevServer]]:
    started: list[DevServer] = []
    try:
        yield started
    finally:
        for server in started:
            server.ensure_stopped()


@pytest.mark.playground
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_make_playground_starts_both_explains_and_stops_both(
    devserver_factory: list[DevServer], tmp_path: Path, stop_signal: signal.Signals
) -> None:
    missing = playground_missing()
    if missing:
        pytest.skip(f"{missing}: run 'make playground-deps'")
    server = DevServer(tmp_path)
    devserver_factory.append(server)

    page = server.wait_for_output(r"Open (http://localhost:(\d+)) in your web browser")

    assert int(page.group(2)) == server.playground_port
    assert "You are Priya Shah (staff at Oakfield Primary Academy)" in server.text()
    assert '"report"' in server.text()
    config = get_json(f"http://127.0.0.1:{server.playground_port}/_internal/v1/config")["config"]
    assert isinstance(config, dict)
    assert config["tenantId"] == load(TRUST_CONFIG)["tenant_id"]
    assert get_json(f"http://127.0.0.1:{server.bot_port}/readyz") is not None

    # Ctrl-C in the terminal (SIGINT), or a service manager stopping it (SIGTERM).
    assert server.stop(stop_signal) == 0

    assert "Stopping" in server.text()
    assert not answers(server.bot_port)
    assert not answers(server.playground_port)


@pytest.mark.playground
def test_make_playground_as_another_user_says_who_they_are(
    devserver_factory: list[DevServer], tmp_path: Path
) -> None:
    missing = playground_missing()
    if missing:
        pytest.skip(f"{missing}: run 'make playground-deps'")
    server = DevServer(tmp_path, PLAYGROUND_AS="trust-clerk")
    devserver_factory.append(server)

    server.wait_for_output(r"Open http://localhost:\d+ in your web browser")

    assert "You are Siân Ní Bhriain (clerk at Oakfield Primary Academy; clerk at Riverside" in (
        server.text()
    )
    config = get_json(f"http://127.0.0.1:{server.playground_port}/_internal/v1/config")["config"]
    assert isinstance(config, dict)
    assert config["currentUser"]["aadObjectId"] == "a1000000-0000-4000-8000-000000000005"
    assert server.stop(signal.SIGINT) == 0


def test_a_busy_port_is_named_instead_of_a_half_start(
    devserver_factory: list[DevServer], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        server = DevServer(tmp_path, PORT=str(busy))
        devserver_factory.append(server)

        code = server.process.wait(START_SECONDS)

    assert code == 2
    assert f"port {busy} is in use" in server.text()
    assert "PORT=" in server.text()


def test_acting_as_swaps_the_current_user_and_keeps_five_others(tmp_path: Path) -> None:
    written = config_acting_as(PLAYGROUND_CONFIG, "oakfield-head", tmp_path / "as-head.yml")

    base, swapped = load(PLAYGROUND_CONFIG), load(written)
    assert isinstance(swapped["currentUser"], dict)
    assert swapped["currentUser"]["aadObjectId"] == "a1000000-0000-4000-8000-000000000001"
    users = swapped["users"]
    assert isinstance(users, list)
    # The Playground's schema wants exactly five other users.
    assert len(users) == 5
    assert base["currentUser"] in users
    assert swapped["tenantId"] == base["tenantId"]


def test_acting_as_the_first_person_again_keeps_the_config_as_it_is(tmp_path: Path) -> None:
    # The README's walk-through comes back to Priya Shah after the head and the chair.
    written = config_acting_as(PLAYGROUND_CONFIG, "oakfield-staff", tmp_path / "as-staff.yml")

    assert load(written) == load(PLAYGROUND_CONFIG)
    with pytest.raises(DevServerError, match="choose one of oakfield-staff, oakfield-head"):
        config_acting_as(PLAYGROUND_CONFIG, "nobody", tmp_path / "as-nobody.yml")


def test_every_playground_user_is_a_person_in_the_example_trust() -> None:
    playground = load(PLAYGROUND_CONFIG)
    trust = load(TRUST_CONFIG)
    assert playground["tenantId"] == trust["tenant_id"]
    users = [playground["currentUser"], *playground["users"]]  # type: ignore[misc]
    for user in users:
        assert isinstance(user, dict)
        assert "not in the trust" not in describe_person(trust, user["aadObjectId"]), user["name"]
    assert describe_person(trust, "00000000-0000-0000-0000-000000000000").startswith("not in")
