"""Loopback stand-ins for what surrounds the bot in production, for every test tier:

- `LoopbackIdentityProvider`: the Bot Connector's OpenID metadata and signing keys, and
  tokens of every kind, valid or not.
- `LoopbackConnector`: the Bot Connector service the bot replies to; it records and
  schema-checks every call.
- `TeamsClient`: sends activities as Teams would, and reads and presses cards.
- `serve`: runs an aiohttp app on a random loopback port.
- `tests.harness.graph.GraphStandIn` (import it from its module: it loads the Graph
  OpenAPI subset): a stand-in for Microsoft Graph (docs/graph.md).
- `tests.harness.entra`: the loopback Entra ID, and an App Service identity endpoint.
"""

from tests.harness.connector import LoopbackConnector, Recorded
from tests.harness.idp import LoopbackIdentityProvider, TokenKind
from tests.harness.servers import serve
from tests.harness.teams import (
    BotResponse,
    CardProblem,
    SentCard,
    TeamsClient,
    TeamsUser,
)

__all__ = [
    "BotResponse",
    "CardProblem",
    "LoopbackConnector",
    "LoopbackIdentityProvider",
    "Recorded",
    "SentCard",
    "TeamsClient",
    "TeamsUser",
    "TokenKind",
    "serve",
]
