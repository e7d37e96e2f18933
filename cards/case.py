"""The Case card: where a case has got to, for the people who may see it whole.

Status; the next steps and who owns each, with their deadlines; the letters and the state
of each; the timeline (every event, who, when); and the buttons this person may press now.
Written to be read on a phone: short lines, one fact a line, no wide tables.

A member of staff who reported on a case sees the status of their report only
(`ReportStatusView`), never the case's details.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cards.actions import Button, with_refresh
from cards.common import Card, Element, card, heading, paragraph, subheading

# A card holds about 28 KB in Teams: the timeline shows at most this many events, the most
# recent ones, and says how many earlier ones it leaves out.
MAX_TIMELINE = 40


@dataclass(frozen=True)
class NextStep:
    text: str  # what is to be done ("Carry out the risk assessment")
    owner: str  # who does it ("Rachel Okafor, Headteacher/Principal")
    due: str = ""  # "Friday 13 March 2026", or "" when the policy sets no date
    overdue: bool = False
    warning: str = ""  # the calendar's caveat on the date, shown with it


@dataclass(frozen=True)
class LetterLine:
    title: str  # "Letter 4: ban, pending review"
    state: str  # "Sent on Monday 9 March 2026", "Draft ready to check", …


@dataclass(frozen=True)
class TimelineLine:
    when: str  # "Mon 2 Mar 2026, 10:04"
    who: str  # "Priya Shah"
    what: str  # "Incident 1 reported."


@dataclass(frozen=True)
class CaseCardView:
    reference: str
    school_name: str
    person_name: str
    status: str  # the stage, in words
    next_steps: Sequence[NextStep] = ()
    letters: Sequence[LetterLine] = ()
    timeline: Sequence[TimelineLine] = ()
    buttons: Sequence[Button] = ()  # what this person may do now (none: read-only)
    notice: str = ""  # shown first, e.g. "This card was out of date"
    refresh: Mapping[str, Any] | None = None  # `cards.actions.refresh`, or None
    read_only_note: str = ""  # why there are no buttons, when that is worth saying


def build(view: CaseCardView) -> Card:
    body: list[Element] = []
    if view.notice:
        body.append(
            {
                "type": "TextBlock",
                "text": view.notice,
                "wrap": True,
                "color": "Attention",
                "weight": "Bolder",
            }
        )
    body += [
        heading(f"Case {view.reference}"),
        paragraph(f"**{view.person_name}** · {view.school_name}"),
        paragraph(f"Status: **{view.status}**"),
        subheading("Next steps"),
    ]
    if view.next_steps:
        body += [_next_step(step) for step in view.next_steps]
    else:
        body.append(paragraph("Nothing is waiting for anyone.", subtle=True))
    if view.letters:
        body.append(subheading("Letters"))
        body += [paragraph(f"**{x.title}**  \n{x.state}") for x in view.letters]
    body.append(subheading("What has happened"))
    shown = list(view.timeline)[-MAX_TIMELINE:]
    left_out = len(view.timeline) - len(shown)
    if left_out:
        body.append(
            paragraph(
                f"{left_out} earlier events are not shown here; the most recent are. Type "
                f"**history {view.reference}** to see every event."
            )
        )
    body += [
        {
            "type": "TextBlock",
            "text": f"**{line.when}** · {line.who}  \n{line.what}",
            "wrap": True,
            "spacing": "Small",
        }
        for line in shown
    ]
    if view.read_only_note and not view.buttons:
        body.append(paragraph(view.read_only_note, subtle=True))
    built = card(body, _actions(view.buttons), fallback=f"Case {view.reference}: {view.status}.")
    return with_refresh(built, view.refresh)


# Teams shows at most 6 buttons in a row of actions (its host config's `maxActions`) and
# drops the rest: beyond 6, the first 5 are shown and the others are under "More steps",
# in rows of at most 5.
MAX_ACTIONS = 6
MORE_STEPS = "More steps"


def _actions(buttons: Sequence[Button]) -> list[Element]:
    elements = [button.element() for button in buttons]
    if len(elements) <= MAX_ACTIONS:
        return elements
    shown, more = elements[: MAX_ACTIONS - 1], elements[MAX_ACTIONS - 1 :]
    rows = [
        {"type": "ActionSet", "actions": more[i : i + MAX_ACTIONS - 1]}
        for i in range(0, len(more), MAX_ACTIONS - 1)
    ]
    return [
        *shown,
        {
            "type": "Action.ShowCard",
            "title": MORE_STEPS,
            "card": {"type": "AdaptiveCard", "body": rows},
        },
    ]


def _next_step(step: NextStep) -> Element:
    lines = [f"**{step.text}**", step.owner]
    if step.due:
        lines.append(("OVERDUE: was due " if step.overdue else "Due ") + step.due)
    if step.warning:
        lines.append(step.warning)
    block: Element = {"type": "TextBlock", "text": "  \n".join(lines), "wrap": True}
    if step.overdue:
        block["color"] = "Attention"
    return block


@dataclass(frozen=True)
class ReportStatusView:
    """What a member of staff sees of a case they reported on: its stage, nothing more, and
    the steps they may take on it (add a statement, report a further incident)."""

    reference: str
    school_name: str
    status: str
    incident_nos: Sequence[int]
    buttons: Sequence[Button] = ()
    notice: str = ""  # shown first, e.g. "This card was out of date"


def build_status(view: ReportStatusView) -> Card:
    numbers = ", ".join(str(n) for n in view.incident_nos)
    body: list[Element] = []
    if view.notice:
        body.append(
            {
                "type": "TextBlock",
                "text": view.notice,
                "wrap": True,
                "color": "Attention",
                "weight": "Bolder",
            }
        )
    body += [
        heading(f"Your report {view.reference}"),
        paragraph(f"School: {view.school_name}"),
        paragraph(f"Status: **{view.status}**"),
        paragraph(
            f"You reported incident {numbers} on this case. The details of the case are "
            "seen only by the people the policy names; the school will tell you if "
            "anything more is needed from you.",
            subtle=True,
        ),
    ]
    return card(
        body,
        [b.element() for b in view.buttons],
        fallback=f"Your report {view.reference}: {view.status}.",
    )


def _timeline_line(line: TimelineLine) -> Element:
    return {
        "type": "TextBlock",
        "text": f"**{line.when}** · {line.who}  \n{line.what}",
        "wrap": True,
        "spacing": "Small",
    }


def build_history(reference: str, timeline: Sequence[TimelineLine], part: int, parts: int) -> Card:
    """One card of a case's whole history (`history <reference>`), oldest first: at most
    `MAX_TIMELINE` events, so that each card stays within Teams' size."""
    title = f"Case {reference}: everything that has happened"
    if parts > 1:
        title += f" (part {part} of {parts})"
    return card(
        [heading(title), *(_timeline_line(line) for line in timeline)],
        fallback=f"The history of case {reference}: this card needs a Teams client that shows "
        "Adaptive Cards.",
    )
