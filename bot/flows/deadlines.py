"""Deadlines (`deadlines`): what each of this person's roles must do, overdue first, then
soonest first, then what has no date. Read from the kept prompts (the projection): one
store query per school and role, whatever the number of cases.

For a head, also everyone at their school whom a prompt is sent to and who cannot be
reached in Teams (`casework.queries.unreachable_role_holders`: no stored conversation, so
the app is not installed), and the clerks' channel when the app has not been added to it:
never silently skipped."""

from __future__ import annotations

from bot.flows.actions import actor_of
from bot.routing import Inbound, Reply, Route, TextCommand
from bot.services import BotServices
from cards import deadlines as cards
from casework.pipeline import Actor, Casework
from casework.queries import UserPrompt, prompts_for_user, unreachable_role_holders
from rules.roles import Role
from rules.wording import format_day

# The roles prompts are sent to (a member of staff only as the reporter, from Teams).
PROMPTED_ROLES = (Role.HEAD, Role.SENIOR, Role.CHAIR, Role.CLERK, Role.TRUST)

WORDS = ("deadlines", "deadline", "due")


def routes(services: BotServices) -> tuple[Route, ...]:
    cw = services.casework
    if cw is None:
        return ()

    async def listed(inbound: Inbound) -> Reply:
        actor = actor_of(cw, inbound)
        found = await prompts_for_user(cw, actor, cw.today())
        lines = [_line(p) for p in found]
        view = cards.DeadlinesView(
            overdue=tuple(x for x in lines if x.overdue),
            due=tuple(x for x in lines if x.due and not x.overdue),
            undated=tuple(x for x in lines if not x.due),
            unreachable=await unreachable_at_heads_schools(cw, actor),
        )
        return Reply.posting(cards.build(view))

    return (Route(TextCommand(WORDS), listed, "deadlines"),)


def _line(found: UserPrompt) -> cards.DeadlineLine:
    prompt = found.prompt
    deadline = prompt.deadline
    return cards.DeadlineLine(
        text=prompt.text,
        role=prompt.role.label,
        reference=found.reference or "",
        due=format_day(deadline.due) if deadline else "",
        overdue=prompt.overdue,
        warning=(deadline.warning or "") if deadline else "",
    )


async def unreachable_at_heads_schools(cw: Casework, actor: Actor) -> tuple[str, ...]:
    """ "Name, role (school)" for each prompted role holder at the schools where `actor` is
    the head who cannot be reached in Teams, and each clerks' channel without the app."""
    found: list[str] = []
    for school_id in cw.ports.directory.schools_of(actor.object_id):
        if Role.HEAD not in cw.roles_at(actor, school_id):
            continue
        school = cw.school(school_id)
        for role, person in await unreachable_role_holders(cw, school_id, PROMPTED_ROLES):
            found.append(f"{person.name}, {role.label} ({school.name})")
        channel = school.clerks_channel
        conversations = cw.ports.conversations
        if channel is not None and conversations is not None:
            if channel.channel_id:
                known = await conversations.reference(f"channel:{channel.channel_id}")
            else:
                known = await conversations.reference_by_channel_name(channel.name)
            if known is None:
                found.append(
                    f"The clerks' channel “{channel.name}” ({school.name}): the app has not "
                    "been added to it"
                )
    return tuple(found)
