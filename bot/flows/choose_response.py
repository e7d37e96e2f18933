"""Choosing the school's response as a step (`bot.flows.actions`): once the latest incident
is assessed, the head chooses no further action, a warning (letter 1), conditions (letter 2)
or a ban (letter 4), each with only its own fields. The rules check the rest (a ban's
ground, the police statement after an assault) and their refusal is shown on the card."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from cards import choose_response as cards
from cards.common import Card, Choice
from cards.inputs import Submitted
from rules.behaviours import StandardCondition
from rules.case import CaseView
from rules.commands import Command
from rules.details import BanArrangements, Conditions
from rules.steps.ban import ImposeBan
from rules.steps.conditions import ImposeConditions
from rules.steps.no_further_action import RecordNoFurtherAction
from rules.steps.warning import ClarifyExpectations
from rules.wording import format_day

STEP = "response.choose"
STANDARD = tuple(Choice(c.value, c.label) for c in StandardCondition)
RESPONSES = frozenset({cards.NO_FURTHER_ACTION, cards.WARNING, cards.CONDITIONS, cards.BAN})


def _awaiting(view: CaseView) -> bool:
    latest = view.latest_incident
    return latest is not None and latest.assessed and not latest.responses


def form(ctx: StepContext) -> Card:
    view = ctx.view
    latest = view.latest_incident
    if latest is None or latest.assessment is None:  # offered only once it is assessed
        raise ValueError(f"case {view.reference}: no assessed incident to respond to")
    today = ctx.casework.today()
    return cards.build(
        cards.ChooseResponseView(
            reference=view.reference,
            person_name=view.person.name,
            incident=(
                f"Incident {latest.no}, {format_day(latest.details.occurred_at.date())}: "
                f"assessed risk {latest.assessment.risk.label.lower()}."
            ),
            standard_conditions=STANDARD,
            data=ctx.data(),
            earliest_until=(today + timedelta(days=1)).isoformat(),
            values=ctx.values,
            problems=ctx.problems,
            at_fields=ctx.at_fields,
        )
    )


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    response = data.get(cards.RESPONSE_KEY)
    if not isinstance(response, str) or response not in RESPONSES:
        return FieldProblems(("Choose one of the responses on the card.",))
    if response == cards.NO_FURTHER_ACTION:
        reason = read.text(cards.NFA_REASON)
        command: Command = RecordNoFurtherAction(ctx.command_id, reason)
    elif response == cards.WARNING:
        command = ClarifyExpectations(ctx.command_id, read.toggle(cards.MEETING_OFFERED))
    elif response == cards.CONDITIONS:
        chosen = _standard(read)
        other = read.lines(cards.OTHER)
        reason = read.text(cards.CONDITIONS_REASON)
        if not chosen and not other and not read.at_fields.get(cards.OTHER.id):
            read.problem(
                "Choose at least one standard condition, or write another.", cards.STANDARD.id
            )
        command = ImposeConditions(ctx.command_id, Conditions(chosen, other), reason)
    else:
        reason = read.text(cards.BAN_REASON)
        meetings = read.text(cards.MEETINGS)
        drop_off = read.text(cards.DROP_OFF)
        police = read.text(cards.POLICE)
        violence = read.text(cards.VIOLENCE)
        until = _until(read, ctx.casework.today())
        command = ImposeBan(
            ctx.command_id,
            reason,
            BanArrangements(meetings, drop_off, police),
            until=until,
            extreme_violence_ground=violence,
        )
    if read.problems:
        return FieldProblems(tuple(read.problems), dict(read.at_fields))
    return command


def _standard(read: Submitted) -> tuple[StandardCondition, ...]:
    parts = read.values.get(cards.STANDARD.id, "").split(",")
    chosen = tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
    offered = {c.value for c in STANDARD}
    if any(c not in offered for c in chosen):
        read.problem("Choose the standard conditions from the list.", cards.STANDARD.id)
        return ()
    return tuple(StandardCondition(c) for c in chosen)


def _until(read: Submitted, today: date) -> date | None:
    text = read.values.get(cards.UNTIL, "").strip()
    if not text:
        return None
    if len(text) > len("2026-01-01"):
        read.problem("Give the ban's end date as a date, or leave it empty.", cards.UNTIL)
        return None
    try:
        until = date.fromisoformat(text)
    except ValueError:
        read.problem("Give the ban's end date as a date, or leave it empty.", cards.UNTIL)
        return None
    if until <= today:
        read.problem("The ban's end date must be after today.", cards.UNTIL)
    return until


RESPOND = register(
    StepAction(
        step=STEP,
        verb=cards.VERB,
        title="Choose a response",
        command=RecordNoFurtherAction,
        also=(ClarifyExpectations, ImposeConditions, ImposeBan),
        form=form,
        parse=parse,
        done_title="Response recorded",
        offered_when=_awaiting,
    )
)
