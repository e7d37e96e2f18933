"""Onboarding: the welcome when the app is installed, help, and help again for text the
bot does not recognise."""

from __future__ import annotations

from bot.routing import AnyMessage, AppInstalled, BotAdded, Inbound, Reply, Route, TextCommand
from bot.services import BotServices
from cards import help as help_card
from cards import welcome

HELP_WORDS = ("help", "hi", "hello", "menu", "?")


def routes(services: BotServices) -> tuple[Route, ...]:
    async def welcome_card(inbound: Inbound) -> Reply:
        return Reply.posting(welcome.build(welcome.WelcomeView(trust_name=services.trust_name)))

    async def installed_again(inbound: Inbound) -> Reply:
        # Teams sends installationUpdate (welcomed above) and conversationUpdate for the
        # same install: answering both would welcome twice.
        return Reply()

    async def help_reply(inbound: Inbound) -> Reply:
        return Reply.posting(help_card.build(help_card.HelpView()))

    return (
        Route(AppInstalled(), welcome_card, "welcome"),
        Route(BotAdded(), installed_again, "bot added"),
        Route(TextCommand(HELP_WORDS), help_reply, "help"),
    )


def catch_alls(services: BotServices) -> tuple[Route, ...]:
    """Any message no flow recognised gets help, saying so; it must be the last route."""

    async def unrecognised(inbound: Inbound) -> Reply:
        return Reply.posting(help_card.build(help_card.HelpView(unrecognised=True)))

    return (Route(AnyMessage(), unrecognised, "unrecognised text"),)
