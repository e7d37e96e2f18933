"""The policy's fixed lists, in its own words.

Each enum member's `value` is the stable key stored in events; `.label` is a short name for
a card's choice list, and `.wording` (where the policy has one) is the policy's own text,
quoted into letters and records.
"""

from __future__ import annotations

from enum import StrEnum


class Behaviour(StrEnum):
    """The 18 bullets of "Definition of unacceptable behaviour", in the policy's order."""

    RAISED_VOICE = "raised-voice"
    FILMING = "filming"
    SOCIAL_MEDIA = "social-media"
    SHOUTING = "shouting"
    SWEARING = "swearing"
    HARASSING_CONTACT = "harassing-contact"
    ELECTRONIC_ACTIVITY = "electronic-activity"
    INSULT = "insult"
    THREAT = "threat"
    HITTING = "hitting"
    PHYSICAL_INTIMIDATION = "physical-intimidation"
    GESTURES = "gestures"
    SPITTING = "spitting"
    FOUL_LANGUAGE = "foul-language"
    PHYSICAL_ABUSE = "physical-abuse"
    VEXATIOUS_ALLEGATIONS = "vexatious-allegations"
    DISCRIMINATORY_COMMENTS = "discriminatory-comments"
    SECURITY_BREACH = "security-breach"

    @property
    def label(self) -> str:
        return _BEHAVIOUR_TEXT[self][0]

    @property
    def wording(self) -> str:
        return _BEHAVIOUR_TEXT[self][1]

    @property
    def is_physical(self) -> bool:
        """Physical contact (relevant to "where an assault has led to a ban")."""
        return self in {Behaviour.HITTING, Behaviour.SPITTING, Behaviour.PHYSICAL_ABUSE}


_BEHAVIOUR_TEXT: dict[Behaviour, tuple[str, str]] = {
    Behaviour.RAISED_VOICE: (
        "Raised voice, intimidating atmosphere",
        "using a raised voice, creating an intimidating atmosphere, for example, refusing to "
        "take part in two-way dialogue and consistently talking/shouting over responses from "
        "staff.",
    ),
    Behaviour.FILMING: (
        "Filming or recording conversations",
        "filming/recording conversations using mobile phone or other technology. This "
        "presents a safeguarding issue regarding recording other people's children and does "
        "not take due consideration of the wishes of the staff involved.",
    ),
    Behaviour.SOCIAL_MEDIA: (
        "Inappropriate use of social media",
        "inappropriate use of social media e.g. posting defamatory, offensive or derogatory "
        "comments regarding the school or any of the pupils, parents or staff at the school "
        "on Facebook or other social sites (see further information about the inappropriate "
        "use of social media below).",
    ),
    Behaviour.SHOUTING: ("Shouting", "shouting, either in person or over the telephone."),
    Behaviour.SWEARING: ("Swearing", "swearing, either in person or over the telephone/email."),
    Behaviour.HARASSING_CONTACT: (
        "Constant emails or calls amounting to harassment",
        "constant emails and/or phone calls which amount to harassment and intimidation, "
        "despite the school's best efforts to address a situation.",
    ),
    Behaviour.ELECTRONIC_ACTIVITY: (
        "Abusive content online or by email",
        "inappropriate electronic activity including publishing abusive or inappropriate "
        "content with regards to the school, teachers or pupils on social networking websites "
        "such as Facebook and Twitter or in email communication.",
    ),
    Behaviour.INSULT: (
        "Insult",
        "any kind of insult as an attempt to demean, embarrass or undermine.",
    ),
    Behaviour.THREAT: ("Threat", "any kind of threat."),
    Behaviour.HITTING: (
        "Hitting, slapping, punching, kicking or pushing",
        "hitting, slapping, punching, kicking or pushing.",
    ),
    Behaviour.PHYSICAL_INTIMIDATION: (
        "Physical intimidation",
        "physical intimidation e.g. standing unnecessarily close to another person.",
    ),
    Behaviour.GESTURES: (
        "Rude or aggressive gestures",
        "the use of rude or aggressive hand gestures, including shaking or holding a fist "
        "towards another person.",
    ),
    Behaviour.SPITTING: ("Spitting", "spitting."),
    Behaviour.FOUL_LANGUAGE: ("Foul or abusive language", "use of foul or abusive language."),
    Behaviour.PHYSICAL_ABUSE: ("Physical abuse", "any kind of physical abuse."),
    Behaviour.VEXATIOUS_ALLEGATIONS: (
        "Vexatious or malicious allegations",
        "allegations which turn out to be vexatious or malicious.",
    ),
    Behaviour.DISCRIMINATORY_COMMENTS: (
        "Racist, sexist, homophobic or transgender comments",
        "racist, sexist, homophobic or transgender comments.",
    ),
    Behaviour.SECURITY_BREACH: (
        "Breaching security procedures",
        "breaching the school's security procedures.",
    ),
}


class Channel(StrEnum):
    """How the behaviour reached the school ("face-to-face contact, on the telephone or in
    written communication (including social media)")."""

    IN_PERSON = "in-person"
    TELEPHONE = "telephone"
    WRITTEN = "written"  # letter or email
    SOCIAL_MEDIA = "social-media"

    @property
    def label(self) -> str:
        return {
            Channel.IN_PERSON: "In person",
            Channel.TELEPHONE: "Telephone",
            Channel.WRITTEN: "Written or email",
            Channel.SOCIAL_MEDIA: "Social media",
        }[self]


class Relationship(StrEnum):
    """Who the case is about: the policy covers parents, carers and visitors."""

    PARENT = "parent"
    CARER = "carer"
    VISITOR = "visitor"

    @property
    def label(self) -> str:
        return {
            Relationship.PARENT: "Parent",
            Relationship.CARER: "Carer",
            Relationship.VISITOR: "Visitor",
        }[self]


class AffectedGroup(StrEnum):
    """Who was affected (the letters speak of "staff, pupils, and other parents")."""

    STAFF = "staff"
    PUPILS = "pupils"
    OTHER_PARENTS = "other-parents"
    OTHER_VISITORS = "other-visitors"

    @property
    def label(self) -> str:
        return {
            AffectedGroup.STAFF: "Staff",
            AffectedGroup.PUPILS: "Pupils",
            AffectedGroup.OTHER_PARENTS: "Other parents",
            AffectedGroup.OTHER_VISITORS: "Other visitors",
        }[self]


class RiskLevel(StrEnum):
    """ "How high is the assessed risk that this will be repeated or there will be
    retaliation at the school's action? (low, medium, high)"."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class StandardCondition(StrEnum):
    """The standard conditions of Model Letter 2 (the wording the parent receives); the
    policy's section 3 says the same thing in four bullets. Anything else is an "other"
    condition, written by the Headteacher/Principal."""

    ACCOMPANIED_TO_MEETINGS = "accompanied-to-meetings"
    NO_CONTACT_WITH_STAFF = "no-contact-with-staff"
    CONTACT_HEAD_OR_DEPUTY_ONLY = "contact-head-or-deputy-only"
    EVENTS_ONLY_WITH_SLT = "events-only-with-slt"

    @property
    def label(self) -> str:
        return {
            StandardCondition.ACCOMPANIED_TO_MEETINGS: "Accompanied to any meeting",
            StandardCondition.NO_CONTACT_WITH_STAFF: "No telephone or written contact with staff",
            StandardCondition.CONTACT_HEAD_OR_DEPUTY_ONLY: "Contact only the head or deputy",
            StandardCondition.EVENTS_ONLY_WITH_SLT: "Events only when accompanied by SLT",
        }[self]

    @property
    def wording(self) -> str:
        return {
            StandardCondition.ACCOMPANIED_TO_MEETINGS: (
                "You must be accompanied to any meeting with a member of the school staff"
            ),
            StandardCondition.NO_CONTACT_WITH_STAFF: (
                "You may not make contact by telephone or in writing with any member of staff"
            ),
            StandardCondition.CONTACT_HEAD_OR_DEPUTY_ONLY: (
                "You may contact either the Headteacher/Principal or Deputy Headteacher/Principal"
            ),
            StandardCondition.EVENTS_ONLY_WITH_SLT: (
                "You may not attend any events for parents except those where you will be "
                "accompanied by a member of the senior leadership team of the school"
            ),
        }[self]


class HeadTitle(StrEnum):
    """What the school calls its head: the policy's "Headteacher/Principal", as the school
    says it (letters and cards print it, and "Deputy Headteacher" or "Deputy Principal")."""

    HEADTEACHER = "Headteacher"
    PRINCIPAL = "Principal"


class BanGround(StrEnum):
    """Why a ban is allowed at all ("The school's response" 4): "where all relevant
    procedures have been exhausted and aggression or intimidation continue, or where there
    is an extreme act of violence". A ban records only the extreme act's description, so
    its ground is read from that (`recorded`). Not stored in events: the values are the ones
    the letter templates (a trust's own among them) have always compared."""

    PROCEDURES_EXHAUSTED = "procedures_exhausted"  # aggression or intimidation continued
    EXTREME_VIOLENCE = "extreme_violence"  # needs no earlier steps

    @classmethod
    def recorded(cls, extreme_violence_ground: str) -> BanGround:
        """The ground of a ban from the extreme act of violence recorded on it, if any."""
        return cls.EXTREME_VIOLENCE if extreme_violence_ground else cls.PROCEDURES_EXHAUSTED


class SanctionKind(StrEnum):
    CONDITIONS = "conditions"
    BAN = "ban"

    @property
    def label(self) -> str:
        return {SanctionKind.CONDITIONS: "conditions", SanctionKind.BAN: "ban"}[self]


class ChairOutcome(StrEnum):
    """Letters 3 and 5: the Chair confirms or overturns the Headteacher/Principal's decision."""

    CONFIRM = "confirm"
    OVERTURN = "overturn"


class ReviewOutcome(StrEnum):
    """What the Local Academy Committee may decide at a review ("maintain, extend or remove
    the conditions"; "remove the ban, extend the ban or impose conditions")."""

    MAINTAIN = "maintain"
    EXTEND = "extend"
    VARY = "vary"  # conditions continue with different conditions
    REPLACE_BAN_WITH_CONDITIONS = "replace-ban-with-conditions"
    REMOVE = "remove"

    @property
    def label(self) -> str:
        return {
            ReviewOutcome.MAINTAIN: "Maintain",
            ReviewOutcome.EXTEND: "Extend",
            ReviewOutcome.VARY: "Vary the conditions",
            ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS: "Replace the ban by conditions",
            ReviewOutcome.REMOVE: "Remove",
        }[self]


class Remover(StrEnum):
    """Section 547 removal "may be carried out by a police officer or person authorised by
    the Local Academy Committee"."""

    POLICE_OFFICER = "police-officer"
    AUTHORISED_PERSON = "authorised-person"

    @property
    def label(self) -> str:
        return {
            Remover.POLICE_OFFICER: "A police officer",
            Remover.AUTHORISED_PERSON: "A person authorised by the Local Academy Committee",
        }[self]


class LetterKind(StrEnum):
    """Every letter the policy calls for: the seven model letters and two it describes."""

    WARNING = "letter-1"
    CONDITIONS = "letter-2"
    CONDITIONS_DECISION = "letter-3"
    BAN = "letter-4"
    BAN_DECISION = "letter-5"
    REVIEW_STATEMENT_REQUEST = "letter-6"
    REVIEW_OUTCOME = "letter-7"
    MEETING_FOLLOW_UP = "meeting-follow-up"
    BAN_NOTICE_TO_CHAIR_OF_TRUSTEES = "ban-notice-to-chair-of-trustees"

    @property
    def label(self) -> str:
        return _LETTER_LABELS[self]


_LETTER_LABELS = {
    LetterKind.WARNING: "Letter 1: warning",
    LetterKind.CONDITIONS: "Letter 2: conditions, pending review",
    LetterKind.CONDITIONS_DECISION: "Letter 3: Chair's decision on the conditions",
    LetterKind.BAN: "Letter 4: ban, pending review",
    LetterKind.BAN_DECISION: "Letter 5: Chair's decision on the ban",
    LetterKind.REVIEW_STATEMENT_REQUEST: "Letter 6: request for a statement for the review",
    LetterKind.REVIEW_OUTCOME: "Letter 7: outcome of the Committee's review",
    LetterKind.MEETING_FOLLOW_UP: "Follow-up letter after the informal meeting",
    LetterKind.BAN_NOTICE_TO_CHAIR_OF_TRUSTEES: "Notice of the ban to the Chair of Trustees",
}


class Addressee(StrEnum):
    PERSON = "person"  # the parent, carer or visitor the case is about
    CHAIR_OF_TRUSTEES = "chair-of-trustees"


class NotificationKind(StrEnum):
    """Prompts sent to people in Teams. They carry a case reference, never personal details."""

    INCIDENT_REPORTED = "incident-reported"  # to the head: a risk assessment is needed
    CHAIR_DECISION_NEEDED = "chair-decision-needed"
    REVIEW_DUE_SOON = "review-due-soon"  # to the clerk, ahead of the six-monthly review
    PROGRESS_MEETING_DUE_SOON = "progress-meeting-due-soon"  # to the head, under a ban
    POLICY_REVIEW_AFTER_CASE = "policy-review-after-case"  # to the trust, on closing
    # To the trust, the first time the school takes a step of the policy on an incident.
    POLICY_REVIEW_AFTER_INCIDENT = "policy-review-after-incident"
    # To the head, after an incident on social media: report the post, ask for its removal.
    SOCIAL_MEDIA_POST = "social-media-post"
    LETTER_DRAFT_FAILED = "letter-draft-failed"  # to the signer: draft by hand or retry
    LETTER_CANNOT_BE_DRAFTED = "letter-cannot-be-drafted"  # to the signer: what to correct
    LETTER_READY = "letter-ready"  # to the signer: the draft is ready to read and send
    LETTER_NEEDS_TERM_DATES = "letter-needs-term-dates"  # to the signer: dates missing
    # To the chair: the person wrote while their window is still open (the decision waits).
    REPRESENTATION_RECEIVED = "representation-received"
    BAN_IMPOSED = "ban-imposed"  # to the Chair of Trustees: "will be informed of the ban"
    REPORT_BEING_HANDLED = "report-being-handled"  # to the reporter: no detail
    # The sweeper's follow-ups of people's dated steps (`rules.prompts.due_reminders`):
    STEP_DUE_SOON = "step-due-soon"  # to the step's owner, ahead of its due day
    STEP_OVERDUE = "step-overdue"  # to the step's owner, the day after its due day
    STEP_OVERDUE_ESCALATED = "step-overdue-escalated"  # to the head, left overdue
    RISK_ASSESSMENT_NOT_STARTED = "risk-assessment-not-started"  # to the head
