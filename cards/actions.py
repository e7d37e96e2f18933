"""The buttons of the step decisions (Action.Execute) and the cards that answer them.

Every button that acts on a case carries, besides its step's own data:
- `caseId`: the case it acts on;
- `version`: the case's last sequence number when the card was built, so that a card the
  case has moved on from is answered with the current Case card instead of acting;
- `commandId`: the id the casework command is recorded under, so that a retried or
  double-pressed button acts once.

A card that shows someone's actions carries `refresh.userIds` ("8:orgid:<Entra object id>"
of the people whose actions they are): Teams asks the bot (verb `case.refresh`) for each
of them to see their own card, and everyone else sees the card as posted, read-only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards.common import COMMAND_ID_KEY, Card, Element, card, execute, heading, paragraph

# The verbs the framework answers (bot/flows/actions.py, bot/flows/case.py).
OPEN_CASE = "case.open"  # data {"reference": "OAK-2026-0001"}: the Case card
REFRESH_CASE = "case.refresh"  # the refresh verb: the Case card as this person may act on it
OPEN_STEP = "step.open"  # data {"caseId", "version", "step"}: the card for one step

REFERENCE_KEY = "reference"
CASE_ID_KEY = "caseId"
VERSION_KEY = "version"
STEP_KEY = "step"

# Teams runs an automatic refresh for at most this many users of one card.
MAX_REFRESH_USERS = 60


def teams_user_id(object_id: str) -> str:
    """The id `refresh.userIds` takes for a person: their Entra object id, as Teams says it."""
    return f"8:orgid:{object_id}"


@dataclass(frozen=True)
class Button:
    """An Action.Execute on a case, as a view: its title, verb and data (without the ids the
    framework adds, see `step_data`)."""

    title: str
    verb: str
    data: Mapping[str, Any] = field(default_factory=dict)
    style: str = ""  # "positive" or "destructive" (Adaptive Card action styles)

    def element(self) -> Element:
        return execute(self.title, self.verb, dict(self.data), style=self.style)


def step_data(case_id: str, version: int, command_id: str, **more: Any) -> dict[str, Any]:
    """What every button acting on a case carries (see the module's docstring)."""
    return {CASE_ID_KEY: case_id, VERSION_KEY: version, COMMAND_ID_KEY: command_id, **more}


def open_case(reference: str, title: str = "Open the case") -> Button:
    """The button other cards put on to open a case (the `case.open` convention)."""
    return Button(title, OPEN_CASE, {REFERENCE_KEY: reference})


def open_step(title: str, step: str, case_id: str, version: int, *, style: str = "") -> Button:
    return Button(
        title, OPEN_STEP, {CASE_ID_KEY: case_id, VERSION_KEY: version, STEP_KEY: step}, style
    )


def refresh(case_id: str, object_ids: Iterable[str]) -> dict[str, Any]:
    """The card's `refresh`: the Case card's refresh verb, run for these people."""
    users = list(dict.fromkeys(teams_user_id(oid) for oid in object_ids))[:MAX_REFRESH_USERS]
    return {
        "action": {
            "type": "Action.Execute",
            "title": "Refresh",
            "verb": REFRESH_CASE,
            "data": {CASE_ID_KEY: case_id},
        },
        "userIds": users,
    }


def with_refresh(built: Card, refreshing: Mapping[str, Any] | None) -> Card:
    """`built` with its `refresh` set (unchanged for None, or no one to refresh for)."""
    if refreshing is None or not refreshing.get("userIds"):
        return built
    return {**built, "refresh": dict(refreshing)}


@dataclass(frozen=True)
class OutcomeView:
    """What a step did, for the card that replaces the step's card once it is pressed."""

    title: str  # "Decision recorded"
    done: str  # the command's DONE: what was done, in words
    reference: str
    status: str  # the case's stage now, in words
    repeated: bool = False  # the same button (command id) had been pressed before
    next_steps: Sequence[str] = ()  # who does what next, one line each


def outcome(view: OutcomeView) -> Card:
    body: list[Element] = [heading(view.title)]
    if view.repeated:
        body.append(
            paragraph(f"This was already recorded on case {view.reference}; nothing new was added.")
        )
    body += [
        paragraph(f"{view.done}."),
        paragraph(f"Case **{view.reference}**: {view.status}."),
    ]
    if view.next_steps:
        body.append(paragraph("Next: " + " ".join(view.next_steps), subtle=True))
    return card(
        body,
        [open_case(view.reference).element()],
        fallback=f"{view.done}. Case {view.reference}: {view.status}.",
    )
