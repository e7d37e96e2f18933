"""Who sees what (casework.queries), on the fakes with the example trust's people."""

from __future__ import annotations

from datetime import date

import pytest

from casework import bus as uc
from casework.queries import Scope, case_view, cases_at, prompts_for_user
from rules.behaviours import ChairOutcome
from rules.errors import CaseNotFound
from rules.prompts import Action
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.risk_assessment import AssessRisk
from tests.builders import (
    POLICE,
    VIOLENCE,
    arrangements,
    assessment,
    at,
    person,
    violent_incident,
)
from tests.casework_world import (
    CHAIR,
    CHAIR_OF_TRUSTEES,
    CLERK,
    HEAD,
    RIVERSIDE_HEAD,
    SENIOR,
    STAFF,
    FakeWorld,
    fake_world,
)

MONDAY = date(2026, 1, 12)


async def reported(world: FakeWorld) -> str:
    outcome = await uc.report_incident(
        world.casework,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(MONDAY, 8)),
    )
    return outcome.case_id


async def ban(world: FakeWorld, case_id: str) -> None:
    cw = world.casework
    await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        ImposeBan(
            command_id="cmd-ban",
            reason="A threat",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
        ),
        HEAD,
        case_id=case_id,
    )


async def test_staff_see_only_the_status_of_their_own_reports() -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world)

    seen = await case_view(world.casework, case_id, STAFF)

    assert seen.scope is Scope.OWN_REPORTS
    assert seen.view is None
    assert seen.status.reference == "OAK-2026-0001"
    assert seen.status.incident_nos == (1,)


@pytest.mark.parametrize("actor", [HEAD, SENIOR])
async def test_the_head_and_senior_staff_see_every_case_at_their_school(actor: object) -> None:
    world = fake_world(at(MONDAY, 9))
    case_id = await reported(world)

    seen = await case_view(world.casework, case_id, actor)  # type: ignore[arg-type]

    assert seen.scope is Scope.WHOLE_CASE
    assert seen.view is not None
    assert seen.view.person.name == "Jordan Example"


async def test_chair_clerk_and_trust_see_a_case_only_when_it_reaches_them() -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    case_id = await reported(world)
    for actor in (CHAIR, CLERK, CHAIR_OF_TRUSTEES, RIVERSIDE_HEAD):
        with pytest.raises(CaseNotFound):
            await case_view(cw, case_id, actor)
    assert await cases_at(cw, "oakfield", CHAIR) == ()

    await ban(world, case_id)  # a provisional ban: the Chair decides; the trust is told

    assert (await case_view(cw, case_id, CHAIR)).scope is Scope.WHOLE_CASE
    assert (await case_view(cw, case_id, CHAIR_OF_TRUSTEES)).scope is Scope.WHOLE_CASE
    assert [s.case_id for s in await cases_at(cw, "oakfield", CHAIR)] == [case_id]
    with pytest.raises(CaseNotFound):
        await case_view(cw, case_id, CLERK)

    await uc.dispatch(
        cw,
        RecordLetterSent(command_id="cmd-sent", letter_id="cmd-ban:letter-4", sent_on=MONDAY),
        HEAD,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        RecordRepresentation(
            command_id="cmd-comments",
            letter_dated=MONDAY,
            received_on=MONDAY,
            summary="Sorry",
            nothing_more_to_add=True,
        ),
        HEAD,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        DecideAsChair(command_id="cmd-chair", outcome=ChairOutcome.CONFIRM, reason="Serious"),
        CHAIR,
        case_id=case_id,
    )

    assert (await case_view(cw, case_id, CLERK)).scope is Scope.WHOLE_CASE  # a review to arrange
    with pytest.raises(CaseNotFound):
        await case_view(cw, case_id, RIVERSIDE_HEAD)
    assert await cases_at(cw, "oakfield", RIVERSIDE_HEAD) == ()


async def test_prompts_for_each_person_are_their_own() -> None:
    world = fake_world(at(MONDAY, 9))
    cw = world.casework
    case_id = await reported(world)

    head = await prompts_for_user(cw, HEAD, MONDAY)
    staff = await prompts_for_user(cw, STAFF, MONDAY)
    trustee = await prompts_for_user(cw, CHAIR_OF_TRUSTEES, MONDAY)

    assert [(p.reference, p.prompt.action) for p in head] == [("OAK-2026-0001", Action.ASSESS_RISK)]
    assert staff == ()
    assert [p.prompt.action for p in trustee] == [Action.REVIEW_POLICY]
    # Reviewed 30 January 2024: due two years on.
    deadline = trustee[0].prompt.deadline
    assert deadline is not None
    assert deadline.due == date(2026, 1, 30)

    await ban(world, case_id)
    await uc.dispatch(
        cw,
        RecordLetterSent(command_id="cmd-sent", letter_id="cmd-ban:letter-4", sent_on=MONDAY),
        HEAD,
        case_id=case_id,
    )
    await uc.dispatch(
        cw,
        RecordRepresentation(
            command_id="cmd-comments",
            letter_dated=MONDAY,
            received_on=MONDAY,
            summary="Sorry",
            nothing_more_to_add=True,
        ),
        HEAD,
        case_id=case_id,
    )
    chair = await prompts_for_user(cw, CHAIR, MONDAY)
    assert [p.prompt.action for p in chair] == [Action.DECIDE_AS_CHAIR]
