"""The annual meeting about the child's progress that a confirmed ban allows (policy,
"Chair's review": "parents in these circumstances will be offered an annual meeting about
their child's progress"): the date it was held and, if wanted, a note of it."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.inputs import DateInput, TextInput
from cards.step_form import StepView

VERB = "progress.held"

HELD_ON = DateInput("progressHeldOn", "The date it was held", "Give the date it was held.")
NOTES = TextInput(
    "progressNotes", "Notes of the meeting", required=False, multiline=True, max_length=4000
)


def build(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Record the annual progress meeting",
        [HELD_ON.element(latest=view.today), NOTES.element()],
        "Record the meeting",
        VERB,
        "The meeting has not been recorded yet:",
    )
