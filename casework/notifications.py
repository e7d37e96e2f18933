"""Prompts to people in Teams, from the case's `notification-required` events.

A notification names the case by its reference and says what is needed; it never carries
personal details (names, what happened): the reader opens the case in Teams, where what
they may see is checked. Recipients are the holders of the roles at the case's school;
a prompt to the clerk also goes to the clerks' channel when one is configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from casework.config import School
from casework.ports import Directory, Notification
from rules.behaviours import NotificationKind
from rules.case import CaseView, NotificationRecord
from rules.roles import Role

# (title, text) with {reference} and {head} (the school's title for its head).
WORDING: Mapping[NotificationKind, tuple[str, str]] = MappingProxyType(
    {
        NotificationKind.INCIDENT_REPORTED: (
            "Incident reported on case {reference}",
            "An incident has been reported on case {reference}. The risk assessment is "
            "needed before the school responds. Open the case in Teams to carry it out.",
        ),
        NotificationKind.CHAIR_DECISION_NEEDED: (
            "Case {reference}: your decision is needed",
            "The {head}'s decision on case {reference} is with you to confirm or overturn. "
            "Open the case in Teams to see the person's comments, if any, and decide.",
        ),
        NotificationKind.REVIEW_DUE_SOON: (
            "Case {reference}: the committee's review is due soon",
            "Please arrange the Local Academy Committee's review of case {reference}: set the "
            "meeting date and send letter 6.",
        ),
        NotificationKind.PROGRESS_MEETING_DUE_SOON: (
            "Case {reference}: annual progress meeting due",
            "The annual meeting about the child's progress on case {reference} is due soon. "
            "Offer it, and record it in Teams when it has been held.",
        ),
        NotificationKind.POLICY_REVIEW_AFTER_CASE: (
            "Case {reference} closed: review the policy",
            "Case {reference} has been closed. The policy on managing aggressive behaviour "
            "is reviewed after each case in which it is used.",
        ),
        NotificationKind.POLICY_REVIEW_AFTER_INCIDENT: (
            "Case {reference}: the policy was used, review it",
            "The school took a step of the policy on managing aggressive behaviour on case "
            "{reference}. The policy is reviewed following each incident where it is used.",
        ),
        NotificationKind.SOCIAL_MEDIA_POST: (
            "Case {reference}: report the post and ask for its removal",
            "An incident on case {reference} was on social media. Report the post to the "
            "site's 'report abuse' route, ask the person to remove it, and record both on the "
            "case in Teams.",
        ),
        NotificationKind.LETTER_DRAFT_FAILED: (
            "Case {reference}: a letter could not be drafted",
            "A letter on case {reference} could not be drafted automatically. It will be "
            "tried again; you can also write it by hand. Open the case in Teams for details.",
        ),
        NotificationKind.LETTER_READY: (
            "Case {reference}: a letter is ready in your drafts",
            "A letter on case {reference} has been drafted for you. Read it, adjust it if "
            "need be, and send it; then record in Teams the date it was sent.",
        ),
        NotificationKind.LETTER_NEEDS_TERM_DATES: (
            "Case {reference}: a letter cannot be dated until term dates are added",
            "A letter on case {reference} cannot be drafted: the date by which the person "
            "may reply falls after the last term in the school's term dates, and the bot "
            "does not guess school days. Ask the trust's administrator to add the next "
            "school year's term dates; the letter is drafted as soon as they are. Open the "
            "case in Teams for the dates that are missing.",
        ),
        NotificationKind.LETTER_CANNOT_BE_DRAFTED: (
            "Case {reference}: a letter cannot be drafted from the case's details",
            "A letter on case {reference} cannot be drafted automatically from what the case "
            "records, so it will not be tried again until the details are corrected. Open "
            "the case in Teams to correct the person's details, or write the letter by hand.",
        ),
    }
)


def notification_key(case_id: str, notification_id: str) -> str:
    return f"{case_id}:{notification_id}"


def build_notification(
    view: CaseView, record: NotificationRecord, school: School, directory: Directory
) -> Notification:
    title, text = WORDING[record.kind]
    values = {"reference": view.reference, "head": school.head_title.value}
    recipients = tuple(
        dict.fromkeys(
            person.object_id
            for role in record.roles
            for person in directory.holders(view.school_id, role)
        )
    )
    channel = None
    if Role.CLERK in record.roles and school.clerks_channel is not None:
        channel = school.clerks_channel.name
    return Notification(
        key=notification_key(view.case_id, record.notification_id),
        case_id=view.case_id,
        school_id=view.school_id,
        recipients=recipients,
        channel=channel,
        title=title.format(**values),
        text=text.format(**values),
        kind=record.kind.value,
        reference=view.reference,
    )
