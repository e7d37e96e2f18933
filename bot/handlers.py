"""The bot's first behaviour: welcome, help, the incident report card, and the routes
table that maps activities to it. Pure: no HTTP, no botbuilder."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.report_form import to_report
from bot.routing import (
    ADAPTIVE_CARD_ACTION,
    AnyCardAction,
    AnyMessage,
    AppInstalled,
    BotAdded,
    CardVerb,
    Handler,
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
from cards import incident_report, report_received, welcome
from cards.common import Choice
from cards.inputs import submitted_values
from casework import usecases
from casework.pipeline import Actor, Casework, UnknownUser
from casework.ports import StoreUnavailable
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
        view = report_view(services, user=inbound.user_aad_object_id)
        if not view.schools:
            raise UnknownUser(NOT_IN_DIRECTORY)
        return _card(incident_report.build(view))

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

    recording: tuple[Route, ...] = ()
    if services.casework is not None:
        submit = report_submitter(services, services.casework)
        recording = (Route(CardVerb(incident_report.VERB), submit, "submit report"),)
    return Router(
        (
            *recording,
            Route(AppInstalled(), welcome_card, "welcome"),
            Route(BotAdded(), installed_again, "bot added"),
            Route(TextCommand(("help", "hi", "hello", "menu", "?")), help_reply, "help"),
            Route(TextCommand(("report",)), report_card, "report"),
            Route(AnyCardAction(), unknown_verb, "unknown card action"),
            Route(AnyMessage(), unrecognised, "unrecognised text"),
        )
    )


NOT_IN_DIRECTORY = (
    "Safe Premises does not know you yet: your account is not in the trust's list of staff "
    "and governors for any school. Ask your headteacher or the trust's administrator to add you."
)

NOT_SAVED = (
    "Your report was NOT saved: the case records could not be reached just now. Nothing "
    "you typed is lost. Please press Submit report again in a minute."
)


def report_submitter(services: BotServices, casework: Casework) -> Handler:
    """The incident report's Submit: record it, or show the card again with the problem."""

    async def submit(inbound: Inbound) -> Reply:
        data = inbound.action_data
        command_id = str(data.get("commandId") or services.command_ids())
        user = inbound.user_aad_object_id
        if not schools_of(services, user):
            raise UnknownUser(NOT_IN_DIRECTORY)
        offered = report_view(services, user=user, command_id=command_id)

        def again(problems: tuple[str, ...]) -> Reply:
            view = report_view(
                services,
                user=user,
                command_id=command_id,
                values=submitted_values(data),
                problems=problems,
            )
            return Reply(invoke=InvokeReply.card(incident_report.build(view)))

        parsed = incident_report.parse(data, offered)
        if isinstance(parsed, incident_report.ValidationProblem):
            return again(parsed.problems)
        actor = Actor(inbound.user_aad_object_id, inbound.activity_id or None)
        person = casework.ports.directory.person(actor.object_id)
        if person is None:
            # The letters name the reporter; never print a stand-in name in one.
            raise UnknownUser(NOT_IN_DIRECTORY)
        report = to_report(
            parsed,
            submitted_values(data),
            reporter_name=person.name,
            now=casework.now(),
        )
        if isinstance(report, incident_report.ValidationProblem):
            return again(report.problems)
        try:
            outcome = await usecases.report_incident(
                casework,
                actor,
                command_id=report.command_id,
                school_id=report.school_id,
                person=report.person,
                incident=report.incident,
            )
        except StoreUnavailable:
            logger.warning("activity %s: report not saved, store unavailable", inbound.activity_id)
            return again((NOT_SAVED,))
        school = casework.school(outcome.school_id)
        logger.info("activity %s: report recorded as %s", inbound.activity_id, outcome.reference)
        received = report_received.ReportReceivedView(
            reference=outcome.reference,
            head_title=school.head_title.value,
            school_name=school.name,
            already_recorded=outcome.repeated,
            head_not_told_yet=any(f.effect == "notification" for f in outcome.effect_failures),
        )
        return Reply(invoke=InvokeReply.card(report_received.build(received)))

    return submit


def report_view(
    services: BotServices,
    *,
    user: str,
    command_id: str | None = None,
    values: Mapping[str, str] | None = None,
    problems: tuple[str, ...] = (),
) -> incident_report.IncidentReportView:
    return incident_report.IncidentReportView(
        command_id=command_id or services.command_ids(),
        schools=schools_of(services, user),
        relationships=tuple(Choice(r.value, r.label) for r in Relationship),
        channels=tuple(Choice(c.value, c.label) for c in Channel),
        behaviours=tuple(Choice(b.value, b.label) for b in Behaviour),
        affected=tuple(Choice(a.value, a.label) for a in AffectedGroup),
        values=dict(values or {}),
        problems=problems,
    )


def schools_of(services: BotServices, user: str) -> tuple[Choice, ...]:
    """The schools a reporter may report at: those the trust's directory lists them at.

    Without the application layer (tests of the first behaviour) every school is offered.
    """
    if services.casework is None:
        return tuple(services.schools)
    theirs = set(services.casework.ports.directory.schools_of(user))
    return tuple(school for school in services.schools if school.value in theirs)


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
