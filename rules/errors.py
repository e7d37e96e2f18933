"""Named refusals. Every rule that says "no" raises one of these, with a message written
for the person who asked (a headteacher on a phone), never a stack trace.

A refusal carries its facts as data as well as in words: `title` (a short heading for the
card that shows it), `message` (complete on its own) and `facts` (label and value pairs:
who did it, when, which step, the stage the case is at), so that `bot/` can show them as a
card and tests can check them without parsing sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Fact:
    """One fact behind a refusal, as a card shows it: "Recorded by" — "Graham Whitlock"."""

    label: str
    value: str


class Refusal(Exception):
    """Base of every refusal the rules can give. `str(refusal)` is the user-facing message."""

    TITLE: ClassVar[str] = "This cannot be done"

    def __init__(self, message: str, facts: Sequence[Fact] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.facts: tuple[Fact, ...] = tuple(facts)

    @property
    def title(self) -> str:
        return self.TITLE


class CalendarError(Refusal):
    """A school calendar that cannot answer: bad term dates, or a date outside them."""


# --- Refusals of case commands (rules.decide) ------------------------------------------------
# One class per reason, so that `bot/` can choose how to show each and tests can name what
# they expect. The message is always complete on its own.


class NotPermitted(Refusal):
    """The person does not hold a role that may issue this command at this school."""


class CaseNotFound(Refusal):
    """A command for a case that has no events (only reporting an incident opens a case)."""


class CaseAlreadyExists(Refusal):
    """A request to open a case under an id that already has events."""


class NotAllowedNow(Refusal):
    """The case's stage does not allow this step (an illegal transition)."""


class AlreadyDone(NotAllowedNow):
    """Someone else has already taken this step or moved the case on: the message says who
    and when, so the second person is told what happened instead of overwriting it."""


class InvalidDetails(Refusal):
    """Something the command needs is missing or inconsistent (a reason, a date, a choice)."""


class RiskAssessmentRequired(Refusal):
    """ "Following the completion of the risk assessment, the Principal will decide the level
    of action": no response before the latest incident has been assessed."""


class EarlierStepsRequired(Refusal):
    """A ban with no earlier warning, meeting or conditions on the case needs the recorded
    ground of an extreme act of violence ("Impose a ban")."""


class TooFewStaff(Refusal):
    """ "Members of school staff will always be accompanied by at least one other colleague"."""


class SafetyNotConsidered(Refusal):
    """The informal meeting's safety checks (seating, exits) were not confirmed."""


class WindowStillOpen(Refusal):
    """The 10 school days for the person's representations have not yet passed."""


class LetterNotYetSent(Refusal):
    """A deadline counts from the date a letter was sent, and it has not been recorded."""


class MeetingTooEarly(Refusal):
    """A review meeting before the person's 10 school days for a statement have passed."""


class MeetingNotYetHeld(Refusal):
    """The committee's outcome cannot be recorded before the meeting date."""


class HistoryError(Exception):
    """A stored history that the rules cannot replay (an event the transition table forbids,
    or an unknown event kind). Not a Refusal: it is a defect or a corrupted record, never a
    user's mistake, and must stop the request loudly."""
