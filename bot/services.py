"""What the app needs from the rest of the product, wired by `bot/__main__.py` (or a test)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from uuid import uuid4

import aiohttp

from bot.outbound import OutboundTokens
from cards.common import Choice
from casework.pipeline import Casework

Readiness = Callable[[], Awaitable[Sequence[str]]]
"""Returns why the app is not ready to serve (empty when it is): configuration, store."""

OpenCasework = Callable[[aiohttp.ClientSession], AbstractAsyncContextManager[Casework]]
"""Opens the application layer's adapters for the app's lifetime, on the app's one HTTP
session (`casework.bootstrap.embedded`, bound to its configuration and data folder)."""


def new_command_id() -> str:
    return str(uuid4())


async def always_ready() -> Sequence[str]:
    return ()


@dataclass(frozen=True)
class BotServices:
    tenant_id: str  # the trust's Entra tenant: activities from any other tenant are refused
    readiness: Readiness = always_ready
    trust_name: str = "your trust"
    schools: Sequence[Choice] = ()  # (school id, school name) for the report card
    # Tokens for replies to the Bot Connector; None: msal with the app's credentials.
    outbound_tokens: OutboundTokens | None = None
    command_ids: Callable[[], str] = field(default=new_command_id)
    # The application layer; None: card actions that record something are not offered.
    # Either given ready-made (tests on fakes), or opened by the app at start with
    # `open_casework`, which the app then sets here for the routes.
    casework: Casework | None = None
    open_casework: OpenCasework | None = None
    # How often the app runs the sweeper (steps nobody clicks for, effects left undone);
    # None: never (tests that drive the sweeper themselves).
    sweep_every_s: float | None = None
