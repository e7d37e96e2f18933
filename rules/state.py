"""The stages of a case and the ONE table of the steps allowed from each.

A case's `CaseState` follows its sanction: nothing pending, a warning awaiting a reply, an
informal meeting arranged, conditions or a ban (provisional, with the Chair, confirmed,
under the committee's review), closed. Every policy step is a `Trigger`; `TRANSITIONS`
says, for each state, which triggers are allowed and where each leads. Both `rules.decide`
(to refuse a step) and `rules.case.fold` (to replay history) use `next_state`, nothing else.
Each step's commands and events (`rules.steps`) name their triggers; this table is the one
place that says where they lead.

Two facts are deliberately *not* states, because they cut across every stage and would
double the table: whether the latest incident has been risk-assessed (a guard on the
head's responses, `rules.decide`), and whether a letter has been sent yet (an effect).

`render_mermaid()` draws the table for docs/case-states.md; a unit test keeps them equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from rules.errors import NotAllowedNow


class CaseState(StrEnum):
    NEW = "new"  # no events yet: only reporting an incident opens a case
    OPEN = "open"  # incidents on record; nothing pending, no sanction in force
    WARNED = "warned"  # letter 1 written: the person may reply within 10 school days
    MEETING_ARRANGED = "meeting-arranged"  # informal meeting to be held
    CONDITIONS_PROVISIONAL = "conditions-provisional"  # letter 2: representations window
    CONDITIONS_WITH_CHAIR = "conditions-with-chair"  # window over: the Chair decides
    CONDITIONS_CONFIRMED = "conditions-confirmed"  # letter 3 confirmed them
    CONDITIONS_UNDER_REVIEW = "conditions-under-review"  # committee review arranged
    BAN_PROVISIONAL = "ban-provisional"  # letter 4: representations window
    BAN_WITH_CHAIR = "ban-with-chair"
    BAN_CONFIRMED = "ban-confirmed"  # letter 5 confirmed it
    BAN_UNDER_REVIEW = "ban-under-review"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def ban_in_force(self) -> bool:
        """A provisional ban is in force too ("Please consider them to be in force until you
        receive confirmation from the Chair")."""
        return self in _BAN_STATES

    @property
    def conditions_in_force(self) -> bool:
        return self in _CONDITIONS_STATES

    @property
    def sanction_in_force(self) -> bool:
        return self.ban_in_force or self.conditions_in_force


_STATE_LABELS = {
    CaseState.NEW: "New",
    CaseState.OPEN: "Open, no sanction",
    CaseState.WARNED: "Warned, awaiting any reply",
    CaseState.MEETING_ARRANGED: "Informal meeting arranged",
    CaseState.CONDITIONS_PROVISIONAL: "Conditions imposed, pending the Chair's review",
    CaseState.CONDITIONS_WITH_CHAIR: "Conditions: with the Chair to confirm or overturn",
    CaseState.CONDITIONS_CONFIRMED: "Conditions confirmed",
    CaseState.CONDITIONS_UNDER_REVIEW: "Conditions: committee review arranged",
    CaseState.BAN_PROVISIONAL: "Ban imposed, pending the Chair's review",
    CaseState.BAN_WITH_CHAIR: "Ban: with the Chair to confirm or overturn",
    CaseState.BAN_CONFIRMED: "Ban confirmed",
    CaseState.BAN_UNDER_REVIEW: "Ban: committee review arranged",
    CaseState.CLOSED: "Closed",
}

_BAN_STATES = frozenset(
    {
        CaseState.BAN_PROVISIONAL,
        CaseState.BAN_WITH_CHAIR,
        CaseState.BAN_CONFIRMED,
        CaseState.BAN_UNDER_REVIEW,
    }
)
_CONDITIONS_STATES = frozenset(
    {
        CaseState.CONDITIONS_PROVISIONAL,
        CaseState.CONDITIONS_WITH_CHAIR,
        CaseState.CONDITIONS_CONFIRMED,
        CaseState.CONDITIONS_UNDER_REVIEW,
    }
)


class Trigger(StrEnum):
    """Every policy step that the transition table governs, named in the policy's words."""

    INCIDENT_REPORTED = "incident-reported"
    STATEMENT_ADDED = "statement-added"
    DISCLOSURE_DECIDED = "disclosure-decided"
    STATEMENT_RELEASED = "statement-released"
    PERSON_DETAILS_UPDATED = "person-details-updated"
    RISK_ASSESSED = "risk-assessed"
    SOCIAL_MEDIA_POST_REPORTED = "social-media-post-reported"
    SOCIAL_MEDIA_REMOVAL_REQUESTED = "social-media-removal-requested"
    NO_FURTHER_ACTION = "no-further-action"
    EXPECTATIONS_CLARIFIED = "expectations-clarified"
    INFORMAL_MEETING_ARRANGED = "informal-meeting-arranged"
    INFORMAL_MEETING_HELD = "informal-meeting-held"
    INFORMAL_MEETING_CANCELLED = "informal-meeting-cancelled"
    CONDITIONS_IMPOSED = "conditions-imposed"
    BAN_IMPOSED = "ban-imposed"
    REMOVED_FROM_PREMISES = "removed-from-premises"
    REFERRED_TO_COMPLAINTS = "referred-to-complaints"
    REPRESENTATION_RECEIVED = "representation-received"
    REPRESENTATION_FINAL = "representation-final"
    REPRESENTATION_WINDOW_CLOSED = "representation-window-closed"
    CHAIR_CONFIRMED = "chair-confirmed"
    CHAIR_OVERTURNED = "chair-overturned"
    PROGRESS_MEETING_HELD = "progress-meeting-held"
    REVIEW_SCHEDULED = "review-scheduled"
    REVIEW_RESCHEDULED = "review-rescheduled"
    REVIEW_STATEMENT_RECEIVED = "review-statement-received"
    REVIEW_MAINTAINED = "review-maintained"
    REVIEW_EXTENDED = "review-extended"
    REVIEW_VARIED = "review-varied"
    REVIEW_REPLACED_BAN_WITH_CONDITIONS = "review-replaced-ban-with-conditions"
    REVIEW_REMOVED = "review-removed"
    BREACH_RECORDED = "breach-recorded"
    SANCTION_PERIOD_ENDED = "sanction-period-ended"
    CASE_CLOSED = "case-closed"

    @property
    def label(self) -> str:
        return _TRIGGER_LABELS[self]


_TRIGGER_LABELS = {
    Trigger.INCIDENT_REPORTED: "incident reported",
    Trigger.STATEMENT_ADDED: "statement added",
    Trigger.DISCLOSURE_DECIDED: "decision recorded on showing a statement to the person",
    Trigger.STATEMENT_RELEASED: "statement shown to the person",
    Trigger.PERSON_DETAILS_UPDATED: "person's details updated",
    Trigger.RISK_ASSESSED: "risk assessed",
    Trigger.SOCIAL_MEDIA_POST_REPORTED: "post reported to the site's 'report abuse' route",
    Trigger.SOCIAL_MEDIA_REMOVAL_REQUESTED: "person asked to remove the post",
    Trigger.NO_FURTHER_ACTION: "no further action",
    Trigger.EXPECTATIONS_CLARIFIED: "expectations clarified (letter 1)",
    Trigger.INFORMAL_MEETING_ARRANGED: "informal meeting arranged",
    Trigger.INFORMAL_MEETING_HELD: "informal meeting held",
    Trigger.INFORMAL_MEETING_CANCELLED: "informal meeting cancelled",
    Trigger.CONDITIONS_IMPOSED: "conditions imposed (letter 2)",
    Trigger.BAN_IMPOSED: "ban imposed (letter 4)",
    Trigger.REMOVED_FROM_PREMISES: "removed from the premises (section 547)",
    Trigger.REFERRED_TO_COMPLAINTS: "referred to the complaints policy",
    Trigger.REPRESENTATION_RECEIVED: "representation received",
    Trigger.REPRESENTATION_FINAL: "representation received: nothing more to add",
    Trigger.REPRESENTATION_WINDOW_CLOSED: "the 10 school days for representations passed",
    Trigger.CHAIR_CONFIRMED: "Chair confirmed the decision",
    Trigger.CHAIR_OVERTURNED: "Chair overturned the decision",
    Trigger.PROGRESS_MEETING_HELD: "annual progress meeting held",
    Trigger.REVIEW_SCHEDULED: "review meeting scheduled (letter 6)",
    Trigger.REVIEW_RESCHEDULED: "review meeting moved",
    Trigger.REVIEW_STATEMENT_RECEIVED: "statement for the review received",
    Trigger.REVIEW_MAINTAINED: "committee maintained it",
    Trigger.REVIEW_EXTENDED: "committee extended it",
    Trigger.REVIEW_VARIED: "committee varied the conditions",
    Trigger.REVIEW_REPLACED_BAN_WITH_CONDITIONS: "committee replaced the ban by conditions",
    Trigger.REVIEW_REMOVED: "committee removed it",
    Trigger.BREACH_RECORDED: "breach recorded",
    Trigger.SANCTION_PERIOD_ENDED: "the defined period ended: no longer in force",
    Trigger.CASE_CLOSED: "case closed",
}

S = CaseState
T = Trigger

# Steps every live case allows without changing its stage: more incidents and statements
# accumulate (and a statement may be shown to the person, once the head has decided to),
# the person's details are kept current, each new incident is assessed (a post on social
# media reported and its removal asked for) and may get no further action, and any
# complaint goes to the Trust Complaints Policy.
_EVERY_LIVE_STAGE = (
    T.INCIDENT_REPORTED,
    T.STATEMENT_ADDED,
    T.DISCLOSURE_DECIDED,
    T.STATEMENT_RELEASED,
    T.PERSON_DETAILS_UPDATED,
    T.RISK_ASSESSED,
    T.SOCIAL_MEDIA_POST_REPORTED,
    T.SOCIAL_MEDIA_REMOVAL_REQUESTED,
    T.NO_FURTHER_ACTION,
    T.REFERRED_TO_COMPLAINTS,
)
# While conditions or a ban are in force, a breach can be recorded.
_UNDER_SANCTION = (T.BREACH_RECORDED,)
# Only while a ban is in force: removal as a trespasser (section 547).
_UNDER_BAN = (T.BREACH_RECORDED, T.REMOVED_FROM_PREMISES)


def _stay(state: CaseState, triggers: Iterable[Trigger]) -> dict[Trigger, CaseState]:
    return dict.fromkeys(triggers, state)


TRANSITIONS: Mapping[CaseState, Mapping[Trigger, CaseState]] = MappingProxyType(
    {
        S.NEW: {T.INCIDENT_REPORTED: S.OPEN},
        S.OPEN: {
            **_stay(S.OPEN, _EVERY_LIVE_STAGE),
            T.EXPECTATIONS_CLARIFIED: S.WARNED,
            T.INFORMAL_MEETING_ARRANGED: S.MEETING_ARRANGED,
            T.CONDITIONS_IMPOSED: S.CONDITIONS_PROVISIONAL,
            T.BAN_IMPOSED: S.BAN_PROVISIONAL,
            T.CASE_CLOSED: S.CLOSED,
        },
        S.WARNED: {
            **_stay(S.WARNED, _EVERY_LIVE_STAGE),
            T.EXPECTATIONS_CLARIFIED: S.WARNED,  # a further incident, a further warning
            T.REPRESENTATION_RECEIVED: S.OPEN,
            T.REPRESENTATION_FINAL: S.OPEN,
            T.REPRESENTATION_WINDOW_CLOSED: S.OPEN,
            T.INFORMAL_MEETING_ARRANGED: S.MEETING_ARRANGED,
            T.CONDITIONS_IMPOSED: S.CONDITIONS_PROVISIONAL,
            T.BAN_IMPOSED: S.BAN_PROVISIONAL,
        },
        S.MEETING_ARRANGED: {
            **_stay(S.MEETING_ARRANGED, _EVERY_LIVE_STAGE),
            T.INFORMAL_MEETING_HELD: S.OPEN,
            T.INFORMAL_MEETING_CANCELLED: S.OPEN,
            T.CONDITIONS_IMPOSED: S.CONDITIONS_PROVISIONAL,
            T.BAN_IMPOSED: S.BAN_PROVISIONAL,
        },
        S.CONDITIONS_PROVISIONAL: {
            **_stay(S.CONDITIONS_PROVISIONAL, _EVERY_LIVE_STAGE + _UNDER_SANCTION),
            # The right of reply runs in full: comments are recorded as they come, and the
            # Chair decides only once the window has closed or the person has said in
            # writing that they have nothing more to add.
            T.REPRESENTATION_RECEIVED: S.CONDITIONS_PROVISIONAL,
            T.REPRESENTATION_WINDOW_CLOSED: S.CONDITIONS_WITH_CHAIR,
            T.REPRESENTATION_FINAL: S.CONDITIONS_WITH_CHAIR,
            T.BAN_IMPOSED: S.BAN_PROVISIONAL,
        },
        S.CONDITIONS_WITH_CHAIR: {
            **_stay(S.CONDITIONS_WITH_CHAIR, _EVERY_LIVE_STAGE + _UNDER_SANCTION),
            T.REPRESENTATION_RECEIVED: S.CONDITIONS_WITH_CHAIR,  # a late letter, before deciding
            T.REPRESENTATION_FINAL: S.CONDITIONS_WITH_CHAIR,
            T.CHAIR_CONFIRMED: S.CONDITIONS_CONFIRMED,
            T.CHAIR_OVERTURNED: S.OPEN,
            T.BAN_IMPOSED: S.BAN_PROVISIONAL,
        },
        S.CONDITIONS_CONFIRMED: {
            **_stay(S.CONDITIONS_CONFIRMED, _EVERY_LIVE_STAGE + _UNDER_SANCTION),
            T.SANCTION_PERIOD_ENDED: S.OPEN,  # a defined period ends by itself (rule 5)
            T.REVIEW_SCHEDULED: S.CONDITIONS_UNDER_REVIEW,
            T.BAN_IMPOSED: S.BAN_PROVISIONAL,
        },
        S.CONDITIONS_UNDER_REVIEW: {
            **_stay(S.CONDITIONS_UNDER_REVIEW, _EVERY_LIVE_STAGE + _UNDER_SANCTION),
            T.SANCTION_PERIOD_ENDED: S.OPEN,  # a defined period ends by itself (rule 5)
            T.REVIEW_RESCHEDULED: S.CONDITIONS_UNDER_REVIEW,
            T.REVIEW_STATEMENT_RECEIVED: S.CONDITIONS_UNDER_REVIEW,
            T.REVIEW_MAINTAINED: S.CONDITIONS_CONFIRMED,
            T.REVIEW_EXTENDED: S.CONDITIONS_CONFIRMED,
            T.REVIEW_VARIED: S.CONDITIONS_CONFIRMED,
            T.REVIEW_REMOVED: S.OPEN,
            T.BAN_IMPOSED: S.BAN_PROVISIONAL,
        },
        S.BAN_PROVISIONAL: {
            **_stay(S.BAN_PROVISIONAL, _EVERY_LIVE_STAGE + _UNDER_BAN),
            T.SANCTION_PERIOD_ENDED: S.OPEN,  # a defined period ends by itself (rule 5)
            # The right of reply runs in full: comments are recorded as they come, and the
            # Chair decides only once the window has closed or the person has said in
            # writing that they have nothing more to add.
            T.REPRESENTATION_RECEIVED: S.BAN_PROVISIONAL,
            T.REPRESENTATION_WINDOW_CLOSED: S.BAN_WITH_CHAIR,
            T.REPRESENTATION_FINAL: S.BAN_WITH_CHAIR,
        },
        S.BAN_WITH_CHAIR: {
            **_stay(S.BAN_WITH_CHAIR, _EVERY_LIVE_STAGE + _UNDER_BAN),
            T.SANCTION_PERIOD_ENDED: S.OPEN,  # a defined period ends by itself (rule 5)
            T.REPRESENTATION_RECEIVED: S.BAN_WITH_CHAIR,
            T.REPRESENTATION_FINAL: S.BAN_WITH_CHAIR,
            T.CHAIR_CONFIRMED: S.BAN_CONFIRMED,
            T.CHAIR_OVERTURNED: S.OPEN,
        },
        S.BAN_CONFIRMED: {
            **_stay(S.BAN_CONFIRMED, _EVERY_LIVE_STAGE + _UNDER_BAN),
            T.SANCTION_PERIOD_ENDED: S.OPEN,  # a defined period ends by itself (rule 5)
            T.PROGRESS_MEETING_HELD: S.BAN_CONFIRMED,
            T.REVIEW_SCHEDULED: S.BAN_UNDER_REVIEW,
        },
        S.BAN_UNDER_REVIEW: {
            **_stay(S.BAN_UNDER_REVIEW, _EVERY_LIVE_STAGE + _UNDER_BAN),
            T.SANCTION_PERIOD_ENDED: S.OPEN,  # a defined period ends by itself (rule 5)
            T.PROGRESS_MEETING_HELD: S.BAN_UNDER_REVIEW,
            T.REVIEW_RESCHEDULED: S.BAN_UNDER_REVIEW,
            T.REVIEW_STATEMENT_RECEIVED: S.BAN_UNDER_REVIEW,
            T.REVIEW_MAINTAINED: S.BAN_CONFIRMED,
            T.REVIEW_EXTENDED: S.BAN_CONFIRMED,
            T.REVIEW_REPLACED_BAN_WITH_CONDITIONS: S.CONDITIONS_CONFIRMED,
            T.REVIEW_REMOVED: S.OPEN,
        },
        S.CLOSED: {
            T.INCIDENT_REPORTED: S.OPEN,  # a new incident reopens the person's case
            T.STATEMENT_ADDED: S.CLOSED,  # a statement may arrive after closing
            T.DISCLOSURE_DECIDED: S.CLOSED,  # and the person may ask to see one
            T.STATEMENT_RELEASED: S.CLOSED,
        },
    }
)


def allowed(state: CaseState, trigger: Trigger) -> bool:
    return trigger in TRANSITIONS[state]


def next_state(state: CaseState, trigger: Trigger) -> CaseState:
    """Where `trigger` leads from `state`; `NotAllowedNow` if the table does not allow it."""
    try:
        return TRANSITIONS[state][trigger]
    except KeyError:
        raise NotAllowedNow(stage=state.label, step=trigger.label) from None


def render_mermaid() -> str:
    """docs/case-states.md, generated from `TRANSITIONS`: the diagram of the stage changes,
    then a table of the steps each stage allows without changing."""
    lines = [
        "# Case states",
        "",
        "Generated from `rules.state.TRANSITIONS` by `rules.state.render_mermaid()`;",
        "a unit test fails if this page and the table differ.",
        "",
        "```mermaid",
        "stateDiagram-v2",
        f"    [*] --> {S.NEW.name}",
    ]
    for state, steps in TRANSITIONS.items():
        for trigger, target in steps.items():
            if target is not state:
                lines.append(f"    {state.name} --> {target.name} : {trigger.label}")
    lines += [f"    {S.CLOSED.name} --> [*]", "```", "", "## Stages", ""]
    lines += ["| state | meaning |", "|---|---|"]
    lines += [f"| `{state.name}` | {state.label} |" for state in CaseState]
    lines += ["", "## Steps that keep the stage", "", "| state | steps |", "|---|---|"]
    for state, steps in TRANSITIONS.items():
        same = [trigger.label for trigger, target in steps.items() if target is state]
        lines.append(f"| `{state.name}` | {', '.join(same) if same else '—'} |")
    return "\n".join(lines) + "\n"
