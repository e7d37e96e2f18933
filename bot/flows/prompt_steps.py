"""The step card a proactive prompt carries, built for the person it is delivered to
(`bot/deliver.py` calls `PromptSteps.card`; `cards.prompt.card_for` puts it under the
prompt's own words).

Each kind of prompt names the step it asks for (`STEP_FOR_KIND`). The card is that step's
own card (`StepAction.form`, or the card the table names), built from the case as it stands
when the prompt is delivered, for the recipient: its buttons carry the case's version and a
fresh command id, so a prompt read after the case has moved on answers with the current
Case card, and a press repeated acts once (`bot.flows.actions`). It is built only if the
recipient may take that step now, as the step framework would check it when pressed: they
see the case whole, hold one of the roles that may take the step at the case's school, and
the case's stage offers it. Otherwise (no such step for the kind, the case gone, the person
no longer holding the role, the step already taken) the prompt goes as the plain prompt
card, whose "Open case" button shows what they may see and do.

A prompt to the clerks' channel never carries a step card: everyone in the channel reads
it (`cards.prompt.for_channel`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.flows import letter_drafted, new_incident, review_due
from bot.flows.actions import StepContext, case_version, offered_steps
from cards.common import Card
from casework.pipeline import Actor, Casework
from casework.ports import Notification
from casework.queries import Scope, sight
from rules.behaviours import NotificationKind
from rules.case import CaseView
from rules.prompts import Action

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PromptStep:
    """The step a kind of prompt asks for, by its `StepAction.step` name, and the card to
    carry (None: the step's own card)."""

    step: str
    card: Callable[[StepContext], Card] | None = None


def _review_due(ctx: StepContext) -> Card:
    # The clerk's review-due card, whose button opens the review-date step.
    return review_due.card_for(ctx.casework, ctx.folded)


# The one step each kind of prompt asks for. The sweeper's due-soon and overdue follow-ups
# (`_REMINDERS`) carry the step they remind of, by the action their id names
# (`STEP_FOR_ACTION`). Other kinds (a ban the Chair of Trustees is told of, a report being
# handled, a policy review, a step left overdue that is someone else's, a draft that failed
# or waits for term dates) carry the plain prompt card.
STEP_FOR_KIND: Mapping[NotificationKind, PromptStep] = {
    NotificationKind.INCIDENT_REPORTED: PromptStep(new_incident.STEP),
    NotificationKind.RISK_ASSESSMENT_NOT_STARTED: PromptStep("risk.assess"),
    NotificationKind.CHAIR_DECISION_NEEDED: PromptStep("chair.decide"),
    NotificationKind.REPRESENTATION_RECEIVED: PromptStep("chair.decide"),
    NotificationKind.REVIEW_DUE_SOON: PromptStep("review.date", _review_due),
    NotificationKind.LETTER_READY: PromptStep(letter_drafted.STEP),
    NotificationKind.LETTER_CANNOT_BE_DRAFTED: PromptStep("person.update"),
    NotificationKind.PROGRESS_MEETING_DUE_SOON: PromptStep("progress.held"),
    NotificationKind.SOCIAL_MEDIA_POST: PromptStep("post.reported"),
}
_REMINDERS = frozenset({NotificationKind.STEP_DUE_SOON, NotificationKind.STEP_OVERDUE})
STEP_FOR_ACTION: Mapping[Action, str] = {
    Action.ASSESS_RISK: "risk.assess",
    Action.CHOOSE_RESPONSE: "response.choose",
    Action.ADD_CONTACT_DETAILS: "person.update",
    Action.SEND_LETTER: letter_drafted.STEP,
    Action.RECORD_INFORMAL_MEETING: "meeting.held",
    Action.DECIDE_AS_CHAIR: "chair.decide",
    Action.SCHEDULE_REVIEW: "review.date",
    Action.RESCHEDULE_REVIEW: "review.date",
    Action.RECORD_REVIEW_OUTCOME: "review.outcome",
    Action.HOLD_PROGRESS_MEETING: "progress.held",
    Action.REPORT_POST: "post.reported",
    Action.ASK_POST_REMOVAL: "post.removal",
}


class NoStepCard(Exception):
    """Why a prompt goes without a step card (for the log: no personal data)."""


class PromptSteps:
    """Builds the step card for one prompt to one person (`card`)."""

    def __init__(self, casework: Casework, command_ids: Callable[[], str]) -> None:
        self._cw = casework
        self._command_ids = command_ids

    async def card(self, notification: Notification, address: str) -> Card | None:
        """The step card for `notification` delivered to `address` ("user:<object id>"),
        or None: the prompt goes as the plain prompt card."""
        try:
            kind = NotificationKind(notification.kind)
        except ValueError:
            return None
        if not address.startswith("user:") or (
            kind not in STEP_FOR_KIND and kind not in _REMINDERS
        ):
            return None
        try:
            return await self._build(kind, notification, address.removeprefix("user:"))
        except NoStepCard as why:
            logger.info("notification %s: plain prompt card (%s)", notification.key, why)
        except Exception as error:  # whatever stops the step card, the prompt still goes
            logger.warning(
                "notification %s: step card not built (%s); plain prompt card",
                notification.key,
                type(error).__name__,
            )
        return None

    async def _build(
        self, kind: NotificationKind, notification: Notification, object_id: str
    ) -> Card:
        cw = self._cw
        folded = await cw.load_folded(notification.case_id)
        if folded is None:
            raise NoStepCard("no such case")
        view = folded.view
        actor = Actor(object_id)
        roles = cw.roles_at(actor, view.school_id)
        seen = sight(view, object_id, roles)
        if seen is None or seen.scope is not Scope.WHOLE_CASE:
            raise NoStepCard("the recipient does not see the case whole")
        chosen = STEP_FOR_KIND.get(kind) or PromptStep(self._reminded(view, notification))
        found = next((s for s in offered_steps(view, roles, cw) if s.step == chosen.step), None)
        if found is None:
            raise NoStepCard(f"step {chosen.step or '-'} is not the recipient's now")
        build = chosen.card or found.form
        version = case_version(folded.history)
        return build(StepContext(cw, folded, object_id, self._command_ids(), version))

    def _reminded(self, view: CaseView, notification: Notification) -> str:
        """The step a due-soon or overdue reminder is about: its id names the action it
        follows up (`rules.prompts.follow_ups`: "follow-up:overdue:<action>:…")."""
        notification_id = notification.key.removeprefix(f"{view.case_id}:")
        parts = notification_id.split(":")
        if len(parts) < 3 or parts[0] != "follow-up":
            return ""
        try:
            return STEP_FOR_ACTION.get(Action(parts[2]), "")
        except ValueError:
            return ""
