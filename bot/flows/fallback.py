"""The fallback for a card button whose verb no flow handles (a card from an older
version of the bot, or a verb not built yet). It goes after every flow's routes."""

from __future__ import annotations

import logging

from bot.routing import AnyCardAction, Inbound, InvokeReply, Reply, Route, loggable
from bot.services import BotServices

logger = logging.getLogger(__name__)

NOT_AVAILABLE = "This button is not available any more. Type help to see what you can do."


def routes(services: BotServices) -> tuple[Route, ...]:
    async def unknown_verb(inbound: Inbound) -> Reply:
        logger.info(
            "activity %s: card action %s has no handler", inbound.log_id, loggable(inbound.verb)
        )
        return Reply(invoke=InvokeReply.error(400, "BadRequest", NOT_AVAILABLE))

    return (Route(AnyCardAction(), unknown_verb, "unknown card action"),)
