"""Reception's list ("who is banned"): the people currently banned from a school's premises
or under conditions there, what each must not do, and what reception should do if one of
them arrives. Nothing else about any case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cards.common import Card, Element, bullets, card, heading, paragraph, subheading


@dataclass(frozen=True)
class ReceptionLine:
    person_name: str
    banned: bool  # False: under conditions
    must_not: Sequence[str]
    until: str = ""  # "Friday 17 July 2026": a ban's end date, if one was set


@dataclass(frozen=True)
class ReceptionSchool:
    school_name: str
    head_title: str  # what the school calls its head: "Headteacher", "Principal"
    people: Sequence[ReceptionLine]
    more: bool = False  # more people than the card shows


@dataclass(frozen=True)
class ReceptionView:
    schools: Sequence[ReceptionSchool]


def build(view: ReceptionView) -> Card:
    body: list[Element] = [heading("Who is banned")]
    for school in view.schools:
        body.append(subheading(school.school_name))
        if not school.people:
            body.append(paragraph("Nobody is banned or under conditions at this school."))
            continue
        for person in school.people:
            kind = "Banned from the premises" if person.banned else "Under conditions"
            if person.until:
                kind += f" until {person.until}"
            body.append(
                {
                    "type": "TextBlock",
                    "text": f"**{person.person_name}**  \n{kind}",
                    "wrap": True,
                    "spacing": "Medium",
                }
            )
            if person.must_not:
                body.append(bullets(person.must_not))
        if school.more:
            body.append(paragraph("More people are on the list than are shown here.", subtle=True))
        body.append(
            paragraph(
                f"**If one of them arrives:** call the {school.head_title} at once. If "
                "anyone is threatened or in danger, call the police (999) first."
            )
        )
    body.append(
        paragraph("Keep this list to yourself: it is for the front office only.", subtle=True)
    )
    return card(body, fallback="Who is banned.")
