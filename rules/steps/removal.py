"""Response 5, removal from the premises: a banned person who continues to cause a nuisance
"will be deemed to have committed a Section 547 offence" and may be removed as a trespasser
by a police officer or a person the Local Academy Committee authorised. Only while a ban is
in force (the transition table allows it nowhere else), and only after a breach of the ban
or a further incident (the nuisance) has been recorded while it was in force, on or before
the time of the removal (issue 9, rule 5)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from rules.behaviours import Remover, SanctionKind
from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides, past_moment, required_text
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds, latest_incident_no, respond
from rules.core.permissions import permitted
from rules.core.view import CaseView, RemovalRecord
from rules.errors import NoBreachWhileBanned
from rules.roles import Role
from rules.state import Trigger


@permitted("record a removal from the premises", Role.HEAD)
@command
@dataclass(frozen=True)
class RecordRemoval(Command):
    """Response 5: removal as a trespasser under section 547 (a ban must be in force)."""

    DONE: ClassVar[str] = "Removal from the premises recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.REMOVED_FROM_PREMISES,)
    command_id: str
    removed_at: datetime
    removed_by: Remover
    remover_name: str
    notes: str = ""


@event
@dataclass(frozen=True)
class RemovedFromPremises(Event):
    """Response 5: removal as a trespasser (section 547), only while a ban is in force."""

    KIND: ClassVar[str] = "removed-from-premises"
    TRIGGER: ClassVar[Trigger | None] = Trigger.REMOVED_FROM_PREMISES
    removed_at: datetime
    removed_by: Remover
    remover_name: str
    notes: str


def _record_removal(view: CaseView, cmd: RecordRemoval, ctx: DecisionContext) -> list[Event]:
    # Not held back by the risk-assessment guard: it records what a police officer or an
    # authorised person did on the spot, while the ban (itself assessed) is in force.
    past_moment(cmd.removed_at, "The time of the removal", ctx)
    _nuisance_while_banned(view, cmd.removed_at)
    name = required_text(cmd.remover_name, "who removed the person")
    return [RemovedFromPremises(cmd.removed_at, cmd.removed_by, name, cmd.notes.strip())]


decides(RecordRemoval)(_record_removal)


def _nuisance_while_banned(view: CaseView, removed_at: datetime) -> None:
    """ "A banned person who continues to cause a nuisance": a breach of this ban, or an
    incident reported as happening since it took effect, no later than the removal."""
    ban = view.sanction
    assert ban is not None  # the table allows a removal only under a ban
    breaches = [
        b.occurred_at
        for b in view.breaches
        if b.sanction is SanctionKind.BAN and b.occurred_at.date() >= ban.imposed_on
    ]
    incidents = [
        i.details.occurred_at
        for i in view.incidents
        if i.details.occurred_at.date() >= ban.imposed_on and i.no > ban.incident_no
    ]
    if not any(moment <= removed_at for moment in (*breaches, *incidents)):
        raise NoBreachWhileBanned(banned_on=ban.imposed_on)


def _removed_from_premises(view: CaseView, meta: EventMeta, e: RemovedFromPremises) -> CaseView:
    view = respond(view, meta, latest_incident_no(view), Trigger.REMOVED_FROM_PREMISES, e.notes)
    record = RemovalRecord(e.removed_at, e.removed_by, e.remover_name, e.notes, meta.actor_id)
    return replace(view, removals=(*view.removals, record))


folds(RemovedFromPremises)(_removed_from_premises)
