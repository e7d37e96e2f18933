"""The reporter's own steps over HTTP with the harness (issue 11; the rules let staff add
statements and report incidents): the member of staff who reported opens their report in
Teams, adds a statement to it by pressing its buttons, and sees nothing more of the case;
a member of staff at another school, pressing the same card, is refused as for no case."""

from __future__ import annotations

from bot.flows.actions import NO_SUCH_CASE
from tests.e2e.test_case_commands import STAFF, Trust, on, report_one, trust
from tests.harness.identities import TRUST_TENANT
from tests.harness.teams import TeamsUser

__all__ = ["trust"]  # the fixture, used by name

RIVERSIDE_STAFF = TeamsUser("a1000000-0000-4000-8000-000000000012", "Megan Lloyd", TRUST_TENANT)
STATEMENT = {
    "statementIncident": "1",
    "statementAuthor": "Priya Shah",
    "statementGivenOn": "2026-01-12",
    "statementText": "I saw him shout at the receptionist.",
}


async def test_the_reporter_adds_a_statement_to_her_report_in_teams(trust: Trust) -> None:
    await report_one(trust)
    client = trust.bot.client

    own = await trust.card_for(STAFF, "case OAK-2026-0001")
    assert "Your report OAK-2026-0001" in own.text()
    assert [a["title"] for a in own.actions()] == ["Report a further incident", "Add a statement"]
    form = on(own, await client.press(STAFF, own, "Add a statement"))
    assert "Jordan Example" not in str(form.card)

    refused = await client.press(RIVERSIDE_STAFF, form, "Add the statement", STATEMENT)
    assert refused.invoke_card is None
    assert NO_SUCH_CASE in str(refused.body)

    done = on(form, await client.press(STAFF, form, "Add the statement", STATEMENT))
    assert "Statement added" in done.text()
    assert "Jordan Example" not in str(done.card)
    summary = await trust.casework.ports.store.case_by_reference("OAK-2026-0001")
    assert summary is not None
    kinds = [e.kind for e in await trust.casework.ports.store.load(summary.case_id)]
    assert kinds.count("statement-added") == 1
