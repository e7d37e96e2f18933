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

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from casework.pipeline import Actor, Casework
from casework.ports import CaseSummary
from rules.case import CaseView
from rules.errors import CaseNotFound
from rules.prompts import Prompt, policy_review_prompt, prompts_for
from rules.roles import Role
from rules.state import CaseState, Trigger

_WITH_CHAIR = frozenset(
    {
        CaseState.CONDITIONS_PROVISIONAL,
        CaseState.CONDITIONS_WITH_CHAIR,
        CaseState.BAN_PROVISIONAL,
        CaseState.BAN_WITH_CHAIR,
    }
)
_REVIEW_TO_ARRANGE = frozenset({CaseState.CONDITIONS_CONFIRMED, CaseState.BAN_CONFIRMED})


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
    if roles & {Role.HEAD, Role.SENIOR}:
        return True
    if Role.CHAIR in roles and (view.state in _WITH_CHAIR or view.chair_decisions):
        return True
    if Role.CLERK in roles and (view.reviews or view.state in _REVIEW_TO_ARRANGE):
        return True
    return Role.TRUST in roles and any(s.trigger is Trigger.BAN_IMPOSED for s in view.steps)


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


async def cases_at(cw: Casework, school_id: str, actor: Actor) -> tuple[CaseSummary, ...]:
    """The Cases list at one school, as far as `actor` may see it."""
    roles = cw.roles_at(actor, school_id)
    if not roles:
        return ()
    summaries = await cw.ports.store.cases_at(school_id)
    if roles & {Role.HEAD, Role.SENIOR}:
        return tuple(summaries)
    visible: list[CaseSummary] = []
    for summary in summaries:
        _, view = await cw.load(summary.case_id)
        if view is not None and sight(view, actor.object_id, roles) is not None:
            visible.append(summary)
    return tuple(visible)


async def prompts_for_user(cw: Casework, actor: Actor, today: date) -> tuple[UserPrompt, ...]:
    """Everything `actor` must do, at every school where they hold a role, soonest first."""
    found: list[UserPrompt] = []
    directory = cw.ports.directory
    trust_prompted = False
    for school_id in directory.schools_of(actor.object_id):
        roles = cw.roles_at(actor, school_id)
        calendar = cw.calendar(school_id)
        if Role.TRUST in roles and not trust_prompted:
            trust_prompted = True
            reviewed = cw.config.trust.policy_last_reviewed
            found.append(UserPrompt(school_id, policy_review_prompt(reviewed, today, calendar)))
        for summary in await cw.ports.store.cases_at(school_id):
            _, view = await cw.load(summary.case_id)
            if view is None or not sees_whole_case(view, roles):
                continue
            for prompt in prompts_for(view, today, calendar):
                if prompt.role in roles:
                    found.append(UserPrompt(school_id, prompt, view.case_id, view.reference))
    return tuple(
        sorted(
            found,
            key=lambda p: (
                p.prompt.deadline is None,
                p.prompt.deadline.due if p.prompt.deadline else date.min,
                p.reference or "",
            ),
        )
    )
