"""The people and ids the tests use (all invented)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.outbound import OutboundTokenError
from tests.harness.teams import TeamsUser

APP_ID = "00000000-0000-4000-8000-00000000b07a"  # the bot's app id in authenticated tests
TRUST_TENANT = "7a3e0c55-1b2d-4e6f-8a9b-0c1d2e3f4a5b"
FOREIGN_TENANT = "f0f0f0f0-1111-4222-8333-444455556666"
OUTBOUND_TOKEN = "loopback-outbound-token"  # what the bot presents to the connector

STAFF = TeamsUser("b1000000-0000-4000-8000-000000000001", "Sam Teacher", TRUST_TENANT)
HEAD = TeamsUser("b1000000-0000-4000-8000-000000000002", "Pat Head", TRUST_TENANT)
OUTSIDER = TeamsUser("c9000000-0000-4000-8000-000000000009", "Alex Elsewhere", FOREIGN_TENANT)


class StaticOutboundTokens:
    """`bot.outbound.OutboundTokens` handing out one fixed token, and counting requests.

    Set `failing` to make it fail as msal does when Entra ID cannot be reached."""

    def __init__(self, token: str = OUTBOUND_TOKEN) -> None:
        self._token = token
        self.requests = 0
        self.failing = False

    async def token(self) -> str:
        self.requests += 1
        if self.failing:
            raise OutboundTokenError("no token for the Bot Connector: ConnectionError")
        return self._token


async def ready() -> Sequence[str]:
    return ()
