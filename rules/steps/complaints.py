"""Response 6, the complaints policy: "Any complaint that arises from incidents of abusive
behaviour will be dealt with under the Trust Complaints Policy"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, assessed_latest, decides, required_text
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds, latest_incident_no, respond
from rules.core.permissions import CHOOSE_RESPONSE, permitted
from rules.core.view import CaseView
from rules.roles import Role
from rules.state import Trigger


@permitted(CHOOSE_RESPONSE, Role.HEAD)
@command
@dataclass(frozen=True)
class ReferToComplaints(Command):
    """Response 6: the Trust Complaints Policy."""

    DONE: ClassVar[str] = "Referred to the complaints policy"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REFERRED_TO_COMPLAINTS,)
    command_id: str
    reason: str


@event
@dataclass(frozen=True)
class ReferredToComplaints(Event):
    KIND: ClassVar[str] = "referred-to-complaints"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REFERRED_TO_COMPLAINTS
    reason: str


def _refer_to_complaints(
    view: CaseView, cmd: ReferToComplaints, ctx: DecisionContext
) -> list[Event]:
    assessed_latest(view)
    return [ReferredToComplaints(required_text(cmd.reason, "what the complaint is about"))]


decides(ReferToComplaints)(_refer_to_complaints)


def _referred_to_complaints(view: CaseView, meta: EventMeta, e: ReferredToComplaints) -> CaseView:
    view = respond(view, meta, latest_incident_no(view), Trigger.REFERRED_TO_COMPLAINTS, e.reason)
    return replace(view, complaint_referrals=(*view.complaint_referrals, e.reason))


folds(ReferredToComplaints)(_referred_to_complaints)
