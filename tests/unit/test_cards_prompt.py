"""The proactive prompt's card: Adaptive Card 1.5, a case.open button, no personal details."""

from __future__ import annotations

from cards import prompt
from casework.notifications import WORDING
from tests.cardschema import assert_valid_card


def test_every_prompt_card_is_valid_and_opens_its_case() -> None:
    for title, text in WORDING.values():
        values = {"reference": "OAK-2026-0007", "head": "Headteacher"}
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
