"""My cases (`cases`): each of this person's roles' open cases, at each school where they
hold one, read from the Cases list (the projection): one store query per school, whatever
the number of cases. A member of staff sees their own reports' reference and stage only."""

from __future__ import annotations

from bot.flows.actions import actor_of
from bot.routing import Inbound, Reply, Route, TextCommand
from bot.services import BotServices
from cards import my_cases as cards
from casework.ports import CaseSummary
from casework.queries import PAGE, cases_at
from rules.roles import Role
from rules.state import CaseState
from rules.wording import format_day

WORDS = ("cases", "mycases")
_EVERY_CASE = frozenset({Role.HEAD, Role.SENIOR})


def routes(services: BotServices) -> tuple[Route, ...]:
    cw = services.casework
    if cw is None:
        return ()

    async def listed(inbound: Inbound) -> Reply:
        actor = actor_of(cw, inbound)
        groups = []
        for school_id in cw.ports.directory.schools_of(actor.object_id):
            roles = cw.roles_at(actor, school_id)
            if not roles:
                continue
            # One more than a page, to know whether there are more.
            page = await cases_at(cw, school_id, actor, limit=PAGE + 1)
            open_cases = [s for s in page[:PAGE] if s.status != CaseState.CLOSED.value]
            held = ", ".join(r.label for r in sorted(roles))
            groups.append(
                cards.CaseGroup(
                    title=f"{cw.school(school_id).name}, as {held}",
                    cases=tuple(_line(s, roles) for s in open_cases),
                    more=len(page) > PAGE,
                )
            )
        return Reply.posting(cards.build(cards.MyCasesView(tuple(groups))))

    return (Route(TextCommand(WORDS), listed, "my cases"),)


def _line(summary: CaseSummary, roles: frozenset[Role]) -> cards.CaseLine:
    status = CaseState(summary.status).label
    if not (roles & _EVERY_CASE or roles & summary.seen_by):
        # Their own report: its stage, nothing about the case.
        return cards.CaseLine(summary.reference, status)
    return cards.CaseLine(
        reference=summary.reference,
        status=status,
        person_name=summary.person_name,
        next_action=summary.next_action or "",
        next_deadline=format_day(summary.next_deadline) if summary.next_deadline else "",
    )
