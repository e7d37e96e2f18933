"""What every letter is made from: `LetterInputs`, and the parts of the letter data read from
the trust configuration (letterhead, logo) and from the case (the incident a letter answers,
the head's earlier letter, the reply-by date, addressee and signer).

`casework.letters` builds each letter from these; they are shared by most letters, so they
live apart from the builders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from casework.config import School, TrustConfig
from casework.ports import Directory, Person
from rules import behaviours as rb
from rules.calendar import BeyondTermDates, OutsideTermDates, SchoolCalendar
from rules.case import CaseView, IncidentRecord, LetterRecord
from rules.details import BanArrangements, Conditions
from rules.prompts import letter_reply_by, provisional_reply_by
from rules.roles import Role
from templates import context as tc
from templates.errors import LetterError

UK = ZoneInfo("Europe/London")

# The head's letters to the person: what "I have already written to you" refers to.
_HEAD_LETTERS = frozenset(
    {
        rb.LetterKind.WARNING,
        rb.LetterKind.CONDITIONS,
        rb.LetterKind.BAN,
        rb.LetterKind.MEETING_FOLLOW_UP,
    }
)


# --- the rules' records, as a letter takes them -------------------------------------------------


def in_force(conditions: Conditions) -> Conditions:
    """The conditions as recorded, without other conditions left blank."""
    return replace(conditions, other=tuple(t.strip() for t in conditions.other if t.strip()))


def arrangements(given: BanArrangements) -> BanArrangements:
    """The ban's arrangements as recorded, an arrangement left blank made empty (not given)."""
    return replace(
        given,
        meetings=given.meetings.strip(),
        drop_off_and_collection=given.drop_off_and_collection.strip(),
    )


def police_report(arrangements: BanArrangements | None) -> tc.PoliceReport | None:
    """ "Where an assault has led to a ban, a statement indicating that the matter has been
    reported to the local police will be made" (the reference is not recorded)."""
    if arrangements is None or not arrangements.police_statement.strip():
        return None
    return tc.PoliceReport()


# --- the trust and school parts -------------------------------------------------------------

_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def read_logo(path: Path) -> tc.Logo:
    """The trust's logo file as letter data (read once, at start)."""
    content_type = _IMAGE_TYPES.get(path.suffix.lower())
    if content_type is None:
        raise LetterError(f"logo: {path.name} is not a PNG or JPEG file")
    return tc.Logo(data=path.read_bytes(), content_type=content_type, filename=path.name)


def trust_details(config: TrustConfig, logo: tc.Logo | None) -> tc.TrustDetails:
    trust = config.trust
    return tc.TrustDetails(
        name=trust.name,
        registered_name=trust.registered_name,
        company_number=trust.company_number,
        registered_office=trust.registered_office,
        branding=tc.Branding(
            primary_colour=trust.branding.primary_colour,
            accent_colour=trust.branding.accent_colour,
            logo=logo,
        ),
    )


def school_details(school: School) -> tc.SchoolDetails:
    return tc.SchoolDetails(
        name=school.name,
        address=school.address,
        head_title=school.head_title,
        email=school.email,
        phone=school.phone,
    )


# --- read from the case ------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterInputs:
    """Everything one letter is made from."""

    view: CaseView  # the case when the letter was called for, with current contact details
    letter: LetterRecord
    letter_date: date  # the draft's date
    calendar: SchoolCalendar
    school: School
    trust: tc.TrustDetails
    config: TrustConfig
    directory: Directory


def local_date(at: datetime) -> date:
    return at.astimezone(UK).date()


def holder(inputs: LetterInputs, role: Role) -> Person:
    holders = inputs.directory.holders(inputs.school.id, role)
    if not holders:
        raise LetterError(
            f"{inputs.letter.letter.value}: nobody holds the role “{role.label}” at "
            f"{inputs.school.name} in the trust configuration"
        )
    return holders[0]


def chair_of_trustees(config: TrustConfig) -> Person:
    for person in config.trust.people:
        if "chair" in person.title.lower():
            return person.as_person()
    raise LetterError("ban-notice-trustees: the trust configuration names no Chair of Trustees")


def incident_for(view: CaseView, letter: LetterRecord) -> IncidentRecord:
    """The incident a letter answers: the latest one reported when it was called for (the
    school's responses always answer the latest incident)."""
    found = [i for i in view.incidents if i.reported_at <= letter.required_at]
    if not found:
        raise LetterError(f"{letter.letter.value}: the case has no incident before this letter")
    return found[-1]


def incident(record: IncidentRecord) -> tc.Incident:
    details = record.details
    local = details.occurred_at.astimezone(UK)
    location = details.location.strip()
    if location.split(" ", 1)[0].lower() not in ("at", "in", "on", "by", "near", "outside"):
        location = f"at {location}"
    return tc.Incident(
        summary=details.summary,
        effect=details.effect,
        on=local.date(),
        at=local.time().replace(second=0, microsecond=0),
        details=location,
    )


def letter_date(letter: LetterRecord) -> date:
    """ "The date of this letter": the day it was sent, or (not yet sent) called for."""
    return letter.sent_on or local_date(letter.required_at)


def earlier_head_letter(view: CaseView, before: LetterRecord) -> LetterRecord | None:
    """The head's latest letter to the person before `before` that was recorded as sent
    (letters 3 and 5's "has written to you previously"): a letter never sent is not one."""
    earlier = [
        x
        for x in view.letters
        if x.letter in _HEAD_LETTERS
        and x.required_at < before.required_at
        and x.sent_on is not None
    ]
    return earlier[-1] if earlier else None


def previous_incident(view: CaseView, letter: LetterRecord) -> tc.PreviousIncident | None:
    """Letters 2 and 4's "I have already written to you about a previous incident on (date)
    warning you of the consequence …": the latest warning (letter 1) recorded as sent, about
    an earlier incident. The meeting follow-up warns of nothing, and a letter never sent
    was never written to the person."""
    this_incident = incident_for(view, letter).no
    for earlier in reversed(view.letters):
        if (
            earlier.letter is not rb.LetterKind.WARNING
            or earlier.sent_on is None
            or earlier.required_at >= letter.required_at
        ):
            continue
        incident = incident_for(view, earlier)
        if incident.no >= this_incident:
            continue  # the warning was about this same incident
        return tc.PreviousIncident(
            incident_date=local_date(incident.details.occurred_at),
            letter_date=earlier.sent_on,
        )
    return None


def reporter(inputs: LetterInputs, record: IncidentRecord) -> tc.Reporter:
    """ "A report from Mrs Shah, the school's office manager": the name as reported, with
    the job title of the member of staff of that name in the configuration (none if the
    name matches nobody, or more than one person)."""
    name = record.details.reporter_name
    staff = inputs.school.person_named(name)
    return tc.Reporter(name, staff.job_title if staff is not None else None)


def chair_contact(inputs: LetterInputs) -> tc.ChairContact:
    """Where letters 2 and 4 tell the person to write to the Chair."""
    chair = holder(inputs, Role.CHAIR)
    return tc.ChairContact(name=chair.name, email=chair.email)


def senior_contact(school: School) -> str | None:
    """Letter 2's "Deputy Headteacher/Principal": the configured second contact, by job and
    name ("the Deputy Headteacher, Daniel Hughes"), or None (the deputy, by role)."""
    second = school.second_contact
    if second is None or second.job_title is None:
        return None
    return f"the {second.job_title}, {second.name}"


def reasons(inputs: LetterInputs, text: str) -> str | None:
    """The Chair's or the committee's reasons, unless the trust has them left out."""
    if not inputs.config.letters_give_reasons or not text.strip():
        return None
    return text.strip()


def child_at_school(view: CaseView) -> bool:
    """Whether the person has a child at the school (the rule's own test, so that the letters
    and the engine agree): a visitor has none, and the letters leave out the child's meeting
    and arrangements."""
    return view.person.has_child_at_school


def behaviour_towards(record: IncidentRecord) -> str:
    named = record.details.affected_people.strip()
    if named:
        return named
    groups = [g.label.lower() for g in record.details.affected_groups]
    if not groups:
        return "members of staff"
    return groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]


class TermDatesMissing(Exception):
    """A letter's reply-by date cannot be counted: it falls after the school's last
    configured term (issue 9, rule 6: no date is guessed). Not a `LetterError`: once the
    trust's administrator has added the term dates, the next try drafts the letter.
    `last_covered` is the last day the school's term dates cover."""

    def __init__(self, message: str, last_covered: date) -> None:
        super().__init__(message)
        self.last_covered = last_covered


def reply_by(inputs: LetterInputs, letter: LetterRecord | None = None) -> date:
    """The reply-by (or statement-by) date the letter prints, counted exactly from the
    school's term dates. `TermDatesMissing` when they do not reach it: the person is never
    given a date counted in calendar days instead of school days."""
    letter = letter or inputs.letter
    try:
        sent = letter_reply_by(letter, inputs.calendar, exact=True)
        due = sent or provisional_reply_by(letter, inputs.letter_date, inputs.calendar, exact=True)
    except (BeyondTermDates, OutsideTermDates) as error:
        raise TermDatesMissing(
            f"The reply-by date cannot be counted: {error.message}", error.last_covered
        ) from None
    if due is None:
        raise LetterError(f"{letter.letter.value}: this letter gives no right of reply")
    return due.due


def person_addressee(view: CaseView) -> tc.Addressee:
    person = view.person
    return tc.Addressee(
        name=person.name,
        address=tuple(line for line in person.postal_address if line.strip()),
        email=person.email or None,
    )


def common(inputs: LetterInputs, addressee: tc.Addressee | None = None) -> tc.LetterCommon:
    return tc.LetterCommon(
        trust=inputs.trust,
        school=school_details(inputs.school),
        reference=inputs.view.reference,
        letter_date=inputs.letter_date,
        addressee=addressee or person_addressee(inputs.view),
        signer=tc.Signer(holder(inputs, inputs.letter.signer).name),
    )
