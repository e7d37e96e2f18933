"""The bot's flows, one module each, and the one route list that joins them.

A flow is one part of the policy as the user meets it in Teams: its routes (which words
and card verbs it answers), how it builds its cards' views, and how a card's submit
becomes a call to the application layer. Each flow module has `routes(services)`;
`routes` below joins them, like bedevere joins its routers. Adding a flow is its module
here, its card module in `cards/`, and one line in `routes`.
"""

from __future__ import annotations

from bot.flows import (
    actions,
    breach,  # noqa: F401
    case,
    chair_decision,  # noqa: F401  (each step module registers its step with `actions`)
    choose_response,  # noqa: F401
    closing,  # noqa: F401
    complaints,  # noqa: F401
    deadlines,
    disclosure,  # noqa: F401
    fallback,
    further_incident,  # noqa: F401
    informal_meeting,  # noqa: F401
    letter_drafted,  # noqa: F401
    letter_redate,  # noqa: F401
    letter_sent,  # noqa: F401
    letter_withdraw,  # noqa: F401
    my_cases,
    new_incident,  # noqa: F401
    onboarding,
    period_end,  # noqa: F401
    person_details,  # noqa: F401
    privacy,
    progress_meeting,  # noqa: F401
    reception,
    removal,  # noqa: F401
    reply_window,  # noqa: F401
    reporting,
    representation,  # noqa: F401
    review_date,  # noqa: F401
    review_outcome,  # noqa: F401
    review_statement,  # noqa: F401
    risk_assessment,  # noqa: F401
    social_media,  # noqa: F401
    statement,  # noqa: F401
)
from bot.routing import Route, Router
from bot.services import BotServices


def routes(services: BotServices) -> tuple[Route, ...]:
    """Every route the bot knows, first match wins."""
    return (
        # First: a case command in a channel or group chat is answered only in one's chat.
        *privacy.routes(services),
        *onboarding.routes(services),
        *reporting.routes(services),
        *case.routes(services),
        *my_cases.routes(services),
        *deadlines.routes(services),
        *reception.routes(services),
        *actions.routes(services, case.case_card),
        # New flows go above this line, one each. The catch-alls come last, because the
        # first match wins: a card verb no flow handles, then text no flow recognised.
        *fallback.routes(services),
        *onboarding.catch_alls(services),
    )


def default_router(services: BotServices) -> Router:
    return Router(routes(services))
