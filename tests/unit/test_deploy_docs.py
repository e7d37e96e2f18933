"""docs/deploy.md and docs/operations.md say only what is true (issue 13): every `make`
target and `python -m` command the guide names exists and runs, every setting it names
is one the app reads, the backup command it gives makes a usable copy, and every log line
operations.md explains is one the code writes."""

from __future__ import annotations

import importlib.util
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.settings_names import settings_the_app_reads
from tests.unit.test_deploy_files import PLATFORM_SETTINGS

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = (REPO_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
OPERATIONS = (REPO_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
CODE_DIRS = ("bot", "casework", "local", "templates", "rules", "cards", "teamsapp", "graph")


def code_spans(text: str) -> list[str]:
    """Inline `code` and the lines of fenced blocks."""
    blocks = re.findall(r"^```\w*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    without_blocks = re.sub(r"^```\w*\n.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    lines = [line for block in blocks for line in block.splitlines()]
    return re.findall(r"`([^`\n]+)`", without_blocks) + lines


def makefile_targets() -> set[str]:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))


def test_every_make_target_the_guide_names_exists() -> None:
    named = {m for span in code_spans(DEPLOY) for m in re.findall(r"\bmake ([a-z][\w-]*)", span)}
    assert named, "the guide names no make target"
    assert named <= makefile_targets()


def python_commands(text: str) -> list[tuple[str, str]]:
    """(module, first argument) of each `python -m module ...` named."""
    found = []
    for span in code_spans(text):
        for module, rest in re.findall(r"python -m ([\w.]+)((?: [^\s`]+)*)", span):
            found.append((module, rest.split()[0] if rest.split() else ""))
    return found


def test_every_python_module_the_guide_names_exists() -> None:
    commands = python_commands(DEPLOY)
    assert {module for module, _ in commands} >= {"bot", "teamsapp", "zipfile", "rules"}
    for module, _ in commands:
        ours = REPO_ROOT / module / "__main__.py"
        assert ours.is_file() or importlib.util.find_spec(module) is not None, module


@pytest.mark.parametrize(
    ("module", "command"),
    sorted(
        {
            (m, c)
            for m, c in python_commands(DEPLOY)
            if (REPO_ROOT / m / "__main__.py").is_file() and c and not c.startswith("-")
        }
    ),
)
def test_every_subcommand_the_guide_names_runs(module: str, command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", module, command, "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_deadline_command_in_the_guide_runs_as_written() -> None:
    line = next(s for s in code_spans(DEPLOY) if "python -m rules deadline" in s)
    arguments = line.split("python -m rules ", 1)[1].split()
    result = subprocess.run(
        [sys.executable, "-m", "rules", *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


_SETTING = re.compile(r"^(?:[A-Z][A-Z0-9]*_[A-Z0-9_]+|HOST|PORT|Microsoft[A-Z][A-Za-z]+)$")


def settings_named(text: str) -> set[str]:
    names = set()
    for span in code_spans(text):
        for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span):
            if _SETTING.match(token):
                names.add(token)
    return names


def test_every_setting_the_guides_name_is_one_the_app_reads() -> None:
    named = settings_named(DEPLOY) | settings_named(OPERATIONS)
    assert {"MicrosoftAppId", "BOT_DOMAIN", "SAFE_PREMISES_DATA"} <= named
    assert named - PLATFORM_SETTINGS - {"MsTeamsChannel"} <= settings_the_app_reads()


def test_the_guide_limits_mailbox_access_to_the_signers_as_the_check_advises() -> None:
    from bot.check_graph import MAILBOX_FIX

    section = DEPLOY.split("### Limiting mailbox access to the signers", 1)[1].split("\n#", 1)[0]
    # The scoped grant through Exchange Online, never the tenant-wide Entra ID permission.
    assert '-Role "Application Mail.ReadWrite"' in section
    assert "New-ManagementScope" in section
    assert "Do not add\n`Mail.ReadWrite` as an application permission" in section
    # The check's fix and the drafts' errors send the administrator to this section.
    assert "'Limiting mailbox access to the signers'" in MAILBOX_FIX
    assert "Application Mail.ReadWrite" in MAILBOX_FIX


def test_the_backup_command_in_the_guide_copies_a_live_database(tmp_path: Path) -> None:
    live = sqlite3.connect(tmp_path / "cases.sqlite3")
    live.execute("PRAGMA journal_mode = WAL")
    live.execute("CREATE TABLE events (n INTEGER)")
    live.executemany("INSERT INTO events VALUES (?)", [(n,) for n in range(100)])
    live.commit()  # and left open, as the running bot leaves it
    line = next(s for s in code_spans(DEPLOY) if "sqlite3" in s and "python -c" in s)
    code = re.search(r'python -c "(.*)"', line)
    assert code
    subprocess.run([sys.executable, "-c", code.group(1)], cwd=tmp_path, check=True, timeout=60)
    copy = sqlite3.connect(tmp_path / "cases-backup.sqlite3")
    assert copy.execute("SELECT count(*) FROM events").fetchone() == (100,)
    copy.close()
    live.close()


def source_text() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8")
        for folder in CODE_DIRS
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
    )


def log_lines_explained() -> list[str]:
    """The backticked messages in the first column of operations.md's tables of messages
    (those after the health endpoints)."""
    messages = OPERATIONS.split("## When the bot does not start", 1)[1]
    quoted = []
    for row in re.findall(r"^\| (`[^|]*)\|", messages, re.MULTILINE):
        quoted += re.findall(r"`([^`]+)`", row)
    return quoted


def test_every_log_line_operations_explains_is_one_the_code_writes() -> None:
    code = source_text()
    lines = log_lines_explained()
    assert len(lines) > 20
    for line in lines:
        # Placeholders (<id>, N, …, a status) stand for what the code fills in, and the entry point
        # puts its prefix before a start-up error's message; the rest is verbatim.
        fixed = re.split(r"<[^>]+>|…|\bN\b|\bS s\b|\b\d{3}\b|(?<=start:) ", line)
        for fragment in (f.strip(" :;(),.'") for f in fixed):
            if len(fragment) >= 8:
                assert fragment in code, f"{fragment!r} (from {line!r}) is not in the code"
