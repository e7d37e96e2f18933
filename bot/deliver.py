"""The deliverer: the outbox's prompts posted to Teams as proactive messages, and the
replies the Bot Connector did not accept posted again, both from durable stores
(docs/casework.md, "Delivery").

    deliverer = Deliverer(connectors, casework)   # started and stopped by bot/app.py
    await deliverer.deliver_due()                 # one round (tests call it directly)

A round:
1. claims due delivery rows (`DeliveryQueue.claim_due`: a lease, so two instances never
   post one notification to one address at once) and posts each to its stored
   conversation: to a person, the prompt with the card of the step it asks for, built for
   them from the case as it stands (`step_cards`, `bot.flows.prompt_steps`; the plain
   prompt card when none can be built); to a clerks' channel, the prompt's words only
   (`cards.prompt.for_channel`); at most `per_second` messages a second into one
   conversation (Teams' limit is 7);
2. records each outcome: SENT only after the Bot Connector answered 2xx; 403/404 (the app
   removed, the user gone) UNDELIVERABLE, not retried; a 429 is tried again after its
   Retry-After; 5xx, timeouts, token failures and an address with no stored conversation
   (the app not installed yet) after 30 s, 2 min, 10 min, then hourly;
3. records the outcomes on the cases (`RecordNotificationDelivered` /
   `RecordNotificationUndeliverable`, fixed command ids, so a crash between the outbox and
   the case is caught up on the next round, once);
4. posts the replies that could not be posted during their turn, after 5 s, 30 s and
   2 min, then gives them up with a WARNING naming the activity.

A crash after the Bot Connector accepted a message and before the outbox row was marked
sent posts it again when the lease ends: the Bot Connector has no idempotency key, so at
the boundary a prompt may arrive twice, never not at all.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from bot.adapter import proactive_activity
from bot.connector import ConnectorClients, Delivery, ReplyNotPosted
from cards import prompt
from cards.common import Card
from casework.actor import SYSTEM
from casework.ports import (
    NOT_REACHABLE_YET,
    ClaimedDelivery,
    Clock,
    ConversationReference,
    Conversations,
    DeliveryQueue,
    Notification,
    StoreUnavailable,
    UnpostedReplies,
    UnpostedReply,
)
from rules.errors import Refusal
from rules.steps.notifications import (
    RecordNotificationDelivered,
    RecordNotificationUndeliverable,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    poll_s: float = 2.0  # how often the deliverer looks for due rows
    batch: int = 50
    lease_s: float = 120.0  # longer than any post can take (the app's outbound timeout)
    per_second: int = 7  # messages a second into one conversation (Teams' limit)
    backoff_s: tuple[float, ...] = (30.0, 120.0, 600.0, 3600.0)  # then hourly
    reply_delays_s: tuple[float, ...] = (5.0, 30.0, 120.0)  # then given up


class ConversationRate:
    """At most `per_second` sends a second into one conversation (a sliding window of
    `window_s`, a little over a second: the connector counts arrivals, which network jitter
    can bring closer together than the sends)."""

    def __init__(
        self,
        per_second: int,
        *,
        window_s: float = 1.1,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self._per_second = per_second
        self._window_s = window_s
        self._monotonic = monotonic
        self._sleep = sleep
        self._sent: dict[str, collections.deque[float]] = {}

    async def wait(self, conversation_id: str) -> None:
        sent = self._sent.setdefault(conversation_id, collections.deque())
        while True:
            now = self._monotonic()
            while sent and now - sent[0] >= self._window_s:
                sent.popleft()
            if len(sent) < self._per_second:
                sent.append(now)
                return
            await self._sleep(self._window_s - (now - sent[0]) + 0.001)


class MemoryUnpostedReplies:
    """`UnpostedReplies` for an app without a case store (routes that record nothing): the
    embedded default and Microsoft 365 keep them durably instead."""

    def __init__(self) -> None:
        self._ids = count(1)
        self._rows: dict[int, tuple[UnpostedReply, datetime, datetime | None]] = {}

    async def add(
        self,
        *,
        service_url: str,
        conversation_id: str,
        reply_to_id: str | None,
        body: Mapping[str, Any],
        activity_id: str,
        due_at: datetime,
    ) -> None:
        reply_id = next(self._ids)
        reply = UnpostedReply(
            reply_id, service_url, conversation_id, reply_to_id, dict(body), activity_id, 0
        )
        self._rows[reply_id] = (reply, due_at, None)

    async def claim_due(
        self, now: datetime, *, limit: int, lease_s: float
    ) -> Sequence[UnpostedReply]:
        due = [
            reply
            for reply, due_at, claimed in self._rows.values()
            if due_at <= now and (claimed is None or claimed <= now)
        ][:limit]
        for reply in due:
            self._rows[reply.reply_id] = (reply, now, now + timedelta(seconds=lease_s))
        return due

    async def posted(self, reply_id: int) -> None:
        self._rows.pop(reply_id, None)

    async def retry_at(self, reply_id: int, due_at: datetime) -> None:
        if reply_id in self._rows:
            reply, _, _ = self._rows[reply_id]
            bumped = UnpostedReply(
                reply.reply_id,
                reply.service_url,
                reply.conversation_id,
                reply.reply_to_id,
                reply.body,
                reply.activity_id,
                reply.attempts + 1,
            )
            self._rows[reply_id] = (bumped, due_at, None)

    def __len__(self) -> int:
        return len(self._rows)


class ChannelResolver:
    """A school's clerks' channel ("channel:<school id>") to a stored team channel: by its
    configured channel id, else by its configured name."""

    def __init__(self, channels: Callable[[str], tuple[str | None, str] | None]) -> None:
        self._channels = channels  # school id -> (channel id, name), None: no channel

    async def resolve(
        self, conversations: Conversations, address: str
    ) -> ConversationReference | None:
        if not address.startswith("channel:"):
            return await conversations.reference(address)
        configured = self._channels(address.removeprefix("channel:"))
        if configured is None:
            return None
        channel_id, name = configured
        if channel_id:
            return await conversations.reference(f"channel:{channel_id}")
        return await conversations.reference_by_channel_name(name)


RecordOutcome = Callable[[str, Any], Any]
StepCards = Callable[[Notification, str], Awaitable[Card | None]]
"""(notification, address) -> the step card it carries to that address, or None."""


class Deliverer:
    def __init__(
        self,
        connectors: ConnectorClients,
        clock: Clock,
        replies: UnpostedReplies,
        *,
        queue: DeliveryQueue | None = None,
        conversations: Conversations | None = None,
        channels: ChannelResolver | None = None,
        record: Callable[[str, Any], Any] | None = None,
        policy: DeliveryPolicy | None = None,
        rate: ConversationRate | None = None,
        claimer: str | None = None,
        step_cards: StepCards | None = None,
    ) -> None:
        self.connectors = connectors
        self._clock = clock
        self._replies = replies
        self._queue = queue
        self._conversations = conversations
        self._channels = channels or ChannelResolver(lambda _: None)
        self._record = record  # (case id, command) -> applies the command as the system
        self.policy = policy or DeliveryPolicy()
        self._rate = rate or ConversationRate(self.policy.per_second)
        self._claimer = claimer or uuid.uuid4().hex
        self._step_cards = step_cards
        self._wake = asyncio.Event()
        self.sent = 0
        self.parked = 0  # replies kept for a retry by this deliverer
        self.replies_posted = 0
        self.replies_abandoned = 0

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    async def park_reply(
        self, delivery: Delivery, body: Mapping[str, Any], activity_id: str
    ) -> bool:
        """Keep a reply that could not be posted, for the next rounds; False if it could
        not be kept (the store is down: it is lost, and the log says so)."""
        try:
            await self._replies.add(
                service_url=delivery.service_url,
                conversation_id=delivery.conversation_id,
                reply_to_id=delivery.reply_to_id,
                body=body,
                activity_id=activity_id,
                due_at=self._clock.now() + timedelta(seconds=self.policy.reply_delays_s[0]),
            )
        except StoreUnavailable:
            return False
        self.parked += 1
        return True

    async def run(self) -> None:
        """Deliver until cancelled (one task per app)."""
        while True:
            try:
                await self.deliver_due()
            except StoreUnavailable as error:
                logger.warning("delivery round stopped, store unavailable: %s", error)
            except Exception:
                logger.exception("delivery round failed; trying again")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.policy.poll_s)

    async def deliver_due(self) -> None:
        if self._queue is not None and self._conversations is not None:
            claimed = await self._queue.claim_due(
                self._clock.now(),
                limit=self.policy.batch,
                claimer=self._claimer,
                lease_s=self.policy.lease_s,
            )
            by_address: dict[str, list[ClaimedDelivery]] = {}
            for item in claimed:
                by_address.setdefault(item.address, []).append(item)
            await asyncio.gather(*(self._deliver_all(items) for items in by_address.values()))
            await self.record_outcomes()
        await self._post_replies()

    async def _deliver_all(self, items: list[ClaimedDelivery]) -> None:
        for item in items:
            await self._deliver(item)

    async def _deliver(self, item: ClaimedDelivery) -> None:
        assert self._queue is not None
        assert self._conversations is not None
        key, address = item.notification.key, item.address
        reference = await self._channels.resolve(self._conversations, address)
        if reference is None:
            await self._queue.retry_at(key, address, self._later(item.attempts), NOT_REACHABLE_YET)
            logger.info("notification %s: no conversation for one recipient yet", key)
            return
        notification = item.notification
        body = proactive_activity(
            channel_id=reference.channel_id,
            service_url=reference.service_url,
            conversation_id=reference.conversation_id,
            tenant_id=reference.tenant_id,
            bot_id=reference.bot_id,
            text=notification.title,
            card=await self._card(notification, address),
        )
        await self._rate.wait(reference.conversation_id)
        try:
            sent_id = await self.connectors.send(
                Delivery(reference.service_url, reference.conversation_id, None), body
            )
        except ReplyNotPosted as error:
            if error.gone or (not error.retryable and error.status not in (None, 401)):
                reason = (
                    f"Teams refused it ({error.status}): the app was removed or the person is gone"
                )
                await self._queue.mark_undeliverable(key, address, self._clock.now(), reason)
                logger.warning(
                    "notification %s: undeliverable to one recipient (%s)", key, error.status
                )
                return
            if error.status == 429 and error.retry_after_s is not None:
                due = self._clock.now() + timedelta(seconds=error.retry_after_s)
            else:
                due = self._later(item.attempts)
            await self._queue.retry_at(key, address, due, error.reason)
            logger.info("notification %s: not delivered yet (%s)", key, error.reason)
            return
        await self._queue.mark_sent(key, address, self._clock.now(), sent_id)
        self.sent += 1
        logger.info("notification %s: sent to one recipient", key)

    async def _card(self, notification: Notification, address: str) -> Card:
        inputs = prompt.PromptCardInputs(
            notification.kind, notification.title, notification.text, notification.reference
        )
        if address.startswith("channel:"):
            return prompt.for_channel(inputs)
        step = None
        if self._step_cards is not None:
            step = await self._step_cards(notification, address)
        return prompt_card(inputs, step)

    def _later(self, attempts: int) -> datetime:
        steps = self.policy.backoff_s
        return self._clock.now() + timedelta(seconds=steps[min(attempts, len(steps) - 1)])

    async def record_outcomes(self) -> None:
        """Each final outcome recorded on its case, once (fixed command ids)."""
        if self._queue is None or self._record is None:
            return
        for outcome in await self._queue.unrecorded_outcomes(self.policy.batch):
            command: Any
            if outcome.sent:
                command = RecordNotificationDelivered(
                    f"system:delivered:{outcome.notification_id}:{outcome.address}",
                    outcome.notification_id,
                    outcome.address,
                )
            else:
                command = RecordNotificationUndeliverable(
                    f"system:undeliverable:{outcome.notification_id}:{outcome.address}",
                    outcome.notification_id,
                    outcome.address,
                    outcome.reason,
                )
            try:
                await self._record(outcome.case_id, command)
            except Refusal as refusal:  # the case does not know it: nothing to show
                logger.warning(
                    "case %s: delivery outcome not recorded (%s)",
                    outcome.case_id,
                    type(refusal).__name__,
                )
            await self._queue.mark_recorded(
                f"{outcome.case_id}:{outcome.notification_id}", outcome.address
            )

    async def _post_replies(self) -> None:
        for reply in await self._replies.claim_due(
            self._clock.now(), limit=self.policy.batch, lease_s=self.policy.lease_s
        ):
            delivery = Delivery(reply.service_url, reply.conversation_id, reply.reply_to_id)
            await self._rate.wait(reply.conversation_id)
            try:
                await self.connectors.send(delivery, reply.body)
            except ReplyNotPosted as error:
                attempt = reply.attempts + 1
                delays = self.policy.reply_delays_s
                if not error.retryable or attempt >= len(delays):
                    await self._replies.posted(reply.reply_id)
                    self.replies_abandoned += 1
                    logger.warning(
                        "activity %s: reply given up after %d retries (%s)",
                        reply.activity_id,
                        attempt,
                        error.reason,
                    )
                    continue
                await self._replies.retry_at(
                    reply.reply_id, self._clock.now() + timedelta(seconds=delays[attempt])
                )
                logger.info("activity %s: retry %d of the reply failed", reply.activity_id, attempt)
                continue
            await self._replies.posted(reply.reply_id)
            self.replies_posted += 1
            logger.info(
                "activity %s: reply posted on retry %d", reply.activity_id, reply.attempts + 1
            )


def prompt_card(inputs: prompt.PromptCardInputs, step: Card | None) -> Card:
    """The prompt with its step's card (`cards.prompt.card_for`), or the plain prompt card
    when that would not fit in a Teams message: Teams refuses a message over about 28 KB,
    and a refused prompt is not retried, so it would never arrive."""
    built = prompt.card_for(inputs, step)
    size = len(json.dumps(built, ensure_ascii=False).encode("utf-8"))
    if step is not None and size > prompt.MAX_PROMPT_CARD_BYTES:
        logger.info("prompt card of %d bytes: the plain prompt card instead", size)
        return prompt.card_for(inputs)
    return built


def casework_recorder(casework: Any) -> Callable[[str, Any], Any]:
    async def record(case_id: str, command: Any) -> None:
        await casework.handle(command, SYSTEM, case_id=case_id)

    return record
