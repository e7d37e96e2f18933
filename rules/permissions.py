"""Who may issue each command (ARCHITECTURE.md, "People and what they may do").

One table, `PERMISSIONS`: for each command type, the roles that may issue it and whether the
sweeper ("system") may. Roles are per school and not nested, so the table names every role
explicitly: the Headteacher/Principal appears everywhere except the Chair's and the
committee's decisions and the sweeper's own steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rules import commands as c
from rules.errors import NotPermitted
from rules.roles import Role


@dataclass(frozen=True)
class Permission:
    roles: frozenset[Role]
    system: bool  # the sweeper may issue it
    doing: str  # what the command does, for the refusal: "Only … can <doing>."


def _p(doing: str, *roles: Role, system: bool = False) -> Permission:
    return Permission(frozenset(roles), system, doing)


STAFF, SENIOR, HEAD, CHAIR, CLERK = Role.STAFF, Role.SENIOR, Role.HEAD, Role.CHAIR, Role.CLERK
_RESPONSE = "choose the school's response"

PERMISSIONS: dict[type[c.Command], Permission] = {
    c.ReportIncident: _p("report an incident", STAFF, SENIOR, HEAD),
    c.AddStatement: _p("add a statement", STAFF, SENIOR, HEAD),
    c.UpdatePersonDetails: _p("update the person's details", SENIOR, HEAD),
    c.AssessRisk: _p("carry out the risk assessment", SENIOR, HEAD),
    c.RecordNoFurtherAction: _p(_RESPONSE, HEAD),
    c.ClarifyExpectations: _p(_RESPONSE, HEAD),
    c.ArrangeInformalMeeting: _p(_RESPONSE, HEAD),
    c.RecordInformalMeeting: _p("record the informal meeting", SENIOR, HEAD),
    c.CancelInformalMeeting: _p("cancel the informal meeting", HEAD),
    c.ImposeConditions: _p(_RESPONSE, HEAD),
    c.ImposeBan: _p(_RESPONSE, HEAD),
    c.RecordRemoval: _p("record a removal from the premises", HEAD),
    c.ReferToComplaints: _p(_RESPONSE, HEAD),
    c.RecordRepresentation: _p("record the person's written comments", HEAD, CHAIR, CLERK),
    c.CloseRepresentationWindow: _p(
        "record that no written comments arrived in time", HEAD, CHAIR, system=True
    ),
    c.DecideAsChair: _p("confirm or overturn the Headteacher/Principal's decision", CHAIR),
    c.RecordProgressMeeting: _p("record the annual progress meeting", SENIOR, HEAD),
    c.ScheduleReview: _p("schedule the committee's review", CLERK, HEAD),
    c.RescheduleReview: _p("move the committee's review", CLERK, HEAD),
    c.RecordReviewStatement: _p("record the statement for the review", CLERK, HEAD),
    c.RecordReviewOutcome: _p("record the committee's decision", CLERK),
    c.RecordBreach: _p("record a breach", STAFF, SENIOR, HEAD),
    c.CloseCase: _p("close the case", HEAD),
    # Further narrowed to the letter's signer (or the head) by rules.decide.
    c.RecordLetterSent: _p("record that a letter was sent", HEAD, CHAIR, CLERK),
    c.WithdrawLetter: _p("withdraw a letter", HEAD, CHAIR, CLERK),
    c.RecordLetterDrafted: _p("record a letter draft", system=True),
    c.RecordLetterDraftFailed: _p("record a failed letter draft", system=True),
    c.RecordNotificationSent: _p("record a notification", system=True),
    c.SendDueReminders: _p("send reminders", system=True),
}

_ORDER = (HEAD, SENIOR, STAFF, CHAIR, CLERK, Role.TRUST)
_WITH_ARTICLE = {
    HEAD: "the Headteacher/Principal",
    SENIOR: "a nominated senior member of staff",
    STAFF: "a member of staff",
    CHAIR: "the Chair of the Local Academy Committee",
    CLERK: "the Clerk to the Local Academy Committee",
    Role.TRUST: "trust governance",
}


def permission_for(command_type: type[c.Command]) -> Permission:
    return PERMISSIONS[command_type]


def required_roles(command: c.Command | type[c.Command]) -> frozenset[Role]:
    """The roles that may issue `command` (empty for the sweeper's own steps)."""
    cls = command if isinstance(command, type) else type(command)
    return PERMISSIONS[cls].roles


def titles(roles: Iterable[Role]) -> str:
    """ "the Headteacher/Principal or the Chair of the Local Academy Committee"."""
    ordered = [_WITH_ARTICLE[r] for r in _ORDER if r in set(roles)]
    if not ordered:
        return "nobody"
    if len(ordered) == 1:
        return ordered[0]
    return ", ".join(ordered[:-1]) + " or " + ordered[-1]


def recorded_as(roles: Iterable[Role]) -> str:
    held = [r.label for r in _ORDER if r in set(roles)]
    return ", ".join(held) if held else "no role at this school"


def check_permitted(command: c.Command, roles: frozenset[Role], *, system: bool) -> None:
    """`NotPermitted` unless the actor may issue `command`."""
    permission = permission_for(type(command))
    if system:
        if not permission.system:
            raise NotPermitted(f"The automatic sweeper cannot {permission.doing}.")
        return
    if not roles & permission.roles:
        if not permission.roles:
            raise NotPermitted(f"Only the system can {permission.doing}; it is done automatically.")
        raise NotPermitted(
            f"Only {titles(permission.roles)} can {permission.doing}. "
            f"You are recorded as: {recorded_as(roles)}."
        )
