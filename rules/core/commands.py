"""The base of every command, and the registry that the steps' commands join.

Every command carries `command_id`, the card action's id: a command id already in the
case's history is never applied twice (`rules.decide.decide` returns no events for it).
`trigger()` is the step the command asks of the transition table (None for effect
bookkeeping, which every stage allows); `TRIGGERS` lists every step it can ask for.
Checks on the content (reasons, dates, at least two staff…) are made by the step's decide
function, so that building a command never fails and every refusal reaches the user in words.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rules.state import Trigger


class Command:
    command_id: str
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = ()
    # What the command did, in words, for the card that answers it ("Ban imposed, pending
    # the Chair's review: letter 4 is being drafted"). Every step's command sets its own.
    DONE: ClassVar[str]

    def trigger(self) -> Trigger | None:
        return self.TRIGGERS[0] if self.TRIGGERS else None


C = TypeVar("C", bound=Command)
_REGISTERED: list[type[Command]] = []


def command(cls: type[C]) -> type[C]:
    """Register a step's command type (applied above `@dataclass`)."""
    if cls in _REGISTERED:
        raise ValueError(f"command {cls.__name__} is registered twice")
    _REGISTERED.append(cls)
    return cls


def registered_commands() -> tuple[type[Command], ...]:
    """Every command type registered so far, in the policy's order (`policy_place`)."""
    return tuple(sorted(_REGISTERED, key=lambda cls: policy_place(cls.__module__)))


def policy_place(module: str) -> int:
    """Where a step module's section comes in the policy: the place, in `Trigger` (which
    follows the policy), of the first step its commands ask for. Modules whose commands ask
    for no step (letters, notifications) and the framework itself come after every section.
    The steps are loaded in the order of their file names; this puts them back in order."""
    order = list(Trigger)
    places = [order.index(t) for c in _REGISTERED if c.__module__ == module for t in c.TRIGGERS]
    return min(places, default=len(order))


def command_for(trigger: Trigger) -> type[Command]:
    """The command that asks for `trigger`."""
    return next(cls for cls in _REGISTERED if trigger in cls.TRIGGERS)
