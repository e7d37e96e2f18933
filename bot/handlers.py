"""The bot's first behaviour: welcome, help, the incident report card, and the routes
table that maps activities to it. Pure: no HTTP, no botbuilder."""

from __future__ import annotations

import logging

from bot.routing import (
    ADAPTIVE_CARD_ACTION,
    AnyCardAction,
    AnyMessage,
    AppInstalled,
    BotAdded,
    Inbound,
    InvokeReply,
    OutgoingMessage,
    Reply,
    Route,
    Router,
    TextCommand,
)
from bot.services import BotServices
from cards import error as error_card
from cards import help as help_card
from cards import incident_report, welcome
from cards.common import Choice
from rules.behaviours import AffectedGroup, Behaviour, Channel, Relationship
from rules.errors import Refusal

logger = logging.getLogger(__name__)

UNEXPECTED_ERROR = (
    "Something went wrong on our side and nothing was changed. Please try again in a few minutes."
)


def default_router(services: BotServices) -> Router:
    """Every route the bot knows, first match wins."""

    async def welcome_card(inbound: Inbound) -> Reply:
        return _card(welcome.build(welcome.WelcomeView(trust_name=services.trust_name)))

    async def help_reply(inbound: Inbound) -> Reply:
        return _card(help_card.build(help_card.HelpView()))

    async def unrecognised(inbound: Inbound) -> Reply:
        return _card(help_card.build(help_card.HelpView(unrecognised=True)))

    async def report_card(inbound: Inbound) -> Reply:
        return _card(incident_report.build(report_view(services)))

    async def installed_again(inbound: Inbound) -> Reply:
        # Teams sends installationUpdate (welcomed above) and conversationUpdate for the
        # same install: answering both would welcome twice.
        return Reply()

    async def unknown_verb(inbound: Inbound) -> Reply:
        logger.info("activity %s: card action %r has no handler", inbound.activity_id, inbound.verb)
        return Reply(
            invoke=InvokeReply.error(
                400,
                "BadRequest",
                "This button is not available any more. Type help to see what you can do.",
            )
        )

    return Router(
        (
            Route(AppInstalled(), welcome_card, "welcome"),
            Route(BotAdded(), installed_again, "bot added"),
            Route(TextCommand(("help", "hi", "hello", "menu", "?")), help_reply, "help"),
            Route(TextCommand(("report",)), report_card, "report"),
            Route(AnyCardAction(), unknown_verb, "unknown card action"),
            Route(AnyMessage(), unrecognised, "unrecognised text"),
        )
    )


def report_view(services: BotServices) -> incident_report.IncidentReportView:
    return incident_report.IncidentReportView(
        command_id=services.command_ids(),
        schools=tuple(services.schools),
        relationships=tuple(Choice(r.value, r.label) for r in Relationship),
        channels=tuple(Choice(c.value, c.label) for c in Channel),
        behaviours=tuple(Choice(b.value, b.label) for b in Behaviour),
        affected=tuple(Choice(a.value, a.label) for a in AffectedGroup),
    )


async def answer(router: Router, inbound: Inbound) -> Reply:
    """Dispatch, turning any failure into a card the user understands.

    A refusal carries a message written for the user; anything else is logged with the
    activity id (never the activity's content) and the user is told nothing changed.
    """
    try:
        reply = await router.dispatch(inbound)
    except Refusal as refusal:
        logger.info("activity %s refused: %s", inbound.activity_id, type(refusal).__name__)
        return _failure(inbound, refusal.message, 400, "BadRequest")
    except Exception:
        logger.exception("activity %s: handler failed", inbound.activity_id)
        return _failure(inbound, UNEXPECTED_ERROR, 500, "InternalServerError")
    if inbound.type == "invoke" and inbound.name == ADAPTIVE_CARD_ACTION and not reply.invoke:
        logger.error("activity %s: invoke handler gave no response", inbound.activity_id)
        return _failure(inbound, UNEXPECTED_ERROR, 500, "InternalServerError")
    return reply


def _failure(inbound: Inbound, message: str, status: int, code: str) -> Reply:
    shown = error_card.build(error_card.ErrorView(message=message, reference=inbound.activity_id))
    messages = (OutgoingMessage(card=shown),)
    if inbound.type == "invoke":
        # The error response keeps the card (and what the user typed) in place; the
        # error card in the chat says what happened in words.
        return Reply(messages=messages, invoke=InvokeReply.error(status, code, message))
    return Reply(messages=messages)


def _card(card: dict[str, object]) -> Reply:
    return Reply(messages=(OutgoingMessage(card=card),))
