"""The turn builds no botbuilder connector, user-token client or adapter: replies go out
through `bot/connector.py` on the app's session (docs/security.md, "Outbound")."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
PER_TURN_CLIENTS = {
    "CloudAdapter",
    "BotFrameworkAdapter",
    "ConnectorClient",
    "UserTokenClient",
    "ConnectorFactory",
    "BotFrameworkAuthenticationFactory",
    "MicrosoftAppCredentials",
}


def test_no_module_in_bot_imports_botbuilders_per_turn_clients() -> None:
    found = []
    for module in sorted(BOT.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                found += [
                    f"{module.name}: {alias.name}"
                    for alias in node.names
                    if alias.name in PER_TURN_CLIENTS
                ]
    assert found == []
