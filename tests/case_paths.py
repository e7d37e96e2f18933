"""Cases brought to a stage through the casework's own entry point (`casework.bus`), for the
tests of the cards and listings that read them: a ban with the Chair, conditions with the
Chair. Dates are in the example trust's Oakfield term (January 2026)."""

from __future__ import annotations

from datetime import date

from casework import bus
from casework.pipeline import Casework
from rules.behaviours import StandardCondition
from rules.details import Conditions
from rules.steps.ban import ImposeBan
from rules.steps.conditions import ImposeConditions
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.risk_assessment import AssessRisk
from tests.builders import POLICE, VIOLENCE, arrangements, assessment, at, person, violent_incident
from tests.casework_world import HEAD, STAFF
from tests.fakes import FixedClock

MONDAY = date(2026, 1, 12)
CONDITIONS = Conditions(
    (StandardCondition.ACCOMPANIED_TO_MEETINGS,), ("You may not film anyone on the school site",)
)


async def reported(cw: Casework, clock: FixedClock, name: str = "Jordan Example") -> str:
    """A case reported at Oakfield on Monday 12 January 2026 and assessed: its id."""
    clock.set(at(MONDAY, 9))
    outcome = await bus.report_incident(
        cw,
        STAFF,
        command_id=f"cmd-report-{name}",
        school_id="oakfield",
        person=person(name=name),
        incident=violent_incident(at(MONDAY, 8)),
    )
    clock.set(at(MONDAY, 11))
    await bus.dispatch(
        cw,
        AssessRisk(command_id=f"cmd-assess-{name}", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=outcome.case_id,
    )
    return outcome.case_id


async def banned(cw: Casework, clock: FixedClock, until: date | None = None, **kw: str) -> str:
    """A provisional ban imposed by the head on Monday 12 January 2026 (letter 4 unsent)."""
    case_id = await reported(cw, clock, **kw)
    clock.set(at(MONDAY, 14))
    await bus.dispatch(
        cw,
        ImposeBan(
            command_id=f"cmd-ban-{case_id}",
            reason="A threat to wait for a member of staff after school",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
            until=until,
        ),
        HEAD,
        case_id=case_id,
    )
    return case_id


async def under_conditions(cw: Casework, clock: FixedClock, **kw: str) -> str:
    case_id = await reported(cw, clock, **kw)
    clock.set(at(MONDAY, 14))
    await bus.dispatch(
        cw,
        ImposeConditions(
            command_id=f"cmd-conditions-{case_id}",
            conditions=CONDITIONS,
            reason="Shouting at staff at the gate",
        ),
        HEAD,
        case_id=case_id,
    )
    return case_id


async def with_chair(cw: Casework, clock: FixedClock, letter: str = "letter-4") -> str:
    """A provisional ban, letter 4 sent, and the person's last word received: the Chair
    decides now."""
    case_id = await banned(cw, clock)
    clock.set(at(date(2026, 1, 13), 9))
    await bus.dispatch(
        cw,
        RecordLetterSent(
            command_id="cmd-sent-4",
            letter_id=f"cmd-ban-{case_id}:{letter}",
            sent_on=date(2026, 1, 13),
        ),
        HEAD,
        case_id=case_id,
    )
    clock.set(at(date(2026, 1, 20), 10))
    await bus.dispatch(
        cw,
        RecordRepresentation(
            command_id="cmd-representation",
            letter_dated=date(2026, 1, 19),
            received_on=date(2026, 1, 20),
            summary="Apologises and asks for the ban to be lifted",
            nothing_more_to_add=True,
        ),
        HEAD,
        case_id=case_id,
    )
    return case_id
