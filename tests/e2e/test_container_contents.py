"""What the container image holds is enough to run the bot (issue 13), tried without
Docker (its daemon does not run on every test machine): the folders the Dockerfile
copies are copied alone into an empty folder, the bot is started there with the
Dockerfile's settings, and the Dockerfile's own HEALTHCHECK command is run against it.
A folder the code needs but the Dockerfile forgets fails here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.e2e.playground import free_port
from tests.unit.test_deploy_files import DOCKERFILE, instructions

ONE_BACKEND = "the container image's default: SQLite in the data volume"

REPO_ROOT = Path(__file__).resolve().parents[2]


def image_tree(target: Path) -> Path:
    """The files the Dockerfile's COPY lines put under WORKDIR /app, at `target`."""
    for keyword, rest in instructions():
        if keyword != "COPY":
            continue
        *sources, destination = rest.split()
        for source in sources:
            path = REPO_ROOT / source
            where = target / destination
            if path.is_dir():
                shutil.copytree(path, where, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                where.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, where / path.name)
    return target


def image_env(app: Path, data: Path, port: int, **extra: str) -> dict[str, str]:
    """The Dockerfile's ENV lines, with its /app and /data put where the copy is."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    env = {"PATH": "/usr/bin:/bin"}
    for line in joined.splitlines():
        if line.startswith("ENV "):
            env.update(re.findall(r"(\w+)=(\S+)", line))
    env = {k: v.replace("/app/", f"{app}/").replace("/data", str(data)) for k, v in env.items()}
    return env | {"PORT": str(port)} | extra


def healthcheck_command() -> list[str]:
    check = next(rest for keyword, rest in instructions() if keyword == "HEALTHCHECK")
    command: list[str] = json.loads(check.split(" CMD ", 1)[1])
    return [sys.executable if command[0] == "python" else command[0], *command[1:]]


def test_the_copied_tree_runs_the_bot_and_passes_the_dockerfiles_health_check(
    tmp_path: Path,
) -> None:
    app = image_tree(tmp_path / "app")
    port = free_port()
    # Loopback and no credentials: local development mode, which the image allows only on
    # loopback (checked below); the copy is what is under test, not the credentials.
    env = image_env(app, tmp_path / "data", port, HOST="127.0.0.1")
    (tmp_path / "data").mkdir()
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=app,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    assert json.loads(r.read())["status"] == "ready"
                    break
            except OSError:
                assert bot.poll() is None, bot.communicate()[1]
                assert time.monotonic() < deadline, "the bot did not start in 30 s"
                time.sleep(0.2)
        check = subprocess.run(
            healthcheck_command(), env=env, capture_output=True, timeout=10, check=False
        )
        assert check.returncode == 0, check.stderr
        assert (tmp_path / "data" / "cases.sqlite3").exists()
    finally:
        bot.terminate()
        bot.communicate(timeout=15)


def test_the_health_check_fails_when_nothing_answers(tmp_path: Path) -> None:
    env = image_env(tmp_path, tmp_path, free_port())
    check = subprocess.run(
        healthcheck_command(), env=env, capture_output=True, timeout=10, check=False
    )
    assert check.returncode != 0


def test_the_image_without_credentials_refuses_to_listen_on_every_address(
    tmp_path: Path,
) -> None:
    app = image_tree(tmp_path / "app")
    env = image_env(app, tmp_path / "data", free_port())  # HOST=0.0.0.0, as in the image
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "MicrosoftAppId is empty" in result.stderr
