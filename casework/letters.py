"""Letters from a case: the case's facts and the trust configuration mapped onto the letter
data of `templates.context`, rendered, and made into a `LetterDraft` for the signer. One
builder per letter, here; the parts most letters share are in `casework.letter_parts`.

The letters speak the rules' vocabulary (`rules.behaviours`, `rules.details`), so the
case's values go into the letter data as they are; what a letter words differently (letter
6's "staff/pupils", letter 7's wording of the committee's decision) the letter data derives
itself.

A letter is built from the case *as it stood when the letter was called for* (the caller
folds the events up to the `letter-required` event), with the person's current contact
details, and dated the day it is drafted. Until the letter is recorded as sent, the
reply-by date printed is provisional: counted from the draft's date
(`rules.prompts.provisional_reply_by`); the recorded sent date counts afterwards. Both are
counted exactly from the school's term dates: a reply-by date they do not reach raises
`casework.letter_parts.TermDatesMissing`, and the letter waits for the dates instead of
printing a guess (issue 9, rule 6).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType

from casework import letter_parts as parts
from casework.letter_parts import UK, LetterInputs, chair_of_trustees, read_logo, trust_details
from casework.ports import Attachment, LetterDraft, Person, Recipient
from rules import behaviours as rb
from rules import timeline as tl
from rules.case import IncidentRecord
from rules.details import Conditions
from rules.roles import Role
from templates import context as tc
from templates.errors import LetterError
from templates.render import LetterRenderer

# The public names, with the parts callers have always imported from here.
__all__ = [
    "LETTER_BUILDERS",
    "UK",
    "LetterInputs",
    "build_draft",
    "draft_key",
    "letter_data",
    "read_logo",
    "trust_details",
]

logger = logging.getLogger(__name__)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# "We expect parents and other visitors to behave in a reasonable way …" (the policy's
# statement of expected conduct): what the follow-up letter confirms after a meeting.
MEETING_EXPECTATIONS = (
    "We expect parents and other visitors to behave in a reasonable way towards members of "
    "school staff and the wider Trust community at all times.",
)


def _warning(inputs: LetterInputs) -> tc.LetterData:
    return tc.WarningLetter(
        common=parts.common(inputs),
        incident=parts.incident(parts.incident_for(inputs.view, inputs.letter)),
        relationship=inputs.view.person.relationship,
        reply_by=parts.reply_by(inputs),
        chair_name=parts.holder(inputs, Role.CHAIR).name,
        meeting_offered=_meeting_offered(inputs),
    )


def _meeting_offered(inputs: LetterInputs) -> bool:
    """Whether the head offered a meeting with letter 1 (the window it opened says)."""
    window = inputs.view.window
    if window is None or window.letter_id != inputs.letter.letter_id:
        return True  # not letter 1's window: the step's default, a meeting offered
    return window.meeting_offered


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
        common=parts.common(inputs),
        incident=parts.incident(incident),
        reporter=parts.reporter(inputs, incident),
        previous_incident=parts.previous_incident(inputs.view, inputs.letter),
        conditions=parts.in_force(conditions),
        reply_by=parts.reply_by(inputs),
        chair_name=parts.holder(inputs, Role.CHAIR).name,
        chair=parts.chair_contact(inputs),
        senior_contact=parts.senior_contact(inputs.school),
    )


def _ban(inputs: LetterInputs) -> tc.LetterData:
    incident, _ = _sanction_for(inputs)
    sanction = inputs.view.sanction
    assert sanction is not None
    assert sanction.arrangements is not None
    arrangements = sanction.arrangements
    return tc.BanLetter(
        common=parts.common(inputs),
        incident=parts.incident(incident),
        reporter=parts.reporter(inputs, incident),
        previous_incident=parts.previous_incident(inputs.view, inputs.letter),
        police=parts.police_report(arrangements),
        arrangements=parts.arrangements(arrangements),
        reply_by=parts.reply_by(inputs),
        chair_name=parts.holder(inputs, Role.CHAIR).name,
        chair=parts.chair_contact(inputs),
        until=sanction.until,
        child_at_school=parts.child_at_school(inputs.view),
        academic_review_days=bool(inputs.school.academic_review_days),
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
        common=parts.common(inputs, tc.Addressee(name=trustee.name, email=trustee.email)),
        person_name=view.person.name,
        relationship=view.person.relationship,
        ban_letter_date=ban_letter.sent_on or inputs.letter_date,
        incident_date=parts.local_date(incident.details.occurred_at),
        ground=rb.BanGround.recorded(sanction.extreme_violence_ground),
        police=parts.police_report(sanction.arrangements),
        reply_by=parts.reply_by(inputs, ban_letter),
        chair_name=parts.holder(inputs, Role.CHAIR).name,
    )


def _chair_decision(inputs: LetterInputs) -> tc.LetterData:
    view, letter = inputs.view, inputs.letter
    decision = next((d for d in view.chair_decisions if d.letter_id == letter.letter_id), None)
    if decision is None:
        raise LetterError(f"{letter.letter.value}: the Chair's decision is not on the case")
    head_letter = view.letter(decision.provisional_letter_id)
    assert head_letter is not None
    previous = parts.earlier_head_letter(view, head_letter)
    incident = parts.incident_for(view, head_letter)
    representation = decision.representation
    common = parts.common(inputs)
    head_letter_date = parts.letter_date(head_letter)
    towards = parts.behaviour_towards(incident)
    previous_date = parts.letter_date(previous) if previous else None
    representation_date = representation.letter_dated if representation else None
    head_name = parts.holder(inputs, Role.HEAD).name
    reasons = parts.reasons(inputs, decision.reason)
    if letter.letter is rb.LetterKind.CONDITIONS_DECISION:
        conditions = None
        if decision.outcome is rb.ChairOutcome.CONFIRM and view.sanction is not None:
            conditions = parts.in_force(view.sanction.conditions)
        return tc.ConditionsDecisionLetter(
            common=common,
            head_letter_date=head_letter_date,
            behaviour_towards=towards,
            previous_letter_date=previous_date,
            representation_date=representation_date,
            decision=decision.outcome,
            conditions=conditions,
            head_name=head_name,
            senior_contact=parts.senior_contact(inputs.school),
            reasons=reasons,
        )
    until = None
    if decision.outcome is rb.ChairOutcome.CONFIRM and view.sanction is not None:
        until = view.sanction.until
    # "Reviewed in six months' time" only when the ban lasts that long: the same count the
    # engine makes for the review (`rules.timeline.review_due`).
    review_on = tl.lenient(inputs.calendar).months_after(inputs.letter_date, tl.REVIEW_MONTHS)
    return tc.BanDecisionLetter(
        common=common,
        head_letter_date=head_letter_date,
        behaviour_towards=towards,
        previous_letter_date=previous_date,
        representation_date=representation_date,
        decision=decision.outcome,
        head_name=head_name,
        reasons=reasons,
        until=until,
        ends_before_review=until is not None and until < review_on.due,
        child_at_school=parts.child_at_school(view),
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
    # Conditions reviewed under the head's ban letter replaced that ban: the letter says
    # so, with the date of the committee's meeting that replaced it.
    replaced = [
        r
        for r in view.reviews
        if r.outcome is rb.ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS
        and r.review_no < review.review_no
        and head_letter.letter is rb.LetterKind.BAN
        and review.sanction is rb.SanctionKind.CONDITIONS
    ]
    return tc.StatementRequestLetter(
        common=parts.common(inputs),
        head_letter_date=parts.letter_date(head_letter),
        affected_groups=frozenset(incident.details.affected_groups),
        sanction=review.sanction,
        review_meeting=review.meeting_on,
        review_meeting_time=None,
        statement_by=parts.reply_by(inputs),
        clerk_email=parts.holder(inputs, Role.CLERK).email,
        replaced_ban_on=replaced[-1].meeting_on if replaced else None,
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
        conditions = parts.in_force(view.sanction.conditions)
    return tc.ReviewOutcomeLetter(
        common=parts.common(inputs),
        statement_request_date=parts.letter_date(letter6),
        reviewed=review.sanction,
        representation_date=review.statement.letter_dated if review.statement else None,
        review_meeting=review.meeting_on,
        decision=review.outcome,
        conditions=conditions,
        senior_contact=parts.senior_contact(inputs.school),
        reasons=parts.reasons(inputs, review.reason),
        child_at_school=parts.child_at_school(view),
    )


def _meeting_follow_up(inputs: LetterInputs) -> tc.LetterData:
    view, letter = inputs.view, inputs.letter
    meeting = next((m for m in view.informal_meetings if m.letter_id == letter.letter_id), None)
    if meeting is None or meeting.held_on is None:
        raise LetterError("meeting-follow-up: the meeting it follows is not on the case")
    points = tuple(line.strip() for line in meeting.notes.splitlines() if line.strip())
    common = parts.common(inputs)
    # "besides you and me": the signer is the "me", not one of the others present.
    signer = common.signer.name.strip().casefold()
    others = tuple(s for s in meeting.staff_present if s.strip().casefold() != signer)
    return tc.MeetingFollowUpLetter(
        common=common,
        meeting_date=meeting.held_on,
        meeting_time=meeting.meeting_at.astimezone(UK).time().replace(second=0, microsecond=0),
        attendees=others,
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


def draft_key(case_id: str, letter_id: str, redated: int = 0) -> str:
    # A re-dated draft is a new draft, not the first one again.
    return f"{case_id}:{letter_id}" + (f":redated-{redated}" if redated else "")


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
    cc = tuple(_recipient(parts.holder(inputs, role)) for role in letter.cc)
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
        key=draft_key(view.case_id, letter.letter_id, letter.redated),
        case_id=view.case_id,
        case_reference=view.reference,
        letter=letter.letter.value,
        signer=parts.holder(inputs, letter.signer),
        to=to,
        cc=cc,
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        attachments=attachments,
        reply_by=reply_by if isinstance(reply_by, date) else None,
    )
