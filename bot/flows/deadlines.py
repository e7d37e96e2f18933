"""Deadlines (`deadlines`): what each of this person's roles must do, overdue first, then
soonest first, then what has no date. Read from the kept prompts (the projection): one
store query per school and role, whatever the number of cases."""

from __future__ import annotations

from bot.flows.actions import actor_of
from bot.routing import Inbound, Reply, Route, TextCommand
from bot.services import BotServices
from cards import deadlines as cards
from casework.queries import UserPrompt, prompts_for_user
from rules.wording import format_day

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
