"""Builders for the case-rules tests: a real school calendar, commands with sensible
details, and `Case`, which decides and folds like the application layer does (minus I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from rules.behaviours import (
    Behaviour,
    ChairOutcome,
    Remover,
    ReviewOutcome,
    RiskLevel,
    StandardCondition,
)
from rules.calendar import Region, SchoolCalendar, Term, TermDates
from rules.case import CaseView, apply
from rules.commands import Command
from rules.decide import DecisionContext, decide
from rules.details import (
    Conditions,
    IncidentDetails,
    Statement,
)
from rules.events import Event, EventMeta
from rules.roles import Role
from rules.state import TRANSITIONS, CaseState, Trigger
from rules.steps.ban import ImposeBan
from rules.steps.breach import RecordBreach
from rules.steps.chair import DecideAsChair
from rules.steps.closing import CloseCase
from rules.steps.complaints import ReferToComplaints
from rules.steps.conditions import ImposeConditions
from rules.steps.disclosure import DecideDisclosure, RecordStatementReleased
from rules.steps.informal_meeting import (
    ArrangeInformalMeeting,
    CancelInformalMeeting,
    RecordInformalMeeting,
)
from rules.steps.letters import RecordLetterSent
from rules.steps.no_further_action import RecordNoFurtherAction
from rules.steps.period_end import EndSanctionPeriod
from rules.steps.progress_meeting import RecordProgressMeeting
from rules.steps.removal import RecordRemoval
from rules.steps.reporting import AddStatement, NewCase, ReportIncident, UpdatePersonDetails
from rules.steps.representations import CloseRepresentationWindow, RecordRepresentation
from rules.steps.review import (
    RecordReviewOutcome,
    RecordReviewStatement,
    RescheduleReview,
    ScheduleReview,
)
from rules.steps.risk_assessment import AssessRisk
from rules.steps.social_media import RecordPostReported, RecordRemovalRequested
from rules.steps.warning import ClarifyExpectations
from tests.builders import (
    POLICE,
    VIOLENCE,
    arrangements,
    assessment,
    at,
    incident,
    person,
    violent_incident,
)

# An English school's year 2025-26 and 2026-27 (half terms as separate terms).
TERMS = TermDates(
    Region.ENGLAND,
    (
        Term(date(2025, 9, 3), date(2025, 10, 24)),
        Term(date(2025, 11, 3), date(2025, 12, 19)),
        Term(date(2026, 1, 5), date(2026, 2, 13)),
        Term(date(2026, 2, 23), date(2026, 3, 27)),
        Term(date(2026, 4, 13), date(2026, 5, 22)),
        Term(date(2026, 6, 1), date(2026, 7, 22)),
        Term(date(2026, 9, 2), date(2026, 10, 23)),
        Term(date(2026, 11, 2), date(2026, 12, 18)),
        Term(date(2027, 1, 4), date(2027, 2, 12)),
        Term(date(2027, 2, 22), date(2027, 3, 26)),
        Term(date(2027, 4, 12), date(2027, 5, 28)),
        Term(date(2027, 6, 7), date(2027, 7, 21)),
    ),
)

START = date(2026, 1, 12)  # a Monday in term
BAN_UNTIL = date(2027, 7, 1)  # the defined period of the ban the steps below impose

ALL_ROLES = frozenset(Role)


def calendar() -> SchoolCalendar:
    return SchoolCalendar(Region.ENGLAND, TERMS)


def conditions() -> Conditions:
    return Conditions((StandardCondition.ACCOMPANIED_TO_MEETINGS,), ("No phone calls",))


def statement() -> Statement:
    return Statement("Mr Caretaker", "I heard shouting at the gate.", START)


@dataclass
class Case:
    """A case driven through `decide` and `apply`, as casework does, with a movable date."""

    today: date = START
    history: list[tuple[EventMeta, Event]] = field(default_factory=list)
    view: CaseView | None = None
    _n: int = 0

    def ctx(
        self, roles: frozenset[Role] = ALL_ROLES - {Role.TRUST}, *, system: bool = False
    ) -> DecisionContext:
        return DecisionContext(
            actor_id="system" if system else "actor-1",
            roles=frozenset() if system else roles,
            now=at(self.today, 12),
            today=self.today,
            calendar=calendar(),
            system=system,
        )

    def next_id(self) -> str:
        self._n += 1
        return f"cmd-{self._n}"

    def run(
        self,
        command: Command,
        roles: frozenset[Role] | None = None,
        *,
        system: bool = False,
        actor: str | None = None,
    ) -> list[Event]:
        if actor is None:
            # Nobody reviews their own decision: the Chair is someone other than the head.
            actor = "chair-1" if isinstance(command, DecideAsChair) else "actor-1"
        ctx = self.ctx(roles if roles is not None else ALL_ROLES - {Role.TRUST}, system=system)
        if not system:
            ctx = DecisionContext(actor, ctx.roles, ctx.now, ctx.today, ctx.calendar)
        produced = decide(self.view, command, ctx)
        for event in produced:
            meta = EventMeta(len(self.history) + 1, ctx.actor_id, ctx.now, command.command_id)
            self.history.append((meta, event))
            self.view = apply(self.view, meta, event)
        return produced

    @property
    def v(self) -> CaseView:
        assert self.view is not None
        return self.view

    @property
    def state(self) -> CaseState:
        return self.view.state if self.view is not None else CaseState.NEW

    def advance(self, days: int) -> None:
        self.today += timedelta(days=days)

    def next_meta(self, actor: str = "actor-1") -> EventMeta:
        """The metadata of the next event, for an event applied by hand (at noon today)."""
        return EventMeta(len(self.history) + 1, actor, at(self.today, 12), "cmd-x")

    # -- the usual steps --

    def open(self, details: IncidentDetails | None = None) -> Case:
        new = NewCase("case-1", "OAK-2026-0001", "oak", person())
        self.run(ReportIncident(self.next_id(), details or incident(at(self.today, 8)), new))
        return self

    def assess(self) -> Case:
        self.run(AssessRisk(self.next_id(), self.v.latest_incident.no, assessment()))  # type: ignore[union-attr]
        return self

    def send(self, letter_kind: str, on: date | None = None) -> None:
        letter = next(x for x in reversed(self.v.letters) if x.letter.value == letter_kind)
        self.run(RecordLetterSent(self.next_id(), letter.letter_id, on or self.today))

    def warn(self) -> Case:
        self.run(ClarifyExpectations(self.next_id()))
        return self

    def impose_conditions(self) -> Case:
        self.run(ImposeConditions(self.next_id(), conditions(), "Repeated abuse at the gate"))
        return self

    def ban(self, ground: str = "") -> Case:
        self.run(
            ImposeBan(self.next_id(), "Continued aggression", arrangements(POLICE), None, ground)
        )
        return self

    def close_window(self) -> None:
        self.run(CloseRepresentationWindow(self.next_id()), system=True)


# --- one valid command per step of the transition table -----------------------------------
# `prepare` does what a real user would do first (assess the incident, send the letter, wait
# for the window or the meeting day); it runs only where the step is legal. `command` builds
# the step's command for the case as it stands.


@dataclass(frozen=True)
class Step:
    command: Callable[[Case], Command]
    prepare: Callable[[Case], None] = lambda case: None


def _assess_latest(case: Case) -> None:
    latest = case.v.latest_incident
    if latest is not None and not latest.assessed:
        case.assess()


def _wait_out_window(case: Case) -> None:
    letter = case.v.window_letter
    if letter is None:
        return  # nothing awaits a reply: the step itself will be refused
    # Counted first: a calendar that cannot count refuses before anything is recorded.
    due = calendar().school_days_after(case.today if letter.sent_on is None else letter.sent_on, 10)
    if letter.sent_on is None:
        case.run(RecordLetterSent(case.next_id(), letter.letter_id, case.today))
    case.today = max(case.today, due.due + timedelta(days=1))


def _letter_sent(case: Case) -> None:
    """A reply can only answer a letter that has been sent."""
    letter = case.v.window_letter
    if letter is not None and letter.sent_on is None:
        case.run(RecordLetterSent(case.next_id(), letter.letter_id, case.today))


def _meeting_day(case: Case) -> None:
    review = case.v.current_review
    if review is None:
        return  # no review in progress: the step itself will be refused
    letter = case.v.letter(review.letter_id)
    assert letter is not None
    if letter.sent_on is None:
        case.run(RecordLetterSent(case.next_id(), letter.letter_id, case.today))
        earliest = calendar().school_days_after(case.today, 11).due
        if review.meeting_on < earliest:
            case.run(RescheduleReview(case.next_id(), earliest))
    review = case.v.current_review
    assert review is not None
    case.today = max(case.today, review.meeting_on)


def _responded(case: Case) -> None:
    latest = case.v.latest_incident
    if latest is not None and not latest.responses:
        _assess_latest(case)
        case.run(RecordNoFurtherAction(case.next_id(), "Resolved by conversation"))


def _report(case: Case) -> Command:
    new = None
    if case.view is None:
        new = NewCase("case-1", "OAK-2026-0001", "oak", person())
    return ReportIncident(case.next_id(), violent_incident(at(case.today, 8)), new)


def _latest_no(case: Case) -> int:
    return len(case.view.incidents) if case.view is not None else 1


def _reschedule(case: Case) -> Command:
    review = case.view.current_review if case.view is not None else None
    letter = case.v.letter(review.letter_id) if review else None
    start = letter.sent_on if letter and letter.sent_on else case.today
    return RescheduleReview(case.next_id(), calendar().school_days_after(start, 11).due)


def _new_end(case: Case, outcome: ReviewOutcome) -> date | None:
    """An extension of a defined period gives its new end date (rule 5)."""
    sanction = case.view.sanction if case.view is not None else None
    if outcome is not ReviewOutcome.EXTEND or sanction is None or sanction.until is None:
        return None
    return sanction.until + timedelta(days=365)


def _outcome(outcome: ReviewOutcome) -> Step:
    return Step(
        lambda case: RecordReviewOutcome(
            case.next_id(),
            outcome,
            "Governors considered the statement",
            conditions(),
            _new_end(case, outcome),
        ),
        _meeting_day,
    )


def _breach_of_the_ban(case: Case) -> None:
    """A removal is for a banned person who continues to cause a nuisance (rule 5)."""
    if not case.state.ban_in_force:
        return  # no ban: the step itself will be refused
    case.run(RecordBreach(case.next_id(), at(case.today, 8), "Came onto the site"))


def _past_the_end_of_the_period(case: Case) -> None:
    """Conditions get a defined end only when a review extends them to one; then the day
    after their end date comes."""
    sanction = case.v.sanction
    if sanction is None or case.state not in TRANSITIONS or not case.state.sanction_in_force:
        return  # nothing in force: the step itself will be refused
    if sanction.until is None:
        if case.state not in (CaseState.CONDITIONS_CONFIRMED, CaseState.CONDITIONS_UNDER_REVIEW):
            return  # provisional conditions have no end date: the step will be refused
        under_review = case.state is CaseState.CONDITIONS_UNDER_REVIEW
        if not under_review:
            take(case, Trigger.REVIEW_SCHEDULED)
        _meeting_day(case)
        review = case.v.current_review
        assert review is not None
        case.run(
            RecordReviewOutcome(
                case.next_id(),
                ReviewOutcome.EXTEND,
                "Some contact continued",
                until=review.meeting_on + timedelta(days=1),
            )
        )
        if under_review:  # back under review, as the step found it
            take(case, Trigger.REVIEW_SCHEDULED)
    sanction = case.v.sanction
    assert sanction is not None
    assert sanction.until is not None
    case.today = max(case.today, sanction.until + timedelta(days=1))


def _a_statement(case: Case) -> None:
    """A statement to decide on (incident 1 may have none yet)."""
    incident = case.v.incident(1)
    if incident is not None and not incident.statements and case.state is not CaseState.NEW:
        case.run(AddStatement(case.next_id(), 1, statement()))


def _released_may_be(case: Case) -> None:
    """A statement is shown only after the head decided to release it."""
    _a_statement(case)
    incident = case.v.incident(1)
    if incident is not None and incident.statements and incident.statements[0].disclosure is None:
        case.run(DecideDisclosure(case.next_id(), 1, 1, True, RiskLevel.LOW, "Low risk"))


def _a_post(case: Case) -> None:
    """An incident on social media (reporting one is allowed at every stage)."""
    if not any(i.on_social_media for i in case.v.incidents):
        posted = incident(at(case.today, 8), behaviours=(Behaviour.SOCIAL_MEDIA,))
        case.run(ReportIncident(case.next_id(), posted))


def _post_no(case: Case) -> int:
    posted = [i.no for i in case.view.incidents if i.on_social_media] if case.view else []
    return posted[-1] if posted else 1


T = Trigger
STEPS: dict[Trigger, Step] = {
    T.INCIDENT_REPORTED: Step(_report),
    T.STATEMENT_ADDED: Step(lambda case: AddStatement(case.next_id(), 1, statement())),
    T.DISCLOSURE_DECIDED: Step(
        lambda case: DecideDisclosure(
            case.next_id(), 1, 1, False, RiskLevel.HIGH, "The witness fears retaliation"
        ),
        _a_statement,
    ),
    T.STATEMENT_RELEASED: Step(
        lambda case: RecordStatementReleased(case.next_id(), 1, 1, case.today), _released_may_be
    ),
    T.SOCIAL_MEDIA_POST_REPORTED: Step(
        lambda case: RecordPostReported(case.next_id(), _post_no(case), case.today, "Facebook"),
        _a_post,
    ),
    T.SOCIAL_MEDIA_REMOVAL_REQUESTED: Step(
        lambda case: RecordRemovalRequested(case.next_id(), _post_no(case), case.today, "by email"),
        _a_post,
    ),
    T.PERSON_DETAILS_UPDATED: Step(
        lambda case: UpdatePersonDetails(case.next_id(), person(email="new@example.org"))
    ),
    T.RISK_ASSESSED: Step(lambda case: AssessRisk(case.next_id(), _latest_no(case), assessment())),
    T.NO_FURTHER_ACTION: Step(
        lambda case: RecordNoFurtherAction(case.next_id(), "Apology accepted"), _assess_latest
    ),
    T.EXPECTATIONS_CLARIFIED: Step(
        lambda case: ClarifyExpectations(case.next_id()), _assess_latest
    ),
    T.INFORMAL_MEETING_ARRANGED: Step(
        lambda case: ArrangeInformalMeeting(
            case.next_id(),
            at(case.today + timedelta(days=3)),
            "Office",
            ("Head", "Deputy"),
            True,
            True,
        ),
        _assess_latest,
    ),
    T.INFORMAL_MEETING_HELD: Step(
        lambda case: RecordInformalMeeting(
            case.next_id(), case.today, ("Head", "Deputy"), "Talked it through", ("Stay calm",)
        )
    ),
    T.INFORMAL_MEETING_CANCELLED: Step(
        lambda case: CancelInformalMeeting(case.next_id(), "The parent declined")
    ),
    T.CONDITIONS_IMPOSED: Step(
        lambda case: ImposeConditions(case.next_id(), conditions(), "Repeated abuse"),
        _assess_latest,
    ),
    T.BAN_IMPOSED: Step(
        lambda case: ImposeBan(
            case.next_id(),
            "Continued aggression",
            arrangements("The matter has been reported to the police."),
            BAN_UNTIL,
            VIOLENCE,
        ),
        _assess_latest,
    ),
    T.REMOVED_FROM_PREMISES: Step(
        lambda case: RecordRemoval(
            case.next_id(), at(case.today, 9), Remover.POLICE_OFFICER, "PC Smith"
        ),
        _breach_of_the_ban,
    ),
    T.REFERRED_TO_COMPLAINTS: Step(
        lambda case: ReferToComplaints(case.next_id(), "Complaint about the teacher"),
        _assess_latest,
    ),
    T.REPRESENTATION_RECEIVED: Step(
        lambda case: RecordRepresentation(case.next_id(), case.today, case.today, "I apologise"),
        _letter_sent,
    ),
    T.REPRESENTATION_FINAL: Step(
        lambda case: RecordRepresentation(
            case.next_id(), case.today, case.today, "I have nothing to add", True
        ),
        _letter_sent,
    ),
    T.REPRESENTATION_WINDOW_CLOSED: Step(
        lambda case: CloseRepresentationWindow(case.next_id()), _wait_out_window
    ),
    T.CHAIR_CONFIRMED: Step(
        lambda case: DecideAsChair(case.next_id(), ChairOutcome.CONFIRM, "Proportionate")
    ),
    T.CHAIR_OVERTURNED: Step(
        lambda case: DecideAsChair(case.next_id(), ChairOutcome.OVERTURN, "Not proportionate")
    ),
    T.PROGRESS_MEETING_HELD: Step(
        lambda case: RecordProgressMeeting(case.next_id(), case.today, "Sam is doing well")
    ),
    T.REVIEW_SCHEDULED: Step(
        lambda case: ScheduleReview(
            case.next_id(), calendar().school_days_after(case.today, 11).due
        )
    ),
    T.REVIEW_RESCHEDULED: Step(_reschedule),
    T.REVIEW_STATEMENT_RECEIVED: Step(
        lambda case: RecordReviewStatement(case.next_id(), case.today, case.today, "Sorry")
    ),
    T.REVIEW_MAINTAINED: _outcome(ReviewOutcome.MAINTAIN),
    T.REVIEW_EXTENDED: _outcome(ReviewOutcome.EXTEND),
    T.REVIEW_VARIED: _outcome(ReviewOutcome.VARY),
    T.REVIEW_REPLACED_BAN_WITH_CONDITIONS: _outcome(ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS),
    T.REVIEW_REMOVED: _outcome(ReviewOutcome.REMOVE),
    T.BREACH_RECORDED: Step(
        lambda case: RecordBreach(case.next_id(), at(case.today, 9), "Came onto the site")
    ),
    T.SANCTION_PERIOD_ENDED: Step(
        lambda case: EndSanctionPeriod(case.next_id()), _past_the_end_of_the_period
    ),
    T.CASE_CLOSED: Step(lambda case: CloseCase(case.next_id(), "Resolved"), _responded),
}


def take(case: Case, trigger: Trigger) -> list[Event]:
    """Prepare and take `trigger`'s step on `case` (the step must be legal)."""
    step = STEPS[trigger]
    if case.view is not None:
        step.prepare(case)
    return case.run(step.command(case))


def path_to(state: CaseState) -> list[Trigger]:
    """The shortest trigger sequence from a new case to `state`, found in the table."""
    paths: dict[CaseState, list[Trigger]] = {CaseState.NEW: []}
    queue = [CaseState.NEW]
    while queue:
        current = queue.pop(0)
        for trigger, target in TRANSITIONS[current].items():
            if target not in paths:
                paths[target] = [*paths[current], trigger]
                queue.append(target)
    return paths[state]


def case_in(state: CaseState) -> Case:
    case = Case()
    for trigger in path_to(state):
        take(case, trigger)
    assert case.state is state
    return case
