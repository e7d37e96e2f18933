"""Letters from a case: the case's facts and the trust configuration mapped onto the letter
data of `templates.context`, rendered, and made into a `LetterDraft` for the signer.

The letters speak the rules' vocabulary (`rules.behaviours`, `rules.details`), so the
case's values go into the letter data as they are; what a letter words differently (letter
6's "staff/pupils", letter 7's wording of the committee's decision) the letter data derives
itself.

A letter is built from the case *as it stood when the letter was called for* (the caller
folds the events up to the `letter-required` event), with the person's current contact
details, and dated the day it is drafted. Until the letter is recorded as sent, the
reply-by date printed is provisional: counted from the draft's date
(`rules.prompts.provisional_reply_by`); the recorded sent date counts afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from casework.config import School, TrustConfig
from casework.ports import Attachment, Directory, LetterDraft, Person, Recipient
from rules import behaviours as rb
from rules.calendar import SchoolCalendar
from rules.case import CaseView, IncidentRecord, LetterRecord
from rules.details import BanArrangements, Conditions
from rules.prompts import letter_reply_by, provisional_reply_by
from rules.roles import Role
from templates import context as tc
from templates.errors import LetterError
from templates.render import LetterRenderer

logger = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# "We expect parents and other visitors to behave in a reasonable way …" (the policy's
# statement of expected conduct): what the follow-up letter confirms after a meeting.
MEETING_EXPECTATIONS = (
    "We expect parents and other visitors to behave in a reasonable way towards members of "
    "school staff and the wider Trust community at all times.",
)

# The head's letters to the person: what "I have already written to you" refers to.
_HEAD_LETTERS = frozenset(
    {
        rb.LetterKind.WARNING,
        rb.LetterKind.CONDITIONS,
        rb.LetterKind.BAN,
        rb.LetterKind.MEETING_FOLLOW_UP,
    }
)


def _in_force(conditions: Conditions) -> Conditions:
    """The conditions as recorded, without other conditions left blank."""
    return replace(conditions, other=tuple(t.strip() for t in conditions.other if t.strip()))


def _police(arrangements: BanArrangements | None) -> tc.PoliceReport | None:
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


# --- building one letter ----------------------------------------------------------------------


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


def _holder(inputs: LetterInputs, role: Role) -> Person:
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


def _incident_for(view: CaseView, letter: LetterRecord) -> IncidentRecord:
    """The incident a letter answers: the latest one reported when it was called for (the
    school's responses always answer the latest incident)."""
    found = [i for i in view.incidents if i.reported_at <= letter.required_at]
    if not found:
        raise LetterError(f"{letter.letter.value}: the case has no incident before this letter")
    return found[-1]


def _incident(record: IncidentRecord) -> tc.Incident:
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


def _letter_date(letter: LetterRecord) -> date:
    """ "The date of this letter": the day it was sent, or (not yet sent) called for."""
    return letter.sent_on or local_date(letter.required_at)


def _earlier_head_letter(view: CaseView, before: LetterRecord) -> LetterRecord | None:
    earlier = [
        x
        for x in view.letters
        if x.letter in _HEAD_LETTERS
        and x.required_at < before.required_at
        and x.withdrawn_reason is None
    ]
    return earlier[-1] if earlier else None


def _previous_incident(view: CaseView, letter: LetterRecord) -> tc.PreviousIncident | None:
    earlier = _earlier_head_letter(view, letter)
    if earlier is None:
        return None
    incident = _incident_for(view, earlier)
    if incident.no >= _incident_for(view, letter).no:
        return None  # the earlier letter was about this same incident
    return tc.PreviousIncident(
        incident_date=local_date(incident.details.occurred_at),
        letter_date=_letter_date(earlier),
    )


def _behaviour_towards(record: IncidentRecord) -> str:
    named = record.details.affected_people.strip()
    if named:
        return named
    groups = [g.label.lower() for g in record.details.affected_groups]
    if not groups:
        return "members of staff"
    return groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]


def _reply_by(inputs: LetterInputs, letter: LetterRecord | None = None) -> date:
    letter = letter or inputs.letter
    sent = letter_reply_by(letter, inputs.calendar)
    due = sent or provisional_reply_by(letter, inputs.letter_date, inputs.calendar)
    if due is None:
        raise LetterError(f"{letter.letter.value}: this letter gives no right of reply")
    return due.due


def _person_addressee(view: CaseView) -> tc.Addressee:
    person = view.person
    return tc.Addressee(
        name=person.name,
        address=tuple(line for line in person.postal_address if line.strip()),
        email=person.email or None,
    )


def _common(inputs: LetterInputs, addressee: tc.Addressee | None = None) -> tc.LetterCommon:
    return tc.LetterCommon(
        trust=inputs.trust,
        school=school_details(inputs.school),
        reference=inputs.view.reference,
        letter_date=inputs.letter_date,
        addressee=addressee or _person_addressee(inputs.view),
        signer=tc.Signer(_holder(inputs, inputs.letter.signer).name),
    )


def _warning(inputs: LetterInputs) -> tc.LetterData:
    return tc.WarningLetter(
        common=_common(inputs),
        incident=_incident(_incident_for(inputs.view, inputs.letter)),
        relationship=inputs.view.person.relationship,
        reply_by=_reply_by(inputs),
        chair_name=_holder(inputs, Role.CHAIR).name,
    )


def _sanction_for(inputs: LetterInputs) -> tuple[IncidentRecord, Conditions]:
    sanction = inputs.view.sanction
    if sanction is None or sanction.letter_id != inputs.letter.letter_id:
        raise LetterError(
            f"{inputs.letter.letter.value}: the sanction it imposes is not on the case"
        )
    incident = inputs.view.incident(sanction.incident_no)
    assert incident is not None  # the fold only records sanctions on incidents it has
    return incident, sanction.conditions


def _conditions(inputs: LetterInputs) -> tc.LetterData:
    incident, conditions = _sanction_for(inputs)
    return tc.ConditionsLetter(
        common=_common(inputs),
        incident=_incident(incident),
        reporter=tc.Reporter(incident.details.reporter_name),
        previous_incident=_previous_incident(inputs.view, inputs.letter),
        conditions=_in_force(conditions),
        reply_by=_reply_by(inputs),
        chair_name=_holder(inputs, Role.CHAIR).name,
    )


def _ban(inputs: LetterInputs) -> tc.LetterData:
    incident, _ = _sanction_for(inputs)
    sanction = inputs.view.sanction
    assert sanction is not None
    assert sanction.arrangements is not None
    arrangements = sanction.arrangements
    return tc.BanLetter(
        common=_common(inputs),
        incident=_incident(incident),
        reporter=tc.Reporter(incident.details.reporter_name),
        previous_incident=_previous_incident(inputs.view, inputs.letter),
        police=_police(arrangements),
        arrangements=replace(
            arrangements,
            meetings=arrangements.meetings.strip(),
            drop_off_and_collection=arrangements.drop_off_and_collection.strip(),
        ),
        reply_by=_reply_by(inputs),
        chair_name=_holder(inputs, Role.CHAIR).name,
    )


def _ban_notice(inputs: LetterInputs) -> tc.LetterData:
    view = inputs.view
    sanction = view.sanction
    if sanction is None or sanction.kind is not rb.SanctionKind.BAN:
        raise LetterError("ban-notice-trustees: the ban it reports is not on the case")
    ban_letter = view.letter(sanction.letter_id)
    assert ban_letter is not None
    incident = view.incident(sanction.incident_no)
    assert incident is not None
    trustee = chair_of_trustees(inputs.config)
    return tc.BanNoticeToTrustees(
        common=_common(inputs, tc.Addressee(name=trustee.name, email=trustee.email)),
        person_name=view.person.name,
        relationship=view.person.relationship,
        ban_letter_date=ban_letter.sent_on or inputs.letter_date,
        incident_date=local_date(incident.details.occurred_at),
        ground=rb.BanGround.recorded(sanction.extreme_violence_ground),
        police=_police(sanction.arrangements),
        reply_by=_reply_by(inputs, ban_letter),
        chair_name=_holder(inputs, Role.CHAIR).name,
    )


def _chair_decision(inputs: LetterInputs) -> tc.LetterData:
    view, letter = inputs.view, inputs.letter
    decision = next((d for d in view.chair_decisions if d.letter_id == letter.letter_id), None)
    if decision is None:
        raise LetterError(f"{letter.letter.value}: the Chair's decision is not on the case")
    head_letter = view.letter(decision.provisional_letter_id)
    assert head_letter is not None
    previous = _earlier_head_letter(view, head_letter)
    incident = _incident_for(view, head_letter)
    representation = decision.representation
    common = _common(inputs)
    head_letter_date = _letter_date(head_letter)
    towards = _behaviour_towards(incident)
    previous_date = _letter_date(previous) if previous else None
    representation_date = representation.letter_dated if representation else None
    head_name = _holder(inputs, Role.HEAD).name
    if letter.letter is rb.LetterKind.CONDITIONS_DECISION:
        conditions = None
        if decision.outcome is rb.ChairOutcome.CONFIRM and view.sanction is not None:
            conditions = _in_force(view.sanction.conditions)
        return tc.ConditionsDecisionLetter(
            common=common,
            head_letter_date=head_letter_date,
            behaviour_towards=towards,
            previous_letter_date=previous_date,
            representation_date=representation_date,
            decision=decision.outcome,
            conditions=conditions,
            head_name=head_name,
        )
    return tc.BanDecisionLetter(
        common=common,
        head_letter_date=head_letter_date,
        behaviour_towards=towards,
        previous_letter_date=previous_date,
        representation_date=representation_date,
        decision=decision.outcome,
        head_name=head_name,
    )


def _statement_request(inputs: LetterInputs) -> tc.LetterData:
    view, letter = inputs.view, inputs.letter
    review = next((r for r in view.reviews if r.letter_id == letter.letter_id), None)
    sanction = view.sanction
    if review is None or sanction is None:
        raise LetterError("letter-6: the review it arranges is not on the case")
    head_letter = view.letter(sanction.letter_id)
    assert head_letter is not None
    incident = view.incident(sanction.incident_no)
    assert incident is not None
    return tc.StatementRequestLetter(
        common=_common(inputs),
        head_letter_date=_letter_date(head_letter),
        affected_groups=frozenset(incident.details.affected_groups),
        sanction=review.sanction,
        review_meeting=review.meeting_on,
        review_meeting_time=None,
        statement_by=_reply_by(inputs),
        clerk_email=_holder(inputs, Role.CLERK).email,
    )


def _review_outcome(inputs: LetterInputs) -> tc.LetterData:
    view, letter = inputs.view, inputs.letter
    review = next((r for r in view.reviews if r.outcome_letter_id == letter.letter_id), None)
    if review is None or review.outcome is None:
        raise LetterError("letter-7: the committee's decision is not on the case")
    letter6 = view.letter(review.letter_id)
    assert letter6 is not None
    conditions = None
    outcome = tc.review_outcome_wording(review.sanction, review.outcome)
    if outcome in tc.OUTCOMES_WITH_CONDITIONS:
        if view.sanction is None:
            raise LetterError("letter-7: the conditions now in force are not on the case")
        conditions = _in_force(view.sanction.conditions)
    return tc.ReviewOutcomeLetter(
        common=_common(inputs),
        statement_request_date=_letter_date(letter6),
        reviewed=review.sanction,
        representation_date=review.statement.letter_dated if review.statement else None,
        review_meeting=review.meeting_on,
        decision=review.outcome,
        conditions=conditions,
    )


def _meeting_follow_up(inputs: LetterInputs) -> tc.LetterData:
    view, letter = inputs.view, inputs.letter
    meeting = next((m for m in view.informal_meetings if m.letter_id == letter.letter_id), None)
    if meeting is None or meeting.held_on is None:
        raise LetterError("meeting-follow-up: the meeting it follows is not on the case")
    points = tuple(line.strip() for line in meeting.notes.splitlines() if line.strip())
    return tc.MeetingFollowUpLetter(
        common=_common(inputs),
        meeting_date=meeting.held_on,
        meeting_time=meeting.meeting_at.astimezone(UK).time().replace(second=0, microsecond=0),
        attendees=meeting.staff_present,
        points_discussed=points,
        agreed_actions=meeting.agreed_actions,
        expectations=MEETING_EXPECTATIONS,
    )


LETTER_BUILDERS: Mapping[rb.LetterKind, Callable[[LetterInputs], tc.LetterData]] = MappingProxyType(
    {
        rb.LetterKind.WARNING: _warning,
        rb.LetterKind.CONDITIONS: _conditions,
        rb.LetterKind.CONDITIONS_DECISION: _chair_decision,
        rb.LetterKind.BAN: _ban,
        rb.LetterKind.BAN_DECISION: _chair_decision,
        rb.LetterKind.REVIEW_STATEMENT_REQUEST: _statement_request,
        rb.LetterKind.REVIEW_OUTCOME: _review_outcome,
        rb.LetterKind.MEETING_FOLLOW_UP: _meeting_follow_up,
        rb.LetterKind.BAN_NOTICE_TO_CHAIR_OF_TRUSTEES: _ban_notice,
    }
)


def letter_data(inputs: LetterInputs) -> tc.LetterData:
    """The letter data for `inputs.letter`, or `LetterError` saying what is missing."""
    return LETTER_BUILDERS[inputs.letter.letter](inputs)


def _recipient(person: Person) -> Recipient:
    return Recipient(name=person.name, email=person.email)


def draft_key(case_id: str, letter_id: str) -> str:
    return f"{case_id}:{letter_id}"


def build_draft(inputs: LetterInputs, renderer: LetterRenderer) -> LetterDraft:
    """The rendered letter as a draft in the signer's name, with the .docx and the logo."""
    data = letter_data(inputs)
    rendered = renderer.render(data)
    view, letter = inputs.view, inputs.letter
    if letter.addressee is rb.Addressee.CHAIR_OF_TRUSTEES:
        to = _recipient(chair_of_trustees(inputs.config))
    else:
        to = Recipient(
            name=view.person.name,
            email=view.person.email or None,
            postal_address=view.person.postal_address,
        )
    cc = tuple(_recipient(_holder(inputs, role)) for role in letter.cc)
    # Reply-By asks the addressee to answer: only letters giving the person a right of reply.
    reply_by = None
    if letter.reply_within_school_days is not None:
        reply_by = getattr(data, "reply_by", None) or getattr(data, "statement_by", None)
    attachments = (
        Attachment(
            filename=f"{view.reference} {letter.letter.value}.docx",
            content_type=DOCX_TYPE,
            data=rendered.docx,
        ),
        *(
            Attachment(
                filename=image.filename,
                content_type=image.content_type,
                data=image.data,
                content_id=image.content_id,
            )
            for image in rendered.inline_images
        ),
    )
    return LetterDraft(
        key=draft_key(view.case_id, letter.letter_id),
        case_id=view.case_id,
        case_reference=view.reference,
        letter=letter.letter.value,
        signer=_holder(inputs, letter.signer),
        to=to,
        cc=cc,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        attachments=attachments,
        reply_by=reply_by if isinstance(reply_by, date) else None,
    )
