"""A post on social media ("Inappropriate use of Social Media"): the parent or carer "will
be reported to the appropriate 'report abuse' section of the network site", and "the school
will also expect that any parent, carer or pupil removes such comments immediately". For an
incident whose behaviours include social media (or that reached the school through it) the
head is prompted to do both (`rules.prompts`), and each is recorded here on the incident.
The request to remove the post may be made in letter 1 or otherwise: `how` says which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rules.core.commands import Command, command
from rules.core.decide import (
    DecisionContext,
    decides,
    existing_incident,
    past_day,
    required_text,
)
from rules.core.events import Event, EventMeta, event
from rules.core.fold import folds, set_incident
from rules.core.permissions import permitted
from rules.core.view import CaseView, IncidentRecord, PostReportRecord, RemovalRequestRecord
from rules.errors import InvalidDetails
from rules.roles import Role
from rules.state import Trigger


@permitted("record that the post was reported to the site", Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class RecordPostReported(Command):
    DONE: ClassVar[str] = "The post's report to the site recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.SOCIAL_MEDIA_POST_REPORTED,)
    command_id: str
    incident_no: int
    reported_on: date
    site: str  # e.g. "Facebook"
    reference: str = ""  # the site's reference for the report, if it gave one


@permitted("record that the person was asked to remove the post", Role.SENIOR, Role.HEAD)
@command
@dataclass(frozen=True)
class RecordRemovalRequested(Command):
    DONE: ClassVar[str] = "The request to remove the post recorded"
    TRIGGERS: ClassVar[tuple[Trigger, ...]] = (Trigger.SOCIAL_MEDIA_REMOVAL_REQUESTED,)
    command_id: str
    incident_no: int
    requested_on: date
    how: str  # e.g. "in letter 1", "by email"


@event
@dataclass(frozen=True)
class PostReportedToSite(Event):
    KIND: ClassVar[str] = "social-media-post-reported"
    TRIGGER: ClassVar[Trigger | None] = Trigger.SOCIAL_MEDIA_POST_REPORTED
    incident_no: int
    reported_on: date
    site: str
    reference: str


@event
@dataclass(frozen=True)
class PostRemovalRequested(Event):
    KIND: ClassVar[str] = "social-media-removal-requested"
    TRIGGER: ClassVar[Trigger | None] = Trigger.SOCIAL_MEDIA_REMOVAL_REQUESTED
    incident_no: int
    requested_on: date
    how: str


def _posted(view: CaseView, no: int) -> IncidentRecord:
    incident = existing_incident(view, no)
    if not incident.on_social_media:
        raise InvalidDetails(
            f"Incident {no} does not record social media (neither among its behaviours nor "
            "as the way it reached the school): there is no post to report or remove."
        )
    return incident


def _record_post_reported(
    view: CaseView, cmd: RecordPostReported, ctx: DecisionContext
) -> list[Event]:
    incident = _posted(view, cmd.incident_no)
    past_day(cmd.reported_on, "The date it was reported", ctx)
    site = required_text(cmd.site, "the site the post is on")
    return [PostReportedToSite(incident.no, cmd.reported_on, site, cmd.reference.strip())]


decides(RecordPostReported)(_record_post_reported)


def _record_removal_requested(
    view: CaseView, cmd: RecordRemovalRequested, ctx: DecisionContext
) -> list[Event]:
    incident = _posted(view, cmd.incident_no)
    past_day(cmd.requested_on, "The date of the request", ctx)
    how = required_text(cmd.how, "how the person was asked (in letter 1, by email …)")
    return [PostRemovalRequested(incident.no, cmd.requested_on, how)]


decides(RecordRemovalRequested)(_record_removal_requested)


def _post_reported(view: CaseView, meta: EventMeta, e: PostReportedToSite) -> CaseView:
    incident = existing_incident(view, e.incident_no)
    record = PostReportRecord(e.reported_on, e.site, e.reference, meta.actor_id)
    return set_incident(view, e.incident_no, post_reports=(*incident.post_reports, record))


folds(PostReportedToSite)(_post_reported)


def _removal_requested(view: CaseView, meta: EventMeta, e: PostRemovalRequested) -> CaseView:
    incident = existing_incident(view, e.incident_no)
    record = RemovalRequestRecord(e.requested_on, e.how, meta.actor_id)
    return set_incident(view, e.incident_no, removal_requests=(*incident.removal_requests, record))


folds(PostRemovalRequested)(_removal_requested)
