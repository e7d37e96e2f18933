"""A prompt is "waiting to be delivered" once queued, and "sent" only when the Bot
Connector accepted it for every recipient; a refusal for good is shown as such."""

from __future__ import annotations

from rules.case import DeliveryState, NotificationRecord
from rules.codec import encode
from rules.core.events import event_from_record
from rules.state import CaseState
from rules.steps.notifications import (
    NotificationQueuedUntracked,
    RecordNotificationDelivered,
    RecordNotificationQueued,
    RecordNotificationUndeliverable,
    delivery_in_words,
)

from .rules_builders import Case, case_in


def _first_prompt_id(case: Case) -> str:
    return case.v.notifications[0].notification_id


def _record(case: Case, note: str) -> NotificationRecord:
    record = case.v.notification(note)
    assert record is not None
    return record


def test_a_queued_prompt_is_waiting_to_be_delivered_not_sent() -> None:
    case = case_in(CaseState.OPEN)
    note = _first_prompt_id(case)
    assert _record(case, note).delivery is DeliveryState.NOT_QUEUED
    case.run(RecordNotificationQueued("q-1", note, ("user:a", "user:b")), system=True)
    record = _record(case, note)
    assert record.delivery is DeliveryState.WAITING
    assert delivery_in_words(record) == "waiting to be delivered"


def test_a_prompt_is_sent_only_when_every_recipient_was_accepted() -> None:
    case = case_in(CaseState.OPEN)
    note = _first_prompt_id(case)
    case.run(RecordNotificationQueued("q-1", note, ("user:a", "user:b")), system=True)
    case.run(RecordNotificationDelivered("d-1", note, "user:a"), system=True)
    assert _record(case, note).delivery is DeliveryState.WAITING
    assert "others waiting" in delivery_in_words(_record(case, note))
    case.run(RecordNotificationDelivered("d-2", note, "user:b"), system=True)
    assert _record(case, note).delivery is DeliveryState.SENT
    # Recorded once per recipient, however often the deliverer reports it.
    assert case.run(RecordNotificationDelivered("d-3", note, "user:b"), system=True) == []


def test_a_prompt_teams_refused_for_good_is_shown_undeliverable() -> None:
    case = case_in(CaseState.OPEN)
    note = _first_prompt_id(case)
    case.run(RecordNotificationQueued("q-1", note, ("user:a",)), system=True)
    case.run(
        RecordNotificationUndeliverable("u-1", note, "user:a", "the app was removed (403)"),
        system=True,
    )
    record = _record(case, note)
    assert record.delivery is DeliveryState.UNDELIVERABLE
    assert "the app was removed (403)" in delivery_in_words(record)


def test_a_prompt_nobody_can_receive_is_not_shown_as_waiting() -> None:
    case = case_in(CaseState.OPEN)
    note = _first_prompt_id(case)
    case.run(RecordNotificationQueued("q-1", note, ()), system=True)
    record = _record(case, note)
    assert record.delivery is DeliveryState.UNDELIVERABLE
    assert "nobody holds the role" in delivery_in_words(record)


def test_the_old_notification_sent_record_is_read_as_queued() -> None:
    # Earlier versions wrote "notification-sent" when the prompt was merely queued.
    event = event_from_record("notification-sent", {"notification_id": "n-1"})
    assert isinstance(event, NotificationQueuedUntracked)
    assert encode(event) == {"notification_id": "n-1"}
