"""Reception's list (`who is banned`): for the staff of a school, the people currently
banned from its premises or under conditions there, what each must not do, and what to do
if one of them arrives; nothing else about any case. Read from the derived list that the
projection keeps (one store query per school)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.flows.actions import actor_of
from bot.routing import Inbound, Reply, Route
from bot.services import BotServices
from cards import reception as cards
from cards.common import COMMAND_KEY
from casework.queries import PAGE, reception_list, reception_schools
from rules.errors import NotPermitted
from rules.wording import format_day

PHRASES = frozenset({"who is banned", "whos banned", "who's banned", "banned"})
NOT_STAFF = (
    "The list of people banned or under conditions is for the staff of a school, and you "
    "are not recorded as staff at any school. Ask your headteacher if you need it."
)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Phrase:
    """A typed message that is one of `phrases` (case, spacing and a final ? ignored)."""

    phrases: frozenset[str]

    def matches(self, inbound: Inbound) -> bool:
        if inbound.type != "message":
            return False
        typed = inbound.text
        if not typed and isinstance(inbound.value, dict):
            # A help card's button stands for the typed words (`cards.common.say_button`).
            command = inbound.value.get(COMMAND_KEY)
            typed = command if isinstance(command, str) else ""
        said = _SPACES.sub(" ", typed[:40].lower()).strip().rstrip("?!. ")
        return said in self.phrases


def routes(services: BotServices) -> tuple[Route, ...]:
    cw = services.casework
    if cw is None:
        return ()

    async def listed(inbound: Inbound) -> Reply:
        actor = actor_of(cw, inbound)
        schools = reception_schools(cw, actor)
        if not schools:
            raise NotPermitted(NOT_STAFF)
        today = cw.today()
        shown = []
        for school_id in schools:
            school = cw.school(school_id)
            # One more than is shown, to know whether there are more.
            entries = await reception_list(cw, school_id, actor, today, limit=PAGE + 1)
            shown.append(
                cards.ReceptionSchool(
                    school_name=school.name,
                    head_title=school.head_title.value,
                    people=tuple(
                        cards.ReceptionLine(
                            person_name=e.person_name,
                            banned=e.banned,
                            must_not=e.must_not,
                            until=format_day(e.until) if e.until else "",
                        )
                        for e in entries[:PAGE]
                    ),
                    more=len(entries) > PAGE,
                )
            )
        return Reply.posting(cards.build(cards.ReceptionView(tuple(shown))))

    return (Route(Phrase(PHRASES), listed, "who is banned"),)
