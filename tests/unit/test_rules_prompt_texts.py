"""What each prompt says, to whom, by when, in full.

A prompt is the sentence a headteacher, Chair or clerk reads in Teams as their next step, so
each is checked whole (`rules.prompts.prompts_for`), with its role, its deadline and the
incident or letter it is about. Deadlines are counted from the school calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from rules import timeline as tl
from rules.behaviours import Behaviour, LetterKind
from rules.prompts import Action, Prompt, _follow_ups_open, open_deadlines, prompts_for
from rules.roles import Role
from rules.state import CaseState
from rules.steps.reporting import ReportIncident, UpdatePersonDetails
from rules.steps.representations import RecordRepresentation
from rules.steps.social_media import RecordPostReported, RecordRemovalRequested
from tests.builders import at, incident

from .rules_builders import Case, calendar, case_in, take
from .rules_builders import T as Tr

CAL = calendar()


def _rows(case: Case, today: date | None = None) -> list[tuple[Role, Action, str]]:
    return [(p.role, p.action, p.text) for p in prompts_for(case.v, today or case.today, CAL)]


def _one(case: Case, action: Action, today: date | None = None) -> Prompt:
    (prompt,) = [p for p in prompts_for(case.v, today or case.today, CAL) if p.action is action]
    return prompt


def test_an_unassessed_incident_asks_the_head_and_senior_staff_for_its_risk_assessment() -> None:
    case = Case().open()

    prompts = prompts_for(case.v, case.today, CAL)

    assert [(p.role, p.action, p.text, p.incident_no, p.deadline) for p in prompts] == [
        (Role.HEAD, Action.ASSESS_RISK, "Carry out the risk assessment for incident 1.", 1, None),
        (Role.SENIOR, Action.ASSESS_RISK, "Carry out the risk assessment for incident 1.", 1, None),
    ]


def test_an_assessed_incident_asks_the_head_to_choose_the_response() -> None:
    case = Case().open().assess()

    prompt = _one(case, Action.CHOOSE_RESPONSE)

    assert (prompt.role, prompt.text, prompt.incident_no) == (
        Role.HEAD,
        "Choose the school's response to incident 1.",
        1,
    )


def test_a_post_on_social_media_is_reported_to_the_site_and_its_removal_asked_for() -> None:
    posted = incident(at(Case().today, 8), behaviours=(Behaviour.SOCIAL_MEDIA,))
    case = Case().open(posted).assess()

    report = _one(case, Action.REPORT_POST)
    removal = _one(case, Action.ASK_POST_REMOVAL)
    assert (report.role, report.incident_no, report.text) == (
        Role.HEAD,
        1,
        "Report the post of incident 1 to the site's 'report abuse' route, and record the report.",
    )
    assert (removal.role, removal.incident_no, removal.text) == (
        Role.HEAD,
        1,
        "Ask the person to remove the post of incident 1 at once (letter 1 can ask), and "
        "record the request.",
    )

    case.run(RecordPostReported(case.next_id(), 1, case.today, "Facebook"))
    actions = [a for _, a, _ in _rows(case)]
    assert Action.REPORT_POST not in actions
    assert Action.ASK_POST_REMOVAL in actions
    case.run(RecordRemovalRequested(case.next_id(), 1, case.today, "by email"))
    actions = [a for _, a, _ in _rows(case)]
    assert Action.ASK_POST_REMOVAL not in actions


def test_an_incident_not_on_social_media_prompts_nothing_about_a_post() -> None:
    case = Case().open().assess()

    actions = [a for _, a, _ in _rows(case)]

    assert Action.REPORT_POST not in actions
    assert Action.ASK_POST_REMOVAL not in actions


def test_a_person_with_no_email_or_address_prompts_the_head_for_one() -> None:
    case = Case().open()
    person = case.v.person
    case.run(UpdatePersonDetails(case.next_id(), replace(person, email="", postal_address=())))

    assert (
        Role.HEAD,
        Action.ADD_CONTACT_DETAILS,
        "Add the person's email or postal address: the letters go to them.",
    ) in _rows(case)
    # Either one is enough.
    case.run(UpdatePersonDetails(case.next_id(), replace(person, postal_address=())))
    assert Action.ADD_CONTACT_DETAILS not in [a for _, a, _ in _rows(case)]
    case.run(UpdatePersonDetails(case.next_id(), replace(person, email="")))
    assert Action.ADD_CONTACT_DETAILS not in [a for _, a, _ in _rows(case)]


def test_a_letter_to_send_asks_its_signer_to_send_it_and_record_the_date() -> None:
    case = Case().open().assess().warn()
    letter = case.v.letters[-1]

    prompt = _one(case, Action.SEND_LETTER)

    assert (prompt.role, prompt.letter_id, prompt.text) == (
        Role.HEAD,
        letter.letter_id,
        "Send Letter 1: warning and record the date it was sent.",
    )
    case.send(LetterKind.WARNING.value)
    assert Action.SEND_LETTER not in [a for _, a, _ in _rows(case)]


def _with_letter(case: Case, **changes: Any) -> Case:
    letters = case.v.letters
    case.view = replace(case.v, letters=(*letters[:-1], replace(letters[-1], **changes)))
    return case


SEND_1 = "Send Letter 1: warning and record the date it was sent."


def test_a_draft_that_cannot_be_prepared_from_the_details_says_what_to_correct() -> None:
    case = _with_letter(Case().open().assess().warn(), draft_blocked=True, draft_error="x")

    assert _one(case, Action.SEND_LETTER).text == (
        SEND_1 + " The draft cannot be prepared automatically from the case's details, and "
        "will not be tried again until they are corrected: correct the person's details, or "
        "write it by hand."
    )


def test_a_draft_waiting_for_term_dates_names_the_last_term_and_the_dates_needed() -> None:
    case = _with_letter(
        Case().open().assess().warn(), term_dates_end=date(2027, 7, 21), draft_error="x"
    )

    assert _one(case, Action.SEND_LETTER).text == (
        SEND_1 + " It cannot be drafted yet: its reply-by date falls after the school's last "
        "configured term, which ends on Wednesday 21 July 2027, and no date is guessed. Ask "
        "the trust's administrator to add the term dates from Thursday 22 July 2027; the "
        "draft follows."
    )


def test_a_draft_that_failed_asks_for_the_letter_by_hand() -> None:
    case = _with_letter(Case().open().assess().warn(), draft_error="mailbox offline")

    assert _one(case, Action.SEND_LETTER).text == (
        SEND_1 + " The draft could not be prepared automatically: write it by hand."
    )


def test_a_draft_older_than_today_offers_a_re_dated_draft_but_not_on_its_own_day() -> None:
    case = _with_letter(Case().open().assess().warn(), dated_on=Case().today)

    assert _one(case, Action.SEND_LETTER).text == SEND_1  # sent the day it is dated
    later = case.today + timedelta(days=1)
    assert _one(case, Action.SEND_LETTER, later).text == (
        SEND_1 + " The draft is dated Monday 12 January 2026: if it goes today, ask for a "
        "re-dated draft so that its date and reply-by date are right."
    )


def test_an_arranged_meeting_asks_the_head_to_record_it() -> None:
    case = case_in(CaseState.MEETING_ARRANGED)
    meeting = case.v.informal_meetings[-1].meeting_at.date()

    prompt = _one(case, Action.RECORD_INFORMAL_MEETING)

    assert meeting == date(2026, 1, 15)
    assert (prompt.role, prompt.text, prompt.deadline) == (
        Role.HEAD,
        "Record the informal meeting of Thursday 15 January 2026: notes and agreed actions.",
        None,
    )


def test_a_decision_with_the_chair_asks_the_chair_to_confirm_or_overturn_it() -> None:
    for state in (CaseState.CONDITIONS_WITH_CHAIR, CaseState.BAN_WITH_CHAIR):
        prompt = _one(case_in(state), Action.DECIDE_AS_CHAIR)

        assert (prompt.role, prompt.text) == (
            Role.CHAIR,
            "Confirm or overturn the Headteacher/Principal's decision, and write to the person.",
        )
        assert prompt.deadline is not None


def test_a_confirmed_sanction_asks_the_clerk_to_arrange_its_review() -> None:
    for state in (CaseState.CONDITIONS_CONFIRMED, CaseState.BAN_CONFIRMED):
        prompt = _one(case_in(state), Action.SCHEDULE_REVIEW)

        assert (prompt.role, prompt.text) == (
            Role.CLERK,
            "Arrange the committee's review: set the meeting date and send letter 6.",
        )
        assert prompt.deadline is not None


def test_a_review_asks_the_clerk_to_record_the_committees_decision() -> None:
    for state in (CaseState.CONDITIONS_UNDER_REVIEW, CaseState.BAN_UNDER_REVIEW):
        case = case_in(state)
        review = case.v.current_review
        assert review is not None

        prompt = _one(case, Action.RECORD_REVIEW_OUTCOME)

        assert (prompt.role, prompt.text) == (
            Role.CLERK,
            "Record the committee's decision after its meeting on Wednesday 11 February 2026; "
            "letter 7 follows.",
        )
        assert review.meeting_on == date(2026, 2, 11)
        assert prompt.deadline == CAL.school_days_after(review.meeting_on, 10)


def test_a_review_meeting_before_the_statement_deadline_asks_the_clerk_to_move_it_today() -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    case.advance(5)
    case.send("letter-6")
    statement_due = CAL.school_days_after(case.today, 10).due

    prompt = _one(case, Action.RESCHEDULE_REVIEW)

    assert statement_due == date(2026, 2, 13)
    assert (prompt.role, prompt.text) == (
        Role.CLERK,
        "Move the review meeting: the person has until Friday 13 February 2026 to give a "
        "statement, after the meeting on Wednesday 11 February 2026.",
    )
    assert prompt.deadline is not None
    assert prompt.deadline.due == case.today


def test_a_ban_asks_the_head_to_offer_the_annual_progress_meeting() -> None:
    for state in (CaseState.BAN_CONFIRMED, CaseState.BAN_UNDER_REVIEW):
        prompt = _one(case_in(state), Action.HOLD_PROGRESS_MEETING)

        assert (prompt.role, prompt.text) == (
            Role.HEAD,
            "Offer the annual meeting about the child's progress, and record it when held.",
        )


def test_prompts_come_soonest_deadline_first_and_undated_ones_last() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)

    prompts = prompts_for(case.v, case.today, CAL)

    dated = [p.deadline.due for p in prompts if p.deadline is not None]
    assert dated == sorted(dated)
    assert len(dated) >= 3
    firsts_undated = [i for i, p in enumerate(prompts) if p.deadline is None]
    assert firsts_undated
    assert min(firsts_undated) == len(dated)  # every undated prompt after every dated one


def test_a_closed_case_prompts_nothing() -> None:
    case = case_in(CaseState.CLOSED)

    assert prompts_for(case.v, case.today, CAL) == ()


def _due_rows(case: Case) -> set[tuple[Role | None, Action]]:
    return {(e.role, e.action) for e in open_deadlines(case.v, CAL)}


def test_the_due_index_keeps_each_dated_prompt_under_its_role_and_the_sweepers_wake_ups() -> None:
    case = case_in(CaseState.BAN_CONFIRMED)
    count = tl.lenient(CAL)
    review_reminder = tl.review_reminder_from(case.v, count)
    progress_reminder = tl.progress_reminder_from(case.v, count)
    assert review_reminder is not None
    assert progress_reminder is not None

    rows = _due_rows(case)
    reminders = {e.due for e in open_deadlines(case.v, CAL) if e.action is Action.SEND_REMINDERS}

    assert {
        (Role.CLERK, Action.SCHEDULE_REVIEW),
        (Role.HEAD, Action.HOLD_PROGRESS_MEETING),
        (Role.CHAIR, Action.SEND_LETTER),
        (None, Action.SEND_REMINDERS),
    } <= rows
    # The reminders' dates, and the day each unanswered prompt is followed up.
    follow_ups = {f.on for f in _follow_ups_open(case.v, CAL)}
    assert follow_ups
    assert reminders == {review_reminder, progress_reminder} | follow_ups


def test_the_due_index_leaves_out_the_same_day_request_to_move_a_review() -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    case.advance(5)
    case.send("letter-6")

    assert Action.RESCHEDULE_REVIEW in [a for _, a, _ in _rows(case)]
    assert Action.RESCHEDULE_REVIEW not in {a for _, a in _due_rows(case)}


def test_comments_on_conditions_leave_the_window_open_but_a_reply_to_a_warning_ends_it() -> None:
    conditions_case = Case().open().assess().impose_conditions()
    conditions_case.send(LetterKind.CONDITIONS.value)
    warning_case = Case().open().assess().warn()
    warning_case.send(LetterKind.WARNING.value)
    for case in (conditions_case, warning_case):
        case.advance(2)
        case.run(RecordRepresentation(case.next_id(), case.today, case.today, "I disagree", False))

    assert (None, Action.CLOSE_REPRESENTATION_WINDOW) in _due_rows(conditions_case)
    assert (None, Action.CLOSE_REPRESENTATION_WINDOW) not in _due_rows(warning_case)


def test_a_review_meeting_to_move_today_comes_before_letters_due_later() -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)
    case.advance(5)
    case.send("letter-6")

    prompts = prompts_for(case.v, case.today, CAL)

    assert prompts[0].action is Action.RESCHEDULE_REVIEW
    assert [p.deadline.due for p in prompts if p.deadline] == sorted(
        p.deadline.due for p in prompts if p.deadline
    )


def test_a_meeting_once_held_is_no_longer_to_be_recorded() -> None:
    for trigger in (Tr.INFORMAL_MEETING_HELD, Tr.INFORMAL_MEETING_CANCELLED):
        case = case_in(CaseState.MEETING_ARRANGED)
        take(case, trigger)

        assert case.v.informal_meetings
        assert Action.RECORD_INFORMAL_MEETING not in [a for _, a, _ in _rows(case)]


def test_a_later_incident_on_social_media_is_prompted_after_one_that_was_not() -> None:
    case = Case().open().assess()
    posted = incident(at(case.today, 9), behaviours=(Behaviour.SOCIAL_MEDIA,))
    case.run(ReportIncident(case.next_id(), posted))

    report = _one(case, Action.REPORT_POST)

    assert report.incident_no == 2
    assert _one(case, Action.ASK_POST_REMOVAL).incident_no == 2
