"""What each person may see (ARCHITECTURE.md, "People and what they may do").

- staff see the status of their own reports only (`ReportStatus`, no details);
- the head and nominated senior staff see every case at their school;
- the Chair sees the cases with a Chair's decision to make (a provisional sanction) or made;
- the clerk sees the cases with a committee review to arrange or arranged;
- trust governance sees the cases where a ban was imposed.

Roles are per school: what someone sees at one school says nothing about another. A case
someone may not see is answered exactly like a case that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from casework.pipeline import Actor, Casework
from casework.ports import CaseSummary, OpenPrompt, Person, ReceptionEntry
from casework.projection import seen_whole_by
from rules.calendar import Deadline
from rules.case import CaseView
from rules.errors import CaseNotFound
from rules.prompts import Action, Prompt, policy_review_prompt
from rules.roles import Role
from rules.state import CaseState

# A listing is read a page at a time: a card cannot show more, and the cost of a page must
# not grow with the number of cases (docs/performance.md).
PAGE = 50
_EVERY_CASE = frozenset({Role.HEAD, Role.SENIOR})


class Scope(StrEnum):
    WHOLE_CASE = "whole-case"
    OWN_REPORTS = "own-reports"  # the status of the person's own reports, nothing more


@dataclass(frozen=True)
class ReportStatus:
    """What a member of staff sees of a case they reported on."""

    case_id: str
    reference: str
    school_id: str
    state: CaseState
    incident_nos: tuple[int, ...]  # the incidents they reported
    last_reported_at: datetime


@dataclass(frozen=True)
class CaseSight:
    """A case as one person may see it: `view` is None for `Scope.OWN_REPORTS`."""

    scope: Scope
    status: ReportStatus
    view: CaseView | None


@dataclass(frozen=True)
class UserPrompt:
    """A prompt for one person: on a case (`case_id`), or the trust's standing prompt."""

    school_id: str
    prompt: Prompt
    case_id: str | None = None
    reference: str | None = None


def sees_whole_case(view: CaseView, roles: frozenset[Role]) -> bool:
    return bool(roles & _EVERY_CASE) or bool(roles & seen_whole_by(view))


def sight(view: CaseView, actor_id: str, roles: frozenset[Role]) -> CaseSight | None:
    """What `actor_id`, holding `roles` at the case's school, may see of `view` (None:
    nothing)."""
    own = tuple(i for i in view.incidents if i.reported_by == actor_id)
    reported_at = own[-1].reported_at if own else view.opened_at
    status = ReportStatus(
        view.case_id,
        view.reference,
        view.school_id,
        view.state,
        tuple(i.no for i in own),
        reported_at,
    )
    if sees_whole_case(view, roles):
        return CaseSight(Scope.WHOLE_CASE, status, view)
    if own and roles:
        return CaseSight(Scope.OWN_REPORTS, status, None)
    return None


async def case_view(cw: Casework, case_id: str, actor: Actor) -> CaseSight:
    """The case as `actor` may see it; `CaseNotFound` if they may not see it at all."""
    _, view = await cw.load(case_id)
    if view is not None:
        seen = sight(view, actor.object_id, cw.roles_at(actor, view.school_id))
        if seen is not None:
            return seen
    raise CaseNotFound("There is no case you can open with that reference.")


async def cases_at(
    cw: Casework, school_id: str, actor: Actor, *, after: str | None = None, limit: int = PAGE
) -> tuple[CaseSummary, ...]:
    """A page of the Cases list at one school (by reference, after `after`), as far as
    `actor` may see it. Read from the projection: one store query, whatever the number
    of cases."""
    roles = cw.roles_at(actor, school_id)
    if not roles:
        return ()
    store = cw.ports.store
    if roles & _EVERY_CASE:
        return tuple(await store.cases_page(school_id, after=after, limit=limit))
    return tuple(
        await store.cases_page(
            school_id, roles=roles, reported_by=actor.object_id, after=after, limit=limit
        )
    )


def _prompt(kept: OpenPrompt, today: date) -> Prompt:
    if kept.due_on_the_day:
        deadline: Deadline | None = Deadline(today)
    elif kept.due is not None:
        deadline = Deadline(kept.due, kept.warning)
    else:
        deadline = None
    return Prompt(
        role=Role(kept.role),
        action=Action(kept.action),
        text=kept.text,
        deadline=deadline,
        overdue=deadline is not None and today > deadline.due,
        letter_id=kept.letter_id,
        incident_no=kept.incident_no,
    )


def _soonest(p: UserPrompt) -> tuple[bool, date, str]:
    deadline = p.prompt.deadline
    return (deadline is None, deadline.due if deadline else date.min, p.reference or "")


async def prompts_for_user(
    cw: Casework, actor: Actor, today: date, *, limit: int = PAGE
) -> tuple[UserPrompt, ...]:
    """The `limit` soonest things `actor` must do, at every school where they hold a role.

    Read from the kept prompts (`CaseSummary.prompts`): one store query per school and role,
    each returning at most `limit` rows, whatever the number of cases."""
    found: list[UserPrompt] = []
    directory = cw.ports.directory
    trust_prompted = False
    for school_id in directory.schools_of(actor.object_id):
        roles = cw.roles_at(actor, school_id)
        if Role.TRUST in roles and not trust_prompted:
            trust_prompted = True
            reviewed = cw.config.trust.policy_last_reviewed
            calendar = cw.calendar(school_id)
            found.append(UserPrompt(school_id, policy_review_prompt(reviewed, today, calendar)))
        for role in sorted(roles):
            for kept in await cw.ports.store.open_prompts(school_id, role, limit=limit):
                found.append(
                    UserPrompt(school_id, _prompt(kept, today), kept.case_id, kept.reference)
                )
    return tuple(sorted(found, key=_soonest)[:limit])


async def unreachable_role_holders(
    cw: Casework, school_id: str, roles: Sequence[Role]
) -> tuple[tuple[Role, Person], ...]:
    """The holders of `roles` at the school with no stored Teams conversation: they have not
    installed the app (or not used it since), so a prompt to them cannot arrive. The head's
    deadlines card shows each as "cannot be reached in Teams"; a delivery to them waits."""
    conversations = cw.ports.conversations
    held = [
        (role, person) for role in roles for person in cw.ports.directory.holders(school_id, role)
    ]
    if conversations is None:
        return tuple(held)
    known = await conversations.known([f"user:{p.object_id}" for _, p in held])
    return tuple((role, p) for role, p in held if f"user:{p.object_id}" not in known)


# Reception's list is for the people who work at the school.
_RECEPTION = frozenset({Role.STAFF, Role.SENIOR, Role.HEAD})


def reception_schools(cw: Casework, actor: Actor) -> tuple[str, ...]:
    """The schools whose reception list `actor` may read: those where they are staff."""
    return tuple(
        school_id
        for school_id in cw.ports.directory.schools_of(actor.object_id)
        if cw.roles_at(actor, school_id) & _RECEPTION
    )


async def reception_list(
    cw: Casework, school_id: str, actor: Actor, today: date, *, limit: int = PAGE
) -> tuple[ReceptionEntry, ...]:
    """The people banned or under conditions at the school on `today`, by name, if `actor`
    is staff there (empty otherwise). Read from the derived list: one store query."""
    if not cw.roles_at(actor, school_id) & _RECEPTION:
        return ()
    return tuple(await cw.ports.store.reception_list(school_id, on=today, limit=limit))
