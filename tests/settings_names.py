"""The names of the environment settings the product reads, found in its code, so that a
document or a template naming a setting the code never reads fails a test."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The modules that read the environment: the bot's settings and the package builder.
READERS = ("bot/settings.py", "bot/__main__.py", "teamsapp/package.py", "teamsapp/__main__.py")
_READ = re.compile(r"""\b(?:get|environ\.get)\(\s*["']([A-Za-z][A-Za-z0-9_]*)["']""")


@cache
def settings_the_app_reads() -> frozenset[str]:
    names: set[str] = set()
    for module in READERS:
        names.update(_READ.findall((REPO_ROOT / module).read_text(encoding="utf-8")))
    return frozenset(names)
