"""Case commands answer only in a person's own chat with the bot.

A reply in a team channel or a group chat is read by everyone in it, and the people there
are not all entitled to a case (a governor of another school, a visitor to the team). So
`report`, `cases`, `case <reference>`, `history <reference>`, `deadlines` and `who is
banned` typed there get a card that says where to ask instead, and nothing about any case.
The card buttons on a
prompt posted to the clerks' channel still work: an Action.Execute answer is shown only to
the person who pressed it. `help` is answered anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.flows import case, deadlines, my_cases, reception, reporting
from bot.routing import SHARED_CONVERSATIONS, Inbound, Reply, Route, TextCommand
from bot.services import BotServices
from cards import error as error_card

SHARED = SHARED_CONVERSATIONS

ONLY_IN_CHAT = (
    "Cases are never shown here, because everyone in this conversation would see them. "
    "Open your own chat with Safe Premises (under Chat, or Apps in Teams) and type the "
    "same there."
)


@dataclass(frozen=True)
class InSharedConversation:
    """A case command typed in a channel or a group chat."""

    words: TextCommand
    phrases: reception.Phrase

    def matches(self, inbound: Inbound) -> bool:
        if inbound.conversation_type not in SHARED:
            return False
        return self.words.matches(inbound) or self.phrases.matches(inbound)


def routes(services: BotServices) -> tuple[Route, ...]:
    words = TextCommand(
        (*reporting.WORDS, *case.WORDS, *case.HISTORY_WORDS, *my_cases.WORDS, *deadlines.WORDS)
    )

    async def elsewhere(inbound: Inbound) -> Reply:
        return Reply.posting(
            error_card.build(error_card.ErrorView(ONLY_IN_CHAT, title="Ask me in your own chat"))
        )

    return (
        Route(
            InSharedConversation(words, reception.Phrase(reception.PHRASES)),
            elsewhere,
            "only in chat",
        ),
    )
