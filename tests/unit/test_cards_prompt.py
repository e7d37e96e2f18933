"""The proactive prompt's card: Adaptive Card 1.5, a case.open button, no personal details."""

from __future__ import annotations

from bot.deliver import prompt_card
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


def test_a_prompt_carrying_a_step_card_keeps_its_words_first_then_the_step_and_opens_its_case() -> (
    None
):
    inputs = prompt.PromptCardInputs(
        "chair-decision-needed", "Case OAK-2026-0002: decide", "It is with you.", "OAK-2026-0002"
    )
    step = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Confirm or overturn", "wrap": True},
            {"type": "Input.Text", "id": "reason", "label": "Why", "maxLength": 100},
        ],
        "actions": [
            {
                "type": "Action.Execute",
                "title": "Record the decision",
                "verb": "chair.decide",
                "data": {"caseId": "c1", "version": 7, "commandId": "cmd-1"},
            }
        ],
    }

    card = prompt.card_for(inputs, step)

    assert_valid_card(card)
    texts = [block.get("text") for block in card["body"]]
    assert texts[:3] == ["Case OAK-2026-0002: decide", "It is with you.", "Confirm or overturn"]
    assert card["body"][2]["separator"] is True
    assert card["body"][3]["id"] == "reason"
    assert [a["title"] for a in card["actions"]] == [
        "Record the decision",
        "Open case OAK-2026-0002",
    ]
    assert card["actions"][0]["data"] == {"caseId": "c1", "version": 7, "commandId": "cmd-1"}
    # Opening the case does not need the step's required inputs filled in first.
    assert card["actions"][1]["associatedInputs"] == "none"
    assert step["body"][0] == {"type": "TextBlock", "text": "Confirm or overturn", "wrap": True}


def test_a_step_card_that_opens_the_case_itself_gets_the_prompts_one_open_button() -> None:
    inputs = prompt.PromptCardInputs("review-due-soon", "T", "X", "OAK-2026-0002")
    step = prompt.build("Review due", "Set the date", "OAK-2026-0002")
    step["actions"][0]["title"] = "Open the case"
    card = prompt.card_for(inputs, step)
    assert [a["title"] for a in card["actions"]] == ["Open case OAK-2026-0002"]


def test_the_clerks_channel_card_says_only_the_prompts_words_and_opens_the_case_privately() -> None:
    inputs = prompt.PromptCardInputs(
        "review-due-soon",
        "Case OAK-2026-0001: the committee's review is due soon",
        "Please arrange the review.",
        "OAK-2026-0001",
    )
    card = prompt.for_channel(inputs)
    assert_valid_card(card)
    texts = [block["text"] for block in card["body"]]
    assert texts[:2] == [inputs.title, inputs.text]
    assert "type **case OAK-2026-0001** in your own chat" in texts[2]
    assert [e["type"] for e in card["body"]] == ["TextBlock"] * 3
    (button,) = card["actions"]
    assert button["verb"] == "case.open"
    assert button["data"] == {"reference": "OAK-2026-0001"}


def test_a_prompt_whose_step_card_would_not_fit_in_a_teams_message_goes_plain() -> None:
    inputs = prompt.PromptCardInputs("incident-reported", "T", "X", "OAK-2026-0003")
    long = "é" * 6_000  # 12,000 bytes in UTF-8
    step = {"body": [{"type": "TextBlock", "text": long}, {"type": "TextBlock", "text": long}]}
    fits = {"body": [{"type": "TextBlock", "text": long}]}

    assert prompt_card(inputs, step) == prompt.build("T", "X", "OAK-2026-0003")
    assert prompt_card(inputs, fits)["body"][2]["text"] == long
