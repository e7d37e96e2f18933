"""Cold start does only what the first turn needs (issue 10): the letter machinery's heavy
parts wait for the first letter, and the start checks only the templates a trust changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from templates import LetterRenderer, LetterTemplates
from templates.context import LetterData
from templates.examples import example_letters
from templates.markup import LetterDocument

REPO = Path(__file__).resolve().parents[2]

# What `python -m bot` does up to listening, in local mode: import the entry point, read and
# check the example trust's configuration and templates, build the app and start it (the case
# store opened, the background tasks started), on the embedded default.
_START = """
import asyncio, functools, sys
import bot.__main__
from pathlib import Path
from aiohttp import web
from bot.app import create_app
from bot.services import BotServices
from bot.settings import Settings
from cards.common import Choice
from casework.bootstrap import SystemClock, embedded, prepare
prepared = prepare(Path("config/trust.yaml"))
settings = Settings(data_dir=Path(sys.argv[1]))
assert settings.local_development
services = BotServices(
    tenant_id=prepared.config.tenant_id,
    trust_name=prepared.config.trust.name,
    schools=tuple(Choice(s.id, s.name) for s in prepared.config.schools),
    open_casework=functools.partial(embedded, prepared, Path(sys.argv[1]), SystemClock()),
)
app = create_app(settings, services)

async def start():
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(",".join(sorted(m for m in ("docx", "holidays", "jwt") if m in sys.modules)))
    print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in ("botbuilder", "msrest"))))
    await runner.cleanup()

asyncio.run(start())
"""


def test_the_start_in_local_mode_imports_neither_python_docx_nor_the_bank_holiday_data(
    tmp_path: Path,
) -> None:
    """Nor PyJWT: without authentication no token is checked. The bank-holiday data waits
    for the first date counted (the term dates' warning is logged just after the start)."""
    found = subprocess.run(
        [sys.executable, "-c", _START, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()
    assert found[0] == ""


def test_the_start_in_local_mode_imports_none_of_botbuilder_nor_msrest(tmp_path: Path) -> None:
    """Every reply the bot writes is plain JSON written directly (bot/adapter.py), so the
    SDK's schema, msrest and its HTTP stack wait for something that is not."""
    found = subprocess.run(
        [sys.executable, "-c", _START, str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()
    assert found[1] == ""


@pytest.fixture
def rendered_examples(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The letter ids of the example letters rendered while the templates load."""
    seen: list[str] = []
    original = LetterRenderer.document

    def document(self: LetterRenderer, data: LetterData) -> LetterDocument:
        seen.append(data.letter_id)
        return original(self, data)

    monkeypatch.setattr(LetterRenderer, "document", document)
    return seen


def test_a_folder_without_overrides_renders_no_example_letter_at_start(
    tmp_path: Path, rendered_examples: list[str]
) -> None:
    (tmp_path / "README.md").write_text("the trust's notes", encoding="utf-8")
    templates = LetterTemplates.load(tmp_path)
    assert templates.overridden == frozenset()
    assert rendered_examples == []


def test_an_overridden_letter_is_checked_with_its_own_examples_only(
    tmp_path: Path, rendered_examples: list[str]
) -> None:
    source = LetterTemplates.load().sources["letter-1.j2"]
    (tmp_path / "letter-1.j2").write_text(source, encoding="utf-8")
    LetterTemplates.load(tmp_path)
    expected = [d.letter_id for d in example_letters().values() if d.letter_id == "letter-1"]
    assert rendered_examples == expected != []


@pytest.mark.parametrize("shared", ["layout.j2", "macros.j2"])
def test_an_overridden_layout_or_macros_is_checked_with_every_example(
    tmp_path: Path, rendered_examples: list[str], shared: str
) -> None:
    source = LetterTemplates.load().sources[shared]
    (tmp_path / shared).write_text(source, encoding="utf-8")
    LetterTemplates.load(tmp_path)
    assert rendered_examples == [d.letter_id for d in example_letters().values()]
