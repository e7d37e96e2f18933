"""The informal meeting (policy, "The school's response" 2), for the head: arrange it (the
date and time, where, at least two members of staff attending, the seating and the exits
considered), then record it as held (who was present, the main points, the agreed actions:
the follow-up letter is drafted) or cancelled (why). One builder per card."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.inputs import DateInput, TextInput, TimeInput, ToggleInput
from cards.step_form import StepView

ARRANGE_VERB = "meeting.arrange"
HELD_VERB = "meeting.held"
CANCEL_VERB = "meeting.cancel"

MEETING_DAY = DateInput("meetingDay", "The date of the meeting", "Give the date of the meeting.")
MEETING_TIME = TimeInput("meetingTime", "The time", "Give the time of the meeting.")
LOCATION = TextInput(
    "meetingPlace", "Where it will be held", "Say where the meeting will be held.", max_length=300
)
STAFF_ATTENDING = TextInput(
    "staffAttending",
    "Staff attending (at least two), one a line",
    "Name at least two members of staff who will attend.",
    multiline=True,
    max_length=1000,
)
SEATING = ToggleInput("seatingConsidered", "The seating arrangements have been considered")
EXITS = ToggleInput("exitsClear", "Care is taken that the exits cannot be blocked by the person")

HELD_ON = DateInput("heldOn", "The date it was held", "Give the date the meeting was held.")
STAFF_PRESENT = TextInput(
    "staffPresent",
    "Staff present (at least two), one a line",
    "Name at least two members of staff who were present.",
    multiline=True,
    max_length=1000,
)
NOTES = TextInput(
    "meetingNotes",
    "The main points of discussion",
    "Give the main points of discussion.",
    multiline=True,
    max_length=4000,
)
AGREED = TextInput(
    "agreedActions",
    "Actions agreed, one a line",
    required=False,
    multiline=True,
    max_length=2000,
)
CANCEL_REASON = TextInput(
    "cancelReason",
    "Why it is cancelled",
    "Say why the meeting is cancelled.",
    multiline=True,
    max_length=1000,
)


def build_arrange(view: StepView) -> Card:
    day = MEETING_DAY.element()
    day["min"] = view.today
    return step_form.simple(
        view,
        "Arrange an informal meeting",
        [
            day,
            MEETING_TIME.element(),
            LOCATION.element(),
            STAFF_ATTENDING.element(),
            SEATING.element(),
            EXITS.element(),
        ],
        "Arrange the meeting",
        ARRANGE_VERB,
        "The meeting has not been arranged yet:",
    )


def build_held(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Record the meeting",
        [
            HELD_ON.element(latest=view.today),
            STAFF_PRESENT.element(),
            NOTES.element(),
            AGREED.element(),
        ],
        "Record the meeting",
        HELD_VERB,
        "The meeting has not been recorded yet:",
    )


def build_cancel(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Cancel the informal meeting",
        [CANCEL_REASON.element()],
        "Cancel the meeting",
        CANCEL_VERB,
        "The meeting has not been cancelled yet:",
    )
