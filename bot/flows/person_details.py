"""Updating the person's details as a step (`bot.flows.actions`): the head or senior staff
correct the name, relationship, email, postal address and pupils, which the letters use.
The card opens with the details as they are; an email address is checked for its form
(one @, no spaces, a domain with a dot), and the postal address may have at most 8 lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.forms import problems, step_view
from cards import person_details as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from rules.behaviours import Relationship
from rules.commands import Command
from rules.details import PersonDetails
from rules.steps.reporting import UpdatePersonDetails

STEP = "person.update"
RELATIONSHIPS = tuple(Choice(r.value, r.label) for r in Relationship)
MAX_ADDRESS_LINES = 8


def form(ctx: StepContext) -> Card:
    person = ctx.view.person
    current = {
        cards.NAME.id: person.name,
        cards.RELATIONSHIP.id: person.relationship.value,
        cards.EMAIL.id: person.email or "",
        cards.ADDRESS.id: "\n".join(person.postal_address),
        cards.PUPILS.id: "\n".join(person.pupils),
    }
    return cards.build(
        step_view(
            ctx,
            ["The letters are addressed with these details."],
            choices={cards.RELATIONSHIP.id: RELATIONSHIPS},
            defaults=current,
        )
    )


def looks_like_email(text: str) -> bool:
    local, at, domain = text.partition("@")
    return (
        bool(at and local and domain)
        and "@" not in domain
        and "." in domain.strip(".")
        and not any(c.isspace() for c in text)
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    name = read.text(cards.NAME)
    relationship = read.one(cards.RELATIONSHIP, RELATIONSHIPS)
    email = read.text(cards.EMAIL)
    if email and cards.EMAIL.id not in read.at_fields and not looks_like_email(email):
        read.problem("Give the email address in full, like name@example.com.", cards.EMAIL.id)
    address = read.lines(cards.ADDRESS)
    if len(address) > MAX_ADDRESS_LINES:
        read.problem(
            f"The postal address can have at most {MAX_ADDRESS_LINES} lines.", cards.ADDRESS.id
        )
    pupils = read.lines(cards.PUPILS)
    if read.problems:
        return problems(read)
    person = PersonDetails(name, Relationship(relationship), email or None, address, pupils)
    return UpdatePersonDetails(ctx.command_id, person)


PERSON = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Update the person's details",
        command=UpdatePersonDetails,
        form=form,
        parse=parse,
        secondary=True,
        done_title="Details updated",
    )
)
