"""Response 4, a ban from the premises: provisional until the Chair decides, in letter 4
(with the arrangements for meetings and for pupils' drop-off and collection, and the police
statement where an assault led to it), and the notice to the Chair of Trustees.

A ban needs a ground (issue 9, rule 2): either all relevant procedures were exhausted and
the aggression continued (an earlier step took effect, then a later incident:
`CaseView.procedures_exhausted_before`), or an extreme act of violence on the incident it
answers (physical behaviours recorded, described in at least a sentence)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import ClassVar

from rules import timeline as tl
from rules.behaviours import Addressee, LetterKind, NotificationKind, SanctionKind
from rules.core.commands import Command, command
from rules.core.decide import (
    DecisionContext,
    assessed_latest,
    decides,
    letter_required,
    required_text,
)
from rules.core.events import Event, EventMeta, NotificationRequired, event
from rules.core.fold import cancel_pending_meeting, folds, respond
from rules.core.permissions import CHOOSE_RESPONSE, permitted
from rules.core.view import CaseView, IncidentRecord, ReplyWindow, SanctionRecord
from rules.details import BanArrangements
from rules.errors import EarlierStepsRequired, ExtremeViolenceNotRecorded, InvalidDetails
from rules.roles import Role
from rules.state import Trigger


@permitted(CHOOSE_RESPONSE, Role.HEAD)
@command
@dataclass(frozen=True)
class ImposeBan(Command):
    """Response 4: provisional ban, letter 4, the Chair of Trustees informed."""

    DONE: ClassVar[str] = "Ban imposed, pending the Chair's review: letter 4 is being drafted"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.BAN_IMPOSED,)
    command_id: str
    reason: str
    arrangements: BanArrangements
    until: date | None = None  # a defined period; None: until the committee's review
    extreme_violence_ground: str = ""


@event
@dataclass(frozen=True)
class BanImposed(Event):
    """Response 4, provisional until the Chair decides: letter 4, and the Chair of Trustees
    is informed."""

    KIND: ClassVar[str] = "ban-imposed"
    TRIGGER: ClassVar[Trigger | None] = Trigger.BAN_IMPOSED
    incident_no: int
    reason: str
    imposed_on: date
    until: date | None  # a defined period; None: until the committee's review
    arrangements: BanArrangements
    extreme_violence_ground: str  # required when no earlier step was taken on the case
    letter_id: str
    trustees_letter_id: str


def _impose_ban(view: CaseView, cmd: ImposeBan, ctx: DecisionContext) -> list[Event]:
    latest = assessed_latest(view)
    reason = required_text(cmd.reason, "the reason for the ban")
    arrangements = cmd.arrangements
    if view.person.has_child_at_school:
        # The pupils' arrangements "as appropriate": a visitor has no child at the school
        # (issue 9, rule 7), so their ban needs none.
        required_text(arrangements.meetings, "the arrangements for meetings at school about pupils")
        required_text(
            arrangements.drop_off_and_collection, "how pupils will be dropped off and collected"
        )
    # "Where an assault has led to a ban": asked whenever the behaviours recorded are
    # physical (hitting, spitting, physical abuse), not only when "assault" is ticked.
    details = latest.details
    physical = details.assault or any(b.is_physical for b in details.behaviours)
    if physical and not arrangements.police_statement.strip():
        raise InvalidDetails(
            "Physical behaviour led to this ban: add the statement that the matter has been "
            "reported to the local police."
        )
    if cmd.until is not None and cmd.until <= ctx.today:
        raise InvalidDetails("The end of the ban's period must be after today.")
    ground = cmd.extreme_violence_ground.strip()
    if ground:
        _extreme_violence(latest, ground)
    elif not view.procedures_exhausted_before(latest.no):
        raise EarlierStepsRequired()
    letter = letter_required(
        cmd, LetterKind.BAN, Role.HEAD, (Role.CHAIR,), tl.REPLY_WINDOW_SCHOOL_DAYS
    )
    trustees = letter_required(
        cmd,
        LetterKind.BAN_NOTICE_TO_CHAIR_OF_TRUSTEES,
        Role.HEAD,
        (),
        addressee=Addressee.CHAIR_OF_TRUSTEES,
    )
    return [
        BanImposed(
            latest.no,
            reason,
            ctx.today,
            cmd.until,
            arrangements,
            ground,
            letter.letter_id,
            trustees.letter_id,
        ),
        letter,
        trustees,
        # "The Chair of the Board of Trustees will be informed of the ban": besides the
        # notice drafted for them, a prompt in Teams (to the Chair of Trustees only, not
        # every holder of the trust role: `casework.notifications`).
        NotificationRequired(
            f"{cmd.command_id}:{NotificationKind.BAN_IMPOSED.value}",
            NotificationKind.BAN_IMPOSED,
            (Role.TRUST,),
        ),
    ]


decides(ImposeBan)(_impose_ban)


MIN_GROUND_WORDS = 5  # "at least a sentence": who did what to whom


def _extreme_violence(incident: IncidentRecord, ground: str) -> None:
    """The extreme-violence ground is tied to the incident the ban answers: physical
    behaviours must be recorded on it (or an assault), and the head describes the act in at
    least a sentence. A word or a threat does not ground a ban without earlier steps."""
    details = incident.details
    if not (details.assault or any(b.is_physical for b in details.behaviours)):
        raise ExtremeViolenceNotRecorded(incident_no=incident.no)
    if len(ground.split()) < MIN_GROUND_WORDS:
        raise InvalidDetails(
            "Describe the extreme act of violence in at least a sentence: what was done, "
            "and to whom."
        )


def _ban_imposed(view: CaseView, meta: EventMeta, e: BanImposed) -> CaseView:
    view = respond(view, meta, e.incident_no, Trigger.BAN_IMPOSED, e.reason, e.letter_id)
    view = cancel_pending_meeting(view, "overtaken by a ban")
    sanction = SanctionRecord(
        kind=SanctionKind.BAN,
        provisional=True,
        imposed_on=e.imposed_on,
        imposed_by=meta.actor_id,
        incident_no=e.incident_no,
        reason=e.reason,
        letter_id=e.letter_id,
        until=e.until,
        arrangements=e.arrangements,
        extreme_violence_ground=e.extreme_violence_ground,
    )
    # A ban overtakes any review in progress: the committee reviews the new ban later.
    reviews = view.reviews
    if view.current_review is not None:
        reviews = (*reviews[:-1], replace(reviews[-1], overtaken=True))
    return replace(
        view,
        sanction=sanction,
        window=ReplyWindow(e.letter_id, LetterKind.BAN),
        review_anchor=None,
        reviews=reviews,
    )


folds(BanImposed)(_ban_imposed)
