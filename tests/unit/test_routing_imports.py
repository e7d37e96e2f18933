"""Where the Bot Framework SDK may be imported: only `bot/adapter.py`, so that moving to
the Microsoft 365 Agents SDK touches one module. Cards stay pure."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.contracts import REPO_ROOT

SDK = ("botbuilder", "botframework", "msrest")
# `mutants` is the copy `make mutation` works in (docs/testing.md), not the code.
SKIPPED = {".venv", "node_modules", "var", ".git", "mutants"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def python_files() -> list[Path]:
    return [
        path
        for path in REPO_ROOT.rglob("*.py")
        if not SKIPPED.intersection(path.relative_to(REPO_ROOT).parts)
    ]


def test_only_the_adapter_imports_the_bot_framework_sdk() -> None:
    importers = {
        str(path.relative_to(REPO_ROOT))
        for path in python_files()
        if any(m.split(".")[0] in SDK for m in imported_modules(path))
    }

    # bench/side_by_side.py runs a stock botbuilder echo bot as the peer to measure against:
    # a benchmark, not the product.
    assert importers - {"bench/side_by_side.py"} == {"bot/adapter.py"}


def test_cards_import_only_the_standard_library_and_cards() -> None:
    for path in (REPO_ROOT / "cards").glob("*.py"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            assert top in {"__future__", "collections", "dataclasses", "typing", "cards"}, (
                f"{path.name} imports {module}"
            )
