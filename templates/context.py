"""The letter data: everything a letter says that is not the model's own wording.

One frozen dataclass per letter (the policy's seven model letters and the two letters the
policy implies), built from a few shared parts. The application layer maps a case to one of
these; the renderer never looks anything up. Constructors check what a person would get
wrong (an empty name, a reply-by date before the letter's date, a decision without the
conditions it confirms) and raise `LetterError` naming the letter and the field.

The letters speak the rules' vocabulary (`rules.behaviours`, `rules.details`): a letter
holds the rules' own values, and where its wording turns on a distinction the rules do not
name (letter 6's "staff/pupils", letter 7's wording of the committee's decision), that is
derived once, by a property of the letter, from those values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from types import MappingProxyType
from typing import ClassVar, Literal, get_args

from rules.behaviours import (
    AffectedGroup,
    BanGround,
    ChairOutcome,
    HeadTitle,
    Relationship,
    ReviewOutcome,
    SanctionKind,
)
from rules.details import BanArrangements, Conditions
from templates.conditions import check_conditions, imposing_lines, review_lines
from templates.errors import LetterError


def _require(owner: str, name: str, value: str | None) -> None:
    if value is None or not value.strip():
        raise LetterError(f"{owner}: {name} is empty")


def _require_lines(owner: str, name: str, values: tuple[str, ...]) -> None:
    for value in values:
        _require(owner, name, value)


# --- who and where ------------------------------------------------------------------------

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_IMAGE_SIGNATURES = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "image/gif": b"GIF8",
}


@dataclass(frozen=True)
class Logo:
    """The trust's logo, sent as an inline image (cid:) and placed in the .docx letterhead.
    PNG, JPEG or GIF: what both Outlook and Word show."""

    data: bytes
    content_type: str
    filename: str

    def __post_init__(self) -> None:
        signature = _IMAGE_SIGNATURES.get(self.content_type)
        if signature is None:
            raise LetterError(
                f"logo: {self.content_type} is not supported (use image/png, image/jpeg or"
                " image/gif)"
            )
        if not self.data.startswith(signature):
            raise LetterError(f"logo: the file {self.filename} is not a {self.content_type}")


@dataclass(frozen=True)
class Branding:
    """Colours are "#RRGGBB" (they go into inline styles, so nothing else is accepted)."""

    primary_colour: str
    accent_colour: str
    logo: Logo | None = None

    def __post_init__(self) -> None:
        for name in ("primary_colour", "accent_colour"):
            if not _COLOUR.match(getattr(self, name)):
                raise LetterError(f"branding: {name} must look like #1F5C3A")


@dataclass(frozen=True)
class TrustDetails:
    name: str  # as people know it: "Oak Valley Learning Trust"
    registered_name: str  # as registered: "Oak Valley Learning Trust Ltd"
    company_number: str
    registered_office: tuple[str, ...]
    branding: Branding

    def __post_init__(self) -> None:
        for name in ("name", "registered_name", "company_number"):
            _require("trust", name, getattr(self, name))
        if not self.registered_office:
            raise LetterError("trust: registered_office is empty")
        _require_lines("trust", "registered_office", self.registered_office)


@dataclass(frozen=True)
class SchoolDetails:
    name: str
    address: tuple[str, ...]  # postal address lines, postcode last
    head_title: HeadTitle
    email: str
    phone: str

    def __post_init__(self) -> None:
        for name in ("name", "email", "phone"):
            _require("school", name, getattr(self, name))
        if not self.address:
            raise LetterError("school: address is empty")
        _require_lines("school", "address", self.address)


@dataclass(frozen=True)
class Addressee:
    """Who the letter is to. With a title the letter says "Dear Ms Smith" (so the surname is
    needed); without one it uses the full name, "Dear Sam Smith"."""

    name: str  # full name: "Jane Smith"
    title: str | None = None  # "Ms", "Mr", "Dr", "Mx"
    surname: str | None = None
    address: tuple[str, ...] = ()
    email: str | None = None

    def __post_init__(self) -> None:
        _require("addressee", "name", self.name)
        if self.title is not None:
            _require("addressee", "title", self.title)
            _require("addressee", "surname (needed with a title)", self.surname)
        _require_lines("addressee", "address", self.address)

    @property
    def salutation(self) -> str:
        if self.title and self.surname:
            return f"{self.title} {self.surname}"
        return self.name

    @property
    def postal_name(self) -> str:
        return f"{self.title} {self.name}" if self.title else self.name


@dataclass(frozen=True)
class Signer:
    """Who signs. `role_title` replaces the letter's usual role (the head's title, "Chair of
    the Local Academy Committee", "Clerk to the Local Academy Committee"), e.g. "Acting
    Headteacher"."""

    name: str
    role_title: str | None = None

    def __post_init__(self) -> None:
        _require("signer", "name", self.name)
        if self.role_title is not None:
            _require("signer", "role_title", self.role_title)


@dataclass(frozen=True)
class LetterCommon:
    """What every letter has: from whom, to whom, when, and the case reference."""

    trust: TrustDetails
    school: SchoolDetails
    reference: str  # "OAK-2026-0003"
    letter_date: date
    addressee: Addressee
    signer: Signer

    def __post_init__(self) -> None:
        _require("letter", "reference", self.reference)


# --- parts of letters ----------------------------------------------------------------------


@dataclass(frozen=True)
class Incident:
    """The incident a letter is about. `summary` and `effect` are the head's own words;
    blank lines in them become paragraphs, single newlines line breaks."""

    summary: str  # factual summary of what happened
    effect: str  # its effect on staff, pupils and other parents
    on: date
    at: time | None = None
    details: str | None = None  # where or how, e.g. "at the main gate"

    def __post_init__(self) -> None:
        _require("incident", "summary", self.summary)
        _require("incident", "effect", self.effect)
        if self.details is not None:
            _require("incident", "details", self.details)


@dataclass(frozen=True)
class Reporter:
    """The member of staff who reported the incident: "Mrs Okafor, the school's business
    manager" (name and role, the role as it follows "the school's") or just a name."""

    name: str
    role: str | None = None

    def __post_init__(self) -> None:
        _require("reporter", "name", self.name)
        if self.role is not None:
            _require("reporter", "role", self.role)


@dataclass(frozen=True)
class PreviousIncident:
    """An earlier incident the head already wrote about (letters 2 and 4). None when there
    was none, e.g. a ban for an extreme act of violence."""

    incident_date: date
    letter_date: date


@dataclass(frozen=True)
class PoliceReport:
    """Policy, "In imposing a ban", step 2: an assault that led to a ban was reported."""

    reference: str | None = None

    def __post_init__(self) -> None:
        if self.reference is not None:
            _require("police", "reference", self.reference)


def _check_after(owner: str, name: str, later: date, earlier: date, earlier_name: str) -> None:
    if later <= earlier:
        raise LetterError(f"{owner}: {name} must be after {earlier_name}")


def _check_arrangements(owner: str, arrangements: BanArrangements) -> None:
    # Each arrangement is optional ("as appropriate"): empty when not given, never blank.
    for name in ("meetings", "drop_off_and_collection"):
        value = getattr(arrangements, name)
        if value and not value.strip():
            raise LetterError(f"{owner}: arrangements: {name} is empty")


# --- the letters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WarningLetter:
    """Model letter 1: a warning (policy, "The school's response" 1)."""

    letter_id: ClassVar[str] = "letter-1"
    common: LetterCommon
    incident: Incident
    relationship: Relationship
    reply_by: date  # 10 school days after the letter's date, counted by the rules
    chair_name: str
    # "There is then an option for us to meet": printed only when the head offers one.
    meeting_offered: bool = True

    def __post_init__(self) -> None:
        _require(self.letter_id, "chair_name", self.chair_name)
        _check_after(
            self.letter_id, "reply_by", self.reply_by, self.common.letter_date, "the letter's date"
        )


@dataclass(frozen=True)
class ChairContact:
    """Where the person writes to the Chair of the LAC (letters 2 and 4): the Chair's name
    and email from the trust configuration; post goes to the Chair at the school's address."""

    name: str
    email: str

    def __post_init__(self) -> None:
        _require("chair", "name", self.name)
        _require("chair", "email", self.email)


def _check_reasons(owner: str, reasons: str | None) -> None:
    # None: not given (or the trust does not print them); never blank.
    if reasons is not None and not reasons.strip():
        raise LetterError(f"{owner}: reasons is empty")


@dataclass(frozen=True)
class ConditionsLetter:
    """Model letter 2: provisional conditions on contact with the school.

    `senior_contact` names who, besides the head, the parent may contact (letter 2's
    "Deputy Headteacher/Principal"); when it is not given the deputy is named by role.
    """

    letter_id: ClassVar[str] = "letter-2"
    common: LetterCommon
    incident: Incident
    reporter: Reporter
    previous_incident: PreviousIncident | None
    conditions: Conditions
    reply_by: date
    chair_name: str
    chair: ChairContact
    senior_contact: str | None = None

    def __post_init__(self) -> None:
        _require(self.letter_id, "chair_name", self.chair_name)
        check_conditions(self.letter_id, self.conditions, self.senior_contact)
        _check_after(
            self.letter_id, "reply_by", self.reply_by, self.common.letter_date, "the letter's date"
        )

    @property
    def condition_lines(self) -> tuple[str, ...]:
        """The conditions as letter 2 lists them."""
        head_title = str(self.common.school.head_title)
        return imposing_lines(self.conditions, head_title, self.senior_contact)


@dataclass(frozen=True)
class ConditionsDecisionLetter:
    """Model letter 3: the Chair confirms or overturns the head's conditions."""

    letter_id: ClassVar[str] = "letter-3"
    common: LetterCommon
    head_letter_date: date  # the date of letter 2
    behaviour_towards: str  # "(name)": whom the behaviour was towards
    previous_letter_date: date | None  # an earlier letter from the head, if there was one
    representation_date: date | None  # the person's letter, or None for no written response
    decision: ChairOutcome
    conditions: Conditions | None  # the conditions confirmed (required to confirm)
    head_name: str
    senior_contact: str | None = None  # as in letter 2
    reasons: str | None = None  # the Chair's reasons, in the Chair's words

    def __post_init__(self) -> None:
        _require(self.letter_id, "behaviour_towards", self.behaviour_towards)
        _require(self.letter_id, "head_name", self.head_name)
        _check_reasons(self.letter_id, self.reasons)
        if self.decision is ChairOutcome.CONFIRM and self.conditions is None:
            raise LetterError(f"{self.letter_id}: confirming needs the conditions confirmed")
        if self.conditions is not None:
            check_conditions(self.letter_id, self.conditions, self.senior_contact)

    @property
    def condition_lines(self) -> tuple[str, ...]:
        """The conditions confirmed, as letter 2 listed them (none when overturned)."""
        if self.conditions is None:
            return ()
        head_title = str(self.common.school.head_title)
        return imposing_lines(self.conditions, head_title, self.senior_contact)


@dataclass(frozen=True)
class BanLetter:
    """Model letter 4: a provisional ban on contacting or attending the school.

    `arrangements` ("In imposing a ban", step 4): how meetings about the pupil, and the
    pupil's drop-off and collection, will work while the ban stands, in the head's words;
    each may be empty ("as appropriate"). Its police statement is not printed: `police` is.
    """

    letter_id: ClassVar[str] = "letter-4"
    common: LetterCommon
    incident: Incident
    reporter: Reporter
    previous_incident: PreviousIncident | None  # None for an extreme act of violence
    police: PoliceReport | None  # set when an assault led to the ban
    arrangements: BanArrangements
    reply_by: date
    chair_name: str
    chair: ChairContact
    until: date | None = None  # a ban for a defined period ends on this day
    # False for a person with no child at the school (a visitor): no progress meeting, no
    # arrangements about a child.
    child_at_school: bool = True
    # Whether the school has configured its Academic Review Days: the progress meeting is
    # then prompted for the next one, as the model says; otherwise about a year after the
    # Chair's decision, and the letter says that instead (it never promises what is not done).
    academic_review_days: bool = True

    def __post_init__(self) -> None:
        _require(self.letter_id, "chair_name", self.chair_name)
        _check_arrangements(self.letter_id, self.arrangements)
        _check_after(
            self.letter_id, "reply_by", self.reply_by, self.common.letter_date, "the letter's date"
        )
        if self.until is not None:
            _check_after(
                self.letter_id, "until", self.until, self.common.letter_date, "the letter's date"
            )


@dataclass(frozen=True)
class BanDecisionLetter:
    """Model letter 5: the Chair confirms or overturns the head's ban."""

    letter_id: ClassVar[str] = "letter-5"
    common: LetterCommon
    head_letter_date: date  # the date of letter 4
    behaviour_towards: str
    previous_letter_date: date | None
    representation_date: date | None
    decision: ChairOutcome
    head_name: str
    reasons: str | None = None  # the Chair's reasons, in the Chair's words
    until: date | None = None  # the end of a ban for a defined period
    # The ban ends before the committee's six-monthly review would fall: the letter gives
    # its end, not "reviewed in six months' time".
    ends_before_review: bool = False
    child_at_school: bool = True  # as in letter 4

    def __post_init__(self) -> None:
        _require(self.letter_id, "behaviour_towards", self.behaviour_towards)
        _require(self.letter_id, "head_name", self.head_name)
        _check_reasons(self.letter_id, self.reasons)
        if self.ends_before_review and self.until is None:
            raise LetterError(f"{self.letter_id}: ends_before_review needs the ban's end (until)")


BehaviourTowards = Literal["staff", "pupils", "staff_and_pupils"]
"""Letter 6's "your behaviour towards school staff/pupils": its three wordings."""


@dataclass(frozen=True)
class StatementRequestLetter:
    """Model letter 6: the clerk asks for a statement before the Committee's review."""

    letter_id: ClassVar[str] = "letter-6"
    common: LetterCommon
    head_letter_date: date  # the head's letter imposing the sanction
    affected_groups: frozenset[AffectedGroup]  # who the incident affected, as reported
    sanction: SanctionKind
    review_meeting: date
    review_meeting_time: time | None
    statement_by: date  # at least 10 school days after the letter's date
    clerk_email: str
    # The committee's meeting at which the ban (imposed by the head's letter) was lifted
    # and replaced by the conditions now reviewed; None when the head imposed `sanction`.
    replaced_ban_on: date | None = None

    def __post_init__(self) -> None:
        _require(self.letter_id, "clerk_email", self.clerk_email)
        if self.replaced_ban_on is not None and self.sanction is not SanctionKind.CONDITIONS:
            raise LetterError(
                f"{self.letter_id}: a ban replaced by conditions is reviewed as conditions"
            )
        _check_after(
            self.letter_id,
            "statement_by",
            self.statement_by,
            self.common.letter_date,
            "the letter's date",
        )
        _check_after(
            self.letter_id,
            "review_meeting",
            self.review_meeting,
            self.common.letter_date,
            "the letter's date",
        )

    @property
    def behaviour_towards(self) -> BehaviourTowards:
        """Whom the model's "school staff/pupils" names: staff unless pupils were affected
        (other parents and visitors are not in the model's choice)."""
        groups = self.affected_groups
        if AffectedGroup.PUPILS in groups and AffectedGroup.STAFF in groups:
            return "staff_and_pupils"
        if AffectedGroup.PUPILS in groups:
            return "pupils"
        return "staff"


ReviewOutcomeWording = Literal[
    "conditions_continue", "ban_continues", "ban_replaced_by_conditions", "removed"
]
"""Letter 7's wordings of the committee's decision. "Maintain", "extend" and "vary"
conditions all continue conditions (the letter lists the conditions now in force); a ban
may continue, be replaced by conditions, or go."""

REVIEW_OUTCOME_WORDINGS: tuple[ReviewOutcomeWording, ...] = get_args(ReviewOutcomeWording)

OUTCOMES_WITH_CONDITIONS: frozenset[ReviewOutcomeWording] = frozenset(
    {"conditions_continue", "ban_replaced_by_conditions"}
)
"""The outcomes after which conditions are in force: letter 7 lists them."""


def review_outcome_wording(reviewed: SanctionKind, decision: ReviewOutcome) -> ReviewOutcomeWording:
    """How letter 7 words the committee's `decision` on the sanction `reviewed`, or
    `LetterError` for a decision the policy does not allow on it: a ban cannot be "varied"
    (the transition table has no such step), nor conditions "replaced by conditions"."""
    match reviewed, decision:
        case SanctionKind.CONDITIONS, (
            ReviewOutcome.MAINTAIN | ReviewOutcome.EXTEND | ReviewOutcome.VARY
        ):
            return "conditions_continue"
        case SanctionKind.BAN, ReviewOutcome.MAINTAIN | ReviewOutcome.EXTEND:
            return "ban_continues"
        case SanctionKind.BAN, ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS:
            return "ban_replaced_by_conditions"
        case _, ReviewOutcome.REMOVE:
            return "removed"
    raise LetterError(f"letter-7: a review of {reviewed.label} cannot end in “{decision.label}”")


@dataclass(frozen=True)
class ReviewOutcomeLetter:
    """Model letter 7: the outcome of the Local Academy Committee's review.

    `decision` is what the committee decided about the sanction `reviewed`; `outcome` is how
    the letter words it (the name the templates test). `senior_contact` as in letter 2
    (letter 7's "named senior member of staff").
    """

    letter_id: ClassVar[str] = "letter-7"
    common: LetterCommon
    statement_request_date: date  # the date of letter 6
    reviewed: SanctionKind
    representation_date: date | None
    review_meeting: date
    decision: ReviewOutcome
    conditions: Conditions | None  # the conditions now in force, for outcomes with conditions
    senior_contact: str | None = None
    reasons: str | None = None  # the committee's reasons, as the clerk recorded them
    child_at_school: bool = True  # as in letter 4

    def __post_init__(self) -> None:
        owner = self.letter_id
        _check_reasons(owner, self.reasons)
        outcome = self.outcome  # refuses a decision the sanction reviewed cannot have
        if outcome in OUTCOMES_WITH_CONDITIONS and self.conditions is None:
            raise LetterError(f"{owner}: the outcome {outcome} needs the conditions")
        if outcome not in OUTCOMES_WITH_CONDITIONS and self.conditions is not None:
            raise LetterError(f"{owner}: the outcome {outcome} has no conditions")
        if self.conditions is not None:
            check_conditions(owner, self.conditions, self.senior_contact)

    @property
    def outcome(self) -> ReviewOutcomeWording:
        return review_outcome_wording(self.reviewed, self.decision)

    @property
    def condition_lines(self) -> tuple[str, ...]:
        """The conditions now in force, as letter 7 lists them (none without conditions)."""
        if self.conditions is None:
            return ()
        head_title = str(self.common.school.head_title)
        return review_lines(self.conditions, head_title, self.senior_contact)


@dataclass(frozen=True)
class MeetingFollowUpLetter:
    """Not modelled: the follow-up after an informal meeting (policy, "The school's
    response" 2), confirming the main points, agreed actions and the school's expectations."""

    letter_id: ClassVar[str] = "meeting-follow-up"
    common: LetterCommon
    meeting_date: date
    meeting_time: time | None
    # Staff there besides the signer ("Mr Ahmed (Deputy Headteacher)"); empty when the
    # signer met the person alone, and the letter then names nobody else.
    attendees: tuple[str, ...]
    points_discussed: tuple[str, ...]
    agreed_actions: tuple[str, ...]  # may be empty
    expectations: tuple[str, ...]

    def __post_init__(self) -> None:
        for name in ("points_discussed", "expectations"):
            if not getattr(self, name):
                raise LetterError(f"{self.letter_id}: {name} is empty")
        for name in ("attendees", "points_discussed", "agreed_actions", "expectations"):
            _require_lines(self.letter_id, name, getattr(self, name))


@dataclass(frozen=True)
class BanNoticeToTrustees:
    """Not modelled: "The Chair of the Board of Trustees will be informed of the ban"
    (policy, "In imposing a ban", step 3). The addressee is the chair of trustees; the
    letter gives the facts of the decision, not the incident's details, which stay on the
    case record."""

    letter_id: ClassVar[str] = "ban-notice-trustees"
    common: LetterCommon
    person_name: str  # the person banned
    relationship: Relationship
    ban_letter_date: date  # the date of letter 4
    incident_date: date
    ground: BanGround
    police: PoliceReport | None
    reply_by: date  # the person's deadline for representations to the Chair of the LAC
    chair_name: str  # the Chair of the LAC, for the cc line

    def __post_init__(self) -> None:
        _require(self.letter_id, "person_name", self.person_name)
        _require(self.letter_id, "chair_name", self.chair_name)


LetterData = (
    WarningLetter
    | ConditionsLetter
    | ConditionsDecisionLetter
    | BanLetter
    | BanDecisionLetter
    | StatementRequestLetter
    | ReviewOutcomeLetter
    | MeetingFollowUpLetter
    | BanNoticeToTrustees
)

LETTER_TYPES: Mapping[str, type[LetterData]] = MappingProxyType(
    {
        cls.letter_id: cls
        for cls in (
            WarningLetter,
            ConditionsLetter,
            ConditionsDecisionLetter,
            BanLetter,
            BanDecisionLetter,
            StatementRequestLetter,
            ReviewOutcomeLetter,
            MeetingFollowUpLetter,
            BanNoticeToTrustees,
        )
    }
)
"""Every letter by id, in the policy's order: letter-1 … letter-7, then the two implied."""
