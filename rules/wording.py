"""How the rules write days and people in sentences, worded once for every message.

The refusals (`rules.errors`), the calendar's warnings and the prompts all say "Friday 18
December 2026" and "the Headteacher/Principal or the Chair of the Local Academy Committee"
the same way. This module imports only `rules.roles`, so that `rules.errors` (which every
other rules module imports) can word its messages without an import cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rules.roles import Role


def format_day(day: date) -> str:
    """A date as people in a UK school read it: "Friday 18 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


_ORDER = (Role.HEAD, Role.SENIOR, Role.STAFF, Role.CHAIR, Role.CLERK, Role.TRUST)
_WITH_ARTICLE = {
    Role.HEAD: "the Headteacher/Principal",
    Role.SENIOR: "a nominated senior member of staff",
    Role.STAFF: "a member of staff",
    Role.CHAIR: "the Chair of the Local Academy Committee",
    Role.CLERK: "the Clerk to the Local Academy Committee",
    Role.TRUST: "trust governance",
}


def titles(roles: Iterable[Role]) -> str:
    """ "the Headteacher/Principal or the Chair of the Local Academy Committee"."""
    ordered = [_WITH_ARTICLE[r] for r in _ORDER if r in set(roles)]
    if not ordered:
        return "nobody"
    if len(ordered) == 1:
        return ordered[0]
    return ", ".join(ordered[:-1]) + " or " + ordered[-1]


def recorded_as(roles: Iterable[Role]) -> str:
    held = [r.label for r in _ORDER if r in set(roles)]
    return ", ".join(held) if held else "no role at this school"
