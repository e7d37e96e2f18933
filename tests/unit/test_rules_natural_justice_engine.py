"""Natural justice (issue 9), the engine's part of rules 5 and 7: a ban for a defined period
ends by itself, a removal needs a nuisance while banned, and a visitor is not a parent.

Every test here failed on the code before its rule was written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rules.behaviours import (
    Behaviour,
    ChairOutcome,
    NotificationKind,
    Relationship,
    Remover,
    ReviewOutcome,
    RiskLevel,
)
from rules.calendar import Region, SchoolCalendar
from rules.details import BanArrangements
from rules.errors import (
    DisclosureNotDecided,
    InvalidDetails,
    NoBreachWhileBanned,
    NotPermitted,
    PeriodNotEnded,
)
from rules.events import Event, NotificationRequired, event_from_record, event_to_record
from rules.prompts import Action, open_deadlines, prompts_for
from rules.roles import Role
from rules.state import CaseState, Trigger
from rules.steps.ban import ImposeBan
from rules.steps.breach import RecordBreach
from rules.steps.chair import DecideAsChair
from rules.steps.conditions import ImposeConditions
from rules.steps.disclosure import DecideDisclosure, RecordStatementReleased
from rules.steps.letters import RecordLetterDraftFailed
from rules.steps.no_further_action import RecordNoFurtherAction
from rules.steps.period_end import EndSanctionPeriod, SanctionPeriodEnded
from rules.steps.removal import RecordRemoval
from rules.steps.reporting import AddStatement, NewCase, ReportIncident
from rules.steps.review import RecordReviewOutcome
from rules.steps.social_media import RecordPostReported, RecordRemovalRequested
from rules.steps.warning import ClarifyExpectations
from rules.sweep import system_commands_due
from tests.builders import POLICE, VIOLENCE, arrangements, at, incident, person, violent_incident
from tests.unit.rules_builders import START, TERMS, Case, calendar, case_in, statement, take
from tests.unit.rules_builders import conditions as conds

UNTIL = date(2026, 5, 22)  # the last day of the summer half term, four months on


def _state(case: Case) -> CaseState:
    return case.state  # read afresh: mypy would keep the last assertion's narrowing


def _banned(until: date | None = UNTIL, **person_changes: object) -> Case:
    """A ban for a defined period, confirmed by the Chair after the window closed."""
    case = Case()
    new = NewCase("case-1", "OAK-2026-0001", "oak", person(**person_changes))
    case.run(ReportIncident(case.next_id(), violent_incident(at(case.today, 8)), new))
    case.assess()
    case.run(ImposeBan(case.next_id(), "Assault", arrangements(POLICE), until, VIOLENCE))
    case.send("letter-4")
    case.today = calendar().school_days_after(case.today, 10).due + timedelta(days=1)
    case.close_window()
    case.run(DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Serious"))
    assert case.state is CaseState.BAN_CONFIRMED
    return case


def _actions(case: Case, today: date) -> set[Action]:
    return {p.action for p in prompts_for(case.v, today, calendar())}


# --- 5. A ban for a defined period ends by itself --------------------------------------------


def test_defined_period_the_sweeper_ends_the_ban_the_day_after_its_end_date() -> None:
    case = _banned()
    case.send("letter-5")  # the Chair's letter went: no follow-up of it is due
    wake_ups = [e for e in open_deadlines(case.v, calendar()) if e.role is None]
    assert (Action.END_SANCTION_PERIOD, UNTIL + timedelta(days=1)) in {
        (e.action, e.due) for e in wake_ups
    }
    assert system_commands_due(case.v, UNTIL, calendar()) == ()  # in force on its last day
    (due,) = system_commands_due(case.v, UNTIL + timedelta(days=1), calendar())
    assert isinstance(due, EndSanctionPeriod)
    case.today = UNTIL + timedelta(days=1)
    (ended, *_) = case.run(due, system=True)
    assert _state(case) is CaseState.OPEN
    assert case.v.sanction is None
    assert case.v.period_ends == (UNTIL,)
    assert case.v.steps[-1].trigger is Trigger.SANCTION_PERIOD_ENDED
    assert event_from_record(*event_to_record(ended)) == ended
    assert system_commands_due(case.v, case.today, calendar()) == ()


def test_defined_period_the_ban_is_not_ended_before_its_end_date() -> None:
    case = _banned()
    case.today = UNTIL
    with pytest.raises(PeriodNotEnded, match="until Friday 22 May 2026 inclusive"):
        case.run(EndSanctionPeriod(case.next_id()), system=True)
    open_ended = _banned(until=None)
    open_ended.today = UNTIL + timedelta(days=30)
    with pytest.raises(PeriodNotEnded, match="no end date"):
        open_ended.run(EndSanctionPeriod(open_ended.next_id()), system=True)


def test_defined_period_no_review_or_progress_meeting_for_a_ban_that_has_ended() -> None:
    case = _banned()
    case.send("letter-5")  # the Chair's letter went: no follow-up of it is due
    # It ends before its six-monthly review and before the year's progress meeting: neither is
    # prompted, and once past the end date (even before the sweeper records it) nothing is.
    assert Action.SCHEDULE_REVIEW not in _actions(case, case.today)
    assert Action.HOLD_PROGRESS_MEETING not in _actions(case, case.today)
    longer = _banned(until=date(2027, 7, 1))
    assert {Action.SCHEDULE_REVIEW, Action.HOLD_PROGRESS_MEETING} <= _actions(longer, UNTIL)
    assert _actions(longer, date(2027, 7, 2)).isdisjoint(
        {Action.SCHEDULE_REVIEW, Action.HOLD_PROGRESS_MEETING}
    )
    kinds = {e.action for e in open_deadlines(case.v, calendar())}
    assert Action.SEND_REMINDERS not in kinds


def test_defined_period_a_review_extends_the_ban_to_a_new_end_date() -> None:
    case = _banned(until=date(2027, 7, 1))
    case.today = date(2026, 7, 1)
    take(case, Trigger.REVIEW_SCHEDULED)
    review = case.v.current_review
    assert review is not None
    take(case, Trigger.REVIEW_STATEMENT_RECEIVED)
    case.send("letter-6")
    case.today = review.meeting_on
    with pytest.raises(InvalidDetails, match="give the new end date"):
        case.run(RecordReviewOutcome(case.next_id(), ReviewOutcome.EXTEND, "Continued"))
    new_end = date(2027, 7, 16)
    case.run(RecordReviewOutcome(case.next_id(), ReviewOutcome.EXTEND, "Continued", until=new_end))
    assert case.v.sanction is not None
    assert case.v.sanction.until == new_end
    on_the_old_end = system_commands_due(case.v, date(2027, 7, 2), calendar())
    assert not any(isinstance(c, EndSanctionPeriod) for c in on_the_old_end)
    (due,) = system_commands_due(case.v, new_end + timedelta(days=1), calendar())
    assert isinstance(due, EndSanctionPeriod)


def test_defined_period_a_removal_needs_a_breach_while_the_ban_is_in_force() -> None:
    case = _banned()
    removal = RecordRemoval(case.next_id(), at(case.today, 10), Remover.POLICE_OFFICER, "PC Smith")
    with pytest.raises(NoBreachWhileBanned, match="continues to cause a nuisance"):
        case.run(removal)
    assert case.v.removals == ()
    case.run(RecordBreach(case.next_id(), at(case.today, 9), "Came to the gate again"))
    case.run(RecordRemoval(case.next_id(), at(case.today, 10), Remover.POLICE_OFFICER, "PC Smith"))
    assert len(case.v.removals) == 1


def test_defined_period_a_breach_after_the_removal_does_not_ground_it() -> None:
    case = _banned()
    case.run(RecordBreach(case.next_id(), at(case.today, 11), "Came to the gate again"))
    with pytest.raises(NoBreachWhileBanned):
        case.run(
            RecordRemoval(case.next_id(), at(case.today, 10), Remover.POLICE_OFFICER, "PC Smith")
        )


def test_defined_period_the_end_event_reads_in_plain_words() -> None:
    assert Trigger.SANCTION_PERIOD_ENDED.label == "the defined period ended: no longer in force"
    record = event_to_record(SanctionPeriodEnded(_banned().v.sanction.kind, UNTIL, "x"))  # type: ignore[union-attr]
    assert record[0] == "sanction-period-ended"


# --- 7. Visitors are not parents --------------------------------------------------------------


def test_visitors_are_not_parents_no_progress_meeting_is_prompted() -> None:
    visitor = _banned(until=None, relationship=Relationship.VISITOR, pupils=())
    assert visitor.v.person.is_visitor
    assert not visitor.v.person.has_child_at_school
    assert Action.HOLD_PROGRESS_MEETING not in _actions(visitor, visitor.today)
    far = visitor.today + timedelta(days=400)
    kinds = {e.action for e in open_deadlines(visitor.v, calendar())}
    assert Action.HOLD_PROGRESS_MEETING not in kinds
    reminders = " ".join(c.command_id for c in system_commands_due(visitor.v, far, calendar()))
    assert "progress-meeting" not in reminders
    parent = _banned(until=None)
    assert parent.v.person.has_child_at_school
    assert Action.HOLD_PROGRESS_MEETING in _actions(parent, parent.today)


def test_visitors_are_not_parents_a_parent_with_no_pupil_named_counts_as_a_visitor() -> None:
    assert person(pupils=()).is_visitor
    assert person(relationship=Relationship.VISITOR).is_visitor  # pupils named, still a visitor
    assert person(relationship=Relationship.CARER).has_child_at_school


def test_visitors_are_not_parents_a_ban_needs_no_pupil_arrangements() -> None:
    case = Case()
    new = NewCase("case-1", "OAK-2026-0001", "oak", person(relationship=Relationship.VISITOR))
    case.run(ReportIncident(case.next_id(), violent_incident(at(case.today, 8)), new))
    case.assess()
    none = BanArrangements("", "", POLICE)
    case.run(ImposeBan(case.next_id(), "Assault", none, None, VIOLENCE))
    assert _state(case) is CaseState.BAN_PROVISIONAL
    parent = Case()
    parent.run(
        ReportIncident(
            parent.next_id(),
            violent_incident(at(parent.today, 8)),
            NewCase("case-1", "OAK-2026-0001", "oak", person()),
        )
    )
    parent.assess()
    with pytest.raises(InvalidDetails):
        parent.run(ImposeBan(parent.next_id(), "Assault", none, None, VIOLENCE))


# --- Also: the progress meeting at the next academic review day -------------------------------


REVIEW_DAYS = (date(2026, 3, 5), date(2026, 7, 9), date(2026, 11, 19), date(2027, 3, 11))


def _with_review_days(days: tuple[date, ...] = REVIEW_DAYS) -> SchoolCalendar:
    return SchoolCalendar(Region.ENGLAND, TERMS, days)


def _progress_due(case: Case, on: SchoolCalendar) -> date:
    (prompt,) = [
        p for p in prompts_for(case.v, case.today, on) if p.action is Action.HOLD_PROGRESS_MEETING
    ]
    assert prompt.deadline is not None
    return prompt.deadline.due


def test_academic_review_day_the_progress_meeting_is_prompted_for_the_next_one() -> None:
    case = _banned(until=None)
    confirmed_on = case.today
    assert confirmed_on < REVIEW_DAYS[0]
    assert _progress_due(case, _with_review_days()) == REVIEW_DAYS[0]
    # None configured: 12 months after the Chair's confirmation, as before.
    assert _progress_due(case, calendar()) == calendar().months_after(confirmed_on, 12).due


def test_academic_review_day_one_meeting_a_school_year() -> None:
    case = _banned(until=None)
    case.today = REVIEW_DAYS[0]
    take(case, Trigger.PROGRESS_MEETING_HELD)
    # The next is in the next school year, not July's review day in the same year.
    assert _progress_due(case, _with_review_days()) == date(2026, 11, 19)


def test_academic_review_day_past_the_last_configured_one_warns() -> None:
    case = _banned(until=None)
    (prompt,) = [
        p
        for p in prompts_for(case.v, case.today, _with_review_days((date(2025, 11, 20),)))
        if p.action is Action.HOLD_PROGRESS_MEETING
    ]
    assert prompt.deadline is not None
    assert prompt.deadline.due == calendar().months_after(case.today, 12).due
    assert prompt.deadline.warning is not None
    assert "No academic review day is configured after" in prompt.deadline.warning


# --- Also: a policy review after each incident where the policy was used ---------------------


def _policy_reviews(events: list[Event]) -> list[str]:
    return [
        e.notification_id
        for e in events
        if isinstance(e, NotificationRequired)
        and e.kind is NotificationKind.POLICY_REVIEW_AFTER_INCIDENT
    ]


def test_policy_review_prompted_after_each_incident_where_the_policy_was_used() -> None:
    case = Case().open().assess()
    warned = case.run(ClarifyExpectations(case.next_id()))
    assert _policy_reviews(warned) == ["policy-review:incident-1"]
    prompt = next(
        e for e in warned if isinstance(e, NotificationRequired) and e.roles == (Role.TRUST,)
    )
    assert prompt.kind is NotificationKind.POLICY_REVIEW_AFTER_INCIDENT
    # A further step on the same incident is the same incident: no second prompt.
    assert _policy_reviews(case.run(ImposeConditions(case.next_id(), conds(), "Again"))) == []
    case.send("letter-2")
    case.advance(1)
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    case.assess()
    banned = case.run(ImposeBan(case.next_id(), "Continued", arrangements(POLICE), None))
    assert _policy_reviews(banned) == ["policy-review:incident-2"]


def test_policy_review_not_prompted_when_no_step_of_the_policy_was_taken() -> None:
    case = Case().open().assess()
    assert _policy_reviews(case.run(RecordNoFurtherAction(case.next_id(), "Apologised"))) == []


# --- Also: social media: report the post, ask for its removal ---------------------------------


def _posted_case() -> Case:
    return Case().open(incident(at(START, 8), behaviours=(Behaviour.SOCIAL_MEDIA,)))


def test_social_media_the_head_is_sent_a_prompt_when_the_incident_is_reported() -> None:
    case = _posted_case()
    kinds = {(n.kind, n.roles) for n in case.v.notifications}
    assert (NotificationKind.SOCIAL_MEDIA_POST, (Role.HEAD,)) in kinds
    plain = Case().open()
    assert NotificationKind.SOCIAL_MEDIA_POST not in {n.kind for n in plain.v.notifications}


def test_social_media_the_head_is_prompted_to_report_the_post_and_ask_for_removal() -> None:
    case = _posted_case()
    head = {p.action for p in prompts_for(case.v, case.today, calendar()) if p.role is Role.HEAD}
    assert {Action.REPORT_POST, Action.ASK_POST_REMOVAL} <= head
    reported = case.run(RecordPostReported(case.next_id(), 1, case.today, "Facebook", "FB-123"))
    assert event_from_record(*event_to_record(reported[0])) == reported[0]
    asked = case.run(RecordRemovalRequested(case.next_id(), 1, case.today, "in letter 1"))
    assert event_from_record(*event_to_record(asked[0])) == asked[0]
    incident_1 = case.v.incident(1)
    assert incident_1 is not None
    assert incident_1.post_reports[0].site == "Facebook"
    assert incident_1.removal_requests[0].how == "in letter 1"
    head = {p.action for p in prompts_for(case.v, case.today, calendar()) if p.role is Role.HEAD}
    assert head.isdisjoint({Action.REPORT_POST, Action.ASK_POST_REMOVAL})
    assert [s.trigger.label for s in case.v.steps[-2:]] == [
        "post reported to the site's 'report abuse' route",
        "person asked to remove the post",
    ]


def test_social_media_no_prompt_and_no_record_without_a_post() -> None:
    case = Case().open()
    actions = {p.action for p in prompts_for(case.v, case.today, calendar())}
    assert actions.isdisjoint({Action.REPORT_POST, Action.ASK_POST_REMOVAL})
    with pytest.raises(InvalidDetails, match="does not record social media"):
        case.run(RecordPostReported(case.next_id(), 1, case.today, "Facebook"))


# --- Also: a disclosure decision before any statement is shown --------------------------------


def _with_statement() -> Case:
    case = Case().open()
    case.run(AddStatement(case.next_id(), 1, statement()))
    return case


def test_disclosure_a_statement_is_not_released_without_the_heads_decision() -> None:
    case = _with_statement()
    with pytest.raises(DisclosureNotDecided, match="No disclosure decision"):
        case.run(RecordStatementReleased(case.next_id(), 1, 1, case.today))
    assert case.v.incidents[0].statements[0].released_on is None


def test_disclosure_a_statement_withheld_for_the_risk_of_retaliation_stays_withheld() -> None:
    case = _with_statement()
    decided = case.run(
        DecideDisclosure(
            case.next_id(), 1, 1, False, RiskLevel.HIGH, "The caretaker fears reprisal"
        )
    )
    assert event_from_record(*event_to_record(decided[0])) == decided[0]
    with pytest.raises(DisclosureNotDecided, match="decided not to release"):
        case.run(RecordStatementReleased(case.next_id(), 1, 1, case.today))


def test_disclosure_a_statement_released_after_a_decision_to_release_it() -> None:
    case = _with_statement()
    with pytest.raises(InvalidDetails):
        case.run(DecideDisclosure(case.next_id(), 1, 1, True, RiskLevel.LOW, " "))
    with pytest.raises(NotPermitted):
        case.run(
            DecideDisclosure(case.next_id(), 1, 1, True, RiskLevel.LOW, "Low risk"),
            frozenset({Role.SENIOR}),
        )
    case.run(DecideDisclosure(case.next_id(), 1, 1, True, RiskLevel.LOW, "Low risk"))
    released = case.run(RecordStatementReleased(case.next_id(), 1, 1, case.today))
    assert event_from_record(*event_to_record(released[0])) == released[0]
    record = case.v.incidents[0].statements[0]
    assert record.released_on == case.today
    assert record.disclosure is not None
    assert record.disclosure.retaliation_risk is RiskLevel.LOW
    assert case.v.steps[-1].trigger.label == "statement shown to the person"


def test_defined_period_letters_not_yet_sent_are_withdrawn_when_the_ban_ends() -> None:
    case = Case()
    new = NewCase("case-1", "OAK-2026-0001", "oak", person())
    case.run(ReportIncident(case.next_id(), violent_incident(at(case.today, 8)), new))
    case.assess()
    case.run(ImposeBan(case.next_id(), "Assault", arrangements(POLICE), UNTIL, VIOLENCE))
    case.today = UNTIL + timedelta(days=1)
    case.run(EndSanctionPeriod(case.next_id()), system=True)
    assert {x.withdrawn_reason for x in case.v.letters} == {"the defined period ended"}
    sends = [p for p in prompts_for(case.v, case.today, calendar()) if p.letter_id is not None]
    assert sends == []


def test_defined_period_a_breach_of_earlier_conditions_does_not_ground_a_removal() -> None:
    case = Case().open().assess().impose_conditions()
    case.send("letter-2")
    case.run(RecordBreach(case.next_id(), at(case.today, 9), "Phoned the office again"))
    case.advance(1)
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8))))
    case.assess()
    case.ban()
    case.advance(1)
    with pytest.raises(NoBreachWhileBanned):
        case.run(RecordRemoval(case.next_id(), at(case.today, 10), Remover.POLICE_OFFICER, "PC"))
    # A further incident while banned is the nuisance the removal answers.
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 9))))
    case.run(RecordRemoval(case.next_id(), at(case.today, 10), Remover.POLICE_OFFICER, "PC"))
    assert len(case.v.removals) == 1


# --- 6. No date is ever guessed (the rules' side) ----------------------------------------------


def test_no_date_guessed_the_signer_and_the_head_are_told_which_term_dates_are_missing() -> None:
    case = case_in(CaseState.BAN_UNDER_REVIEW)
    review = case.v.current_review
    assert review is not None
    error = "TermDatesMissing: The reply-by date cannot be counted."
    failed = RecordLetterDraftFailed(
        "system:x", review.letter_id, error, term_dates_end=date(2027, 7, 21)
    )
    produced = case.run(failed, system=True)
    (note,) = [e for e in produced if isinstance(e, NotificationRequired)]
    assert note.kind is NotificationKind.LETTER_NEEDS_TERM_DATES
    assert note.roles == (Role.CLERK, Role.HEAD)
    letter = case.v.letter(review.letter_id)
    assert letter is not None
    assert letter.needs_draft  # tried again: no guessed date, no lasting block
    (prompt,) = [
        p for p in prompts_for(case.v, case.today, calendar()) if p.letter_id == letter.letter_id
    ]
    assert "ends on Wednesday 21 July 2027" in prompt.text
    assert "term dates from Thursday 22 July 2027" in prompt.text
    assert event_from_record(*event_to_record(produced[0])) == produced[0]
