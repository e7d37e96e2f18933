"""The clerk's *review due* card (`cards.review_due`), for the prompt to the clerks' channel
and to the clerk as a review approaches: `card_for(cw, folded)`. Its button opens the
review-date step (`bot.flows.review_date`), where the server checks who may set it."""

from __future__ import annotations

from bot.flows import review_date
from bot.flows.actions import case_version
from cards import review_due as cards
from cards.actions import open_step
from cards.common import Card, Fact
from casework.history import Folded
from casework.pipeline import Casework
from rules import timeline as tl
from rules.wording import format_day


def card_for(cw: Casework, folded: Folded) -> Card:
    """The review due card for the case as it stands; ValueError if no review is due."""
    view = folded.view
    sanction = view.sanction
    count = tl.lenient(cw.calendar(view.school_id))
    due = tl.review_due(view, count)
    if sanction is None or due is None or view.review_anchor is None:
        raise ValueError(f"case {view.reference}: no review is due")
    kind = sanction.kind.label.capitalize()
    facts = [
        Fact("Reviewed", f"{kind}, confirmed on {format_day(sanction.confirmed_on)}")
        if sanction.confirmed_on is not None
        else Fact("Reviewed", kind),
        Fact("Counted from", format_day(view.review_anchor)),
        Fact("Review due by", format_day(due.due)),
    ]
    if sanction.until is not None:
        facts.append(Fact("Ends by itself on", format_day(sanction.until)))
    earliest = tl.earliest_review_meeting(cw.today(), count)
    facts.append(Fact("Earliest meeting, if letter 6 goes today", format_day(earliest.due)))
    warnings = tuple(dict.fromkeys(w for w in (due.warning, earliest.warning) if w))
    current = view.current_review
    scheduled = ""
    if current is not None and current.outcome is None:
        scheduled = f"The meeting is set for {format_day(current.meeting_on)}."
    return cards.build(
        cards.ReviewDueView(
            reference=view.reference,
            school_name=cw.school(view.school_id).name,
            facts=tuple(facts),
            warnings=warnings,
            set_date=open_step(
                cards.SET_DATE,
                review_date.STEP,
                view.case_id,
                case_version(folded.history),
                style="positive",
            ),
            scheduled=scheduled,
        )
    )
