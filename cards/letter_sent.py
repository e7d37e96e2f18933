"""Mark a letter as sent, with the date it went ("the date of this letter", from which the
person's 10 school days count). Only the letters this person signs and has still to send."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import step_form
from cards.common import Card, Choice, paragraph
from cards.inputs import ChoiceSetInput, DateInput

VERB = "letter.sent"

LETTER = ChoiceSetInput("letter", "Which letter", "Choose the letter that was sent.", expanded=True)
SENT_ON = DateInput("sentOn", "The date it was sent", "Give the date the letter was sent.")


@dataclass(frozen=True)
class LetterSentView:
    reference: str
    letters: Sequence[Choice]  # the letters still to send, with the state of their draft
    today: str  # YYYY-MM-DD: the latest date the picker offers
    data: Mapping[str, Any]
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)
    notes: Sequence[str] = ()  # what the signer's mailbox shows of each draft


def build(view: LetterSentView) -> Card:
    return step_form.build(
        step_form.StepForm(
            title="Mark a letter as sent",
            intro=(
                paragraph(f"Case **{view.reference}**"),
                paragraph(
                    "Send the letter from your own mailbox (the draft is in your drafts), "
                    "then record the date it went: the person's time to reply counts from it."
                ),
                *(paragraph(note) for note in view.notes),
            ),
            inputs=(LETTER.element(view.letters), SENT_ON.element(latest=view.today)),
            submit="Record it as sent",
            verb=VERB,
            data=view.data,
            values=view.values,
            problems=view.problems,
            at_fields=view.at_fields,
            not_recorded="The letter has not been recorded as sent yet:",
        )
    )
