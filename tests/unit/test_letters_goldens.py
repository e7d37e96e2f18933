"""Golden files: the HTML and plain text of every example letter, as reviewed.

A change to a template or a writer shows up here as a diff to read. To accept the new
output, regenerate the files and review them before committing:

    UPDATE_GOLDENS=1 .venv/bin/pytest tests/unit/test_letters_goldens.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from templates import LetterRenderer, LetterTemplates
from templates.examples import example_letters

GOLDENS = Path(__file__).resolve().parents[1] / "golden" / "letters"
EXAMPLES = example_letters()
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer(LetterTemplates.load())


@pytest.mark.parametrize("variant", list(EXAMPLES))
def test_letter_matches_its_golden_files(variant: str, renderer: LetterRenderer) -> None:
    letter = renderer.render(EXAMPLES[variant])
    for suffix, output in ((".html", letter.html), (".txt", letter.text)):
        path = GOLDENS / f"{variant}{suffix}"
        if UPDATE:
            GOLDENS.mkdir(parents=True, exist_ok=True)
            path.write_text(output, encoding="utf-8", newline="\n")
        assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDENS=1"
        assert output == path.read_text(encoding="utf-8"), f"{path.name} differs"


def test_every_golden_file_belongs_to_an_example() -> None:
    expected = {f"{v}{s}" for v in EXAMPLES for s in (".html", ".txt")}
    stale = sorted({p.name for p in GOLDENS.iterdir()} - expected)
    if UPDATE:
        for name in stale:
            (GOLDENS / name).unlink()
        stale = []
    assert stale == []
