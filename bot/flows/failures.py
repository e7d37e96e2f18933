"""How any flow's failure reaches the user: `answer` dispatches an activity and turns a
refusal into a card showing its title, message and facts, and anything else into
"nothing was changed" with a reference to quote."""

from __future__ import annotations

import logging

from bot.routing import ADAPTIVE_CARD_ACTION, Inbound, InvokeReply, OutgoingMessage, Reply, Router
from cards import error as error_card
from cards.common import Fact
from casework.ports import DirectoryUnavailable
from rules.errors import Refusal

logger = logging.getLogger(__name__)

UNEXPECTED_ERROR = (
    "Something went wrong on our side and nothing was changed. Please try again in a few minutes."
)
DIRECTORY_UNAVAILABLE = (
    "Safe Premises cannot check your role just now: the trust's directory has not been read "
    "recently, so nothing was changed. Please try again in a few minutes."
)


async def answer(router: Router, inbound: Inbound) -> Reply:
    """Dispatch, turning any failure into a card the user understands.

    A refusal carries a message written for the user; anything else is logged with the
    activity id (never the activity's content) and the user is told nothing changed.
    """
    try:
        reply = await router.dispatch(inbound)
    except Refusal as refusal:
        logger.info("activity %s refused: %s", inbound.log_id, type(refusal).__name__)
        return refused(inbound, refusal)
    except DirectoryUnavailable:
        # The directory from Entra ID is past its expiry: no role is granted (fail closed).
        logger.warning("activity %s: not handled, the directory is unavailable", inbound.log_id)
        view = error_card.ErrorView(message=DIRECTORY_UNAVAILABLE, reference=inbound.log_id)
        return _failure(inbound, view, 503, "ServiceUnavailable")
    except Exception:
        logger.exception("activity %s: handler failed", inbound.log_id)
        return _failure(inbound, _unexpected(inbound), 500, "InternalServerError")
    if inbound.type == "invoke" and inbound.name == ADAPTIVE_CARD_ACTION and not reply.invoke:
        logger.error("activity %s: invoke handler gave no response", inbound.log_id)
        return _failure(inbound, _unexpected(inbound), 500, "InternalServerError")
    return reply


def refused(inbound: Inbound, refusal: Refusal) -> Reply:
    """A refusal as a card: its title as the heading, its message, then its facts (who,
    when, which step) as a FactSet, and the activity id to quote."""
    view = error_card.ErrorView(
        title=refusal.title,
        message=refusal.message,
        facts=tuple(Fact(fact.label, fact.value) for fact in refusal.facts),
        reference=inbound.log_id,
    )
    return _failure(inbound, view, 400, "BadRequest")


def _unexpected(inbound: Inbound) -> error_card.ErrorView:
    return error_card.ErrorView(message=UNEXPECTED_ERROR, reference=inbound.log_id)


def _failure(inbound: Inbound, view: error_card.ErrorView, status: int, code: str) -> Reply:
    messages = (OutgoingMessage(card=error_card.build(view)),)
    if inbound.type == "invoke":
        # The error response keeps the card (and what the user typed) in place; the
        # error card in the chat says what happened in words.
        return Reply(messages=messages, invoke=InvokeReply.error(status, code, view.message))
    return Reply(messages=messages)
