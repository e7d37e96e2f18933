"""Teams prompts after a step calls for them (`rules.core.events.NotificationRequired`):
recorded as queued for delivery, then, per recipient, as sent once the Bot Connector
accepted it (answered 2xx) or as undeliverable when Teams refused it for good (the app
removed, the user gone); and the sweeper's daily step that asks for the reminders that have
fallen due (the clerk ahead of each review, the head ahead of each year's progress meeting
under a ban).

The case never says "sent" for a prompt that is only queued: until the Bot Connector has
accepted it, it is "waiting to be delivered" (`NotificationRecord.delivery`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides
from rules.core.events import Event, EventMeta, NotificationRequired, event
from rules.core.fold import folds
from rules.core.permissions import permitted
from rules.core.view import CaseView, DeliveryState, NotificationRecord
from rules.errors import HistoryError, InvalidDetails
from rules.prompts import due_reminders


@permitted("record a notification", system=True)
@command
@dataclass(frozen=True)
class RecordNotificationQueued(Command):
    """The prompt is in the durable outbox, one delivery per recipient address."""

    DONE: ClassVar[str] = "Notification waiting to be delivered"
    command_id: str
    notification_id: str
    recipients: tuple[str, ...] = ()


@permitted("record a notification", system=True)
@command
@dataclass(frozen=True)
class RecordNotificationDelivered(Command):
    """The Bot Connector accepted the prompt for `recipient` (it answered 2xx)."""

    DONE: ClassVar[str] = "Notification sent"
    command_id: str
    notification_id: str
    recipient: str


@permitted("record a notification", system=True)
@command
@dataclass(frozen=True)
class RecordNotificationUndeliverable(Command):
    """Teams refused the prompt for `recipient` for good (403 or 404): not retried."""

    DONE: ClassVar[str] = "Notification could not be delivered"
    command_id: str
    notification_id: str
    recipient: str
    reason: str


@permitted("send reminders", system=True)
@command
@dataclass(frozen=True)
class SendDueReminders(Command):
    """The sweeper's daily step: reminders that have fallen due and were not yet sent."""

    DONE: ClassVar[str] = "Reminders sent"
    command_id: str


@event
@dataclass(frozen=True)
class NotificationQueued(Event):
    KIND: ClassVar[str] = "notification-queued"
    notification_id: str
    recipients: tuple[str, ...]


@event
@dataclass(frozen=True)
class NotificationQueuedUntracked(Event):
    """Stored by versions before deliveries were tracked, when it was recorded as soon as
    the prompt was QUEUED (under a kind that said "sent"). Read for what it meant: queued,
    recipients not recorded."""

    KIND: ClassVar[str] = "notification-sent"
    notification_id: str


@event
@dataclass(frozen=True)
class NotificationDelivered(Event):
    KIND: ClassVar[str] = "notification-delivered"
    notification_id: str
    recipient: str


@event
@dataclass(frozen=True)
class NotificationUndeliverable(Event):
    KIND: ClassVar[str] = "notification-undeliverable"
    notification_id: str
    recipient: str
    reason: str


def _known(view: CaseView, notification_id: str) -> NotificationRecord:
    notification = view.notification(notification_id)
    if notification is None:
        raise InvalidDetails(f"There is no notification {notification_id} on this case.")
    return notification


def _has_outcome(record: NotificationRecord, recipient: str) -> bool:
    return recipient in record.delivered_to or any(
        r == recipient for r, _ in record.undeliverable_to
    )


def _record_notification_queued(
    view: CaseView, cmd: RecordNotificationQueued, ctx: DecisionContext
) -> list[Event]:
    if _known(view, cmd.notification_id).queued:
        return []
    return [NotificationQueued(cmd.notification_id, tuple(dict.fromkeys(cmd.recipients)))]


decides(RecordNotificationQueued)(_record_notification_queued)


def _record_notification_delivered(
    view: CaseView, cmd: RecordNotificationDelivered, ctx: DecisionContext
) -> list[Event]:
    if _has_outcome(_known(view, cmd.notification_id), cmd.recipient):
        return []
    return [NotificationDelivered(cmd.notification_id, cmd.recipient)]


decides(RecordNotificationDelivered)(_record_notification_delivered)


def _record_notification_undeliverable(
    view: CaseView, cmd: RecordNotificationUndeliverable, ctx: DecisionContext
) -> list[Event]:
    if _has_outcome(_known(view, cmd.notification_id), cmd.recipient):
        return []
    return [NotificationUndeliverable(cmd.notification_id, cmd.recipient, cmd.reason[:200])]


decides(RecordNotificationUndeliverable)(_record_notification_undeliverable)


def _send_due_reminders(view: CaseView, cmd: SendDueReminders, ctx: DecisionContext) -> list[Event]:
    return [
        NotificationRequired(r.notification_id, r.kind, r.roles, about=r.about, due=r.due)
        for r in due_reminders(view, ctx.today, ctx.calendar)
    ]


decides(SendDueReminders)(_send_due_reminders)


def _changed(view: CaseView, notification_id: str, **changes: object) -> CaseView:
    if view.notification(notification_id) is None:
        raise HistoryError(f"case {view.case_id}: no notification {notification_id}")
    return replace(
        view,
        notifications=tuple(
            replace(n, **changes) if n.notification_id == notification_id else n  # type: ignore[arg-type]
            for n in view.notifications
        ),
    )


def _notification_queued(view: CaseView, meta: EventMeta, e: NotificationQueued) -> CaseView:
    return _changed(view, e.notification_id, queued=True, recipients=tuple(e.recipients))


folds(NotificationQueued)(_notification_queued)


def _notification_queued_untracked(
    view: CaseView, meta: EventMeta, e: NotificationQueuedUntracked
) -> CaseView:
    return _changed(view, e.notification_id, queued=True, untracked=True)


folds(NotificationQueuedUntracked)(_notification_queued_untracked)


def _notification_delivered(view: CaseView, meta: EventMeta, e: NotificationDelivered) -> CaseView:
    record = view.notification(e.notification_id)
    delivered = () if record is None else record.delivered_to
    return _changed(view, e.notification_id, delivered_to=(*delivered, e.recipient))


folds(NotificationDelivered)(_notification_delivered)


def _notification_undeliverable(
    view: CaseView, meta: EventMeta, e: NotificationUndeliverable
) -> CaseView:
    record = view.notification(e.notification_id)
    refused = () if record is None else record.undeliverable_to
    return _changed(view, e.notification_id, undeliverable_to=(*refused, (e.recipient, e.reason)))


folds(NotificationUndeliverable)(_notification_undeliverable)


def delivery_in_words(record: NotificationRecord) -> str:
    """The prompt's delivery as the case history shows it: "waiting to be delivered",
    "sent", or what could not be delivered and why (never "sent" before the Bot Connector
    accepted it)."""
    state = record.delivery
    if state is DeliveryState.UNDELIVERABLE:
        if not record.recipients and not record.untracked:
            return "could not be delivered: nobody holds the role at this school"
        refused = "; ".join(f"{_who(r)} ({reason})" for r, reason in record.undeliverable_to)
        sent = len(record.delivered_to)
        also = f"; sent to {sent} other recipient(s)" if sent else ""
        return f"could not be delivered to {refused}{also}"
    if state is DeliveryState.WAITING and record.delivered_to:
        return f"sent to {len(record.delivered_to)} recipient(s), others waiting to be delivered"
    return state.label


def _who(recipient: str) -> str:
    if recipient.startswith("channel:"):
        return "the clerks' channel"
    return "a recipient who cannot be reached in Teams"
