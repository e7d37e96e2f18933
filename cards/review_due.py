"""The clerk's *review due* card (policy, "Review": conditions and bans are reviewed by the
Local Academy Committee every six months): the facts of the review and its dates, and a
"Set the meeting date" button that opens the review-date step. Pure: `build(ReviewDueView)`.

It goes to the clerks' channel as well as to the clerk, so it names the case by its
reference and says what is reviewed and when, never the person's name or what happened:
the clerk opens the case in Teams, where what they may see is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.actions import Button, open_case
from cards.common import Card, Element, Fact, card, fact_set, heading, paragraph

SET_DATE = "Set the meeting date"


@dataclass(frozen=True)
class ReviewDueView:
    reference: str
    school_name: str
    facts: Sequence[Fact]  # what is reviewed, since when, due by, the earliest meeting
    warnings: Sequence[str]  # a date counted without the school's term dates, said so
    set_date: Button  # opens the review-date step (`bot.flows.review_date`)
    scheduled: str = ""  # "The meeting is set for …", once it is


def build(view: ReviewDueView) -> Card:
    body: list[Element] = [
        heading("Review due"),
        paragraph(f"Case **{view.reference}**, {view.school_name}"),
        fact_set(view.facts),
    ]
    body += [paragraph(w, subtle=True) for w in view.warnings]
    body.append(
        paragraph(
            view.scheduled
            or "Set the date of the committee's meeting: letter 6 then asks the person for "
            "their statement, and they have 10 school days to send it before the meeting.",
        )
    )
    return card(
        body,
        [view.set_date.element(), open_case(view.reference).element()],
        fallback=f"The review of case {view.reference} is due: open the case in Teams.",
    )
