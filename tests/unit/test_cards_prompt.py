"""The proactive prompt's card: Adaptive Card 1.5, a case.open button, no personal details."""

from __future__ import annotations

import pytest

from cards import prompt
from casework.notifications import WORDING
from tests.cardschema import assert_valid_card


def test_every_prompt_card_is_valid_and_opens_its_case() -> None:
    for title, text in WORDING.values():
        values = {
            "reference": "OAK-2026-0007",
            "head": "Headteacher",
            "about": "Send letter 2 and record the date it was sent.",
            "due": "Friday 13 March 2026",
        }
        card = prompt.build(title.format(**values), text.format(**values), "OAK-2026-0007")
        assert_valid_card(card)
        assert card["version"] == "1.5"
        (button,) = card["actions"]
        assert button == {
            "type": "Action.Execute",
            "title": "Open case OAK-2026-0007",
            "verb": "case.open",
            "data": {"reference": "OAK-2026-0007"},
        }


def test_a_prompt_card_says_only_what_it_is_given() -> None:
    card = prompt.build(
        "Incident reported on case OAK-2026-0001", "Open the case.", "OAK-2026-0001"
    )
    texts = [block["text"] for block in card["body"]]
    assert texts == ["Incident reported on case OAK-2026-0001", "Open the case."]


def test_a_kind_without_its_own_card_carries_the_prompt_card_and_its_open_button() -> None:
    inputs = prompt.PromptCardInputs(
        "chair-decision-needed", "Case OAK-2026-0001: your decision", "Open it.", "OAK-2026-0001"
    )
    assert prompt.card_for(inputs) == prompt.build(
        "Case OAK-2026-0001: your decision", "Open it.", "OAK-2026-0001"
    )
    unknown = prompt.PromptCardInputs("no-such-kind", "Title", "Text", "OAK-2026-0001")
    assert prompt.card_for(unknown)["actions"][0]["verb"] == "case.open"


def test_a_step_card_plugged_in_for_a_kind_is_the_card_that_kind_carries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def own(inputs: prompt.PromptCardInputs) -> dict[str, object]:
        return {"type": "AdaptiveCard", "version": "1.5", "body": [], "ref": inputs.reference}

    monkeypatch.setattr(prompt, "CARD_FOR_KIND", {"incident-reported": own})
    chosen = prompt.card_for(
        prompt.PromptCardInputs("incident-reported", "T", "X", "OAK-2026-0002")
    )
    assert chosen["ref"] == "OAK-2026-0002"
    other = prompt.card_for(prompt.PromptCardInputs("letter-ready", "T", "X", "OAK-2026-0002"))
    assert "ref" not in other
