"""Example letter data: one fictional trust and school, and every letter in every variant
the models allow. Used by the preview command, by the check of a trust's overrides at
load, and by the golden-file tests. All names, addresses and events are invented.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from importlib import resources

from rules.behaviours import (
    AffectedGroup,
    BanGround,
    ChairOutcome,
    HeadTitle,
    Relationship,
    ReviewOutcome,
    SanctionKind,
    StandardCondition,
)
from rules.calendar import Region, SchoolCalendar, Term, TermDates
from rules.details import BanArrangements, Conditions
from rules.timeline import REPLY_WINDOW_SCHOOL_DAYS
from templates.context import (
    Addressee,
    BanDecisionLetter,
    BanLetter,
    BanNoticeToTrustees,
    Branding,
    ChairContact,
    ConditionsDecisionLetter,
    ConditionsLetter,
    Incident,
    LetterCommon,
    LetterData,
    Logo,
    MeetingFollowUpLetter,
    PoliceReport,
    PreviousIncident,
    Reporter,
    ReviewOutcomeLetter,
    SchoolDetails,
    Signer,
    StatementRequestLetter,
    TrustDetails,
    WarningLetter,
)


def example_logo() -> Logo:
    data = (resources.files("templates") / "assets" / "oak-valley-logo.png").read_bytes()
    return Logo(data=data, content_type="image/png", filename="oak-valley-logo.png")


def example_trust() -> TrustDetails:
    return TrustDetails(
        name="Oak Valley Learning Trust",
        registered_name="Oak Valley Learning Trust Ltd",
        company_number="01234567",
        registered_office=("Oak Valley House", "12 Mill Road", "Oakbridge", "OB1 4QT"),
        branding=Branding(primary_colour="#1F5C3A", accent_colour="#C8A24A", logo=example_logo()),
    )


def example_school() -> SchoolDetails:
    return SchoolDetails(
        name="Oakfield Primary Academy",
        address=("Acorn Lane", "Oakfield", "Oakbridge", "OB3 7LS"),
        head_title=HeadTitle.HEADTEACHER,
        email="office@oakfield-primary.example.org",
        phone="01632 960 418",
    )


def example_term_dates() -> TermDates:
    """The example school's term dates, 2025-26 and 2026-27: the same as the example
    trust's `config/terms/oakfield.yaml` (a test keeps them equal)."""
    terms = (
        (date(2025, 9, 1), date(2025, 10, 24)),
        (date(2025, 11, 3), date(2025, 12, 19)),
        (date(2026, 1, 5), date(2026, 2, 13)),
        (date(2026, 2, 23), date(2026, 3, 27)),
        (date(2026, 4, 13), date(2026, 5, 22)),
        (date(2026, 6, 1), date(2026, 7, 22)),
        (date(2026, 9, 1), date(2026, 10, 23)),
        (date(2026, 11, 2), date(2026, 12, 18)),
        (date(2027, 1, 4), date(2027, 2, 12)),
        (date(2027, 2, 22), date(2027, 3, 25)),
        (date(2027, 4, 12), date(2027, 5, 28)),
        (date(2027, 6, 7), date(2027, 7, 21)),
    )
    closures = (
        date(2025, 9, 1),
        date(2025, 9, 2),
        date(2026, 1, 5),
        date(2026, 6, 1),
        date(2026, 7, 22),
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 27),
        date(2027, 1, 4),
        date(2027, 7, 21),
    )
    return TermDates(
        region=Region.ENGLAND,
        terms=tuple(Term(start, end) for start, end in terms),
        closures=frozenset(closures),
    )


def example_calendar() -> SchoolCalendar:
    """The example school's calendar, counted by the engine's own `SchoolCalendar`."""
    return SchoolCalendar(Region.ENGLAND, example_term_dates())


HEAD = "Mrs Rachel Morgan"
CHAIR = "Mr David Okoro"
CLERK = "Ms Priya Shah"
CLERK_EMAIL = "clerk@oakfield-primary.example.org"
CHAIR_CONTACT = ChairContact(name=CHAIR, email="chair@oakfield-primary.example.org")

SUMMARY = (
    "At the end of the school day you approached Mrs Okafor at the main gate about a"
    " message sent home with your son. You shouted at her, swore repeatedly and stood very"
    " close to her while she tried to answer you, and you continued after she asked you to"
    " stop.\n\nYou then followed her back towards the school office, filming her on your"
    " mobile phone, until another member of staff asked you to leave the premises."
)
EFFECT = (
    "Mrs Okafor was shaken and needed time away from her duties. Several pupils and parents"
    " waiting at the gate saw and heard what happened, and two younger pupils were upset."
)
CONDITIONS_ALL = Conditions(
    standard=tuple(StandardCondition),
    other=("You may not film or record any member of staff or any pupil on the school site",),
)
CHAIR_REASONS = {
    ChairOutcome.CONFIRM: (
        "The report and the witness statements agree on what happened, and your letter"
        " does not dispute it. This was the second incident after a written warning, and"
        " the restrictions are the least that will protect the staff concerned."
    ),
    ChairOutcome.OVERTURN: (
        "Your letter explains the circumstances and gives a clear assurance about your"
        " future conduct, and there has been no further incident since the report."
    ),
}
COMMITTEE_REASONS = (
    "Governors considered the extent of your compliance with the decision since it was"
    " confirmed, the expressions of regret in your letter and your co-operation with the"
    " school in other respects."
)
CONDITIONS_SOME = Conditions(
    standard=(StandardCondition.ACCOMPANIED_TO_MEETINGS, StandardCondition.EVENTS_ONLY_WITH_SLT),
)


def _smith(
    trust: TrustDetails, school: SchoolDetails, on: date, signer: Signer, reference: str
) -> LetterCommon:
    return LetterCommon(
        trust=trust,
        school=school,
        reference=reference,
        letter_date=on,
        addressee=Addressee(
            name="Jane Smith",
            title="Ms",
            surname="Smith",
            address=("14 Elm Grove", "Oakfield", "Oakbridge", "OB3 2JD"),
            email="jane.smith@example.com",
        ),
        signer=signer,
    )


def _hughes(trust: TrustDetails, school: SchoolDetails, on: date, signer: Signer) -> LetterCommon:
    return LetterCommon(
        trust=trust,
        school=school,
        reference="OAK-2026-0011",
        letter_date=on,
        addressee=Addressee(
            name="Sam Hughes",  # no title given: the letter says "Dear Sam Hughes"
            address=("3 Brook Cottages", "Little Oakley", "Oakbridge", "OB5 9RW"),
        ),
        signer=signer,
    )


def example_letters(
    trust: TrustDetails | None = None, school: SchoolDetails | None = None
) -> dict[str, LetterData]:
    """Every letter and variant, by the name its preview files take.

    Only the letters' own dates (when each was written, when the incidents happened, when
    the committee meets) are given; every date counted from them (reply-by, statement-by,
    the Chair's decision once the window has closed) is counted with the example school's
    calendar, as the engine counts it, so no example gives a day the school is shut.
    """
    trust = trust or example_trust()
    school = school or example_school()
    calendar = example_calendar()

    def reply_by(letter_date: date) -> date:
        return calendar.school_days_after(letter_date, REPLY_WINDOW_SCHOOL_DAYS).due

    def next_school_day(after: date) -> date:
        return calendar.school_days_after(after, 1).due

    principal_school = replace(school, head_title=HeadTitle.PRINCIPAL)
    head = Signer(HEAD)
    chair = Signer(CHAIR)
    clerk = Signer(CLERK)
    ref = "OAK-2026-0003"

    def smith(on: date, signer: Signer, s: SchoolDetails = school) -> LetterCommon:
        return _smith(trust, s, on, signer, ref)

    def lewis(on: date, signer: Signer, s: SchoolDetails = principal_school) -> LetterCommon:
        return LetterCommon(
            trust=trust,
            school=s,
            reference="OAK-2026-0008",
            letter_date=on,
            addressee=Addressee(
                name="Peter Lewis",
                title="Mr",
                surname="Lewis",
                address=("Flat 2", "27 Station Road", "Oakbridge", "OB1 6AA"),
            ),
            signer=signer,
        )

    # The Smith case: a warning, then conditions, then a ban, reviewed by the committee.
    warning_on, warned_incident = date(2026, 2, 5), date(2026, 2, 3)
    letter2_on = date(2026, 3, 18)
    letter3_on = next_school_day(reply_by(letter2_on))  # after the window has closed
    letter4_on = date(2026, 5, 8)
    letter5_on = next_school_day(reply_by(letter4_on))
    letter6_on, committee_meets = date(2026, 10, 1), date(2026, 10, 20)
    letter7_on = date(2026, 11, 3)
    # The Hughes case: a ban for an extreme act of violence.
    hughes_ban_on = date(2026, 6, 10)

    incident = Incident(
        summary=SUMMARY,
        effect=EFFECT,
        on=date(2026, 3, 16),
        at=time(15, 15),
        details="at the main gate",
    )
    previous = PreviousIncident(incident_date=warned_incident, letter_date=warning_on)
    reporter = Reporter(name="Mrs Grace Okafor", role="business manager")
    letters: dict[str, LetterData] = {}

    warning = WarningLetter(
        common=smith(warning_on, head),
        incident=Incident(
            summary=(
                "When you collected your daughter you raised your voice at her class teacher"
                " in the playground and called her incompetent in front of other parents."
            ),
            effect=(
                "The teacher was distressed, and parents and pupils nearby were made"
                " uncomfortable by what they saw and heard."
            ),
            on=warned_incident,
            at=time(15, 20),
        ),
        relationship=Relationship.PARENT,
        reply_by=reply_by(warning_on),
        chair_name=CHAIR,
    )
    letters["letter-1-warning"] = warning
    letters["letter-1-no-meeting-offered"] = replace(warning, meeting_offered=False)
    visitor_warned_on = date(2026, 5, 12)
    letters["letter-1-visitor-principal"] = WarningLetter(
        common=lewis(visitor_warned_on, head),
        incident=Incident(
            summary=(
                "You telephoned the school office four times in one morning and used"
                " abusive language to the receptionist each time."
            ),
            effect=(
                "The receptionist had to stop taking calls and was upset for the rest of the day."
            ),
            on=date(2026, 5, 11),
            details="in telephone calls to the school office",
        ),
        relationship=Relationship.VISITOR,
        reply_by=reply_by(visitor_warned_on),
        chair_name=CHAIR,
    )
    letters["letter-2-with-previous-incident"] = ConditionsLetter(
        common=smith(letter2_on, head),
        incident=incident,
        reporter=reporter,
        previous_incident=previous,
        conditions=CONDITIONS_ALL,
        reply_by=reply_by(letter2_on),
        chair_name=CHAIR,
        chair=CHAIR_CONTACT,
    )
    letters["letter-2-first-incident"] = ConditionsLetter(
        common=smith(letter2_on, head),
        incident=replace(incident, details=None),
        reporter=Reporter(name="Mr Tom Baines"),
        previous_incident=None,
        conditions=CONDITIONS_SOME,
        reply_by=reply_by(letter2_on),
        chair_name=CHAIR,
        chair=CHAIR_CONTACT,
    )
    letters["letter-2-principal"] = ConditionsLetter(
        common=smith(letter2_on, head, principal_school),
        incident=incident,
        reporter=reporter,
        previous_incident=previous,
        conditions=Conditions(
            standard=(
                StandardCondition.NO_CONTACT_WITH_STAFF,
                StandardCondition.CONTACT_HEAD_OR_DEPUTY_ONLY,
            ),
        ),
        reply_by=reply_by(letter2_on),
        chair_name=CHAIR,
        chair=CHAIR_CONTACT,
        senior_contact="the Vice Principal, Mr Ahmed",
    )
    # The variants with the person's letter also give the Chair's reasons; those without
    # show a trust that has the reasons left out (`letters.give_reasons: false`).
    for decision in ChairOutcome:
        for with_letter in (True, False):
            name = f"letter-3-{decision}-{'with' if with_letter else 'no'}-representation"
            letters[name] = ConditionsDecisionLetter(
                common=smith(letter3_on, chair),
                head_letter_date=letter2_on,
                behaviour_towards="Mrs Okafor",
                previous_letter_date=warning_on,
                representation_date=date(2026, 3, 27) if with_letter else None,
                decision=decision,
                conditions=CONDITIONS_ALL if decision is ChairOutcome.CONFIRM else None,
                head_name=HEAD,
                reasons=CHAIR_REASONS[decision] if with_letter else None,
            )
    ban_incident = Incident(
        summary=(
            "Despite the conditions on your contact with the school, you came into the"
            " school office without an appointment, shouted at the office staff and"
            " refused to leave when asked."
        ),
        effect=(
            "Staff in the office felt intimidated, and a class returning from the hall"
            " had to be taken another way."
        ),
        on=date(2026, 5, 7),
        at=time(9, 0),
        details="in the school office",
    )
    ban = BanLetter(
        common=smith(letter4_on, head),
        incident=ban_incident,
        reporter=reporter,
        previous_incident=previous,
        police=None,
        arrangements=BanArrangements(
            meetings=(
                "Any meeting about your son's education or welfare, other than the annual"
                " progress meeting, will be held by telephone with me."
            ),
            drop_off_and_collection="",
        ),
        reply_by=reply_by(letter4_on),
        chair_name=CHAIR,
        chair=CHAIR_CONTACT,
    )
    letters["letter-4-with-previous-incident"] = ban
    # A ban for a defined period, on a visitor (no child at the school: no progress
    # meeting, no arrangements about a child).
    visitor_ban_on = date(2026, 6, 16)
    letters["letter-4-visitor-defined-period"] = BanLetter(
        common=lewis(visitor_ban_on, head),
        incident=Incident(
            summary=(
                "After my letter of warning you telephoned the school office again and"
                " threatened the receptionist."
            ),
            effect="The receptionist was frightened and went home.",
            on=date(2026, 6, 15),
            details="in a telephone call to the school office",
        ),
        reporter=Reporter(name="Mrs Priya Shah", role="office manager"),
        previous_incident=PreviousIncident(
            incident_date=date(2026, 5, 11), letter_date=visitor_warned_on
        ),
        police=None,
        arrangements=BanArrangements(meetings="", drop_off_and_collection=""),
        reply_by=reply_by(visitor_ban_on),
        chair_name=CHAIR,
        chair=CHAIR_CONTACT,
        until=date(2026, 10, 23),
        child_at_school=False,
    )
    assault = Incident(
        summary=(
            "At the morning drop-off you pushed the Deputy Headteacher, Mr Ahmed, against"
            " the gate post and struck him in the face."
        ),
        effect=(
            "Mr Ahmed was injured and needed medical attention. Many pupils and parents saw"
            " the assault, and a number of pupils have been frightened to come to school."
        ),
        on=date(2026, 6, 9),
        at=time(8, 40),
        details="at the main gate",
    )
    letters["letter-4-extreme-violence-police"] = BanLetter(
        common=_hughes(trust, school, hughes_ban_on, head),
        incident=assault,
        reporter=Reporter(name="Mr Imran Ahmed", role="Deputy Headteacher"),
        previous_incident=None,
        police=PoliceReport(reference="43260014523"),
        arrangements=BanArrangements(
            meetings=(
                "Meetings about your daughter's education will be held by video call or at"
                " the Trust's office, never on the school site."
            ),
            drop_off_and_collection=(
                "Your daughter may be brought to school and collected by another adult whom"
                " you name to the school office in advance.\n\nYou must not wait at or near"
                " the school gates at the start or end of the school day."
            ),
        ),
        reply_by=reply_by(hughes_ban_on),
        chair_name=CHAIR,
        chair=CHAIR_CONTACT,
    )
    for decision in ChairOutcome:
        for with_letter in (True, False):
            name = f"letter-5-{decision}-{'with' if with_letter else 'no'}-representation"
            letters[name] = BanDecisionLetter(
                common=smith(letter5_on, chair),
                head_letter_date=letter4_on,
                behaviour_towards="the school office staff",
                previous_letter_date=warning_on,
                representation_date=date(2026, 5, 18) if with_letter else None,
                decision=decision,
                head_name=HEAD,
                reasons=CHAIR_REASONS[decision] if with_letter else None,
            )
    letters["letter-5-confirm-first-letter"] = BanDecisionLetter(
        common=_hughes(trust, school, next_school_day(reply_by(hughes_ban_on)), chair),
        head_letter_date=hughes_ban_on,
        behaviour_towards="Mr Ahmed",
        previous_letter_date=None,
        representation_date=None,
        decision=ChairOutcome.CONFIRM,
        head_name=HEAD,
    )
    # The visitor's ban ends before a six-monthly review would fall: the letter gives its end.
    letters["letter-5-confirm-visitor-defined-period"] = BanDecisionLetter(
        common=lewis(next_school_day(reply_by(visitor_ban_on)), chair),
        head_letter_date=visitor_ban_on,
        behaviour_towards="the receptionist",
        previous_letter_date=visitor_warned_on,
        representation_date=None,
        decision=ChairOutcome.CONFIRM,
        head_name=HEAD,
        reasons=(
            "You threatened a member of staff after a written warning. A ban until the end"
            " of the first half of the autumn term is proportionate."
        ),
        until=date(2026, 10, 23),
        ends_before_review=True,
        child_at_school=False,
    )
    letters["letter-6-conditions"] = StatementRequestLetter(
        common=smith(letter6_on, clerk),
        head_letter_date=letter2_on,
        affected_groups=frozenset({AffectedGroup.STAFF}),
        sanction=SanctionKind.CONDITIONS,
        review_meeting=committee_meets,
        review_meeting_time=time(18, 0),
        statement_by=reply_by(letter6_on),
        clerk_email=CLERK_EMAIL,
    )
    hughes_letter6_on = date(2026, 11, 16)
    ban_review = StatementRequestLetter(
        common=_hughes(trust, school, hughes_letter6_on, clerk),
        head_letter_date=hughes_ban_on,
        affected_groups=frozenset({AffectedGroup.STAFF, AffectedGroup.PUPILS}),
        sanction=SanctionKind.BAN,
        review_meeting=date(2026, 12, 8),
        review_meeting_time=None,
        statement_by=reply_by(hughes_letter6_on),
        clerk_email=CLERK_EMAIL,
    )
    letters["letter-6-ban"] = ban_review
    letters["letter-6-pupils"] = replace(
        ban_review, affected_groups=frozenset({AffectedGroup.PUPILS})
    )
    # The Smith ban replaced by conditions at the committee's meeting on 20 October (letter
    # 7 below); six months on, the clerk asks for a statement for the next review.
    replaced_letter6_on = date(2027, 3, 16)
    letters["letter-6-after-ban-replaced-by-conditions"] = StatementRequestLetter(
        common=smith(replaced_letter6_on, clerk),
        head_letter_date=letter4_on,
        affected_groups=frozenset({AffectedGroup.STAFF}),
        sanction=SanctionKind.CONDITIONS,
        review_meeting=date(2027, 4, 20),
        review_meeting_time=time(18, 0),
        statement_by=reply_by(replaced_letter6_on),
        clerk_email=CLERK_EMAIL,
        replaced_ban_on=committee_meets,
    )
    # variant: (what was reviewed, the committee's decision, the conditions now in force,
    # the senior member of staff named in them, whether the person wrote). The variants
    # with the person's letter give the committee's reasons.
    review: dict[str, tuple[SanctionKind, ReviewOutcome, Conditions | None, str | None, bool]] = {
        "letter-7-conditions-continue-with-representation": (
            SanctionKind.CONDITIONS,
            ReviewOutcome.MAINTAIN,
            CONDITIONS_ALL,
            None,
            True,
        ),
        "letter-7-conditions-removed-no-representation": (
            SanctionKind.CONDITIONS,
            ReviewOutcome.REMOVE,
            None,
            None,
            False,
        ),
        "letter-7-ban-continues-no-representation": (
            SanctionKind.BAN,
            ReviewOutcome.MAINTAIN,
            None,
            None,
            False,
        ),
        "letter-7-ban-replaced-by-conditions-with-representation": (
            SanctionKind.BAN,
            ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS,
            Conditions(
                standard=(
                    StandardCondition.ACCOMPANIED_TO_MEETINGS,
                    StandardCondition.CONTACT_HEAD_OR_DEPUTY_ONLY,
                ),
            ),
            "the Deputy Headteacher, Mr Ahmed",
            True,
        ),
        "letter-7-ban-removed-with-representation": (
            SanctionKind.BAN,
            ReviewOutcome.REMOVE,
            None,
            None,
            True,
        ),
    }
    for name, (reviewed, outcome, conditions, senior, with_letter) in review.items():
        letters[name] = ReviewOutcomeLetter(
            common=smith(letter7_on, clerk),
            statement_request_date=letter6_on,
            reviewed=reviewed,
            representation_date=date(2026, 10, 14) if with_letter else None,
            review_meeting=committee_meets,
            decision=outcome,
            conditions=conditions,
            senior_contact=senior,
            reasons=COMMITTEE_REASONS if with_letter else None,
        )
    letters["letter-7-ban-continues-visitor"] = ReviewOutcomeLetter(
        common=LetterCommon(
            trust=trust,
            school=school,
            reference="OAK-2026-0014",
            letter_date=letter7_on,
            addressee=Addressee(
                name="Chris Turner",
                address=("9 Weir Lane", "Oakfield", "Oakbridge", "OB3 5TT"),
            ),
            signer=clerk,
        ),
        statement_request_date=letter6_on,
        reviewed=SanctionKind.BAN,
        representation_date=None,
        review_meeting=committee_meets,
        decision=ReviewOutcome.MAINTAIN,
        conditions=None,
        child_at_school=False,
    )
    follow_up = MeetingFollowUpLetter(
        common=smith(date(2026, 2, 12), head),
        meeting_date=date(2026, 2, 10),
        meeting_time=time(15, 45),
        attendees=("Mr Imran Ahmed (Deputy Headteacher)",),
        points_discussed=(
            "Your concerns about how the school told you of your daughter's lunchtime detention.",
            "The report of your conduct in the playground on Tuesday 3 February and the effect it"
            " had on her class teacher.",
        ),
        agreed_actions=(
            "Mr Ahmed will telephone you within one school day whenever your daughter is given"
            " a detention.",
            "You will raise any future concerns by email to the school office or by booking an"
            " appointment, not in the playground.",
        ),
        expectations=(
            "Concerns are raised calmly and through the school office or an appointment.",
            "Staff are not approached about concerns at the start or end of the school day.",
        ),
    )
    letters["meeting-follow-up"] = follow_up
    letters["meeting-follow-up-no-actions"] = replace(follow_up, agreed_actions=())
    chair_of_trustees = Addressee(
        name="Helen Carter",
        title="Dr",
        surname="Carter",
        address=("Chair of the Board of Trustees", *trust.registered_office),
        email="chair@oakvalley.example.org",
    )
    letters["ban-notice-trustees-extreme-violence"] = BanNoticeToTrustees(
        common=LetterCommon(
            trust=trust,
            school=school,
            reference="OAK-2026-0011",
            letter_date=hughes_ban_on,
            addressee=chair_of_trustees,
            signer=head,
        ),
        person_name="Sam Hughes",
        relationship=Relationship.PARENT,
        ban_letter_date=hughes_ban_on,
        incident_date=assault.on,
        ground=BanGround.EXTREME_VIOLENCE,
        police=PoliceReport(reference="43260014523"),
        reply_by=reply_by(hughes_ban_on),
        chair_name=CHAIR,
    )
    letters["ban-notice-trustees-procedures-exhausted"] = BanNoticeToTrustees(
        common=LetterCommon(
            trust=trust,
            school=school,
            reference=ref,
            letter_date=letter4_on,
            addressee=chair_of_trustees,
            signer=head,
        ),
        person_name="Ms Jane Smith",
        relationship=Relationship.PARENT,
        ban_letter_date=letter4_on,
        incident_date=ban_incident.on,
        ground=BanGround.PROCEDURES_EXHAUSTED,
        police=None,
        reply_by=reply_by(letter4_on),
        chair_name=CHAIR,
    )
    return letters
