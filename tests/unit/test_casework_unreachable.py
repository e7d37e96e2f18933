"""Role holders who cannot be reached in Teams: no stored conversation (the app not
installed), so the head's deadlines card can say so instead of skipping them silently."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from casework.bootstrap import wire
from casework.ports import ConversationReference
from casework.queries import unreachable_role_holders
from rules.roles import Role
from tests.casework_world import HEAD, example_config, example_templates, fake_world
from tests.fakes import InMemoryConversations

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


async def test_role_holders_without_a_conversation_are_listed_as_unreachable() -> None:
    world = fake_world(AT)
    conversations = InMemoryConversations()
    casework = wire(
        replace(world.casework.ports, conversations=conversations),
        example_config(),
        example_templates(),
    )
    roles = (Role.HEAD, Role.SENIOR, Role.CHAIR)
    before = await unreachable_role_holders(casework, "oakfield", roles)
    assert next((role, person.object_id) for role, person in before) == (Role.HEAD, HEAD.object_id)
    assert {role for role, _ in before} == set(roles)

    await conversations.remember(
        ConversationReference(
            address=f"user:{HEAD.object_id}",
            service_url="https://smba.trafficmanager.net/uk/",
            conversation_id="a:1",
            tenant_id="t",
            bot_id="28:bot",
            updated_at=AT,
        )
    )
    after = await unreachable_role_holders(casework, "oakfield", roles)
    assert HEAD.object_id not in {person.object_id for _, person in after}
    assert {role for role, _ in after} == {Role.SENIOR, Role.CHAIR}
