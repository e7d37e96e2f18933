"""The answer to a submitted incident report: the case reference and what happens next."""

from __future__ import annotations

from dataclasses import dataclass

from cards.common import Card, card, heading, paragraph


@dataclass(frozen=True)
class ReportReceivedView:
    reference: str  # "OAK-2026-0001"
    head_title: str  # what the school calls its head: "Headteacher", "Principal"
    school_name: str
    already_recorded: bool = False  # the same submit arrived again (a double click)
    head_not_told_yet: bool = False  # the prompt to the head could not be sent yet


def build(view: ReportReceivedView) -> Card:
    if view.already_recorded:
        first = f"Report {view.reference} was already recorded; nothing new was added."
    else:
        first = f"Report {view.reference} recorded."
    body = [
        heading("Report recorded"),
        paragraph(f"{first} The {view.head_title} will be asked to carry out a risk assessment."),
        paragraph(f"School: **{view.school_name}**"),
    ]
    if view.head_not_told_yet:
        body.append(
            paragraph(
                f"The message to the {view.head_title} could not be sent just now; it will "
                "be sent automatically. Your report is saved.",
                subtle=True,
            )
        )
    body.append(
        paragraph(
            f"Keep the reference {view.reference} if you need to add a statement or ask "
            "about the report. Type **help** to see what else you can do.",
            subtle=True,
        )
    )
    return card(body, fallback=f"Report {view.reference} recorded.")
