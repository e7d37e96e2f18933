"""A post on social media (policy, "Inappropriate use of Social Media": the post is
reported to the site's "report abuse" section and the person is asked to remove it): the
head or senior staff record each. One builder per card."""

from __future__ import annotations

from cards import step_form
from cards.common import Card
from cards.inputs import ChoiceSetInput, DateInput, TextInput
from cards.step_form import StepView

REPORTED_VERB = "post.reported"
REMOVAL_VERB = "post.removal"

INCIDENT = ChoiceSetInput("postIncident", "Which incident", "Choose the incident.")
REPORTED_ON = DateInput("postReportedOn", "The date it was reported", "Give the date.")
SITE = TextInput(
    "postSite", "The site", "Say which site the post is on, like Facebook.", max_length=100
)
SITE_REFERENCE = TextInput(
    "postSiteReference",
    "The site's reference for the report, if it gave one",
    required=False,
    max_length=200,
)
REQUESTED_ON = DateInput("removalRequestedOn", "The date they were asked", "Give the date.")
HOW = TextInput(
    "removalHow",
    "How they were asked",
    "Say how they were asked, for example in letter 1 or by email.",
    max_length=300,
)


def build_reported(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Record that the post was reported to the site",
        [
            INCIDENT.element(view.choices[INCIDENT.id]),
            REPORTED_ON.element(latest=view.today),
            SITE.element(),
            SITE_REFERENCE.element(),
        ],
        "Record it",
        REPORTED_VERB,
        "It has not been recorded yet:",
    )


def build_removal(view: StepView) -> Card:
    return step_form.simple(
        view,
        "Record that the person was asked to remove the post",
        [
            INCIDENT.element(view.choices[INCIDENT.id]),
            REQUESTED_ON.element(latest=view.today),
            HOW.element(),
        ],
        "Record it",
        REMOVAL_VERB,
        "It has not been recorded yet:",
    )
