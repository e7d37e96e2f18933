"""Teams prompts after a step calls for them (`rules.core.events.NotificationRequired`):
recorded as sent once Teams accepted them, and the sweeper's daily step that asks for the
reminders that have fallen due (the clerk ahead of each review, the head ahead of each
year's progress meeting under a ban)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rules.core.commands import Command, command
from rules.core.decide import DecisionContext, decides
from rules.core.events import Event, EventMeta, NotificationRequired, event
from rules.core.fold import folds
from rules.core.permissions import permitted
from rules.core.view import CaseView
from rules.errors import HistoryError, InvalidDetails
from rules.prompts import due_reminders


@permitted("record a notification", system=True)
@command
@dataclass(frozen=True)
class RecordNotificationSent(Command):
    DONE: ClassVar[str] = "Notification recorded"
    command_id: str
    notification_id: str


@permitted("send reminders", system=True)
@command
@dataclass(frozen=True)
class SendDueReminders(Command):
    """The sweeper's daily step: reminders that have fallen due and were not yet sent."""

    DONE: ClassVar[str] = "Reminders sent"
    command_id: str


@event
@dataclass(frozen=True)
class NotificationSent(Event):
    KIND: ClassVar[str] = "notification-sent"
    notification_id: str


@decides(RecordNotificationSent)
def _record_notification_sent(
    view: CaseView, cmd: RecordNotificationSent, ctx: DecisionContext
) -> list[Event]:
    notification = view.notification(cmd.notification_id)
    if notification is None:
        raise InvalidDetails(f"There is no notification {cmd.notification_id} on this case.")
    if notification.sent:
        return []
    return [NotificationSent(cmd.notification_id)]


@decides(SendDueReminders)
def _send_due_reminders(view: CaseView, cmd: SendDueReminders, ctx: DecisionContext) -> list[Event]:
    return [
        NotificationRequired(r.notification_id, r.kind, r.roles)
        for r in due_reminders(view, ctx.today, ctx.calendar)
    ]


@folds(NotificationSent)
def _notification_sent(view: CaseView, meta: EventMeta, e: NotificationSent) -> CaseView:
    if view.notification(e.notification_id) is None:
        raise HistoryError(f"case {view.case_id}: no notification {e.notification_id}")
    return replace(
        view,
        notifications=tuple(
            replace(n, sent=True) if n.notification_id == e.notification_id else n
            for n in view.notifications
        ),
    )
