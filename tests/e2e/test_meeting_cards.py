"""The new incident, informal meeting and letter drafted cards end to end over HTTP on each
backend (the letters as `.eml` files on both): the head opens the new incident, starts
the risk assessment from it, arranges the meeting, records it, and marks the follow-up
letter as sent from the letter drafted card, which names the draft's file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from rules.core.view import LetterRecord
from tests.e2e.test_case_commands import (  # noqa: F401 (the fixture, used by name)
    HEAD,
    Trust,
    on,
    report_one,
    trust,
)


async def drafted_letter(at_trust: Trust) -> LetterRecord:
    """The case's letter once the app's background worker has drafted it."""
    summary = await at_trust.casework.ports.store.case_by_reference("OAK-2026-0001")
    assert summary is not None
    for _ in range(100):
        folded = await at_trust.casework.load_folded(summary.case_id)
        assert folded is not None
        ready = [x for x in folded.view.letters if x.draft_ref is not None]
        if ready:
            (letter,) = ready
            return letter
        await asyncio.sleep(0.05)
    raise AssertionError("the letter was not drafted")


async def test_the_head_goes_from_the_new_incident_to_the_meeting_letter_by_pressing_buttons(
    trust: Trust,  # noqa: F811
) -> None:
    client = trust.bot.client
    await report_one(trust)
    trust.clock.set(datetime(2026, 1, 12, 11, tzinfo=UTC))
    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    incident = on(case_card, await client.press(HEAD, case_card, "See the new incident"))
    assert "Shouted at the class teacher" in incident.text()
    assert "None recorded." in incident.text()  # no earlier incident on this person
    form = on(incident, await client.press(HEAD, incident, "Start risk assessment"))
    on(
        form,
        await client.press(
            HEAD,
            form,
            "Record the risk assessment",
            {
                "formOfAbuse": "Shouting",
                "evidence": "Two staff accounts",
                "witnessAccounts": "The class teacher heard it",
                "risk": "medium",
            },
        ),
    )

    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    arrange = on(case_card, await client.press(HEAD, case_card, "Arrange an informal meeting"))
    arranged = on(
        arrange,
        await client.press(
            HEAD,
            arrange,
            "Arrange the meeting",
            {
                "meetingDay": "2026-01-14",
                "meetingTime": "15:30",
                "meetingPlace": "The head's office",
                "staffAttending": "Rachel Okafor\nPriya Shah",
                "seatingConsidered": True,
                "exitsClear": True,
            },
        ),
    )
    assert "Informal meeting arranged" in arranged.text()

    trust.clock.set(datetime(2026, 1, 14, 17, tzinfo=UTC))
    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    held = on(case_card, await client.press(HEAD, case_card, "Record the meeting"))
    recorded = on(
        held,
        await client.press(
            HEAD,
            held,
            "Record the meeting",
            {
                "heldOn": "2026-01-14",
                "staffPresent": "Rachel Okafor\nPriya Shah",
                "meetingNotes": "Talked through what happened at the gate",
            },
        ),
    )
    assert "Meeting recorded" in recorded.text()

    letter = await drafted_letter(trust)
    assert letter.draft_ref is not None
    case_card = await trust.card_for(HEAD, "case OAK-2026-0001")
    drafted = on(case_card, await client.press(HEAD, case_card, "Open the letter draft"))
    if letter.draft_ref.startswith("https://"):
        # The Microsoft 365 configuration drafts it in the head's Outlook mailbox.
        assert letter.draft_ref.startswith("https://outlook.office365.com/owa/?ItemID=")
        links = [a["url"] for a in drafted.actions() if a["type"] == "Action.OpenUrl"]
        assert links == [letter.draft_ref]
    else:
        assert letter.draft_ref.endswith(".eml")
        assert f"The draft is the file `{letter.draft_ref}`" in drafted.text()
    sent = on(drafted, await client.press(HEAD, drafted, "Mark as sent", {"sentOn": "2026-01-14"}))
    assert "Letter recorded as sent" in sent.text()
