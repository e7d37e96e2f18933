"""The facts a case records, shared by commands and events: who the person is, what happened,
what the risk assessment found. Plain frozen data; checks live in `rules.decide` so that a
card can build one of these from whatever was typed and be told, in words, what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rules.behaviours import (
    AffectedGroup,
    Behaviour,
    Channel,
    Relationship,
    RiskLevel,
    StandardCondition,
)


@dataclass(frozen=True)
class PersonDetails:
    """The parent, carer or visitor the case is about. Letters go to these addresses."""

    name: str
    relationship: Relationship
    email: str | None = None
    postal_address: tuple[str, ...] = ()
    pupils: tuple[str, ...] = ()  # pupil(s) connected with the person, if any

    @property
    def has_child_at_school(self) -> bool:
        """A parent or carer with a pupil at the school named (issue 9, rule 7): only they
        are offered the annual meeting about their child's progress, and only their
        letters have the child paragraphs and the pupils' arrangements."""
        return self.relationship is not Relationship.VISITOR and any(p.strip() for p in self.pupils)

    @property
    def is_visitor(self) -> bool:
        """No child at the school: a visitor, or a parent or carer with no pupil named."""
        return not self.has_child_at_school


@dataclass(frozen=True)
class IncidentDetails:
    """One incident as reported ("Recording of incidents": as much factual information as
    possible). `summary` and `effect` are quoted by letters 1, 2 and 4."""

    occurred_at: datetime
    location: str
    channel: Channel
    behaviours: tuple[Behaviour, ...]
    summary: str  # factual summary of what happened
    effect: str  # its effect on staff, pupils and other parents
    reporter_name: str  # "I have received a report from the (name of staff)"
    affected_groups: tuple[AffectedGroup, ...] = ()
    affected_people: str = ""  # free text: who was affected
    witnesses: tuple[str, ...] = ()
    police_called: bool = False
    assault: bool = False
    evidence: str = ""

    @property
    def on_social_media(self) -> bool:
        """The behaviours include social media, or it reached the school through it: the
        post is reported to the site and its removal asked for ("Inappropriate use of
        Social Media")."""
        return Behaviour.SOCIAL_MEDIA in self.behaviours or self.channel is Channel.SOCIAL_MEDIA


@dataclass(frozen=True)
class Statement:
    """A statement by someone subjected to the behaviour or a witness."""

    author_name: str
    text: str
    given_on: date
    author_is_pupil: bool = False


@dataclass(frozen=True)
class RiskAssessment:
    """The seven questions of "Risk assessment", answered."""

    form_of_abuse: str
    evidence: str
    witness_accounts: str
    previous_incidents: str  # pre-filled by the card from CaseView.incidents
    staff_or_pupils_intimidated: bool
    intimidation_notes: str
    provocation: bool
    provocation_notes: str
    risk: RiskLevel


@dataclass(frozen=True)
class Conditions:
    """Conditions on the person's contact with the school: the standard ones chosen from
    Model Letter 2 plus any others ("as are reasonable and proportionate")."""

    standard: tuple[StandardCondition, ...] = ()
    other: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.standard and not any(text.strip() for text in self.other)

    @property
    def wording(self) -> tuple[str, ...]:
        """Every condition as the letter states it, standard ones first."""
        return tuple(c.wording for c in self.standard) + tuple(
            text.strip() for text in self.other if text.strip()
        )


@dataclass(frozen=True)
class BanArrangements:
    """What a ban letter must settle ("In imposing a ban the following steps will be taken")."""

    meetings: str  # arrangements for meetings at school regarding pupils
    drop_off_and_collection: str  # how pupils are delivered to and collected from school
    police_statement: str = ""  # "the matter has been reported to the local police"
