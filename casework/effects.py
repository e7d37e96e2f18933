"""The effects a case still owes: letters to draft and prompts to send, each done once and
marked done by an event (ARCHITECTURE.md, "Doing things exactly once").

    effects = await complete_effects(casework, folded)

Each undone letter is drafted from the case *as it stood when the letter was called for*
(`Folded.view_when_called_for`), with the person's current contact details, and dated the
day it is drafted; then `RecordLetterDrafted` (or `RecordLetterDraftFailed` with the error,
which stays VISIBLE on the case) is recorded. Each undone notification is handed to the
notifier (the durable outbox), then `RecordNotificationQueued` is recorded: queued, not
sent; the deliverer (`bot/deliver.py`) records each recipient's outcome. A failure never
undoes or hides the decision already recorded: what is undone stays pending and the sweeper
retries it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from casework.actor import SYSTEM
from casework.history import Folded
from casework.letter_parts import TermDatesMissing
from casework.letters import LetterInputs, build_draft
from casework.notifications import build_notification
from casework.ports import StoreUnavailable
from rules.case import LetterRecord, NotificationRecord
from rules.commands import Command
from rules.errors import Refusal
from rules.prompts import pending_effects
from rules.steps.letters import RecordLetterDrafted, RecordLetterDraftFailed
from rules.steps.notifications import RecordNotificationQueued
from templates.errors import LetterError

if TYPE_CHECKING:
    from casework.pipeline import Casework

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EffectFailure:
    """An effect that could not be carried out now; it stays pending and is retried."""

    effect: str  # "letter", "notification" or "case list"
    effect_id: str  # the letter id or notification id ("" for the case list)
    message: str  # for the case record and the user; no personal details


@dataclass(frozen=True)
class EffectsDone:
    folded: Folded  # the case after the effects' own events
    failures: tuple[EffectFailure, ...] = ()
    drafted: tuple[str, ...] = ()  # letter ids drafted in this call


async def complete_effects(cw: Casework, folded: Folded) -> EffectsDone:
    """Draft the letters and send the notifications still undone on the case, each at most
    once in this call; record each result as an event."""
    failures: list[EffectFailure] = []
    drafted: list[str] = []
    tried: set[str] = set()
    while True:
        pending = pending_effects(folded.view)
        letters = [x for x in pending.letters if f"letter:{x.letter_id}" not in tried]
        notes = [n for n in pending.notifications if f"note:{n.notification_id}" not in tried]
        if not letters and not notes:
            break
        for letter in letters:
            tried.add(f"letter:{letter.letter_id}")
            command, failure = await _draft(cw, folded, letter)
            if failure is not None:
                failures.append(failure)
            recorded = await _record(cw, folded, command, "letter", letter.letter_id)
            if isinstance(recorded, EffectFailure):
                failures.append(recorded)
                continue
            folded = recorded
            if failure is None:
                drafted.append(letter.letter_id)
        for note in notes:
            tried.add(f"note:{note.notification_id}")
            queued = await _notify(cw, folded, note)
            if isinstance(queued, EffectFailure):
                failures.append(queued)
                continue
            # Queued, not sent: the deliverer records each recipient's outcome.
            record = RecordNotificationQueued(
                f"system:queued:{note.notification_id}", note.notification_id, queued
            )
            recorded = await _record(cw, folded, record, "notification", note.notification_id)
            if isinstance(recorded, EffectFailure):
                failures.append(recorded)
                continue
            folded = recorded
    return EffectsDone(folded, tuple(failures), tuple(drafted))


async def _record(
    cw: Casework, folded: Folded, command: Command, effect: str, effect_id: str
) -> Folded | EffectFailure:
    try:
        return (await cw.apply(folded.case_id, command, SYSTEM, known=folded)).folded
    except (StoreUnavailable, Refusal) as error:
        logger.warning("%s %s done but not recorded: %s", effect, effect_id, type(error).__name__)
        return EffectFailure(
            effect, effect_id, "Done, but not yet recorded on the case; it will be next time."
        )


def letter_inputs(cw: Casework, folded: Folded, letter: LetterRecord) -> LetterInputs:
    """The case as it stood when `letter` was called for, with current contact details."""
    view = folded.view
    then = folded.view_when_called_for(letter.letter_id)
    return LetterInputs(
        view=replace(then, person=view.person),
        letter=letter,
        letter_date=cw.today(),
        calendar=cw.calendar(view.school_id),
        school=cw.school(view.school_id),
        trust=cw.trust_letterhead,
        config=cw.config,
        directory=cw.ports.directory,
    )


async def _draft(
    cw: Casework, folded: Folded, letter: LetterRecord
) -> tuple[Command, EffectFailure | None]:
    reference_of_case = folded.view.reference
    try:
        inputs = letter_inputs(cw, folded, letter)
        draft = build_draft(inputs, cw.renderer)
        reference = await cw.ports.drafts.create_draft(draft)
    except TermDatesMissing as error:
        # No date is guessed (issue 9, rule 6): the signer is told, and the trust's
        # administrator reads this line (the school and the day its term dates end, no
        # personal data). Retried on every sweep, so it is drafted once the dates are added.
        logger.warning(
            "case %s: letter %s cannot be dated: the term dates of school %s end on %s; "
            "add the next school year's term dates",
            reference_of_case,
            letter.letter_id,
            folded.view.school_id,
            error.last_covered.isoformat(),
        )
        message = f"{type(error).__name__}: {error}"[:500]
        failed = RecordLetterDraftFailed(
            # Once per draft asked for (a re-dated draft may wait again).
            f"system:letter-needs-term-dates:{letter.letter_id}:{letter.redated}",
            letter.letter_id,
            message,
            term_dates_end=error.last_covered,
        )
        return failed, EffectFailure("letter", letter.letter_id, message)
    except Exception as error:  # any failure is recorded on the case, never swallowed
        # A letter the case's details cannot make (a LetterError: a name with a line break,
        # a role nobody holds) fails the same way every time: recorded as lasting, so it is
        # not retried on every sweep for ever. Anything else (the mailbox, the disk) is
        # retried.
        permanent = isinstance(error, LetterError)
        message = f"{type(error).__name__}: {error}"[:500]
        logger.warning(
            "case %s: letter %s could not be drafted (%s): %s",
            reference_of_case,
            letter.letter_id,
            "lasting" if permanent else "will retry",
            type(error).__name__,
        )
        # A passing failure is recorded once, however often it recurs (one fixed id). A
        # lasting one is recorded each time it is found afresh: after the details change
        # and the letter is tried again (the history's length tells the attempts apart;
        # two sweepers at the same point use the same id, so it is still recorded once).
        command_id = (
            f"system:letter-cannot-be-drafted:{letter.letter_id}:{len(folded.history)}"
            if permanent
            else f"system:letter-draft-failed:{letter.letter_id}"
        )
        failed = RecordLetterDraftFailed(command_id, letter.letter_id, message, permanent)
        return failed, EffectFailure("letter", letter.letter_id, message)
    logger.info("case %s: letter %s drafted", reference_of_case, letter.letter_id)
    # A re-dated draft is a fresh draft, recorded under its own id.
    redated = f":redated-{letter.redated}" if letter.redated else ""
    return RecordLetterDrafted(
        f"system:letter-drafted:{letter.letter_id}{redated}",
        letter.letter_id,
        reference,
        inputs.letter_date,
        draft.reply_by,
    ), None


async def _notify(
    cw: Casework, folded: Folded, note: NotificationRecord
) -> tuple[str, ...] | EffectFailure:
    """Queue the notification; the addresses it was queued for."""
    view = folded.view
    try:
        school = cw.school(view.school_id)
        notification = build_notification(view, note, school, cw.ports.directory, cw.config.trust)
        await cw.ports.notifier.notify(notification)
    except Exception as error:  # stays pending on the case: the sweeper retries
        logger.warning(
            "case %s: notification %s not sent: %s",
            view.reference,
            note.notification_id,
            type(error).__name__,
        )
        return EffectFailure(
            "notification", note.notification_id, f"{type(error).__name__}: {error}"[:500]
        )
    return notification.addresses
