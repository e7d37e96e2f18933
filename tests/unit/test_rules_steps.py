"""The policy's steps, one module each in rules/steps/, are all registered whichever rules
module is imported first, and the framework (rules/core/) knows none of them."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import rules.steps
from rules.commands import COMMAND_TYPES
from rules.events import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
# The public modules that import every step, so that whoever imports them finds all of them.
PUBLIC = ("rules.commands", "rules.events", "rules.case", "rules.decide", "rules.permissions")
STEP_MODULES = [m.name for m in pkgutil.iter_modules(rules.steps.__path__, "rules.steps.")]

COMPLETE = f"""
import {{first}}
from rules.case import folded_event_types
from rules.commands import COMMAND_TYPES
from rules.decide import handled_commands
from rules.events import EVENT_KINDS, EVENT_TYPES
from rules.permissions import PERMISSIONS
assert len(COMMAND_TYPES) == {len(COMMAND_TYPES)}, len(COMMAND_TYPES)
assert set(PERMISSIONS) == set(COMMAND_TYPES) == handled_commands()
assert len(EVENT_TYPES) == len(EVENT_KINDS) == {len(EVENT_TYPES)}, len(EVENT_TYPES)
assert folded_event_types() == set(EVENT_TYPES)
"""


@pytest.mark.parametrize("first", [*PUBLIC, "rules.prompts", "rules.sweep", STEP_MODULES[0]])
def test_every_step_is_registered_whichever_module_is_imported_first(first: str) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", COMPLETE.format(first=first)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in RULES.rglob("*.py")
        if ".".join(p.relative_to(ROOT).with_suffix("").parts) not in PUBLIC
    ),
    ids=lambda p: str(p.relative_to(RULES)),
)
def test_only_callers_outside_the_rules_import_the_public_modules(path: Path) -> None:
    # A step (or anything a step imports) importing a public module would read its
    # registries before every step had registered.
    assert not _imports(path) & set(PUBLIC)


@pytest.mark.parametrize("path", sorted((RULES / "core").glob("*.py")), ids=lambda p: p.name)
def test_the_framework_knows_no_step(path: Path) -> None:
    assert not any(name.startswith("rules.steps") for name in _imports(path))


@pytest.mark.parametrize("name", STEP_MODULES)
def test_each_step_module_registers_a_command_or_an_event(name: str) -> None:
    module = importlib.import_module(name)
    defined = {
        value for value in vars(module).values() if getattr(value, "__module__", None) == name
    }
    assert defined & (set(COMMAND_TYPES) | set(EVENT_TYPES)), f"{name} registers nothing"
