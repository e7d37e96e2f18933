"""The step a proactive prompt carries, done from the prompt itself (issue 11, item 3), over
HTTP with the harness on the embedded default: the head's prompt on a new incident carries
the new incident card; pressing "Start risk assessment" on it opens the risk assessment,
which is recorded; the same prompt to the senior member of staff, pressed after the head
has recorded it, answers with the case as it is now and changes nothing."""

from __future__ import annotations

from datetime import date

from bot.flows.actions import OUT_OF_DATE
from tests.e2e.lifecycle import REFERENCE, SENIOR, Lifecycle, button_titles, lifecycle
from tests.e2e.test_case_commands import HEAD
from tests.e2e.test_lifecycles import ASSESSMENT

__all__ = ["lifecycle"]  # the fixture, used by name

MONDAY = date(2026, 1, 12)
PROMPT = f"Incident reported on case {REFERENCE}"


async def test_the_risk_assessment_is_done_from_the_heads_prompt(lifecycle: Lifecycle) -> None:
    world = lifecycle
    await world.install_everyone()
    world.at(MONDAY, 9)
    await world.report(incidentDate="2026-01-12", incidentTime="08:30")

    (prompt,) = await world.prompts_to(HEAD)
    assert prompt.card["body"][0]["text"] == PROMPT
    assert "Jordan Example" in prompt.text()  # the new incident card, in her own chat
    assert button_titles(prompt) == ["Start risk assessment", f"Open case {REFERENCE}"]

    form = await world.press(HEAD, prompt, "Start risk assessment")
    assert "Risk assessment" in form.text()
    done = await world.press(HEAD, form, "Record the risk assessment", ASSESSMENT)
    assert "Risk assessment recorded" in done.text()
    assert (await world.kinds()).count("risk-assessed") == 1

    # The senior member of staff was asked too; his prompt is out of date now.
    (seniors,) = await world.prompts_to(SENIOR)
    assert seniors.card["body"][0]["text"] == PROMPT
    stale = await world.press(SENIOR, seniors, "Start risk assessment")
    assert OUT_OF_DATE in stale.text()
    assert f"Case {REFERENCE}" in stale.text()
    assert "Assess the risk" not in button_titles(stale)
    assert (await world.kinds()).count("risk-assessed") == 1
