"""Builders for the case-rules tests: a real school calendar, commands with sensible
details, and `Case`, which decides and folds like the application layer does (minus I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from rules import commands as c
from rules import events as ev
from rules.behaviours import (
    AffectedGroup,
    Behaviour,
    Channel,
    Relationship,
    RiskLevel,
    StandardCondition,
)
from rules.calendar import Region, SchoolCalendar, Term, TermDates
from rules.case import CaseView, apply
from rules.decide import DecisionContext, decide
from rules.details import (
    BanArrangements,
    Conditions,
    IncidentDetails,
    PersonDetails,
    RiskAssessment,
    Statement,
)
from rules.roles import Role

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

ALL_ROLES = frozenset(Role)


def calendar() -> SchoolCalendar:
    return SchoolCalendar(Region.ENGLAND, TERMS)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def person(**changes: object) -> PersonDetails:
    values: dict[str, object] = {
        "name": "Alex Parent",
        "relationship": Relationship.PARENT,
        "email": "alex@example.org",
        "pupils": ("Sam Parent (Year 4)",),
    }
    values.update(changes)
    return PersonDetails(**values)  # type: ignore[arg-type]


def incident(day: date = START, **changes: object) -> IncidentDetails:
    values: dict[str, object] = {
        "occurred_at": at(day, 8),
        "location": "Main gate",
        "channel": Channel.IN_PERSON,
        "behaviours": (Behaviour.SHOUTING, Behaviour.SWEARING),
        "summary": "Shouted and swore at the class teacher at drop-off.",
        "effect": "The teacher was shaken; pupils nearby were frightened.",
        "reporter_name": "Ms Teacher",
        "affected_groups": (AffectedGroup.STAFF, AffectedGroup.PUPILS),
        "witnesses": ("Mr Caretaker",),
    }
    values.update(changes)
    return IncidentDetails(**values)  # type: ignore[arg-type]


def assessment(risk: RiskLevel = RiskLevel.MEDIUM) -> RiskAssessment:
    return RiskAssessment(
        form_of_abuse="Verbal abuse at the gate",
        evidence="Two staff accounts",
        witness_accounts="The caretaker heard shouting and swearing",
        previous_incidents="None",
        staff_or_pupils_intimidated=True,
        intimidation_notes="The teacher asked not to be alone at the gate",
        provocation=False,
        provocation_notes="",
        risk=risk,
    )


def conditions() -> Conditions:
    return Conditions((StandardCondition.ACCOMPANIED_TO_MEETINGS,), ("No phone calls",))


def arrangements(police: str = "") -> BanArrangements:
    return BanArrangements(
        meetings="Meetings about Sam by appointment at the trust office",
        drop_off_and_collection="Sam's grandmother brings and collects Sam",
        police_statement=police,
    )


def statement() -> Statement:
    return Statement("Mr Caretaker", "I heard shouting at the gate.", START)


@dataclass
class Case:
    """A case driven through `decide` and `apply`, as casework does, with a movable date."""

    today: date = START
    history: list[tuple[ev.EventMeta, ev.Event]] = field(default_factory=list)
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
        command: c.Command,
        roles: frozenset[Role] | None = None,
        *,
        system: bool = False,
        actor: str = "actor-1",
    ) -> list[ev.Event]:
        ctx = self.ctx(roles if roles is not None else ALL_ROLES - {Role.TRUST}, system=system)
        if not system:
            ctx = DecisionContext(actor, ctx.roles, ctx.now, ctx.today, ctx.calendar)
        produced = decide(self.view, command, ctx)
        for event in produced:
            meta = ev.EventMeta(len(self.history) + 1, ctx.actor_id, ctx.now, command.command_id)
            self.history.append((meta, event))
            self.view = apply(self.view, meta, event)
        return produced

    @property
    def v(self) -> CaseView:
        assert self.view is not None
        return self.view

    def advance(self, days: int) -> None:
        self.today += timedelta(days=days)

    # -- the usual steps --

    def open(self) -> Case:
        new = c.NewCase("case-1", "OAK-2026-0001", "oak", person())
        self.run(c.ReportIncident(self.next_id(), incident(self.today), new))
        return self

    def assess(self) -> Case:
        self.run(c.AssessRisk(self.next_id(), self.v.latest_incident.no, assessment()))  # type: ignore[union-attr]
        return self

    def send(self, letter_kind: str, on: date | None = None) -> None:
        letter = next(x for x in reversed(self.v.letters) if x.letter.value == letter_kind)
        self.run(c.RecordLetterSent(self.next_id(), letter.letter_id, on or self.today))

    def warn(self) -> Case:
        self.run(c.ClarifyExpectations(self.next_id()))
        return self

    def impose_conditions(self) -> Case:
        self.run(c.ImposeConditions(self.next_id(), conditions(), "Repeated abuse at the gate"))
        return self

    def ban(self, ground: str = "") -> Case:
        self.run(c.ImposeBan(self.next_id(), "Continued aggression", arrangements(), None, ground))
        return self

    def close_window(self) -> None:
        self.run(c.CloseRepresentationWindow(self.next_id()), system=True)
