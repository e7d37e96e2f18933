"""The timeline's words for each step, how a prompt's delivery is recorded and worded, and
the view's look-ups of the latest step and of a kind's letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import pytest

from rules.behaviours import LetterKind, NotificationKind
from rules.case import DeliveryState, NotificationRecord, apply
from rules.core.events import Event, EventMeta, NotificationRequired
from rules.errors import HistoryError, InvalidDetails
from rules.narrative import line, narrate
from rules.roles import Role
from rules.state import CaseState, Trigger
from rules.steps.letters import LetterWithdrawn
from rules.steps.notifications import (
    NotificationDelivered,
    NotificationQueued,
    NotificationQueuedUntracked,
    NotificationUndeliverable,
    RecordNotificationDelivered,
    RecordNotificationQueued,
    RecordNotificationUndeliverable,
    delivery_in_words,
)

from .rules_builders import Case, case_in, take

HEAD_PROMPT = "Message to the Headteacher/Principal or a nominated senior member of staff"


def _lines(events: list[Event], case: Case) -> list[str]:
    return [line(e, case.v) for e in events]


def _prompt(case: Case) -> str:
    return case.v.notifications[0].notification_id


def _record(case: Case, note: str) -> NotificationRecord:
    record = case.v.notification(note)
    assert record is not None
    return record


def _meta(case: Case) -> EventMeta:
    return EventMeta(len(case.history) + 1, "system", datetime(2026, 1, 12, 12, tzinfo=UTC), "x")


# --- the timeline ---------------------------------------------------------------------------


def test_the_timeline_says_the_chair_confirmed_the_ban() -> None:
    case = case_in(CaseState.BAN_WITH_CHAIR)
    assert "The Chair confirmed the ban." in _lines(take(case, Trigger.CHAIR_CONFIRMED), case)


def test_the_timeline_says_the_chair_overturned_the_conditions() -> None:
    case = case_in(CaseState.CONDITIONS_WITH_CHAIR)
    lines = _lines(take(case, Trigger.CHAIR_OVERTURNED), case)
    assert "The Chair overturned the conditions." in lines


def test_the_timeline_names_the_letter_a_written_representation_answers_and_its_day() -> None:
    case = case_in(CaseState.BAN_PROVISIONAL)
    lines = _lines(take(case, Trigger.REPRESENTATION_RECEIVED), case)
    assert lines[0] == (
        "A written representation was received on Monday 12 January 2026, "
        "answering Letter 4: ban, pending review."
    )


def test_the_timeline_says_when_the_person_said_they_have_nothing_more_to_add() -> None:
    case = case_in(CaseState.BAN_PROVISIONAL)
    lines = _lines(take(case, Trigger.REPRESENTATION_FINAL), case)
    assert lines[0] == (
        "The person said in writing they have nothing more to add (Monday 12 January 2026)."
    )


def test_the_timeline_words_a_review_outcome_in_lower_case() -> None:
    case = case_in(CaseState.BAN_UNDER_REVIEW)
    lines = _lines(take(case, Trigger.REVIEW_MAINTAINED), case)
    assert "Committee review 1: maintain." in lines


def test_a_letter_not_on_the_case_is_called_a_letter() -> None:
    case = case_in(CaseState.OPEN)
    assert line(LetterWithdrawn("no-such-letter", "duplicate"), case.v) == "a letter withdrawn."


def test_the_timeline_names_the_roles_a_prompt_is_for() -> None:
    case = case_in(CaseState.OPEN)
    texts = [entry.text for entry in narrate(case.history, case.v)]
    assert texts[-1] == f"{HEAD_PROMPT} to be sent in Teams."


def test_a_prompt_to_roles_and_the_reporter_is_named_by_its_roles() -> None:
    case = case_in(CaseState.OPEN)
    prompt = NotificationRequired(
        "n-1", NotificationKind.INCIDENT_REPORTED, (Role.HEAD, Role.SENIOR), people=("staff-1",)
    )
    assert line(prompt, case.v) == f"{HEAD_PROMPT} to be sent in Teams."


@dataclass(frozen=True)
class _UnwordedStep(Event):
    KIND: ClassVar[str] = "test-unworded-step"
    TRIGGER: ClassVar[Trigger | None] = Trigger.CASE_CLOSED


@dataclass(frozen=True)
class _UnwordedFact(Event):
    KIND: ClassVar[str] = "test-unworded-fact"


def test_an_event_without_words_of_its_own_is_named_by_its_step() -> None:
    case = case_in(CaseState.OPEN)
    assert line(_UnwordedStep(), case.v) == f"{Trigger.CASE_CLOSED.label}."


def test_an_event_without_words_or_a_step_is_a_step_recorded() -> None:
    case = case_in(CaseState.OPEN)
    assert line(_UnwordedFact(), case.v) == "A step was recorded."


# --- recording a prompt's delivery ----------------------------------------------------------


def test_recording_a_delivery_for_an_unknown_prompt_is_refused_by_name() -> None:
    case = case_in(CaseState.OPEN)
    with pytest.raises(InvalidDetails) as refused:
        case.run(RecordNotificationDelivered("d-1", "n-missing", "user:a"), system=True)
    assert str(refused.value) == "There is no notification n-missing on this case."


def test_a_recipient_is_recorded_as_delivered_after_another_was_refused() -> None:
    case = case_in(CaseState.OPEN)
    note = _prompt(case)
    case.run(RecordNotificationQueued("q-1", note, ("user:a", "user:b")), system=True)
    case.run(RecordNotificationUndeliverable("u-1", note, "user:a", "gone (404)"), system=True)
    produced = case.run(RecordNotificationDelivered("d-1", note, "user:b"), system=True)
    assert produced == [NotificationDelivered(note, "user:b")]
    assert _record(case, note).delivered_to == ("user:b",)


def test_a_refusal_reported_twice_is_recorded_once() -> None:
    case = case_in(CaseState.OPEN)
    note = _prompt(case)
    case.run(RecordNotificationQueued("q-1", note, ("user:a",)), system=True)
    case.run(RecordNotificationUndeliverable("u-1", note, "user:a", "gone (404)"), system=True)
    again = case.run(
        RecordNotificationUndeliverable("u-2", note, "user:a", "gone (404)"), system=True
    )
    assert again == []
    assert _record(case, note).undeliverable_to == (("user:a", "gone (404)"),)


def test_a_refusal_keeps_at_most_200_characters_of_its_reason() -> None:
    case = case_in(CaseState.OPEN)
    note = _prompt(case)
    case.run(RecordNotificationQueued("q-1", note, ("user:a",)), system=True)
    case.run(RecordNotificationUndeliverable("u-1", note, "user:a", "x" * 250), system=True)
    assert _record(case, note).undeliverable_to == (("user:a", "x" * 200),)


def test_every_refusal_of_a_prompt_is_kept() -> None:
    case = case_in(CaseState.OPEN)
    note = _prompt(case)
    case.run(RecordNotificationQueued("q-1", note, ("user:a", "user:b")), system=True)
    case.run(RecordNotificationUndeliverable("u-1", note, "user:a", "gone (404)"), system=True)
    case.run(RecordNotificationUndeliverable("u-2", note, "user:b", "removed (403)"), system=True)
    assert _record(case, note).undeliverable_to == (
        ("user:a", "gone (404)"),
        ("user:b", "removed (403)"),
    )


def test_an_old_queued_record_is_waiting_to_be_delivered() -> None:
    case = case_in(CaseState.OPEN)
    note = _prompt(case)
    view = apply(case.v, _meta(case), NotificationQueuedUntracked(note))
    record = view.notification(note)
    assert record is not None
    assert record.queued is True
    assert record.untracked is True
    assert record.delivery is DeliveryState.WAITING
    assert delivery_in_words(record) == "waiting to be delivered"


@pytest.mark.parametrize(
    "event",
    [
        NotificationQueued("n-missing", ("user:a",)),
        NotificationDelivered("n-missing", "user:a"),
        NotificationUndeliverable("n-missing", "user:a", "gone (404)"),
    ],
)
def test_a_history_about_a_prompt_the_case_never_called_for_is_refused(event: Event) -> None:
    case = case_in(CaseState.OPEN)
    with pytest.raises(HistoryError) as refused:
        apply(case.v, _meta(case), event)
    assert str(refused.value) == f"case {case.v.case_id}: no notification n-missing"


# --- a prompt's delivery in words -----------------------------------------------------------


def test_a_prompt_nobody_holds_the_role_for_says_so_in_words() -> None:
    case = case_in(CaseState.OPEN)
    note = _prompt(case)
    case.run(RecordNotificationQueued("q-1", note, ()), system=True)
    assert delivery_in_words(_record(case, note)) == (
        "could not be delivered: nobody holds the role at this school"
    )


def test_each_refused_recipient_is_named_with_its_reason() -> None:
    case = case_in(CaseState.OPEN)
    note = _prompt(case)
    case.run(RecordNotificationQueued("q-1", note, ("channel:oak", "user:b")), system=True)
    case.run(RecordNotificationUndeliverable("u-1", note, "channel:oak", "gone (404)"), system=True)
    case.run(RecordNotificationUndeliverable("u-2", note, "user:b", "removed (403)"), system=True)
    assert delivery_in_words(_record(case, note)) == (
        "could not be delivered to the clerks' channel (gone (404)); "
        "a recipient who cannot be reached in Teams (removed (403))"
    )


def test_a_partly_refused_prompt_says_how_many_others_it_was_sent_to() -> None:
    case = case_in(CaseState.OPEN)
    note = _prompt(case)
    case.run(RecordNotificationQueued("q-1", note, ("user:a", "user:b")), system=True)
    case.run(RecordNotificationDelivered("d-1", note, "user:a"), system=True)
    case.run(RecordNotificationUndeliverable("u-1", note, "user:b", "gone (404)"), system=True)
    assert delivery_in_words(_record(case, note)) == (
        "could not be delivered to a recipient who cannot be reached in Teams (gone (404)); "
        "sent to 1 other recipient(s)"
    )


# --- the view's look-ups --------------------------------------------------------------------


def test_the_last_step_of_a_kind_is_the_latest_one_taken() -> None:
    case = case_in(CaseState.OPEN)
    take(case, Trigger.STATEMENT_ADDED)
    take(case, Trigger.INCIDENT_REPORTED)
    take(case, Trigger.STATEMENT_ADDED)
    reported = case.v.last_step(Trigger.INCIDENT_REPORTED)
    assert reported is not None
    assert reported.trigger is Trigger.INCIDENT_REPORTED
    assert reported.command_id == "cmd-3"
    assert case.v.last_step(Trigger.CASE_CLOSED) is None


def test_the_letters_of_a_kind_are_only_that_kinds() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    kinds = {x.letter for x in case.v.letters}
    assert {LetterKind.CONDITIONS, LetterKind.CONDITIONS_DECISION} <= kinds
    decisions = case.v.letters_of(LetterKind.CONDITIONS_DECISION)
    assert len(decisions) == 1
    assert decisions[0].letter is LetterKind.CONDITIONS_DECISION
