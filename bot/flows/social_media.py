"""A post on social media, as two steps (`bot.flows.actions`), offered while an incident
records social media: the post reported to the site, and the person asked to remove it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.actions import FieldProblems, StepAction, StepContext, register
from bot.flows.forms import problems, step_view
from bot.flows.when import day
from cards import social_media as cards
from cards.common import Choice
from cards.inputs import Submitted
from cards.step_form import StepView
from rules.case import CaseView
from rules.commands import Command
from rules.steps.social_media import RecordPostReported, RecordRemovalRequested
from rules.wording import format_day


def posted(view: CaseView) -> tuple[Choice, ...]:
    return tuple(
        Choice(str(i.no), f"Incident {i.no}, {format_day(i.details.occurred_at.date())}")
        for i in reversed(view.incidents)
        if i.on_social_media
    )


def _facts(view: CaseView) -> list[str]:
    facts = []
    for i in view.incidents:
        if not i.on_social_media:
            continue
        reported = (
            f"reported to {i.post_reports[-1].site}" if i.post_reports else "not reported yet"
        )
        asked = "removal asked for" if i.removal_requests else "removal not asked for yet"
        facts.append(f"Incident {i.no}: {reported}; {asked}.")
    return facts


def _view(ctx: StepContext) -> StepView:
    offered = posted(ctx.view)
    return step_view(
        ctx,
        _facts(ctx.view),
        choices={cards.INCIDENT.id: offered},
        defaults={cards.INCIDENT.id: offered[0].value},
    )


def reported_parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    incident_no = read.one(cards.INCIDENT, posted(ctx.view))
    on = day(read, cards.REPORTED_ON, ctx.casework.today(), what="The date it was reported")
    site = read.text(cards.SITE)
    reference = read.text(cards.SITE_REFERENCE)
    if read.problems or on is None:
        return problems(read)
    return RecordPostReported(ctx.command_id, int(incident_no), on, site, reference)


def removal_parse(data: Mapping[str, Any], ctx: StepContext) -> Command | FieldProblems:
    read = Submitted(data)
    incident_no = read.one(cards.INCIDENT, posted(ctx.view))
    on = day(read, cards.REQUESTED_ON, ctx.casework.today(), what="The date of the request")
    how = read.text(cards.HOW)
    if read.problems or on is None:
        return problems(read)
    return RecordRemovalRequested(ctx.command_id, int(incident_no), on, how)


REPORTED = register(
    StepAction(
        step="post.reported",
        verb=cards.REPORTED_VERB,
        title="Record that the post was reported",
        command=RecordPostReported,
        form=lambda ctx: cards.build_reported(_view(ctx)),
        parse=reported_parse,
        done_title="Report to the site recorded",
        secondary=True,
        offered_when=lambda view: bool(posted(view)),
    )
)

REMOVAL = register(
    StepAction(
        step="post.removal",
        verb=cards.REMOVAL_VERB,
        title="Record that removal was asked for",
        command=RecordRemovalRequested,
        form=lambda ctx: cards.build_removal(_view(ctx)),
        parse=removal_parse,
        done_title="Request to remove the post recorded",
        secondary=True,
        offered_when=lambda view: bool(posted(view)),
    )
)
