"""Reporting an incident (policy: "Definition of unacceptable behaviour", "Recording of
incidents"): the typed word "report" sends the incident report card, and its Submit
records the report through the report use case, or shows the card again with the problems.

`cards.incident_report.parse` checks that everything needed is there, every choice is one
the card offered and every text is within its limits; `to_report` here makes the date and
time a moment in the school's own time (UK), refuses a date that does not exist or is in
the future and a time the clocks skipped, and builds the person's and the incident's
details. Problems come back as a `ValidationProblem`, so the card is shown again with what
the person typed and each problem next to its field.

A time that happens twice (01:00 to 01:59 on the night the clocks go back) is read as the
first of the two, in British Summer Time: someone reporting it from memory cannot say
which, and the earlier reading keeps the incident inside the night it was reported for.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.routing import CardVerb, Handler, Inbound, InvokeReply, Reply, Route, TextCommand
from bot.services import BotServices
from cards import incident_report, report_received
from cards.common import COMMAND_ID_KEY, Choice
from cards.incident_report import (
    INCIDENT_DATE,
    INCIDENT_TIME,
    IncidentFields,
    ReportSubmission,
    ValidationProblem,
)
from cards.inputs import submitted_values
from casework import bus
from casework.pipeline import Actor, Casework, UnknownUser
from casework.ports import Directory, StoreUnavailable
from rules.behaviours import AffectedGroup, Behaviour, Channel, Relationship
from rules.details import IncidentDetails, PersonDetails
from rules.roles import Role

logger = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")

NOT_IN_DIRECTORY = (
    "Safe Premises does not know you yet: your account is not in the trust's list of staff "
    "and governors for any school. Ask your headteacher or the trust's administrator to add you."
)

NOT_SAVED = (
    "Your report was NOT saved: the case records could not be reached just now. Nothing "
    "you typed is lost. Please press Submit report again in a minute."
)


WORDS = ("report",)


def routes(services: BotServices) -> tuple[Route, ...]:
    async def report_card(inbound: Inbound) -> Reply:
        view = report_view(services, user=inbound.user_aad_object_id)
        if not view.schools:
            raise UnknownUser(NOT_IN_DIRECTORY)
        return Reply.posting(incident_report.build(view))

    # Without the application layer (tests of the first behaviour) the card is offered
    # but its Submit is not handled: it falls to the unknown verb.
    recording: tuple[Route, ...] = ()
    if services.casework is not None:
        submit = report_submitter(services, services.casework)
        recording = (Route(CardVerb(incident_report.VERB), submit, "submit report", records=True),)
    return (*recording, Route(TextCommand(WORDS), report_card, "report"))


def report_submitter(services: BotServices, casework: Casework) -> Handler:
    """The incident report's Submit: record it, or show the card again with the problem."""

    async def submit(inbound: Inbound) -> Reply:
        data = inbound.action_data
        command_id = str(data.get(COMMAND_ID_KEY) or services.command_ids())
        user = inbound.user_aad_object_id
        if not schools_of(services, user):
            raise UnknownUser(NOT_IN_DIRECTORY)
        offered = report_view(services, user=user, command_id=command_id)

        def again(problems: tuple[str, ...], at_fields: Mapping[str, str] | None = None) -> Reply:
            view = report_view(
                services,
                user=user,
                command_id=command_id,
                values=submitted_values(data),
                problems=problems,
                field_problems=at_fields,
            )
            return Reply(invoke=InvokeReply.card(incident_report.build(view)))

        def refused(problem: ValidationProblem) -> Reply:
            # The input ids only: what was typed may be personal, and is never logged.
            logger.info(
                "activity %s: report not recorded, %d problems (%s)",
                inbound.log_id,
                len(problem.problems),
                ",".join(sorted(problem.at_fields)) or "-",
            )
            return again(problem.problems, problem.at_fields)

        parsed = incident_report.parse(data, offered)
        if isinstance(parsed, ValidationProblem):
            return refused(parsed)
        actor = Actor(inbound.user_aad_object_id, inbound.activity_id or None)
        person = casework.ports.directory.person(actor.object_id)
        if person is None:
            # The letters name the reporter; never print a stand-in name in one.
            raise UnknownUser(NOT_IN_DIRECTORY)
        report = to_report(
            parsed,
            submitted_values(data),
            reporter_name=person.name,
            now=casework.now(),
        )
        if isinstance(report, ValidationProblem):
            return refused(report)
        try:
            outcome = await bus.report_incident(
                casework,
                actor,
                command_id=report.command_id,
                school_id=report.school_id,
                person=report.person,
                incident=report.incident,
            )
        except StoreUnavailable:
            logger.warning("activity %s: report not saved, store unavailable", inbound.log_id)
            return again((NOT_SAVED,))
        school = casework.school(outcome.school_id)
        logger.info("activity %s: report recorded as %s", inbound.log_id, outcome.reference)
        received = report_received.ReportReceivedView(
            reference=outcome.reference,
            head_title=school.head_title.value,
            school_name=school.name,
            already_recorded=outcome.repeated,
            head_not_told_yet=any(f.effect == "notification" for f in outcome.effect_failures),
        )
        return Reply(invoke=InvokeReply.card(report_received.build(received)))

    return submit


def report_view(
    services: BotServices,
    *,
    user: str,
    command_id: str | None = None,
    values: Mapping[str, str] | None = None,
    problems: tuple[str, ...] = (),
    field_problems: Mapping[str, str] | None = None,
) -> incident_report.IncidentReportView:
    """The report card's view: the reporter's schools and the policy's lists to choose from,
    and today's date in the school's time (the latest the date picker offers)."""
    today = services.casework.now().astimezone(UK).date() if services.casework else None
    return incident_report.IncidentReportView(
        command_id=command_id or services.command_ids(),
        schools=schools_of(services, user),
        relationships=_RELATIONSHIPS,
        channels=_CHANNELS,
        behaviours=behaviour_choices(),
        affected=_AFFECTED,
        values=dict(values or {}),
        problems=problems,
        field_problems=dict(field_problems or {}),
        latest_date=today.isoformat() if today else "",
        staff=staff_at(services, user),
    )


# The policy's 18 behaviours, grouped so that the list reads by kind (each in one group).
BEHAVIOUR_GROUPS: tuple[tuple[str, tuple[Behaviour, ...]], ...] = (
    (
        "Verbal",
        (
            Behaviour.RAISED_VOICE,
            Behaviour.SHOUTING,
            Behaviour.SWEARING,
            Behaviour.FOUL_LANGUAGE,
            Behaviour.INSULT,
            Behaviour.THREAT,
            Behaviour.DISCRIMINATORY_COMMENTS,
        ),
    ),
    (
        "Physical",
        (
            Behaviour.HITTING,
            Behaviour.SPITTING,
            Behaviour.PHYSICAL_ABUSE,
            Behaviour.PHYSICAL_INTIMIDATION,
            Behaviour.GESTURES,
        ),
    ),
    (
        "Online or in writing",
        (Behaviour.SOCIAL_MEDIA, Behaviour.ELECTRONIC_ACTIVITY, Behaviour.HARASSING_CONTACT),
    ),
    (
        "Other",
        (Behaviour.FILMING, Behaviour.VEXATIOUS_ALLEGATIONS, Behaviour.SECURITY_BREACH),
    ),
)


def behaviour_choices() -> tuple[Choice, ...]:
    """The behaviours to choose from, group by group, each titled with its group."""
    return _BEHAVIOURS


# The policy's lists never change while the bot runs: built once, not for every card.
_RELATIONSHIPS = tuple(Choice(r.value, r.label) for r in Relationship)
_CHANNELS = tuple(Choice(c.value, c.label) for c in Channel)
_AFFECTED = tuple(Choice(a.value, a.label) for a in AffectedGroup)
_BEHAVIOURS = tuple(
    Choice(b.value, f"{group}: {b.label}") for group, kinds in BEHAVIOUR_GROUPS for b in kinds
)


# The staff offered as witnesses: at most this many (a card has a size limit in Teams);
# at a larger school the witnesses are typed by name instead.
MAX_WITNESS_CHOICES = 150
WITNESS_ROLES = (Role.HEAD, Role.SENIOR, Role.STAFF)


def staff_at(services: BotServices, user: str) -> tuple[Choice, ...]:
    """The staff of the reporter's schools, by name, to pick witnesses from."""
    if services.casework is None:
        return ()
    schools = tuple(s.value for s in schools_of(services, user))
    return staff_of(services.casework.ports.directory, schools)


def staff_of(directory: Directory, school_ids: Sequence[str]) -> tuple[Choice, ...]:
    """The staff of these schools, by name, to pick witnesses from (none at a school too
    large for a card's list)."""
    people = {
        p.object_id: p.name
        for school_id in school_ids
        for role in WITNESS_ROLES
        for p in directory.holders(school_id, role)
    }
    if len(people) > MAX_WITNESS_CHOICES:
        return ()
    return tuple(Choice(oid, name) for oid, name in sorted(people.items(), key=lambda p: p[1]))


def schools_of(services: BotServices, user: str) -> tuple[Choice, ...]:
    """The schools a reporter may report at: those the trust's directory lists them at.

    Without the application layer (tests of the first behaviour) every school is offered.
    """
    if services.casework is None:
        return tuple(services.schools)
    theirs = set(services.casework.ports.directory.schools_of(user))
    return tuple(school for school in services.schools if school.value in theirs)


# --- the submit in the rules' types --------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What the report use case is given: a complete, checked report."""

    command_id: str
    school_id: str
    person: PersonDetails
    incident: IncidentDetails


def to_report(
    submission: ReportSubmission, values: dict[str, str], *, reporter_name: str, now: datetime
) -> Report | ValidationProblem:
    incident = incident_details(submission, values, reporter_name=reporter_name, now=now)
    if isinstance(incident, ValidationProblem):
        return incident
    return Report(
        command_id=submission.command_id,
        school_id=submission.school_id,
        person=PersonDetails(
            name=submission.person_name, relationship=Relationship(submission.relationship)
        ),
        incident=incident,
    )


def incident_details(
    answers: ReportSubmission | IncidentFields,
    values: dict[str, str],
    *,
    reporter_name: str,
    now: datetime,
) -> IncidentDetails | ValidationProblem:
    """The incident in the rules' types (a report's, or a later incident's on a case), its
    date and time a moment in the school's own time that exists and is not in the future."""
    try:
        day = date.fromisoformat(answers.incident_date)
    except ValueError:
        return _problem_at(INCIDENT_DATE.id, "Give a date and time that exist.", values)
    try:
        moment = time.fromisoformat(answers.incident_time)
    except ValueError:
        return _problem_at(INCIDENT_TIME.id, "Give a date and time that exist.", values)
    if moment.tzinfo is not None:
        # The card's parser refuses a zone suffix; a zone is never dropped silently.
        return _problem_at(INCIDENT_TIME.id, INCIDENT_TIME.with_zone, values)
    occurred_at = uk_moment(day, moment)
    if occurred_at is None:
        return _problem_at(
            INCIDENT_TIME.id,
            f"There was no {moment.strftime('%H:%M')} on {day.day} {day.strftime('%B %Y')} "
            "in the UK: the clocks went forward an hour that night. Give the time the clock "
            "showed.",
            values,
        )
    if occurred_at > now:
        return _problem_at(
            INCIDENT_DATE.id, "The date and time of the incident cannot be in the future.", values
        )
    return IncidentDetails(
        occurred_at=occurred_at,
        location=answers.location,
        channel=Channel(answers.channel),
        behaviours=tuple(Behaviour(b) for b in answers.behaviours),
        summary=answers.summary,
        effect=answers.effect,
        reporter_name=reporter_name,
        affected_groups=tuple(AffectedGroup(a) for a in answers.affected),
        witnesses=answers.witnesses,
        police_called=answers.police_called,
        assault=answers.assault,
        evidence=answers.evidence,
    )


def uk_moment(day: date, moment: time) -> datetime | None:
    """`moment` on `day` as a UK clock showed it, or None for a time the clocks skipped
    (spring forward). A time shown twice (autumn) is the first of the two (`fold=0`)."""
    local = datetime.combine(day, moment, tzinfo=UK)
    # A skipped time does not survive the trip to UTC and back unchanged.
    if local.astimezone(UTC).astimezone(UK).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local


def _problem_at(input_id: str, message: str, values: dict[str, str]) -> ValidationProblem:
    return ValidationProblem((message,), values, {input_id: message})
