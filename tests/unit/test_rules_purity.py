"""rules/ is the policy, pure: it may import the standard library, `holidays` (bank-holiday
data) and itself, nothing else. The command-line entry point `rules/__main__.py` is the one
exception: it wires file loading from `casework.term_dates`, and nothing imports it."""

import ast
import sys
from pathlib import Path

import pytest

RULES = Path(__file__).resolve().parents[2] / "rules"
ALLOWED_THIRD_PARTY = {"holidays"}
ENTRY_POINT_EXTRA = {"casework"}
FORBIDDEN_CALLS = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("time", "time")}


def _modules() -> list[Path]:
    return sorted(RULES.rglob("*.py"))


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_rules_import_only_stdlib_holidays_and_itself(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | ALLOWED_THIRD_PARTY | {"rules"}
    if path.name == "__main__.py":
        allowed |= ENTRY_POINT_EXTRA
    foreign = _imported_roots(ast.parse(path.read_text(encoding="utf-8"))) - allowed
    assert not foreign, f"{path.name} imports {sorted(foreign)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_rules_read_no_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        (node.func.value.id, node.func.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    }
    assert not calls & FORBIDDEN_CALLS, f"{path.name} reads the clock: {calls & FORBIDDEN_CALLS}"


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    tree = ast.parse("import aiohttp\nfrom jinja2 import Template\nfrom . import calendar\n")
    assert _imported_roots(tree) == {"aiohttp", "jinja2"}


def test_no_rules_module_imports_sqlite_or_network() -> None:
    io_modules = {"sqlite3", "socket", "http", "urllib", "asyncio", "subprocess", "os"}
    for path in _modules():
        if path.name == "__main__.py":
            continue
        roots = _imported_roots(ast.parse(path.read_text(encoding="utf-8")))
        assert not roots & io_modules, (
            f"{path.name} imports I/O modules {sorted(roots & io_modules)}"
        )
