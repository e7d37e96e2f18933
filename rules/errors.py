"""Named refusals. Every rule that says "no" raises one of these, with a message written
for the person who asked (a headteacher on a phone), never a stack trace.

A refusal carries its facts as data as well as in words: `title` (a short heading for the
card that shows it), `message` (complete on its own) and `facts` (label and value pairs:
who did it, when, which step, the stage the case is at), so that `bot/` can show them as a
card and tests can check them without parsing sentences.

Each refusal class takes the facts as its own constructor fields and words its message from
them here, so that each sentence is written once, whichever rule raises it. Days are given
as dates and written by `rules.wording.format_day`; roles as `Role`s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rules.roles import Role
from rules.wording import format_day, recorded_as, titles


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

    TITLE = "The school calendar cannot answer"


# --- Refusals of case commands (rules.decide) ------------------------------------------------
# One class per reason, so that `bot/` can choose how to show each and tests can name what
# they expect. The message is always complete on its own. A variant that words a reason of
# its own (`NoReplyAwaited` is a `NotAllowedNow` with no stage and step to name) calls
# `Refusal.__init__` directly: it keeps its parent's place in the hierarchy, not its fields.

_MISSING = "Something is missing"
_TOO_EARLY = "Too early"


class NotPermitted(Refusal):
    """The person does not hold a role that may issue this command at this school.

    `what` is what the command does ("choose the school's response"), `needed` the roles
    that may do it (none: only the system may) and `held` the asker's roles at the school;
    `sweeper` is True when the automatic sweeper asked. A `message` of its own replaces the
    worded one (the application layer's refusal of someone the directory does not know)."""

    TITLE = "Not allowed for your role"

    def __init__(
        self,
        message: str | None = None,
        *,
        what: str = "",
        needed: Iterable[Role] = (),
        held: Iterable[Role] = (),
        sweeper: bool = False,
    ) -> None:
        if message is not None:
            super().__init__(message)
            return
        needed, held = frozenset(needed), frozenset(held)
        may = titles(needed) if needed else "the system"
        asker = Fact("You are recorded as", recorded_as(held))
        if sweeper:
            message = f"The automatic sweeper cannot {what}."
            asker = Fact("Asked by", "the automatic sweeper")
        elif not needed:
            message = f"Only the system can {what}; it is done automatically."
        else:
            message = f"Only {may} can {what}. You are recorded as: {recorded_as(held)}."
        super().__init__(message, (Fact("Action", what), Fact("Who may do it", may), asker))


class CaseNotFound(Refusal):
    """A command for a case that has no events (only reporting an incident opens a case)."""

    TITLE = "No such case"
    DEFAULT = "There is no such case: it may have been mistyped or never opened."

    def __init__(self, message: str = DEFAULT) -> None:
        super().__init__(message)


class CaseAlreadyExists(Refusal):
    """A request to open a case under an id that already has events."""

    TITLE = "The case is already open"

    def __init__(self, *, reference: str) -> None:
        super().__init__(
            f"Case {reference} already exists; the incident can be added to it.",
            (Fact("Case", reference),),
        )


class NotAllowedNow(Refusal):
    """The case's stage does not allow this step (an illegal transition): `stage` is the
    label of the case's stage, `step` the label of the step asked for."""

    TITLE = "Not possible at this stage"

    def __init__(self, *, stage: str, step: str) -> None:
        super().__init__(
            f"This cannot be done now: the case is at the stage “{stage}”, where “{step}” "
            "is not a step the policy allows.",
            (Fact("Stage now", stage), Fact("Step", step)),
        )


class NoReplyAwaited(NotAllowedNow):
    """Comments recorded, or a window closed, while no letter awaits the person's reply."""

    def __init__(self) -> None:
        Refusal.__init__(self, "No letter on this case is waiting for the person's comments.")


class ResponseNotRecorded(NotAllowedNow):
    """Closing a case whose latest incident has had no response (no further action counts)."""

    TITLE = _MISSING

    def __init__(self, *, incident_no: int) -> None:
        Refusal.__init__(
            self,
            f"Record the school's response to incident {incident_no} before closing the case "
            "(no further action is a response).",
            (Fact("Incident", str(incident_no)),),
        )


class LetterCannotBeWithdrawn(NotAllowedNow):
    """The letter that started the person's right to reply to the decision in force."""

    def __init__(self, *, letter: str) -> None:
        Refusal.__init__(
            self,
            f"{letter} starts the person's right to reply to the decision in force, so it "
            "cannot be withdrawn.",
            (Fact("Letter", letter),),
        )


class AlreadyDone(NotAllowedNow):
    """Someone else has already taken this step or moved the case on: the message says who
    and when, so the second person is told what happened instead of overwriting it.

    `by` is the name (or role) of who recorded `step` on the day `on`; `stage` is the label
    of the stage the case is now at."""

    TITLE = "Already done"

    def __init__(self, *, step: str, by: str, on: date, stage: str) -> None:
        Refusal.__init__(
            self,
            f"This can no longer be done: {by} recorded “{step}” on {format_day(on)}. "
            f"The case is now at the stage “{stage}”.",
            (
                Fact("Recorded by", by),
                Fact("On", format_day(on)),
                Fact("Step", step),
                Fact("Stage now", stage),
            ),
        )


class RepresentationAlreadyRecorded(AlreadyDone):
    """The person's written comments on the letter awaiting a reply are already on record."""

    def __init__(self, *, letter_dated: date, by: str, on: date) -> None:
        Refusal.__init__(
            self,
            f"Written comments dated {format_day(letter_dated)} were already recorded "
            f"by {by} on {format_day(on)}.",
            (
                Fact("Comments dated", format_day(letter_dated)),
                Fact("Recorded by", by),
                Fact("On", format_day(on)),
            ),
        )


class CommentsAlreadyDealtWith(AlreadyDone):
    """The window has already been closed, or the comments recorded, for this letter."""

    def __init__(self) -> None:
        Refusal.__init__(self, "The person's comments on this letter have already been dealt with.")


class ReviewStatementAlreadyRecorded(AlreadyDone):
    """The person's statement for the committee's review is already on record."""

    def __init__(self, *, received_on: date) -> None:
        Refusal.__init__(
            self,
            f"A statement received on {format_day(received_on)} is already recorded for "
            "this review.",
            (Fact("Statement received on", format_day(received_on)),),
        )


class LetterAlreadySent(AlreadyDone):
    """The letter was already recorded as sent on `sent_on`."""

    def __init__(self, *, letter: str, sent_on: date) -> None:
        Refusal.__init__(
            self,
            f"{letter} was recorded as sent on {format_day(sent_on)}.",
            (Fact("Letter", letter), Fact("Sent on", format_day(sent_on))),
        )


class LetterAlreadyWithdrawn(AlreadyDone):
    """The letter was already withdrawn, for `reason`."""

    def __init__(self, *, letter: str, reason: str) -> None:
        Refusal.__init__(
            self,
            f"{letter} was withdrawn: {reason}",
            (Fact("Letter", letter), Fact("Reason", reason)),
        )


class InvalidDetails(Refusal):
    """Something the command needs is missing or inconsistent (a reason, a date, a choice).
    Its message is free, because the details are many; `DetailMissing` is the commonest."""

    TITLE = "Please check the details"


class DetailMissing(InvalidDetails):
    """A detail the step needs was left empty: `what` is it in words ("the reason for the
    ban")."""

    TITLE = _MISSING

    def __init__(self, *, what: str) -> None:
        super().__init__(f"Please give {what}.", (Fact("Missing", what),))


class RiskAssessmentRequired(Refusal):
    """ "Following the completion of the risk assessment, the Principal will decide the level
    of action": no response before the latest incident has been assessed."""

    TITLE = "Risk assessment needed first"

    def __init__(self, *, incident_no: int) -> None:
        super().__init__(
            f"Incident {incident_no} has not been risk-assessed yet. The policy asks for the "
            "risk assessment first, so that the response is reasonable and proportionate.",
            (Fact("Incident", str(incident_no)),),
        )


class EarlierStepsRequired(Refusal):
    """A ban with no earlier step that took effect before a later incident needs the
    recorded ground of an extreme act of violence ("Impose a ban")."""

    TITLE = _MISSING

    def __init__(self) -> None:
        super().__init__(
            "No earlier step has taken effect before a later incident on this case (a warning "
            "letter recorded as sent, an informal meeting held, or conditions in force). A ban "
            "without one needs the ground recorded: describe the extreme act of violence.",
            (Fact("Missing", "the extreme act of violence that grounds the ban"),),
        )


class ExtremeViolenceNotRecorded(Refusal):
    """The extreme-violence ground names an incident on which no physical behaviour (or
    assault) was recorded."""

    TITLE = "No act of violence recorded"

    def __init__(self, *, incident_no: int) -> None:
        super().__init__(
            f"Incident {incident_no} records no physical behaviour (hitting, spitting, "
            "physical abuse) and no assault, so it cannot ground a ban as an extreme act of "
            "violence. Take the earlier steps the policy sets out first.",
            (Fact("Incident", str(incident_no)),),
        )


class OwnDecision(Refusal):
    """The person who imposed conditions or a ban may not confirm or overturn them, whatever
    roles they hold: nobody reviews their own decision. `sanction` is its label."""

    TITLE = "Nobody reviews their own decision"

    def __init__(self, *, sanction: str, imposed_on: date) -> None:
        super().__init__(
            f"You imposed the {sanction} on {format_day(imposed_on)}, so you cannot confirm or "
            "overturn it: nobody reviews their own decision. Another Chair of the Local "
            "Academy Committee must decide.",
            (Fact("Imposed on", format_day(imposed_on)),),
        )


class TooFewStaff(Refusal):
    """ "Members of school staff will always be accompanied by at least one other colleague".

    `where` completes "At least two members of staff must be …" ("at the meeting");
    `named` is how many different members of staff were named."""

    TITLE = _MISSING

    def __init__(self, *, where: str, named: int) -> None:
        super().__init__(
            f"At least two members of staff must be {where}: "
            "“Members of school staff will always be accompanied by at least one other "
            "colleague at any such meeting.”",
            (Fact("Staff needed", "at least 2"), Fact("Staff named", str(named))),
        )


class SafetyNotConsidered(Refusal):
    """The informal meeting's safety checks (seating, exits) were not confirmed."""

    TITLE = _MISSING

    def __init__(self, *, seating_considered: bool, exits_kept_clear: bool) -> None:
        super().__init__(
            "Before the meeting, confirm that the seating arrangements have been considered "
            "and that the exits cannot be blocked.",
            (
                Fact("Seating considered", "yes" if seating_considered else "no"),
                Fact("Exits kept clear", "yes" if exits_kept_clear else "no"),
            ),
        )


class WindowStillOpen(Refusal):
    """The 10 school days for the person's representations have not yet passed: they have
    until the end of `until`."""

    TITLE = _TOO_EARLY

    def __init__(self, *, until: date) -> None:
        super().__init__(
            f"The person has until the end of {format_day(until)} to send written "
            "comments, so the window cannot be closed yet.",
            (Fact("Comments may arrive until", format_day(until)),),
        )


class StatementWindowOpen(WindowStillOpen):
    """The committee's decision without a statement while the person's 10 school days to
    give one (letter 6) have not passed: they have until the end of `until`."""

    def __init__(self, *, until: date) -> None:
        Refusal.__init__(
            self,
            f"The person has until the end of {format_day(until)} to give a statement for "
            "the review, and none has been recorded: the committee's decision can be "
            "recorded once it arrives or after that day.",
            (Fact("Statement may arrive until", format_day(until)),),
        )


class LetterNotYetSent(Refusal):
    """A deadline counts from the date a letter was sent, and it has not been recorded:
    `letter` is the letter's label."""

    TITLE = "Letter not yet sent"

    def __init__(self, *, letter: str) -> None:
        super().__init__(
            f"{letter} has not been recorded as sent. The person's 10 school days count from "
            "the date it was sent: record that date first.",
            (Fact("Letter", letter),),
        )


class RepresentationBeforeLetter(Refusal):
    """The person's comments are dated (or were received) before the letter they answer was
    sent: they cannot be a reply to it. `letter` is the letter's label."""

    TITLE = "Not a reply to this letter"

    def __init__(self, *, letter: str, sent_on: date, dated: date) -> None:
        super().__init__(
            f"These comments are dated {format_day(dated)}, before {letter} was sent on "
            f"{format_day(sent_on)}, so they cannot be a reply to it. Record them as a "
            "statement on the incident instead, or check the dates.",
            (
                Fact("Letter", letter),
                Fact("Sent on", format_day(sent_on)),
                Fact("Comments dated", format_day(dated)),
            ),
        )


class LetterSentBeforeItsDate(Refusal):
    """The sent date recorded is before the date the letter bears (its draft's date): the
    date on the letter and the date the person's days count from must agree."""

    TITLE = "Before the letter's date"

    def __init__(self, *, letter: str, dated_on: date, sent_on: date) -> None:
        super().__init__(
            f"{letter} is dated {format_day(dated_on)}, so it cannot have been sent on "
            f"{format_day(sent_on)}. Record the day it actually went, or ask for a re-dated "
            "draft.",
            (
                Fact("Letter", letter),
                Fact("Letter dated", format_day(dated_on)),
                Fact("Sent on", format_day(sent_on)),
            ),
        )


class StatementNotYetRequested(LetterNotYetSent):
    """The committee's decision before letter 6, the request for a statement, was sent."""

    def __init__(self) -> None:
        Refusal.__init__(
            self,
            "Letter 6 has not been recorded as sent: the person must be invited to give a "
            "statement before the committee decides.",
            (Fact("Letter", "Letter 6"),),
        )


class MeetingTooEarly(Refusal):
    """A review meeting before the person's 10 school days for a statement have passed:
    `earliest` is the first day it may be held, `letter_dated` the date of letter 6."""

    TITLE = _TOO_EARLY

    def __init__(self, *, earliest: date, letter_dated: date) -> None:
        super().__init__(
            f"The meeting can be no earlier than {format_day(earliest)}: the person must "
            f"have 10 school days from letter 6 (dated {format_day(letter_dated)}) to give "
            "a statement.",
            (
                Fact("Earliest meeting date", format_day(earliest)),
                Fact("Letter 6 dated", format_day(letter_dated)),
            ),
        )


class MeetingNotYetHeld(Refusal):
    """The committee's outcome cannot be recorded before the meeting date, `meeting_on`."""

    TITLE = _TOO_EARLY

    def __init__(self, *, meeting_on: date) -> None:
        super().__init__(
            f"The committee meets on {format_day(meeting_on)}; its decision can be "
            "recorded from that day.",
            (Fact("Committee meets on", format_day(meeting_on)),),
        )


class PeriodNotEnded(Refusal):
    """The ban or conditions in force have no end date, or their last day, `until`, has not
    yet passed: they do not end by themselves yet (issue 9, rule 5)."""

    TITLE = _TOO_EARLY

    def __init__(self, *, sanction: str, until: date | None) -> None:
        # "The ban is … it ends by itself"; "The conditions are … they end by themselves".
        if until is None and sanction.endswith("s"):
            message = (
                f"The {sanction} have no end date: they stay in force until they are reviewed."
            )
        elif until is None:
            message = f"The {sanction} has no end date: it stays in force until it is reviewed."
        elif sanction.endswith("s"):
            message = (
                f"The {sanction} are in force until {format_day(until)} inclusive: they end "
                "by themselves the day after."
            )
        else:
            message = (
                f"The {sanction} is in force until {format_day(until)} inclusive: it ends by "
                "itself the day after."
            )
        facts: tuple[Fact, ...] = ()
        if until is not None:
            facts = (Fact("In force until", format_day(until)),)
        super().__init__(message, facts)


class NoBreachWhileBanned(Refusal):
    """A removal under section 547 needs a recorded breach or nuisance while the ban is in
    force ("a banned person who continues to cause a nuisance"), on or before the removal;
    `banned_on` is the day the ban took effect."""

    TITLE = _MISSING

    def __init__(self, *, banned_on: date) -> None:
        super().__init__(
            "A removal under section 547 is for a banned person who continues to cause a "
            f"nuisance, and nothing has been recorded since the ban of {format_day(banned_on)}. "
            "Record the breach of the ban (or report the incident) first, then the removal.",
            (Fact("Banned since", format_day(banned_on)),),
        )


class DisclosureNotDecided(Refusal):
    """A statement may be shown to the person only after the head has recorded a decision to
    release it, having weighed the risk of retaliation to the witness."""

    TITLE = "Disclosure decision needed first"

    def __init__(self, *, incident_no: int, statement_no: int, withheld: bool) -> None:
        if withheld:
            message = (
                f"The Headteacher/Principal decided not to release statement {statement_no} of "
                f"incident {incident_no}, so it cannot be shown to the person. A new decision "
                "to release it must be recorded first."
            )
        else:
            message = (
                f"No disclosure decision is recorded for statement {statement_no} of incident "
                f"{incident_no}. The Headteacher/Principal must first decide whether to "
                "release it, weighing the risk of retaliation to the witness."
            )
        super().__init__(
            message,
            (Fact("Incident", str(incident_no)), Fact("Statement", str(statement_no))),
        )


class HistoryError(Exception):
    """A stored history that the rules cannot replay (an event the transition table forbids,
    or an unknown event kind). Not a Refusal: it is a defect or a corrupted record, never a
    user's mistake, and must stop the request loudly."""
