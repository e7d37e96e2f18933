"""The *letter drafted* card (`cards.letter_drafted`) as a step (`bot.flows.actions`): for
the signer of each letter drafted and not yet sent, what the draft is and where to open it,
with "Mark as sent", which is the letter-sent step (`bot.flows.letter_sent`) itself.

A draft reference that is a web link (`https://…`, when the letters port keeps drafts
where a browser opens them) becomes an "Open the draft" button; an `.eml` reference is the
embedded default's file, named relative to the letters folder of the data folder; any other
reference is shown as it is. Opened as a step, it first asks the mailbox whether each draft
was sent (`bot.flows.letter_sent.read_mailbox`), and says what it shows.
`card_for(cw, folded, letter_id)` builds the card for one letter; the signer's prompt on a
letter ready carries the step's own card (`form`), with every draft they sign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.flows import letter_sent
from bot.flows.actions import FieldProblems, StepAction, StepContext, case_version, register
from cards import letter_drafted as cards
from cards.actions import step_data
from cards.common import Card
from casework.actor import Actor
from casework.history import Folded
from casework.pipeline import Casework
from rules.behaviours import Addressee
from rules.case import CaseView
from rules.commands import Command
from rules.core.view import LetterRecord
from rules.roles import Role
from rules.steps.letters import RecordLetterSent
from rules.wording import format_day

STEP = "letter.drafted"
VERB = "letter.drafted"
FOLDER = (
    "the letters folder of Safe Premises' data folder (var/letters/, unless "
    "SAFE_PREMISES_DATA names another data folder)"
)


def _ready(view: CaseView, roles: frozenset[Role]) -> tuple[LetterRecord, ...]:
    return tuple(
        x for x in view.letters if x.draft_ref is not None and not x.done and x.signer in roles
    )


def _signers(view: CaseView) -> frozenset[Role]:
    return frozenset(x.signer for x in view.letters if x.draft_ref is not None and not x.done)


def draft_line(view: CaseView, letter: LetterRecord, mailbox: str = "") -> cards.DraftLine:
    to = view.person.name if letter.addressee is Addressee.PERSON else "The Chair of Trustees"
    facts = [f"To {to}"]
    if letter.dated_on is not None:
        facts.append(f"Dated {format_day(letter.dated_on)}")
    if letter.reply_by is not None:
        facts.append(f"Reply by {format_day(letter.reply_by)} (printed on it)")
    ref = letter.draft_ref or ""
    if not (ref.startswith("https://") or ref.endswith(".eml")):
        facts.append(f"The draft's reference: {ref}")
    if mailbox:
        facts.append(mailbox)
    return cards.DraftLine(
        letter_id=letter.letter_id,
        title=letter.letter.label,
        facts=tuple(facts),
        url=ref if ref.startswith("https://") else "",
        file=ref if ref.endswith(".eml") and not ref.startswith("https://") else "",
    )


def _build(
    cw: Casework,
    view: CaseView,
    letters: Sequence[LetterRecord],
    data: Mapping[str, Any],
    ctx: StepContext | None = None,
) -> Card:
    return cards.build(
        cards.LetterDraftedView(
            reference=view.reference,
            drafts=tuple(
                draft_line(
                    view,
                    x,
                    letter_sent.mailbox_note(ctx.read_back.get(x.letter_id)) if ctx else "",
                )
                for x in letters
            ),
            folder=FOLDER,
            today=cw.today().isoformat(),
            data=data,
            values=ctx.values if ctx else {},
            problems=ctx.problems if ctx else (),
            at_fields=ctx.at_fields if ctx else {},
        )
    )


def card_for(cw: Casework, folded: Folded, letter_id: str, command_id: str) -> Card:
    """The card for one drafted letter, for its signer (`command_id`: a fresh id)."""
    view = folded.view
    letter = view.letter(letter_id)
    if letter is None or letter.draft_ref is None or letter.done:
        raise ValueError(f"case {view.reference}: no draft to send for that letter")
    data = step_data(view.case_id, case_version(folded.history), command_id)
    return _build(cw, view, (letter,), data)


def form(ctx: StepContext) -> Card:
    roles = ctx.casework.roles_at(Actor(ctx.actor_id), ctx.view.school_id)
    return _build(ctx.casework, ctx.view, _ready(ctx.view, roles), ctx.data(), ctx)


def parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    return letter_sent.parse(data, ctx)


DRAFTED = register(
    StepAction(
        step=STEP,
        verb=VERB,
        title="Open the letter draft",
        command=RecordLetterSent,
        form=form,
        parse=parse,
        done_title="Letter recorded as sent",
        offered_when=lambda view: bool(_signers(view)),
        roles_now=_signers,
        prepare=letter_sent.read_mailbox,
    )
)
