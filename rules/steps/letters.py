"""A letter's life after a step calls for it (`rules.core.events.LetterRequired`): drafted
into the signer's mailbox by the application (or the draft failed, and the signer is told),
sent on a date the signer records ("the date of this letter", from which the person's days
count), or withdrawn when it will not be sent.

The date on the letter and the date the case counts from agree (issue 9, rule 4): a letter
cannot be recorded as sent before the date its draft bears, and a draft that has not gone
by the day after its date can be re-dated (`RedateLetter`: drafted afresh, dated the day it
is drafted, with its reply-by date counted from then)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rules.behaviours import NotificationKind
from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides, notify_once, past_day, required_text
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds, set_letter
from rules.core.permissions import permitted
from rules.core.view import CaseView, LetterRecord
from rules.errors import (
    InvalidDetails,
    LetterAlreadySent,
    LetterAlreadyWithdrawn,
    LetterCannotBeWithdrawn,
    LetterSentBeforeItsDate,
    NotPermitted,
)
from rules.roles import Role
from rules.state import CaseState
from rules.wording import format_day

# --- commands ------------------------------------------------------------------------------


# Further narrowed to the letter's signer (or the head) by `_check_signer`.
@permitted("record that a letter was sent", Role.HEAD, Role.CHAIR, Role.CLERK)
@command
@dataclass(frozen=True)
class RecordLetterSent(Command):
    """The date the letter went: "the date of this letter" from which windows count."""

    DONE: ClassVar[str] = "The date the letter was sent recorded"
    command_id: str
    letter_id: str
    sent_on: date


@permitted("withdraw a letter", Role.HEAD, Role.CHAIR, Role.CLERK)
@command
@dataclass(frozen=True)
class WithdrawLetter(Command):
    DONE: ClassVar[str] = "Letter withdrawn"
    command_id: str
    letter_id: str
    reason: str


@permitted("record a letter draft", system=True)
@command
@dataclass(frozen=True)
class RecordLetterDrafted(Command):
    DONE: ClassVar[str] = "Letter draft recorded"
    command_id: str
    letter_id: str
    draft_ref: str
    dated_on: date | None = None  # the date the draft bears
    reply_by: date | None = None  # the reply-by date printed on it, if any


@permitted("ask for a re-dated draft of a letter", Role.HEAD, Role.CHAIR, Role.CLERK)
@command
@dataclass(frozen=True)
class RedateLetter(Command):
    """A draft that did not go on the date it bears is drafted afresh, dated the day it is
    drafted, so that the date on the letter and the person's days agree."""

    DONE: ClassVar[str] = "A re-dated draft asked for: the letter is being drafted"
    command_id: str
    letter_id: str


@permitted("record a failed letter draft", system=True)
@command
@dataclass(frozen=True)
class RecordLetterDraftFailed(Command):
    DONE: ClassVar[str] = "Failed letter draft recorded"
    command_id: str
    letter_id: str
    error: str
    permanent: bool = False  # a retry cannot fix it (see LetterDraftFailed)
    term_dates_end: date | None = None  # see LetterDraftFailed


# --- events --------------------------------------------------------------------------------


@event
@dataclass(frozen=True)
class LetterDrafted(Event):
    KIND: ClassVar[str] = "letter-drafted"
    letter_id: str
    draft_ref: str  # the draft's reference in the signer's mailbox or the letters folder
    dated_on: date | None = None  # "the date of this letter" printed on the draft
    reply_by: date | None = None  # the reply-by (or statement-by) date printed on it


@event
@dataclass(frozen=True)
class LetterRedated(Event):
    """The signer asked for a fresh draft dated the day it is drafted (`RedateLetter`)."""

    KIND: ClassVar[str] = "letter-redated"
    letter_id: str


@event
@dataclass(frozen=True)
class LetterDraftFailed(Event):
    KIND: ClassVar[str] = "letter-draft-failed"
    letter_id: str
    error: str  # what went wrong, for the case record (no personal data)
    # True when trying again cannot help (the case's own details cannot make the letter):
    # not retried until the details change; the signer is told what to fix.
    permanent: bool = False
    # Set when the letter's reply-by date cannot be counted because the school's term dates
    # end on this day (issue 9, rule 6: no date is guessed). Retried on every sweep, so it
    # is drafted once the trust's administrator has added the next school year's dates.
    term_dates_end: date | None = None


@event
@dataclass(frozen=True)
class LetterSent(Event):
    KIND: ClassVar[str] = "letter-sent"
    letter_id: str
    sent_on: date


@event
@dataclass(frozen=True)
class LetterWithdrawn(Event):
    """A letter that will not be sent (e.g. letter 2 overtaken by a ban before it went)."""

    KIND: ClassVar[str] = "letter-withdrawn"
    letter_id: str
    reason: str


# --- decide --------------------------------------------------------------------------------


def _existing_letter(view: CaseView, letter_id: str) -> LetterRecord:
    letter = view.letter(letter_id)
    if letter is None:
        raise InvalidDetails(f"There is no letter {letter_id} on case {view.reference}.")
    return letter


def _check_signer(letter: LetterRecord, ctx: DecisionContext) -> None:
    if letter.signer not in ctx.roles and Role.HEAD not in ctx.roles:
        raise NotPermitted(
            what=f"record this about {letter.letter.label}",
            needed={letter.signer, Role.HEAD},
            held=ctx.roles,
        )


def _check_not_done(letter: LetterRecord) -> None:
    if letter.sent_on is not None:
        raise LetterAlreadySent(letter=letter.letter.label, sent_on=letter.sent_on)
    if letter.withdrawn_reason is not None:
        raise LetterAlreadyWithdrawn(letter=letter.letter.label, reason=letter.withdrawn_reason)


def _record_letter_sent(view: CaseView, cmd: RecordLetterSent, ctx: DecisionContext) -> list[Event]:
    letter = _existing_letter(view, cmd.letter_id)
    _check_signer(letter, ctx)
    _check_not_done(letter)
    past_day(cmd.sent_on, "The date the letter was sent", ctx)
    if cmd.sent_on < letter.required_at.date():
        raise InvalidDetails(
            f"The letter cannot have been sent before it was called for "
            f"({format_day(letter.required_at.date())})."
        )
    if letter.dated_on is not None and cmd.sent_on < letter.dated_on:
        raise LetterSentBeforeItsDate(
            letter=letter.letter.label, dated_on=letter.dated_on, sent_on=cmd.sent_on
        )
    return [LetterSent(cmd.letter_id, cmd.sent_on)]


decides(RecordLetterSent)(_record_letter_sent)


def _redate_letter(view: CaseView, cmd: RedateLetter, ctx: DecisionContext) -> list[Event]:
    letter = _existing_letter(view, cmd.letter_id)
    _check_signer(letter, ctx)
    _check_not_done(letter)
    if letter.dated_on is None or letter.dated_on >= ctx.today:
        raise InvalidDetails(
            f"{letter.letter.label} has no draft dated before today: there is nothing to re-date."
        )
    return [LetterRedated(cmd.letter_id)]


decides(RedateLetter)(_redate_letter)


def _withdraw_letter(view: CaseView, cmd: WithdrawLetter, ctx: DecisionContext) -> list[Event]:
    letter = _existing_letter(view, cmd.letter_id)
    _check_signer(letter, ctx)
    _check_not_done(letter)
    window = view.window
    if (
        window is not None
        and window.letter_id == letter.letter_id
        and view.state
        in (
            CaseState.WARNED,
            CaseState.CONDITIONS_PROVISIONAL,
            CaseState.BAN_PROVISIONAL,
        )
    ):
        raise LetterCannotBeWithdrawn(letter=letter.letter.label)
    return [LetterWithdrawn(cmd.letter_id, required_text(cmd.reason, "why it will not be sent"))]


decides(WithdrawLetter)(_withdraw_letter)


def _record_letter_drafted(
    view: CaseView, cmd: RecordLetterDrafted, ctx: DecisionContext
) -> list[Event]:
    letter = _existing_letter(view, cmd.letter_id)
    if letter.draft_ref == cmd.draft_ref or letter.done:
        return []  # the same draft recorded again, or the letter is no longer needed
    # The answer to the signer's step said "the letter is being drafted": this tells them
    # it is ready, to read, adjust and send.
    kind = NotificationKind.LETTER_READY
    return [
        LetterDrafted(
            cmd.letter_id,
            required_text(cmd.draft_ref, "the draft's reference"),
            cmd.dated_on,
            cmd.reply_by,
        ),
        *notify_once(view, f"{letter.letter_id}:{kind.value}", kind, (letter.signer,)),
    ]


decides(RecordLetterDrafted)(_record_letter_drafted)


def _record_letter_draft_failed(
    view: CaseView, cmd: RecordLetterDraftFailed, ctx: DecisionContext
) -> list[Event]:
    letter = _existing_letter(view, cmd.letter_id)
    if letter.draft_ref is not None or letter.done:
        return []
    if cmd.permanent and letter.draft_blocked and letter.draft_error == cmd.error:
        return []  # the same lasting failure, already on the case
    if cmd.term_dates_end is not None:
        kind = NotificationKind.LETTER_NEEDS_TERM_DATES
    elif cmd.permanent:
        kind = NotificationKind.LETTER_CANNOT_BE_DRAFTED
    else:
        kind = NotificationKind.LETTER_DRAFT_FAILED
    failed = LetterDraftFailed(
        cmd.letter_id,
        required_text(cmd.error, "what went wrong"),
        cmd.permanent,
        cmd.term_dates_end,
    )
    roles: tuple[Role, ...] = (letter.signer,)
    if cmd.term_dates_end is not None and letter.signer is not Role.HEAD:
        roles = (letter.signer, Role.HEAD)  # the head is told too (issue 9, rule 6)
    return [failed, *notify_once(view, f"{letter.letter_id}:{kind.value}", kind, roles)]


decides(RecordLetterDraftFailed)(_record_letter_draft_failed)


# --- fold ----------------------------------------------------------------------------------


def _letter_drafted(view: CaseView, meta: EventMeta, e: LetterDrafted) -> CaseView:
    return set_letter(
        view,
        e.letter_id,
        draft_ref=e.draft_ref,
        draft_error=None,
        term_dates_end=None,
        dated_on=e.dated_on,
        reply_by=e.reply_by,
    )


folds(LetterDrafted)(_letter_drafted)


def _letter_redated(view: CaseView, meta: EventMeta, e: LetterRedated) -> CaseView:
    letter = view.letter(e.letter_id)
    redated = letter.redated + 1 if letter is not None else 1
    return set_letter(
        view,
        e.letter_id,
        draft_ref=None,
        draft_error=None,
        draft_blocked=False,
        dated_on=None,
        reply_by=None,
        redated=redated,
    )


folds(LetterRedated)(_letter_redated)


def _letter_draft_failed(view: CaseView, meta: EventMeta, e: LetterDraftFailed) -> CaseView:
    return set_letter(
        view,
        e.letter_id,
        draft_error=e.error,
        draft_blocked=e.permanent,
        term_dates_end=e.term_dates_end,
    )


folds(LetterDraftFailed)(_letter_draft_failed)


def _letter_sent(view: CaseView, meta: EventMeta, e: LetterSent) -> CaseView:
    return set_letter(view, e.letter_id, sent_on=e.sent_on)


folds(LetterSent)(_letter_sent)


def _letter_withdrawn(view: CaseView, meta: EventMeta, e: LetterWithdrawn) -> CaseView:
    return set_letter(view, e.letter_id, withdrawn_reason=e.reason)


folds(LetterWithdrawn)(_letter_withdrawn)
