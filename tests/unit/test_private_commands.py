"""Case commands answer only in a person's own chat: in a team channel or a group chat,
everyone in the conversation would read the answer (bot/flows/privacy.py)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.flows.failures import answer
from bot.flows.privacy import ONLY_IN_CHAT
from bot.routing import INVOKE_CARD, Inbound
from tests.builders import at
from tests.cardschema import assert_valid_card
from tests.case_paths import MONDAY, banned
from tests.casework_world import HEAD, fake_world
from tests.unit.test_step_actions import TENANT, bot_for, text_of

TYPED = ["report", "cases", "case OAK-2026-0001", "deadlines", "who is banned", "Banned?"]


def _in(conversation_type: str, text: str) -> Inbound:
    return Inbound.from_activity(
        {
            "type": "message",
            "id": "act-1",
            "text": text,
            "from": {"id": f"29:{HEAD.object_id}", "aadObjectId": HEAD.object_id},
            "recipient": {"id": "28:bot"},
            "conversation": {"id": "19:staff@thread.tacv2", "conversationType": conversation_type},
            "channelData": {"tenant": {"id": TENANT}},
        }
    )


@pytest.mark.parametrize("conversation_type", ["channel", "groupChat"])
@pytest.mark.parametrize("typed", TYPED)
async def test_a_case_command_in_a_shared_conversation_shows_no_case(
    conversation_type: str, typed: str
) -> None:
    world = fake_world(at(MONDAY, 9))
    await banned(world.casework, world.clock, name="Jordan Example")
    bot = bot_for(world)

    reply = await answer(bot.router, _in(conversation_type, typed))

    (message,) = reply.messages
    card: Any = message.card
    assert_valid_card(card)
    words = text_of(card)
    assert ONLY_IN_CHAT in words
    assert "OAK-2026-0001" not in str(card)
    assert "Jordan Example" not in str(card)


@pytest.mark.parametrize("typed", ["cases", "who is banned"])
async def test_the_same_command_in_ones_own_chat_is_answered(typed: str) -> None:
    world = fake_world(at(MONDAY, 9))
    await banned(world.casework, world.clock, name="Jordan Example")
    bot = bot_for(world)

    reply = await answer(bot.router, _in("personal", typed))

    assert ONLY_IN_CHAT not in text_of(reply.messages[-1].card or {})
    assert "Jordan Example" in str(reply.messages[-1].card)


async def test_help_is_answered_in_a_channel() -> None:
    bot = bot_for(fake_world(at(MONDAY, 9)))
    reply = await answer(bot.router, _in("channel", "help"))
    assert "What I can do" in text_of(reply.messages[-1].card or {})
    assert ONLY_IN_CHAT not in text_of(reply.messages[-1].card or {})


@pytest.mark.parametrize("conversation_type", ["channel", "groupChat"])
async def test_open_case_pressed_in_a_shared_conversation_posts_nothing_there(
    conversation_type: str,
) -> None:
    # The clerks' channel prompt's "Open case" button: the Case card answers the press
    # alone (shown to whoever pressed it), never as a message everyone there reads.
    world = fake_world(at(MONDAY, 9))
    await banned(world.casework, world.clock, name="Jordan Example")
    bot = bot_for(world)
    pressed = Inbound.from_activity(
        {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "id": "act-2",
            "value": {
                "action": {
                    "type": "Action.Execute",
                    "verb": "case.open",
                    "data": {"reference": "OAK-2026-0001"},
                }
            },
            "from": {"id": f"29:{HEAD.object_id}", "aadObjectId": HEAD.object_id},
            "recipient": {"id": "28:bot"},
            "conversation": {"id": "19:clerks@thread.tacv2", "conversationType": conversation_type},
            "channelData": {"tenant": {"id": TENANT}},
        }
    )

    reply = await answer(bot.router, pressed)

    assert reply.messages == ()
    assert reply.invoke is not None
    assert reply.invoke.type == INVOKE_CARD
    assert_valid_card(reply.invoke.value)
    assert "Jordan Example" in str(reply.invoke.value)  # to the head who pressed, alone
