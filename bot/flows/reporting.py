"""Reporting an incident (policy: "Definition of unacceptable behaviour", "Recording of
incidents"): the typed word "report" sends the incident report card, and its Submit
records the report through the report use case, or shows the card again with the problems.

`cards.incident_report.parse` checks that everything needed is there and every choice is
one the card offered; `to_report` here makes the date and time a moment in the school's own
time (UK), refuses a date that does not exist or is in the future, and builds the
person's and the incident's details. Problems come back as a `ValidationProblem`, so the
card is shown again with what the person typed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.routing import CardVerb, Handler, Inbound, InvokeReply, Reply, Route, TextCommand
from bot.services import BotServices
from cards import incident_report, report_received
from cards.common import COMMAND_ID_KEY, Choice
from cards.incident_report import ReportSubmission, ValidationProblem
from cards.inputs import submitted_values
from casework import bus
from casework.pipeline import Actor, Casework, UnknownUser
from casework.ports import StoreUnavailable
from rules.behaviours import AffectedGroup, Behaviour, Channel, Relationship
from rules.details import IncidentDetails, PersonDetails

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
        recording = (Route(CardVerb(incident_report.VERB), submit, "submit report"),)
    return (*recording, Route(TextCommand(("report",)), report_card, "report"))


def report_submitter(services: BotServices, casework: Casework) -> Handler:
    """The incident report's Submit: record it, or show the card again with the problem."""

    async def submit(inbound: Inbound) -> Reply:
        data = inbound.action_data
        command_id = str(data.get(COMMAND_ID_KEY) or services.command_ids())
        user = inbound.user_aad_object_id
        if not schools_of(services, user):
            raise UnknownUser(NOT_IN_DIRECTORY)
        offered = report_view(services, user=user, command_id=command_id)

        def again(problems: tuple[str, ...]) -> Reply:
            view = report_view(
                services,
                user=user,
                command_id=command_id,
                values=submitted_values(data),
                problems=problems,
            )
            return Reply(invoke=InvokeReply.card(incident_report.build(view)))

        parsed = incident_report.parse(data, offered)
        if isinstance(parsed, ValidationProblem):
            return again(parsed.problems)
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
            return again(report.problems)
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
            logger.warning("activity %s: report not saved, store unavailable", inbound.activity_id)
            return again((NOT_SAVED,))
        school = casework.school(outcome.school_id)
        logger.info("activity %s: report recorded as %s", inbound.activity_id, outcome.reference)
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
) -> incident_report.IncidentReportView:
    """The report card's view: the reporter's schools and the policy's lists to choose from."""
    return incident_report.IncidentReportView(
        command_id=command_id or services.command_ids(),
        schools=schools_of(services, user),
        relationships=tuple(Choice(r.value, r.label) for r in Relationship),
        channels=tuple(Choice(c.value, c.label) for c in Channel),
        behaviours=tuple(Choice(b.value, b.label) for b in Behaviour),
        affected=tuple(Choice(a.value, a.label) for a in AffectedGroup),
        values=dict(values or {}),
        problems=problems,
    )


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
    try:
        day = date.fromisoformat(submission.incident_date)
        moment = time.fromisoformat(submission.incident_time)
    except ValueError:
        return ValidationProblem(("Give a date and time that exist.",), values)
    occurred_at = datetime.combine(day, moment.replace(tzinfo=None), tzinfo=UK)
    if occurred_at > now:
        return ValidationProblem(
            ("The date and time of the incident cannot be in the future.",), values
        )
    return Report(
        command_id=submission.command_id,
        school_id=submission.school_id,
        person=PersonDetails(
            name=submission.person_name, relationship=Relationship(submission.relationship)
        ),
        incident=IncidentDetails(
            occurred_at=occurred_at,
            location=submission.location,
            channel=Channel(submission.channel),
            behaviours=tuple(Behaviour(b) for b in submission.behaviours),
            summary=submission.summary,
            effect=submission.effect,
            reporter_name=reporter_name,
            affected_groups=tuple(AffectedGroup(a) for a in submission.affected),
            witnesses=submission.witnesses,
            police_called=submission.police_called,
            assault=submission.assault,
            evidence=submission.evidence,
        ),
    )
