"""A case's history in words a governor understands: one line per event, for the Case card's
timeline ("Ban imposed by the Headteacher/Principal, pending the Chair's review").

Pure: the events as the rules read them (`rules.events`) and the case's view (to name the
letters they refer to). Who did each step, and when, comes from the event's `EventMeta`;
the card names the person. Nothing here repeats a statement, a description or a reason:
those are on the case, and the timeline says only what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rules.behaviours import ChairOutcome, NotificationKind, ReviewOutcome
from rules.core.events import Event, EventMeta, event_kinds
from rules.core.view import CaseView
from rules.state import Trigger
from rules.wording import format_day, titles


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime  # when it was recorded (timezone-aware)
    actor_id: str  # who recorded it ("system" for Safe Premises itself)
    text: str  # what happened, in words


def _letter_name(view: CaseView, letter_id: str) -> str:
    letter = view.letter(letter_id)
    return letter.letter.label if letter else "a letter"


def _day(value: Any) -> str:
    return format_day(value) if value is not None else ""


def _chair(e: Any, view: CaseView) -> str:
    done = "confirmed" if e.outcome is ChairOutcome.CONFIRM else "overturned"
    return f"The Chair {done} the {e.sanction.label}."


def _message_to(e: Any, view: CaseView) -> str:
    if e.kind is NotificationKind.BAN_IMPOSED:
        to = "the Chair of Trustees"
    elif e.people and not e.roles:
        to = "the member of staff who reported the incident"
    else:
        to = titles(e.roles)
    return f"Message to {to} to be sent in Teams."


def _review_outcome(e: Any, view: CaseView) -> str:
    outcome: ReviewOutcome = e.outcome
    return f"Committee review {e.review_no}: {outcome.label.lower()}."


def _representation(e: Any, view: CaseView) -> str:
    if e.nothing_more_to_add:
        return f"The person said in writing they have nothing more to add ({_day(e.received_on)})."
    return (
        f"A written representation was received on {_day(e.received_on)}, answering "
        f"{_letter_name(view, e.letter_id)}."
    )


# Each event kind's line. The few that need the event's data read it; the rest say the step.
_LINES: Mapping[str, Callable[[Any, CaseView], str]] = {
    "case-opened": lambda e, v: f"Case {e.reference} opened.",
    "incident-reported": lambda e, v: (
        f"Incident {e.incident_no} reported (it happened on {_day(e.details.occurred_at.date())})."
    ),
    "statement-added": lambda e, v: f"A statement was added to incident {e.incident_no}.",
    "person-details-updated": lambda e, v: "The person's contact details were updated.",
    "risk-assessed": lambda e, v: (
        f"Risk assessment of incident {e.incident_no}: risk {e.assessment.risk.label.lower()}."
    ),
    "no-further-action-recorded": lambda e, v: f"No further action on incident {e.incident_no}.",
    "expectations-clarified": lambda e, v: "Warning letter (letter 1) called for.",
    "informal-meeting-arranged": lambda e, v: (
        f"Informal meeting arranged for {_day(e.meeting_at.date())}."
    ),
    "informal-meeting-held": lambda e, v: f"Informal meeting held on {_day(e.held_on)}.",
    "informal-meeting-cancelled": lambda e, v: "Informal meeting cancelled.",
    "conditions-imposed": lambda e, v: (
        "Conditions imposed by the Headteacher/Principal, pending the Chair's review."
    ),
    "ban-imposed": lambda e, v: (
        "Ban from the premises imposed by the Headteacher/Principal, pending the Chair's "
        "review" + (f", until {_day(e.until)}." if e.until else ".")
    ),
    "removed-from-premises": lambda e, v: (
        f"Removed from the premises: {e.removed_by.label.lower()}."
    ),
    "referred-to-complaints": lambda e, v: "Referred to the complaints procedure.",
    "representation-received": _representation,
    "representation-window-closed": lambda e, v: (
        f"The time to reply to {_letter_name(v, e.letter_id)} ended on {_day(e.closed_on)}."
    ),
    "chair-decided": _chair,
    "progress-meeting-held": lambda e, v: f"Annual progress meeting held on {_day(e.held_on)}.",
    "review-scheduled": lambda e, v: (
        f"Committee review {e.review_no} arranged for {_day(e.meeting_on)}."
    ),
    "review-rescheduled": lambda e, v: (
        f"Committee review {e.review_no} moved to {_day(e.meeting_on)}."
    ),
    "review-statement-received": lambda e, v: (
        f"The person's statement for review {e.review_no} was received on {_day(e.received_on)}."
    ),
    "review-outcome-recorded": _review_outcome,
    "breach-recorded": lambda e, v: (
        f"A breach was recorded (it happened on {_day(e.occurred_at.date())})."
    ),
    "case-closed": lambda e, v: "Case closed.",
    "letter-required": lambda e, v: f"{e.letter.label} to be drafted.",
    "letter-drafted": lambda e, v: f"{_letter_name(v, e.letter_id)}: draft ready to check.",
    "letter-redated": lambda e, v: f"{_letter_name(v, e.letter_id)}: draft re-dated.",
    "letter-draft-failed": lambda e, v: (
        f"{_letter_name(v, e.letter_id)}: the draft could not be made"
        + (" until the case's details are corrected." if e.permanent else "; it will be retried.")
    ),
    "letter-sent": lambda e, v: f"{_letter_name(v, e.letter_id)} sent on {_day(e.sent_on)}.",
    "letter-withdrawn": lambda e, v: f"{_letter_name(v, e.letter_id)} withdrawn.",
    "notification-required": _message_to,
    # Stored by older versions when the message was queued, under a kind that said "sent".
    "notification-sent": lambda e, v: "Message queued to be delivered in Teams.",
    "notification-queued": lambda e, v: "Message queued to be delivered in Teams.",
    "notification-delivered": lambda e, v: "Message delivered in Teams.",
    "notification-undeliverable": lambda e, v: (
        f"A message could not be delivered in Teams ({e.reason})."
    ),
    "disclosure-decided": lambda e, v: (
        f"Decided whether to release statement {e.statement_no} of incident {e.incident_no}: "
        + ("to be released." if e.release else "not to be released.")
    ),
    "statement-released": lambda e, v: (
        f"Statement {e.statement_no} of incident {e.incident_no} released on {_day(e.released_on)}."
    ),
    "social-media-post-reported": lambda e, v: (
        f"The post in incident {e.incident_no} was reported to the site on {_day(e.reported_on)}."
    ),
    "social-media-removal-requested": lambda e, v: (
        f"The person was asked on {_day(e.requested_on)} to remove the post in incident "
        f"{e.incident_no}."
    ),
    "sanction-period-ended": lambda e, v: (
        f"The {e.sanction.label} ended: its last day in force was {_day(e.ended_on)}."
    ),
}


def line(event: Event, view: CaseView) -> str:
    """What `event` did, in words (its step's name for a kind this module does not word)."""
    words = _LINES.get(event.KIND)
    if words is not None:
        return words(event, view)
    trigger = event.trigger
    if isinstance(trigger, Trigger):
        return f"{trigger.label}."
    return "A step was recorded."


def narrate(events: Sequence[tuple[EventMeta, Event]], view: CaseView) -> tuple[TimelineEntry, ...]:
    """Every event of the case, oldest first, as a timeline line."""
    return tuple(TimelineEntry(meta.at, meta.actor_id, line(event, view)) for meta, event in events)


def worded_kinds() -> frozenset[str]:
    """The event kinds with a line of their own (every registered kind, tested)."""
    return frozenset(_LINES) & frozenset(event_kinds())
