"""Prompts to people in Teams, from the case's `notification-required` events.

A notification names the case by its reference and says what is needed; it never carries
personal details (names, what happened): the reader opens the case in Teams, where what
they may see is checked. Recipients are the holders of the roles at the case's school
(for a ban, of the trust role only the Chair of Trustees) and the people the prompt names
(the member of staff who reported an incident); a prompt to the clerk also goes to the
clerks' channel when one is configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from casework.config import School, Trust
from casework.ports import Directory, Notification
from rules.behaviours import NotificationKind
from rules.calendar import format_day
from rules.case import CaseView, NotificationRecord
from rules.roles import Role

# (title, text) with {reference}, {head} (the school's title for its head), and for the
# sweeper's follow-ups {about} (the step, in the rules' words) and {due} (its due day).
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
        NotificationKind.REPRESENTATION_RECEIVED: (
            "Case {reference}: the person has written",
            "The person's written comments on case {reference} have been recorded. Their "
            "time to write has not ended yet: you will be asked for your decision when it "
            "has. Open the case in Teams to read them.",
        ),
        NotificationKind.BAN_IMPOSED: (
            "Case {reference}: a ban has been imposed",
            "The {head} has imposed a ban from the school's premises on case {reference}, "
            "pending the decision of the Chair of the Local Academy Committee. The policy "
            "asks that the Chair of the Board of Trustees is informed of every ban; the "
            "{head}'s notice follows. Open the case in Teams to see it.",
        ),
        NotificationKind.REPORT_BEING_HANDLED: (
            "Your report on case {reference} is being handled",
            "Thank you for your report. The school is now dealing with it, and you may be "
            "asked for more if it is needed. Open the case in Teams to see its stage.",
        ),
        NotificationKind.STEP_DUE_SOON: (
            "Case {reference}: a step is due by {due}",
            "On case {reference}, by {due}: {about} Open the case in Teams to do it.",
        ),
        NotificationKind.STEP_OVERDUE: (
            "Case {reference}: a step is overdue",
            "On case {reference}, this was due by {due} and is not yet recorded: {about} "
            "Open the case in Teams to do it, or to see what holds it up.",
        ),
        NotificationKind.STEP_OVERDUE_ESCALATED: (
            "Case {reference}: a step is still overdue",
            "On case {reference}, this was due by {due} and is still not recorded: {about} "
            "It is not yours to do, but it is left overdue: open the case in Teams to see "
            "who holds it, and follow it up.",
        ),
        NotificationKind.RISK_ASSESSMENT_NOT_STARTED: (
            "Case {reference}: the risk assessment has not been recorded",
            "An incident on case {reference} was reported two school days ago or more, and "
            "no risk assessment has been recorded for it: {about} The school's response "
            "waits on it. Open the case in Teams to carry it out, or ask a nominated senior "
            "member of staff to.",
        ),
    }
)

# The kinds sent to one holder of the trust role, not to all: "the Chair of the Board of
# Trustees will be informed of the ban".
_TO_CHAIR_OF_TRUSTEES = frozenset({NotificationKind.BAN_IMPOSED})


def notification_key(case_id: str, notification_id: str) -> str:
    return f"{case_id}:{notification_id}"


def chairs_of_trustees(trust: Trust) -> tuple[str, ...]:
    """The object ids of the trust's people whose title names them its chair."""
    return tuple(p.object_id for p in trust.people if "chair" in p.title.lower())


def build_notification(
    view: CaseView,
    record: NotificationRecord,
    school: School,
    directory: Directory,
    trust: Trust,
) -> Notification:
    """The prompt for `record`: to the holders of its roles at the school (of the trust
    role, only the Chair of Trustees for a ban), and to the people it names."""
    title, text = WORDING[record.kind]
    values = {
        "reference": view.reference,
        "head": school.head_title.value,
        "about": record.about,
        "due": format_day(record.due) if record.due else "",
    }
    chairs = chairs_of_trustees(trust)
    holders = [
        person.object_id
        for role in record.roles
        for person in directory.holders(view.school_id, role)
        if not (
            role is Role.TRUST
            and record.kind in _TO_CHAIR_OF_TRUSTEES
            and person.object_id not in chairs
        )
    ]
    recipients = tuple(dict.fromkeys([*holders, *record.people]))
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
