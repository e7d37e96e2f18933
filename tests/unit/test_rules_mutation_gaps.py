"""Rules that mutation testing (`make mutation`) showed no test would notice breaking."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import ClassVar

import pytest

from rules import timeline as tl
from rules.behaviours import (
    Behaviour,
    ChairOutcome,
    LetterKind,
    NotificationKind,
    ReviewOutcome,
    SanctionKind,
)
from rules.calendar import Region, SchoolCalendar, Term, TermDates
from rules.case import apply
from rules.codec import decode, encode
from rules.core.events import (
    Event,
    LetterRequired,
    NotificationRequired,
    event_from_record,
    event_to_record,
)
from rules.core.view import LetterRecord
from rules.details import Conditions, IncidentDetails, RiskAssessment
from rules.errors import (
    AlreadyDone,
    CalendarError,
    CaseNotFound,
    DetailMissing,
    HistoryError,
    InvalidDetails,
    LetterAlreadySent,
    LetterAlreadyWithdrawn,
    LetterCannotBeWithdrawn,
    LetterNotYetSent,
    LetterSentBeforeItsDate,
    NotPermitted,
    OwnDecision,
    RepresentationAlreadyRecorded,
    TooFewStaff,
)
from rules.events import EventMeta
from rules.permissions import required_roles
from rules.prompts import (
    Action,
    due_reminders,
    follow_ups,
    letter_reply_by,
    policy_review_prompt,
    prompts_for,
    provisional_reply_by,
)
from rules.roles import Role
from rules.steps.chair import ChairDecided, DecideAsChair
from rules.steps.closing import CloseCase
from rules.steps.conditions import ImposeConditions
from rules.steps.informal_meeting import (
    ArrangeInformalMeeting,
    CancelInformalMeeting,
    RecordInformalMeeting,
)
from rules.steps.letters import (
    LetterRedated,
    LetterSent,
    LetterWithdrawn,
    RecordLetterDrafted,
    RecordLetterDraftFailed,
    RecordLetterSent,
    RedateLetter,
    WithdrawLetter,
)
from rules.steps.no_further_action import NoFurtherActionRecorded, RecordNoFurtherAction
from rules.steps.reporting import (
    AddStatement,
    CaseOpened,
    IncidentReported,
    NewCase,
    ReportIncident,
)
from rules.steps.representations import (
    RecordRepresentation,
    RepresentationReceived,
    RepresentationWindowClosed,
)
from rules.steps.review import RecordReviewOutcome, ScheduleReview
from rules.steps.risk_assessment import AssessRisk, RiskAssessed
from rules.steps.warning import ClarifyExpectations
from rules.sweep import system_commands_due
from rules.wording import format_day
from tests.builders import assessment, at, incident, person

from .rules_builders import START, Case, calendar, conditions, statement

D = date.fromisoformat
WORKING_DAYS = SchoolCalendar(Region.ENGLAND, None)  # no term dates: weekdays not bank holidays


# --- counting without term dates ---------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "until", "days"),
    [
        ("2026-06-01", "2026-06-05", 4),  # Monday to Friday: Tuesday..Friday
        ("2026-06-05", "2026-06-08", 1),  # Friday to Monday: the weekend does not count
        ("2026-06-05", "2026-06-05", 0),  # the same day
        ("2026-06-08", "2026-06-05", 0),  # backwards
        ("2026-05-22", "2026-05-26", 1),  # over the late-May bank holiday (Monday 25 May)
    ],
)
def test_working_days_between_count_weekdays_that_are_not_bank_holidays(
    after: str, until: str, days: int
) -> None:
    assert WORKING_DAYS.school_days_between(D(after), D(until)) == days


@pytest.mark.parametrize(
    ("start", "count", "due"),
    [
        ("2026-06-05", 1, "2026-06-08"),  # Friday + 1 working day: Monday
        ("2026-06-01", 10, "2026-06-15"),  # Monday + 10: Monday a fortnight on
        ("2026-05-22", 1, "2026-05-26"),  # Friday before the bank holiday: Tuesday
        ("2026-05-21", 3, "2026-05-27"),
    ],
)
def test_working_days_after_count_each_working_day_once(start: str, count: int, due: str) -> None:
    assert WORKING_DAYS.school_days_after(D(start), count).due == D(due)


# --- the trust's two-yearly policy review ------------------------------------------------


def test_the_policy_review_prompt_goes_to_the_trust_two_years_on() -> None:
    prompt = policy_review_prompt(D("2024-01-30"), D("2025-06-01"), calendar())
    assert prompt.role is Role.TRUST
    assert prompt.action is Action.REVIEW_POLICY
    assert prompt.text == (
        "Review the policy on managing aggressive behaviour from parents and visitors "
        "(last reviewed Tuesday 30 January 2024)."
    )
    assert prompt.deadline is not None
    assert D("2026-01-30") <= prompt.deadline.due <= D("2026-02-13")
    assert prompt.overdue is False


# --- two members of staff at an informal meeting -----------------------------------------


def test_a_meeting_with_one_member_of_staff_is_refused_saying_how_many_were_named() -> None:
    case = Case().open().assess()
    with pytest.raises(TooFewStaff) as refusal:
        case.run(
            ArrangeInformalMeeting(
                "m-1", at(case.today + timedelta(days=3)), "Office", ("Head", " Head "), True, True
            )
        )
    assert str(refusal.value).startswith("At least two members of staff must be ")
    assert "None" not in str(refusal.value)
    assert ("Staff named", "1") in [(f.label, f.value) for f in refusal.value.facts]


# --- "all relevant procedures have been exhausted" ---------------------------------------


def _second_incident(case: Case, days_later: int = 1) -> int:
    case.advance(days_later)
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    return len(case.v.incidents)


def _overturn_or_confirm(case: Case, outcome: ChairOutcome) -> None:
    case.send(LetterKind.CONDITIONS.value)
    case.advance(16)
    case.close_window()
    case.run(DecideAsChair(case.next_id(), outcome, "Considered the letter"))


def test_conditions_the_chair_overturned_are_not_an_earlier_step() -> None:
    case = Case().open().assess().impose_conditions()
    _overturn_or_confirm(case, ChairOutcome.OVERTURN)
    later = _second_incident(case)
    assert case.v.procedures_exhausted_before(later) is False


def test_conditions_the_chair_confirmed_are_an_earlier_step() -> None:
    case = Case().open().assess().impose_conditions()
    _overturn_or_confirm(case, ChairOutcome.CONFIRM)
    later = _second_incident(case)
    assert case.v.procedures_exhausted_before(later) is True


def test_a_warning_sent_after_a_cancelled_meeting_on_the_same_incident_counts() -> None:
    case = Case().open().assess()
    case.run(
        ArrangeInformalMeeting(
            "m-1", at(case.today + timedelta(days=3)), "Office", ("Head", "Deputy"), True, True
        )
    )
    case.run(CancelInformalMeeting("m-2", "The parent declined"))
    case.warn()
    case.send(LetterKind.WARNING.value)
    later = _second_incident(case)
    assert case.v.procedures_exhausted_before(later) is True


def test_an_incident_on_the_day_the_warning_was_sent_comes_after_it() -> None:
    case = Case().open().assess().warn()
    case.send(LetterKind.WARNING.value)
    later = _second_incident(case, days_later=0)
    assert case.v.procedures_exhausted_before(later) is True


def test_a_meeting_held_on_the_same_incident_is_not_an_earlier_step() -> None:
    case = Case().open().assess()
    case.run(RecordNoFurtherAction(case.next_id(), "Resolved"))
    second = _second_incident(case, days_later=0)
    case.assess()
    case.run(
        ArrangeInformalMeeting("m-1", at(case.today, 15), "Office", ("Head", "Deputy"), True, True)
    )
    case.run(RecordInformalMeeting("m-2", case.today, ("Head", "Deputy"), "Talked", ("Calm",)))
    assert case.v.procedures_exhausted_before(second) is False


def test_an_incident_not_on_the_case_has_no_procedures_exhausted_before_it() -> None:
    case = Case().open().assess().warn()
    case.send(LetterKind.WARNING.value)
    assert case.v.procedures_exhausted_before(99) is False


# --- term dates are checked as they are read ---------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-09-01", date(2026, 12, 18), "A term's start must be a date (YYYY-MM-DD), got "),
        (date(2026, 9, 1), "2026-12-18", "A term's end must be a date (YYYY-MM-DD), got "),
    ],
)
def test_a_term_date_that_is_not_a_date_is_named(start: object, end: object, message: str) -> None:
    with pytest.raises(CalendarError) as refusal:
        Term(start, end)  # type: ignore[arg-type]
    assert str(refusal.value).startswith(message)


def test_a_one_day_term_and_a_26_week_term_are_terms() -> None:
    assert D("2026-09-01") in Term(D("2026-09-01"), D("2026-09-01"))
    Term(D("2026-01-05"), D("2026-01-05") + timedelta(weeks=26))
    with pytest.raises(CalendarError, match="longer than any school term"):
        Term(D("2026-01-05"), D("2026-01-06") + timedelta(weeks=26))


def test_term_dates_keep_the_region_and_closures_they_were_given() -> None:
    term = Term(D("2026-09-01"), D("2026-12-18"))
    dates = TermDates("england", (term,), [D("2026-10-02")])  # type: ignore[arg-type]
    assert dates.region is Region.ENGLAND
    assert dates.closures == frozenset({D("2026-10-02")})


@pytest.mark.parametrize(
    ("terms", "closures", "message"),
    [
        ((), (), "The term dates contain no terms."),
        (("2026-09-01",), (), "A term must be a Term, got '2026-09-01'."),
        (None, ("2026-10-02",), "A closure must be a date (YYYY-MM-DD), got '2026-10-02'."),
    ],
)
def test_bad_term_dates_are_refused_saying_what_is_wrong(
    terms: tuple[object, ...] | None, closures: tuple[object, ...], message: str
) -> None:
    given = (Term(D("2026-09-01"), D("2026-12-18")),) if terms is None else terms
    with pytest.raises(CalendarError) as refusal:
        TermDates(Region.ENGLAND, given, closures)  # type: ignore[arg-type]
    assert str(refusal.value) == message


# --- the reply-by date of a sent letter --------------------------------------------------


def test_a_sent_letters_reply_by_date_counts_from_the_day_it_was_sent() -> None:
    case = Case().open().assess().impose_conditions()
    letter_id = case.v.letters[-1].letter_id
    assert letter_reply_by(case.v.letters[-1], calendar()) is None  # not sent yet
    case.send(LetterKind.CONDITIONS.value)
    letter = case.v.letter(letter_id)
    assert letter is not None
    assert letter.sent_on is not None
    counted = letter_reply_by(letter, calendar())
    assert counted is not None
    assert counted.due == calendar().school_days_after(letter.sent_on, 10).due
    later = replace(letter, reply_by=counted.due + timedelta(days=3))
    assert letter_reply_by(later, calendar()).due == counted.due + timedelta(days=3)  # type: ignore[union-attr]
    earlier = replace(letter, reply_by=counted.due - timedelta(days=3))
    assert letter_reply_by(earlier, calendar()).due == counted.due  # type: ignore[union-attr]
    no_reply = replace(letter, reply_within_school_days=None)
    assert letter_reply_by(no_reply, calendar()) is None


# --- reply-by dates past the configured terms (issue 9, rule 6) -------------------------

LAST_TERM_ENDS = "Wednesday 21 July 2027"  # the last term in rules_builders.TERMS


def _conditions_letter_sent_on(day: date) -> LetterRecord:
    case = Case().open().assess().impose_conditions()
    case.send(LetterKind.CONDITIONS.value)
    return replace(case.v.letters[-1], sent_on=day)


def test_a_reply_by_date_past_the_terms_is_the_earliest_possible_with_the_reason() -> None:
    letter = _conditions_letter_sent_on(D("2027-07-15"))

    counted = letter_reply_by(letter, calendar())  # what a prompt shows: lenient

    assert counted is not None
    assert counted.due == D("2027-07-25")  # 10 calendar days: the earliest it could be
    assert counted.warning is not None
    assert f"which ends on {LAST_TERM_ENDS}" in counted.warning
    assert counted.warning.endswith("The date shown is the earliest it could be.")


def test_a_printed_reply_by_date_past_the_terms_is_never_guessed() -> None:
    letter = _conditions_letter_sent_on(D("2027-07-15"))

    with pytest.raises(CalendarError, match=f"which ends on {LAST_TERM_ENDS}"):
        letter_reply_by(letter, calendar(), exact=True)
    with pytest.raises(CalendarError, match=f"which ends on {LAST_TERM_ENDS}"):
        provisional_reply_by(letter, D("2027-07-15"), calendar(), exact=True)


def test_a_draft_reply_by_date_past_the_terms_is_the_earliest_possible_with_the_reason() -> None:
    letter = _conditions_letter_sent_on(D("2027-07-15"))

    counted = provisional_reply_by(letter, D("2027-07-15"), calendar())

    assert counted is not None
    assert counted.due == D("2027-07-25")
    assert counted.warning is not None
    assert f"which ends on {LAST_TERM_ENDS}" in counted.warning


def test_a_later_printed_reply_by_date_keeps_the_warning_that_it_was_not_counted() -> None:
    # The letter says 31 July; the count past the terms gives 25 July at the earliest: the
    # later, printed date stands, and it is still not a date the term dates could confirm.
    letter = replace(_conditions_letter_sent_on(D("2027-07-15")), reply_by=D("2027-07-31"))

    counted = letter_reply_by(letter, calendar())

    assert counted is not None
    assert counted.due == D("2027-07-31")
    assert counted.warning is not None
    assert f"which ends on {LAST_TERM_ENDS}" in counted.warning


def test_the_roles_that_may_issue_a_command_are_the_same_for_the_command_and_its_type() -> None:
    command = DecideAsChair(command_id="c", outcome=ChairOutcome.CONFIRM, reason="Serious")

    assert required_roles(command) == required_roles(DecideAsChair) == frozenset({Role.CHAIR})


# --- the stored form -----------------------------------------------------------------------


def test_a_stored_event_with_bad_data_names_its_kind_and_the_fault() -> None:
    # What an operator reads when a stored case cannot be replayed: which kind, and why.
    kind, record = event_to_record(LetterSent("l-1", date(2026, 1, 5)))
    with pytest.raises(ValueError, match="Invalid isoformat") as fault:
        date.fromisoformat("5th January")
    with pytest.raises(HistoryError) as raised:
        event_from_record(kind, {**record, "sent_on": "5th January"})
    assert str(raised.value) == f"letter-sent: {fault.value}"
    assert raised.value.__cause__ is not None
    with pytest.raises(HistoryError) as unknown:
        event_from_record("no-such-kind", {})
    assert str(unknown.value) == "unknown event kind 'no-such-kind'"


# --- what a report, a risk assessment and the Chair's decision ask for and keep ----------


@pytest.mark.parametrize(
    ("field", "what"),
    [
        ("location", "where it happened"),
        ("summary", "a factual summary of what happened"),
        ("effect", "its effect on staff, pupils or others"),
        ("reporter_name", "the name of the member of staff reporting it"),
    ],
)
def test_a_report_with_a_detail_left_empty_asks_for_that_detail(field: str, what: str) -> None:
    case = Case().open()
    with pytest.raises(DetailMissing) as refusal:
        case.run(ReportIncident(case.next_id(), incident(at(case.today, 8), **{field: "  "})))
    assert str(refusal.value) == f"Please give {what}."


def test_a_report_with_no_kind_of_behaviour_asks_for_one_from_the_policys_list() -> None:
    case = Case().open()
    with pytest.raises(InvalidDetails) as refusal:
        case.run(ReportIncident(case.next_id(), incident(at(case.today, 8), behaviours=())))
    assert str(refusal.value) == "Choose at least one kind of behaviour from the policy's list."


def test_a_report_of_an_incident_in_the_future_names_the_time_of_the_incident() -> None:
    case = Case().open()
    later = incident(at(case.today + timedelta(days=1), 8))
    with pytest.raises(InvalidDetails) as refusal:
        case.run(ReportIncident(case.next_id(), later))
    assert str(refusal.value) == "The time of the incident cannot be in the future."
    naive = incident(at(case.today, 8).replace(tzinfo=None))
    with pytest.raises(InvalidDetails) as refusal:
        case.run(ReportIncident(case.next_id(), naive))
    assert str(refusal.value) == "The time of the incident needs a time zone."


def test_a_new_case_with_no_name_for_the_person_asks_for_it() -> None:
    case = Case()
    new = NewCase("case-1", "OAK-2026-0001", "oak", person(name=" "))
    with pytest.raises(DetailMissing) as refusal:
        case.run(ReportIncident(case.next_id(), incident(at(case.today, 8)), new))
    assert str(refusal.value) == "Please give the person's name."


def test_a_report_for_no_case_and_no_new_case_says_how_to_open_one() -> None:
    case = Case()
    with pytest.raises(CaseNotFound) as refusal:
        case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    assert str(refusal.value) == "There is no such case. Choose “new case” to open one."


def test_a_post_on_social_media_prompts_the_head_once_under_the_reports_own_id() -> None:
    case = Case()
    posted = incident(at(case.today, 8), behaviours=(Behaviour.SOCIAL_MEDIA,))
    new = NewCase("case-1", "OAK-2026-0001", "oak", person())
    events = case.run(ReportIncident("cmd-post", posted, new))
    notices = [e for e in events if isinstance(e, NotificationRequired)]
    assert [(n.notification_id, n.roles) for n in notices] == [
        ("cmd-post:incident-reported", (Role.HEAD, Role.SENIOR)),
        ("cmd-post:social-media-post", (Role.HEAD,)),
    ]


def test_an_incident_reported_on_a_closed_case_reopens_it() -> None:
    case = Case().open().assess()
    case.run(RecordNoFurtherAction(case.next_id(), "Resolved"))
    case.run(CloseCase(case.next_id(), "Nothing more to do"))
    assert case.v.closed_at is not None
    case.advance(1)
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    assert case.v.closed_reason is None
    assert case.v.closed_at is None


def test_a_history_with_an_incident_out_of_order_is_broken() -> None:
    case = Case().open()
    meta = EventMeta(len(case.history) + 1, "actor-1", at(case.today, 12), "cmd-x")
    with pytest.raises(HistoryError) as caught:
        apply(case.v, meta, IncidentReported(3, incident(at(case.today, 8))))
    assert str(caught.value) == f"case {case.v.case_id}: incident 3 out of order"


@pytest.mark.parametrize(
    ("field", "what"),
    [
        ("form_of_abuse", "what form the abuse took"),
        ("evidence", "what evidence there is"),
        ("witness_accounts", "what witnesses say happened"),
        ("previous_incidents", "whether there are previous incidents to consider"),
    ],
)
def test_a_risk_assessment_with_a_detail_left_empty_asks_for_that_detail(
    field: str, what: str
) -> None:
    case = Case().open()
    blank = replace(assessment(), **{field: ""})  # type: ignore[arg-type]
    with pytest.raises(DetailMissing) as refusal:
        case.run(AssessRisk(case.next_id(), 1, blank))
    assert str(refusal.value) == f"Please give {what}."


def test_a_risk_assessment_keeps_what_was_assessed_by_whom_and_when() -> None:
    case = Case().open()
    case.run(AssessRisk(case.next_id(), 1, assessment()), actor="senior-7")
    [record] = case.v.incident(1).assessments  # type: ignore[union-attr]
    assert record.assessment == assessment()
    assert record.assessed_by == "senior-7"
    assert record.assessed_at == at(case.today, 12)


def test_a_history_assessing_an_incident_that_does_not_exist_is_broken() -> None:
    case = Case().open()
    meta = EventMeta(len(case.history) + 1, "actor-1", at(case.today, 12), "cmd-x")
    with pytest.raises(HistoryError) as caught:
        apply(case.v, meta, RiskAssessed(5, assessment()))
    assert str(caught.value) == f"case {case.v.case_id}: no incident 5"


def _chair_decides(case: Case, outcome: ChairOutcome) -> None:
    case.send(LetterKind.CONDITIONS.value)
    case.advance(16)
    case.close_window()
    case.run(DecideAsChair(case.next_id(), outcome, "Considered the letter"))


def test_the_chairs_confirmation_is_kept_with_who_decided_and_ends_the_window() -> None:
    case = Case().open().assess().impose_conditions()
    _chair_decides(case, ChairOutcome.CONFIRM)
    [record] = case.v.chair_decisions
    assert record.sanction is SanctionKind.CONDITIONS
    assert record.decided_on == case.today
    assert record.decided_by == "chair-1"
    assert record.decided_at == at(case.today, 12)
    assert case.v.window is None
    sanction = case.v.sanction
    assert sanction is not None
    assert sanction.provisional is False
    assert sanction.confirmed_on == case.today
    assert sanction.confirmed_by == "chair-1"
    assert case.v.review_anchor == case.today


def test_conditions_the_chair_overturned_leave_nothing_in_force() -> None:
    case = Case().open().assess().impose_conditions()
    _chair_decides(case, ChairOutcome.OVERTURN)
    assert case.v.sanction is None
    assert case.v.review_anchor is None
    assert [d.outcome for d in case.v.chair_decisions] == [ChairOutcome.OVERTURN]


def test_the_chair_is_asked_for_the_reason_for_the_decision() -> None:
    case = Case().open().assess().impose_conditions()
    case.send(LetterKind.CONDITIONS.value)
    case.advance(16)
    case.close_window()
    with pytest.raises(DetailMissing) as refusal:
        case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, " "))
    assert str(refusal.value) == "Please give the reason for your decision."


def test_the_head_who_imposed_the_conditions_is_told_they_cannot_decide_on_them() -> None:
    case = Case().open().assess().impose_conditions()
    case.send(LetterKind.CONDITIONS.value)
    case.advance(16)
    case.close_window()
    with pytest.raises(OwnDecision) as refusal:
        case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Fine"), actor="actor-1")
    assert str(refusal.value).startswith(
        f"You imposed the {SanctionKind.CONDITIONS.label} on {format_day(START)}, so you cannot"
    )


# --- the person's written comments on a letter -------------------------------------------


def _conditions_letter_out() -> Case:
    case = Case().open().assess().impose_conditions()
    case.send(LetterKind.CONDITIONS.value)
    case.advance(2)
    return case


def test_comments_on_a_letter_not_yet_sent_are_refused_naming_the_letter() -> None:
    case = Case().open().assess().impose_conditions()
    with pytest.raises(LetterNotYetSent) as refusal:
        case.run(RecordRepresentation(case.next_id(), case.today, case.today, "I disagree"))
    assert str(refusal.value).startswith(
        "Letter 2: conditions, pending review has not been recorded as sent."
    )
    with pytest.raises(LetterNotYetSent) as closing:
        case.close_window()
    assert str(closing.value) == str(refusal.value)


def test_the_same_comments_twice_are_refused_saying_who_recorded_them() -> None:
    case = _conditions_letter_out()
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "I disagree"))
    with pytest.raises(RepresentationAlreadyRecorded) as refusal:
        case.run(RecordRepresentation(case.next_id(), case.today, case.today, "I disagree "))
    day = format_day(case.today)
    assert str(refusal.value) == (
        f"Written comments dated {day} were already recorded by the Headteacher/Principal or "
        f"the Chair of the Local Academy Committee on {day}."
    )


def test_two_different_comments_dated_the_same_day_are_both_kept() -> None:
    case = _conditions_letter_out()
    letter_id = case.v.window_letter.letter_id  # type: ignore[union-attr]
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "I disagree"))
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "And another thing"))
    window = case.v.window
    assert window is not None
    assert [r.summary for r in window.representations] == ["I disagree", "And another thing"]
    assert [r.summary for r in case.v.representations] == ["I disagree", "And another thing"]
    assert {r.letter_id for r in case.v.representations} == {letter_id}
    assert window.nothing_more_to_add is False


def test_once_the_person_has_nothing_more_to_add_it_stays_so() -> None:
    case = _conditions_letter_out()
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "I disagree", True))
    assert case.v.window.nothing_more_to_add is True  # type: ignore[union-attr]
    case = _conditions_letter_out()
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "I disagree"))
    case.run(RecordRepresentation(case.next_id(), case.today, case.today, "That is all", True))
    assert case.v.window.nothing_more_to_add is True  # type: ignore[union-attr]


def test_final_comments_ask_the_chair_to_decide_on_that_letter() -> None:
    case = _conditions_letter_out()
    letter_id = case.v.window_letter.letter_id  # type: ignore[union-attr]
    events = case.run(
        RecordRepresentation(case.next_id(), case.today, case.today, "I disagree", True)
    )
    notices = [e for e in events if isinstance(e, NotificationRequired)]
    assert [n.notification_id for n in notices] == [f"{letter_id}:chair-decision-needed"]


def test_comments_recorded_by_the_head_are_kept_and_the_chair_is_told() -> None:
    case = _conditions_letter_out()
    events = case.run(
        RecordRepresentation("cmd-rep", case.today, case.today, "I disagree"),
        frozenset({Role.HEAD}),
    )
    assert [type(e).__name__ for e in events] == ["RepresentationReceived", "NotificationRequired"]
    assert events[-1].notification_id == "cmd-rep:representation-received"  # type: ignore[attr-defined]


def test_a_history_answering_or_closing_a_letter_not_awaited_is_broken() -> None:
    case = _conditions_letter_out()
    meta = EventMeta(len(case.history) + 1, "actor-1", at(case.today, 12), "cmd-x")
    received = RepresentationReceived("other:letter-2", case.today, case.today, "Hello", False)
    with pytest.raises(HistoryError) as caught:
        apply(case.v, meta, received)
    assert str(caught.value) == f"case {case.v.case_id}: representation for a letter not awaited"
    with pytest.raises(HistoryError) as closing:
        apply(case.v, meta, RepresentationWindowClosed("other:letter-2", case.today))
    assert str(closing.value) == f"case {case.v.case_id}: closing a window that is not open"


# --- follow-ups of dated steps -------------------------------------------------------------


def test_a_risk_assessment_not_started_is_followed_up_to_the_head_after_its_due_day() -> None:
    case = Case().open()
    [follow_up] = follow_ups(case.v, calendar())
    reminder = follow_up.reminder
    assert reminder.notification_id == "follow-up:assessment-not-started:incident-1"
    assert reminder.roles == (Role.HEAD,)
    assert reminder.due == D("2026-01-14")
    assert follow_up.on == D("2026-01-15")


def test_each_dated_step_is_followed_up_under_an_id_naming_the_step_its_letter_and_day() -> None:
    case = Case().open().assess().impose_conditions()
    _chair_decides(case, ChairOutcome.CONFIRM)
    letter = case.v.letters[-1].letter_id
    found = [
        (f.reminder.notification_id, f.reminder.roles, f.reminder.due, f.on)
        for f in follow_ups(case.v, calendar())
    ]
    chair, head, clerk = (Role.CHAIR,), (Role.HEAD,), (Role.CLERK,)
    sent_by, review_by = D("2026-02-09"), D("2026-09-02")
    assert found == [
        (f"follow-up:due-soon:send-letter:{letter}:2026-02-09", chair, sent_by, D("2026-02-05")),
        (f"follow-up:overdue:send-letter:{letter}:2026-02-09", chair, sent_by, D("2026-02-10")),
        (f"follow-up:escalated:send-letter:{letter}:2026-02-09", head, sent_by, D("2026-02-11")),
        ("follow-up:overdue:schedule-review::2026-09-02", clerk, review_by, D("2026-09-03")),
        ("follow-up:escalated:schedule-review::2026-09-02", head, review_by, D("2026-09-04")),
    ]


# --- recording what happened to a letter ---------------------------------------------------


def _chairs_letter_unsent() -> tuple[Case, str]:
    case = Case().open().assess().impose_conditions()
    _chair_decides(case, ChairOutcome.CONFIRM)
    return case, case.v.letters[-1].letter_id


def test_only_the_signer_or_the_head_may_record_a_letter_as_sent() -> None:
    case, letter_id = _chairs_letter_unsent()
    with pytest.raises(NotPermitted) as refusal:
        case.run(RecordLetterSent(case.next_id(), letter_id, case.today), frozenset({Role.CLERK}))
    assert str(refusal.value) == (
        "Only the Headteacher/Principal or the Chair of the Local Academy Committee can record "
        "this about Letter 3: Chair's decision on the conditions. You are recorded as: Clerk to "
        "the Local Academy Committee."
    )


def test_a_letter_sent_or_withdrawn_cannot_be_recorded_again_naming_the_letter() -> None:
    case, letter_id = _chairs_letter_unsent()
    case.run(WithdrawLetter(case.next_id(), letter_id, "Sent by hand"))
    with pytest.raises(LetterAlreadyWithdrawn) as withdrawn:
        case.run(RecordLetterSent(case.next_id(), letter_id, case.today))
    assert str(withdrawn.value) == (
        "Letter 3: Chair's decision on the conditions was withdrawn: Sent by hand"
    )
    case = Case().open().assess().impose_conditions()
    case.send(LetterKind.CONDITIONS.value)
    with pytest.raises(LetterAlreadySent) as sent:
        case.send(LetterKind.CONDITIONS.value)
    assert str(sent.value) == (
        f"Letter 2: conditions, pending review was recorded as sent on {format_day(START)}."
    )


def test_a_letter_withdrawn_without_a_reason_asks_why_it_will_not_be_sent() -> None:
    case, letter_id = _chairs_letter_unsent()
    with pytest.raises(DetailMissing) as refusal:
        case.run(WithdrawLetter(case.next_id(), letter_id, " "))
    assert str(refusal.value) == "Please give why it will not be sent."


def test_the_letter_awaiting_a_reply_cannot_be_withdrawn_but_an_earlier_one_can() -> None:
    case, letter_3 = _chairs_letter_unsent()
    case.advance(1)
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    case.assess().ban()
    window = case.v.window_letter
    assert window is not None
    with pytest.raises(LetterCannotBeWithdrawn) as refusal:
        case.run(WithdrawLetter(case.next_id(), window.letter_id, "Changed my mind"))
    assert str(refusal.value).startswith(f"{window.letter.label} starts the person's right")
    [withdrawn] = case.run(WithdrawLetter(case.next_id(), letter_3, "Overtaken by the ban"))
    assert withdrawn == LetterWithdrawn(letter_3, "Overtaken by the ban")


def test_a_letter_not_on_the_case_is_named_in_the_refusal() -> None:
    case = Case().open()
    with pytest.raises(InvalidDetails) as refusal:
        case.run(RecordLetterSent(case.next_id(), "no-such-letter", case.today))
    assert str(refusal.value) == "There is no letter no-such-letter on case OAK-2026-0001."


def test_a_draft_recorded_without_a_reference_asks_for_it() -> None:
    case, letter_id = _chairs_letter_unsent()
    with pytest.raises(DetailMissing) as refusal:
        case.run(RecordLetterDrafted(case.next_id(), letter_id, " "), system=True)
    assert str(refusal.value) == "Please give the draft's reference."


def test_a_letter_sent_in_the_future_or_before_its_date_is_refused_naming_the_dates() -> None:
    case, letter_id = _chairs_letter_unsent()
    tomorrow = case.today + timedelta(days=1)
    with pytest.raises(InvalidDetails) as future:
        case.run(RecordLetterSent(case.next_id(), letter_id, tomorrow))
    assert str(future.value) == (
        f"The date the letter was sent cannot be in the future ({format_day(tomorrow)})."
    )
    decided_on = case.today
    case.advance(2)
    case.run(RecordLetterDrafted(case.next_id(), letter_id, "d-1", case.today), system=True)
    with pytest.raises(LetterSentBeforeItsDate) as early:
        case.run(RecordLetterSent(case.next_id(), letter_id, decided_on))
    assert str(early.value).startswith(
        f"Letter 3: Chair's decision on the conditions is dated {format_day(case.today)}, "
    )


def test_a_draft_dated_today_has_nothing_to_re_date() -> None:
    case, letter_id = _chairs_letter_unsent()
    case.run(RecordLetterDrafted(case.next_id(), letter_id, "d-1", case.today), system=True)
    with pytest.raises(InvalidDetails) as refusal:
        case.run(RedateLetter(case.next_id(), letter_id))
    assert str(refusal.value) == (
        "Letter 3: Chair's decision on the conditions has no draft dated before today: there is "
        "nothing to re-date."
    )


def test_a_draft_made_once_the_term_dates_were_added_clears_the_wait_for_them() -> None:
    case, letter_id = _chairs_letter_unsent()
    end = D("2027-07-21")
    case.run(
        RecordLetterDraftFailed(case.next_id(), letter_id, "Past the terms", True, end),
        system=True,
    )
    assert case.v.letter(letter_id).term_dates_end == end  # type: ignore[union-attr]
    case.run(RecordLetterDrafted(case.next_id(), letter_id, "d-1", case.today), system=True)
    assert case.v.letter(letter_id).term_dates_end is None  # type: ignore[union-attr]


def test_a_history_re_dating_a_letter_that_does_not_exist_is_broken() -> None:
    case = Case().open()
    meta = EventMeta(len(case.history) + 1, "actor-1", at(case.today, 12), "cmd-x")
    with pytest.raises(HistoryError) as caught:
        apply(case.v, meta, LetterRedated("no-such-letter"))
    assert str(caught.value) == f"case {case.v.case_id}: no letter no-such-letter"


# --- replaying a history ------------------------------------------------------------------


def test_a_history_that_does_not_start_by_opening_the_case_is_broken() -> None:
    case = Case()
    with pytest.raises(HistoryError) as caught:
        apply(None, case.next_meta(), LetterSent("l-1", case.today))
    assert str(caught.value) == "the first event must open the case, not letter-sent"


def test_a_history_opening_the_case_twice_is_broken() -> None:
    case = Case().open()
    opened = CaseOpened("case-1", "OAK-2026-0001", "oak", person())
    with pytest.raises(HistoryError) as caught:
        apply(case.v, case.next_meta(), opened)
    assert str(caught.value) == "case case-1 is opened twice"


def test_a_history_with_an_event_no_step_folds_is_broken() -> None:
    @dataclass(frozen=True)
    class Unfolded(Event):
        KIND: ClassVar[str] = "unfolded"

    case = Case().open()
    with pytest.raises(HistoryError) as caught:
        apply(case.v, case.next_meta(), Unfolded())
    assert str(caught.value) == "no fold rule for unfolded"


def test_a_history_taking_a_step_the_stage_does_not_allow_names_the_event_and_stage() -> None:
    case = Case().open()
    meta = case.next_meta()
    decided = ChairDecided(ChairOutcome.CONFIRM, SanctionKind.CONDITIONS, "Fine", case.today, "l-3")
    with pytest.raises(HistoryError) as caught:
        apply(case.v, meta, decided)
    assert str(caught.value) == (
        f"case case-1 seq {meta.seq}: chair-decided is not allowed at stage open"
    )


def test_a_history_requiring_the_same_letter_twice_is_broken() -> None:
    case = Case().open().assess().impose_conditions()
    letter = case.v.letters[-1]
    again = LetterRequired(
        letter.letter_id, letter.letter, letter.addressee, letter.signer, letter.cc, 10
    )
    with pytest.raises(HistoryError) as caught:
        apply(case.v, case.next_meta(), again)
    assert str(caught.value) == f"case case-1: letter {letter.letter_id} required twice"


def test_a_required_letter_keeps_who_called_for_it() -> None:
    case = Case().open().assess()
    case.run(ImposeConditions(case.next_id(), conditions(), "Abuse"), actor="head-2")
    assert case.v.letters[-1].required_by == "head-2"


def test_a_prompt_asked_for_twice_is_one_prompt_and_keeps_its_step_and_day() -> None:
    case = Case().open()
    due = case.today + timedelta(days=3)
    notice = NotificationRequired(
        "reminder:x", NotificationKind.STEP_OVERDUE, (Role.HEAD,), about="Send it", due=due
    )
    view = apply(case.v, case.next_meta(), notice)
    view = apply(view, case.next_meta(), notice)
    [record] = [n for n in view.notifications if n.notification_id == "reminder:x"]
    assert record.about == "Send it"
    assert record.due == due


def test_a_response_keeps_the_incident_who_chose_it_when_and_no_reason_if_none_given() -> None:
    case = Case().open().assess()
    case.run(RecordNoFurtherAction(case.next_id(), "Resolved"), actor="head-2")
    [response] = case.v.incident(1).responses  # type: ignore[union-attr]
    assert (response.incident_no, response.by, response.at) == (1, "head-2", at(case.today, 12))
    case = Case().open().assess()
    case.run(
        ArrangeInformalMeeting(
            "m-1", at(case.today + timedelta(days=3)), "Office", ("Head", "Deputy"), True, True
        )
    )
    [arranged] = case.v.incident(1).responses  # type: ignore[union-attr]
    assert (arranged.reason, arranged.letter_id) == ("", "")


def test_a_history_responding_to_an_incident_that_does_not_exist_is_broken() -> None:
    case = Case().open().assess()
    with pytest.raises(HistoryError) as caught:
        apply(case.v, case.next_meta(), NoFurtherActionRecorded(4, "Resolved"))
    assert str(caught.value) == "case case-1: no incident 4"


# --- guards the steps share ---------------------------------------------------------------


def test_a_window_closed_by_the_sweeper_is_already_done_by_the_system() -> None:
    case = Case().open().assess().impose_conditions()
    case.send(LetterKind.CONDITIONS.value)
    case.advance(16)
    case.close_window()
    with pytest.raises(AlreadyDone) as refusal:
        case.close_window()
    assert str(refusal.value).startswith("This can no longer be done: the system recorded ")


def test_a_policy_step_after_no_further_action_on_the_incident_prompts_the_policy_review() -> None:
    case = Case().open().assess()
    case.run(RecordNoFurtherAction(case.next_id(), "Resolved"))
    events = case.run(ClarifyExpectations(case.next_id()))
    notices = [e for e in events if isinstance(e, NotificationRequired)]
    assert [(n.notification_id, n.roles) for n in notices] == [
        ("policy-review:incident-1", (Role.TRUST,))
    ]


def test_conditions_with_none_chosen_are_refused_saying_how_to_give_one() -> None:
    case = Case().open().assess()
    with pytest.raises(InvalidDetails) as refusal:
        case.run(ImposeConditions(case.next_id(), Conditions((), (" ",)), "Abuse"))
    assert str(refusal.value) == "Choose at least one condition, or write one under “other”."


def test_a_statement_for_an_incident_not_on_the_case_names_the_incident_and_case() -> None:
    case = Case().open()
    with pytest.raises(InvalidDetails) as refusal:
        case.run(AddStatement(case.next_id(), 9, statement()))
    assert str(refusal.value) == "There is no incident 9 on case OAK-2026-0001."


def test_an_incident_reported_at_this_very_moment_is_not_in_the_future() -> None:
    case = Case().open()
    now = case.ctx().now
    case.run(ReportIncident(case.next_id(), incident(now)))
    assert case.v.incidents[-1].details.occurred_at == now


# --- the review meeting and the reminders that fall due -----------------------------------


def _review_with_letter_6_sent_after(days: int) -> Case:
    """A review set at the earliest day for letter 6 sent at once, the letter sent later."""
    case = Case().open().assess().impose_conditions()
    _chair_decides(case, ChairOutcome.CONFIRM)
    case.send(LetterKind.CONDITIONS_DECISION.value)
    case.run(ScheduleReview(case.next_id(), calendar().school_days_after(case.today, 11).due))
    case.advance(days)
    case.send(LetterKind.REVIEW_STATEMENT_REQUEST.value)
    return case


def test_a_meeting_on_the_last_day_for_the_statement_need_not_be_moved() -> None:
    case = _review_with_letter_6_sent_after(1)
    actions = [p.action for p in prompts_for(case.v, case.today, calendar())]
    assert actions == [Action.RECORD_REVIEW_OUTCOME]


def test_a_meeting_to_move_still_leaves_the_review_decision_followed_up() -> None:
    case = _review_with_letter_6_sent_after(2)
    actions = [p.action for p in prompts_for(case.v, case.today, calendar())]
    assert actions == [Action.RESCHEDULE_REVIEW, Action.RECORD_REVIEW_OUTCOME]
    assert [f.reminder.notification_id for f in follow_ups(case.v, calendar())] == [
        "follow-up:due-soon:record-review-outcome::2026-03-05",
        "follow-up:overdue:record-review-outcome::2026-03-05",
        "follow-up:escalated:record-review-outcome::2026-03-05",
    ]


def test_a_step_due_today_is_reminded_as_due_soon_not_overdue() -> None:
    case, letter = _chairs_letter_unsent()
    due = D("2026-02-09")
    ids = [r.notification_id for r in due_reminders(case.v, due, calendar())]
    assert ids == [f"follow-up:due-soon:send-letter:{letter}:2026-02-09"]


def test_a_reminder_not_yet_due_does_not_hold_back_those_that_are() -> None:
    case, letter = _chairs_letter_unsent()
    case.today = D("2026-02-09")
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))  # assessed later
    ids = [r.notification_id for r in due_reminders(case.v, D("2026-02-10"), calendar())]
    assert ids == [f"follow-up:overdue:send-letter:{letter}:2026-02-09"]


# --- counting before the first term and past the last ------------------------------------


def test_a_count_from_before_the_first_term_says_where_it_started() -> None:
    counted = calendar().school_days_after(D("2025-08-18"), 1)
    assert counted.due == D("2025-09-03")
    assert counted.warning == (
        "This school's term dates begin on Wednesday 3 September 2025, so the count starts from "
        "the first school day of that term. If the school was open before then, ask the "
        "trust's administrator to add those term dates."
    )


def test_a_count_past_the_last_term_names_the_count_and_its_start() -> None:
    with pytest.raises(CalendarError) as refusal:
        calendar().school_days_after(D("2027-07-15"), 10)
    assert str(refusal.value).startswith(
        f"10 school days after Thursday 15 July 2027 falls after the last term in this school's "
        f"term dates, which ends on {LAST_TERM_ENDS}."
    )


# --- deadlines the timeline counts -------------------------------------------------------


def test_a_later_printed_reply_by_date_keeps_the_warning_in_the_window_and_the_statement() -> None:
    case = _conditions_letter_out()
    letter = case.v.window_letter
    assert letter is not None
    late = replace(letter, sent_on=D("2027-07-15"), reply_by=D("2027-07-31"))
    view = replace(case.v, letters=(*case.v.letters[:-1], late))
    deadline = tl.reply_deadline(view, tl.lenient(calendar()))
    assert deadline is not None
    assert deadline.due == D("2027-07-31")
    assert deadline.warning is not None
    assert f"which ends on {LAST_TERM_ENDS}" in deadline.warning


def test_a_review_due_on_the_last_day_of_the_conditions_is_still_due() -> None:
    case = Case().open().assess().impose_conditions()
    _chair_decides(case, ChairOutcome.CONFIRM)
    count = tl.lenient(calendar())
    due = tl.review_due(case.v, count)
    sanction = case.v.sanction
    assert due is not None
    assert sanction is not None
    ending = replace(case.v, sanction=replace(sanction, until=due.due))
    assert tl.review_due(ending, count) == due
    earlier = replace(case.v, sanction=replace(sanction, until=due.due - timedelta(days=1)))
    assert tl.review_due(earlier, count) is None


def test_letter_6_of_a_review_already_decided_has_no_send_by_date() -> None:
    case = _review_with_letter_6_sent_after(0)
    review = case.v.current_review
    assert review is not None
    count = tl.lenient(calendar())
    assert tl.letter_due(case.v, review.letter_id, count) is not None
    case.today = review.meeting_on
    case.run(RecordReviewOutcome(case.next_id(), ReviewOutcome.MAINTAIN, "Still needed"))
    assert case.v.current_review is None
    assert tl.letter_due(case.v, review.letter_id, count) is None


# --- the sweeper and the stored form -------------------------------------------------------


def test_the_sweepers_reminder_command_names_every_reminder_it_sends() -> None:
    case, letter = _chairs_letter_unsent()
    [command] = system_commands_due(case.v, D("2026-02-11"), calendar())
    assert command.command_id == (
        f"system:reminders:follow-up:overdue:send-letter:{letter}:2026-02-09,"
        f"follow-up:escalated:send-letter:{letter}:2026-02-09"
    )


def test_a_stored_value_of_the_wrong_type_is_named_with_the_record_it_is_in() -> None:
    details = encode(incident())
    with pytest.raises(HistoryError) as caught:
        decode(IncidentDetails, {**details, "occurred_at": 5})
    assert str(caught.value) == "IncidentDetails: expected text, got int"
    answers = encode(assessment())
    with pytest.raises(HistoryError) as caught:
        decode(RiskAssessment, {**answers, "provocation": "no"})
    assert str(caught.value) == "RiskAssessment: expected true or false, got 'no'"


def test_a_type_the_stored_form_does_not_know_is_named() -> None:
    @dataclass(frozen=True)
    class Measured:
        size: complex

    with pytest.raises(HistoryError) as caught:
        decode(Measured, {"size": 1})
    assert str(caught.value) == "Measured: cannot decode type <class 'complex'>"
    with pytest.raises(TypeError) as refused:
        encode(Measured(1j))
    assert str(refused.value) == "cannot encode complex"


# --- evolve: a new view by copying the old one's fields ---------------------------------------


def test_evolve_copies_every_field_sets_the_changed_and_refuses_an_unknown_one() -> None:
    from rules.core.view import evolve

    case = Case().open()
    view = case.v
    evolved = evolve(view, last_seq=42, reference="OAK-2026-0042")
    assert evolved == replace(view, last_seq=42, reference="OAK-2026-0042")
    assert evolved.incidents == view.incidents
    assert view.last_seq != 42  # the old view is left as it was
    with pytest.raises(TypeError) as unknown:
        evolve(view, last_seq=1, not_a_field=2, also_not=3)
    assert str(unknown.value) == "CaseView has no field 'also_not'"
