"""Onboarding: the welcome when the app is installed, help, and help again for text the
bot does not recognise."""

from __future__ import annotations

from bot.routing import AnyMessage, AppInstalled, BotAdded, Inbound, Reply, Route, TextCommand
from bot.services import BotServices
from cards import help as help_card
from cards import welcome
from casework.actor import Actor
from casework.queries import reception_schools
from rules.roles import Role

HELP_WORDS = ("help", "hi", "hello", "menu", "?")


def routes(services: BotServices) -> tuple[Route, ...]:
    async def welcome_card(inbound: Inbound) -> Reply:
        return Reply.posting(welcome.build(welcome.WelcomeView(trust_name=services.trust_name)))

    async def installed_again(inbound: Inbound) -> Reply:
        # Teams sends installationUpdate (welcomed above) and conversationUpdate for the
        # same install: answering both would welcome twice.
        return Reply()

    async def help_reply(inbound: Inbound) -> Reply:
        return Reply.posting(help_card.build(help_view(services, inbound)))

    return (
        Route(AppInstalled(), welcome_card, "welcome"),
        Route(BotAdded(), installed_again, "bot added"),
        Route(TextCommand(HELP_WORDS), help_reply, "help"),
    )


def catch_alls(services: BotServices) -> tuple[Route, ...]:
    """Any message no flow recognised gets help, saying so; it must be the last route."""

    async def unrecognised(inbound: Inbound) -> Reply:
        return Reply.posting(help_card.build(help_view(services, inbound, unrecognised=True)))

    return (Route(AnyMessage(), unrecognised, "unrecognised text"),)


def help_view(
    services: BotServices, inbound: Inbound, *, unrecognised: bool = False
) -> help_card.HelpView:
    """Help for this person: only what their roles let them do now. Without the application
    layer (no directory to ask), the help for every role."""
    cw = services.casework
    if cw is None:
        return help_card.HelpView(unrecognised=unrecognised)
    actor = Actor(inbound.user_aad_object_id)
    directory = cw.ports.directory
    schools = [s for s in directory.schools_of(actor.object_id) if cw.roles_at(actor, s)]
    if not schools:
        return help_card.HelpView(unrecognised, help_card.PersonalHelp(unknown=True))
    roles = frozenset(r for s in schools for r in cw.roles_at(actor, s))
    commands = [
        help_card.Command(
            "report",
            "report an incident of aggressive or abusive behaviour by a parent, carer or "
            "visitor. I send you a form to fill in.",
            "Report an incident",
        ),
        help_card.Command(
            "cases",
            "the open cases you deal with"
            + ("" if roles - {Role.STAFF} else ": the incidents you reported, and their stage")
            + ".",
            "My cases",
        ),
        help_card.Command(
            "case OAK-2026-0001",
            "open one case by its reference"
            + (
                ""
                if roles - {Role.STAFF}
                else "; on your own report you can add a statement or report a further "
                "incident by the same person"
            )
            + ".",
        ),
    ]
    if roles - {Role.STAFF}:
        commands.append(
            help_card.Command("deadlines", "what is waiting for you, overdue first.", "Deadlines")
        )
    if reception_schools(cw, actor):
        commands.append(
            help_card.Command(
                "who is banned",
                "the people banned from your school or under conditions there, and what "
                "to do if one of them arrives.",
                "Who is banned",
            )
        )
    commands.append(help_card.Command("help", "this list."))
    return help_card.HelpView(
        unrecognised, help_card.PersonalHelp(tuple(commands), _role_help(roles))
    )


def _role_help(roles: frozenset[Role]) -> tuple[str, ...]:
    said: list[str] = []
    if roles & {Role.HEAD, Role.SENIOR}:
        said.append(
            "As the Headteacher/Principal or nominated senior staff you see every case at "
            "your school: its card shows the next steps, who owns each, the letters and "
            "everything that has happened."
        )
    if Role.CHAIR in roles:
        said.append(
            "As Chair of the Local Academy Committee: when conditions or a ban are with you "
            "to decide, open the case and press **Confirm or overturn**."
        )
    if Role.CLERK in roles:
        said.append(
            "As Clerk to the Local Academy Committee you see the cases with a committee "
            "review to arrange, and **deadlines** shows when each is due. On the case's "
            "card you set the meeting's date and record the statement and the decision."
        )
    return tuple(said)
