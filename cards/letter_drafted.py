"""The *letter drafted* card, for the letter's signer: what each draft ready to send is (the
letter, to whom, the date it bears and the reply-by date printed on it), where to open it
(a link when the drafts are kept where a browser opens them; otherwise the `.eml` file's
name in the letters folder), and "Mark as sent" with the date it went. Pressing it is the
letter-sent step (`cards.letter_sent`): the same verb, letter and date inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cards import letter_sent
from cards.common import Card, Choice, Element, card, execute, heading, paragraph, subheading
from cards.inputs import keep_typed, with_field_problems

OPEN_DRAFT = "Open the draft"


@dataclass(frozen=True)
class DraftLine:
    letter_id: str
    title: str  # "Letter 4: ban, pending the Chair's review"
    facts: Sequence[str]  # "To Jordan Example", "Dated Monday 12 January 2026", …
    url: str = ""  # a web link to the draft, when the letters port gives one
    file: str = ""  # or the `.eml` file, relative to the letters folder


@dataclass(frozen=True)
class LetterDraftedView:
    reference: str
    drafts: Sequence[DraftLine]  # at least one
    folder: str  # where the files are: "var/letters/ (the letters folder of the data folder)"
    today: str  # YYYY-MM-DD
    data: Mapping[str, Any]  # the letter-sent step's ids (`cards.actions.step_data`)
    values: Mapping[str, str] = field(default_factory=dict)
    problems: Sequence[str] = ()
    at_fields: Mapping[str, str] = field(default_factory=dict)


def build(view: LetterDraftedView) -> Card:
    if not view.drafts:
        raise ValueError(f"case {view.reference}: no draft to show")
    body: list[Element] = [heading("Letter drafted")]
    if view.problems:
        body += [
            {
                "type": "TextBlock",
                "text": "The letter has not been recorded as sent yet:",
                "color": "attention",
                "weight": "bolder",
                "wrap": True,
            },
            {"type": "TextBlock", "text": "\n".join(f"- {p}" for p in view.problems), "wrap": True},
        ]
    body.append(paragraph(f"Case **{view.reference}**"))
    actions: list[Element] = []
    for draft in view.drafts:
        body += [subheading(draft.title), paragraph("  \n".join(draft.facts))]
        if draft.url:
            actions.append({"type": "Action.OpenUrl", "title": OPEN_DRAFT, "url": draft.url})
        elif draft.file:
            body.append(paragraph(f"The draft is the file `{draft.file}` in {view.folder}."))
    body.append(
        paragraph(
            "Read it, adjust it if need be, and send it from your own mailbox. Then record the "
            "date it went: the person's time to reply counts from it.",
            subtle=True,
        )
    )
    data = dict(view.data)
    inputs: list[Element] = []
    if len(view.drafts) == 1:
        data[letter_sent.LETTER.id] = view.drafts[0].letter_id
    else:
        inputs.append(
            letter_sent.LETTER.element([Choice(d.letter_id, d.title) for d in view.drafts])
        )
    inputs.append(letter_sent.SENT_ON.element(latest=view.today))
    keep_typed(inputs, view.values)
    body += with_field_problems(inputs, view.at_fields)
    actions.insert(0, execute("Mark as sent", letter_sent.VERB, data, style="positive"))
    return card(
        body,
        actions,
        fallback=f"A letter on case {view.reference} is drafted: open the case in Teams.",
    )
