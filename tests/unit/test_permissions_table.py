"""Who may issue each command, written out from the policy and the role table in the
architecture ("People and what they may do"), independently of `PERMISSIONS`:

- staff: report an incident, add a statement (and record a breach: any member of staff who
  sees a banned person on site must report it, policy "Guidance for staff");
- senior: the above, plus the risk assessment, the informal meeting ("the Headteacher/Principal
  and/or appropriate senior staff member will seek to resolve the situation through discussion")
  and the annual progress meeting ("usually with a member of senior staff");
- head: everything on the school's cases except the chair's and the committee's decisions;
- chair: confirm or overturn; the person's written comments are addressed to the chair;
- clerk: schedule reviews, send the statement request (letter 6) and the outcome (letter 7),
  record the statement and the committee's outcome;
- trust: informed of bans; no case command.

Each pair is checked both ways: each allowed pair is not refused for permission, each other pair
is refused. A new command must be added here, so it cannot slip past.
"""

from __future__ import annotations

import pytest

from rules.behaviours import LetterKind
from rules.commands import COMMAND_TYPES, Command
from rules.decide import decide
from rules.errors import NotPermitted, Refusal
from rules.roles import Role
from rules.state import CaseState
from rules.steps.letters import (
    RecordLetterDrafted,
    RecordLetterDraftFailed,
    RecordLetterSent,
    RedateLetter,
    WithdrawLetter,
)
from rules.steps.notifications import (
    RecordNotificationDelivered,
    RecordNotificationQueued,
    RecordNotificationUndeliverable,
    SendDueReminders,
)

from .rules_builders import STEPS, Case, case_in

STAFF, SENIOR, HEAD, CHAIR, CLERK = Role.STAFF, Role.SENIOR, Role.HEAD, Role.CHAIR, Role.CLERK

# command name -> (the roles that may issue it, whether the automatic sweeper may)
EXPECTED: dict[str, tuple[frozenset[Role], bool]] = {
    "ReportIncident": (frozenset({STAFF, SENIOR, HEAD}), False),
    "AddStatement": (frozenset({STAFF, SENIOR, HEAD}), False),
    "RecordBreach": (frozenset({STAFF, SENIOR, HEAD}), False),
    "UpdatePersonDetails": (frozenset({SENIOR, HEAD}), False),
    "AssessRisk": (frozenset({SENIOR, HEAD}), False),
    "RecordNoFurtherAction": (frozenset({HEAD}), False),
    "ClarifyExpectations": (frozenset({HEAD}), False),
    "ArrangeInformalMeeting": (frozenset({HEAD}), False),
    "CancelInformalMeeting": (frozenset({HEAD}), False),
    "RecordInformalMeeting": (frozenset({SENIOR, HEAD}), False),
    "ImposeConditions": (frozenset({HEAD}), False),
    "ImposeBan": (frozenset({HEAD}), False),
    "RecordRemoval": (frozenset({HEAD}), False),
    "ReferToComplaints": (frozenset({HEAD}), False),
    "RecordRepresentation": (frozenset({HEAD, CHAIR}), False),
    "CloseRepresentationWindow": (frozenset({HEAD, CHAIR}), True),
    "DecideAsChair": (frozenset({CHAIR}), False),
    "RecordProgressMeeting": (frozenset({SENIOR, HEAD}), False),
    "ScheduleReview": (frozenset({CLERK, HEAD}), False),
    "RescheduleReview": (frozenset({CLERK, HEAD}), False),
    "RecordReviewStatement": (frozenset({CLERK, HEAD}), False),
    "RecordReviewOutcome": (frozenset({CLERK}), False),
    "CloseCase": (frozenset({HEAD}), False),
    # Social media ("Inappropriate use of Social Media"): the school reports the post and asks
    # for its removal; the head "and/or appropriate senior staff member" act for the school.
    "RecordPostReported": (frozenset({SENIOR, HEAD}), False),
    "RecordRemovalRequested": (frozenset({SENIOR, HEAD}), False),
    # Statements shown on request ("Recording of incidents"): the head weighs the risk of
    # retaliation to witnesses; releasing a statement so decided is the school's act.
    "DecideDisclosure": (frozenset({HEAD}), False),
    "RecordStatementReleased": (frozenset({SENIOR, HEAD}), False),
    # A ban or conditions for a defined period end by themselves on that date (the sweeper);
    # the head may record the end too.
    "EndSanctionPeriod": (frozenset({HEAD}), True),
    # Letters: any signer's role; narrowed per letter below.
    "RecordLetterSent": (frozenset({HEAD, CHAIR, CLERK}), False),
    "WithdrawLetter": (frozenset({HEAD, CHAIR, CLERK}), False),
    "RedateLetter": (frozenset({HEAD, CHAIR, CLERK}), False),
    # The sweeper's own steps.
    "RecordLetterDrafted": (frozenset(), True),
    "RecordLetterDraftFailed": (frozenset(), True),
    "RecordNotificationQueued": (frozenset(), True),
    "RecordNotificationDelivered": (frozenset(), True),
    "RecordNotificationUndeliverable": (frozenset(), True),
    "SendDueReminders": (frozenset(), True),
}

# Who signs each letter (the model letters' "(sent by …)"); the head may also act on any.
SIGNER: dict[LetterKind, Role] = {
    LetterKind.WARNING: HEAD,
    LetterKind.CONDITIONS: HEAD,
    LetterKind.CONDITIONS_DECISION: CHAIR,
    LetterKind.BAN: HEAD,
    LetterKind.BAN_DECISION: CHAIR,
    LetterKind.REVIEW_STATEMENT_REQUEST: CLERK,
    LetterKind.REVIEW_OUTCOME: CLERK,
    LetterKind.MEETING_FOLLOW_UP: HEAD,
    LetterKind.BAN_NOTICE_TO_CHAIR_OF_TRUSTEES: HEAD,
}

LETTER_COMMANDS = (RecordLetterSent, WithdrawLetter, RedateLetter)


def _letter_command(cls: type[Command], case: Case, letter_id: str) -> Command:
    if cls is RecordLetterSent:
        return RecordLetterSent("p-1", letter_id, case.today)
    if cls is WithdrawLetter:
        return WithdrawLetter("p-1", letter_id, "Not needed")
    return RedateLetter("p-1", letter_id)


def _sample(cls: type[Command], case: Case, role: Role | None) -> Command:
    if cls.TRIGGERS:
        return STEPS[cls.TRIGGERS[0]].command(case)
    signed = [x for x in case.v.letters if x.signer is role] or list(case.v.letters)
    letter = signed[0].letter_id
    if cls in LETTER_COMMANDS:
        return _letter_command(cls, case, letter)
    if cls is RecordLetterDrafted:
        return RecordLetterDrafted("p-1", letter, "drafts/1")
    if cls is RecordLetterDraftFailed:
        return RecordLetterDraftFailed("p-1", letter, "mailbox offline")
    notification = case.v.notifications[0].notification_id
    if cls is RecordNotificationQueued:
        return RecordNotificationQueued("p-1", notification, ("user:head",))
    if cls is RecordNotificationDelivered:
        return RecordNotificationDelivered("p-1", notification, "user:head")
    if cls is RecordNotificationUndeliverable:
        return RecordNotificationUndeliverable("p-1", notification, "user:head", "app removed")
    assert cls is SendDueReminders, cls.__name__
    return SendDueReminders("p-1")


def _refused_for_permission(
    case: Case, command: Command, roles: frozenset[Role], system: bool
) -> bool:
    try:
        decide(case.view, command, case.ctx(roles, system=system))
    except NotPermitted:
        return True
    except Refusal:
        return False  # refused for another reason (stage, guard): permission was granted
    return False


def test_every_command_in_the_code_is_in_the_table() -> None:
    in_code = {cls.__name__ for cls in COMMAND_TYPES}
    assert sorted(in_code - set(EXPECTED)) == [], "a new command needs its row in EXPECTED"
    assert sorted(set(EXPECTED) - in_code) == [], "the table names a command that is gone"


def test_every_letter_kind_has_a_signer_in_the_table() -> None:
    assert set(SIGNER) == set(LetterKind)


@pytest.mark.parametrize("cls", COMMAND_TYPES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role_may_issue_exactly_the_commands_the_policy_gives_it(
    cls: type[Command], role: Role
) -> None:
    roles, _ = EXPECTED[cls.__name__]
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)  # letters by the head, Chair and clerk
    refused = _refused_for_permission(case, _sample(cls, case, role), frozenset({role}), False)
    if role in roles:
        assert not refused, f"{role} should be allowed {cls.__name__}"
    else:
        assert refused, f"{role} should be refused {cls.__name__}"


@pytest.mark.parametrize("cls", COMMAND_TYPES, ids=lambda cls: cls.__name__)
def test_the_sweeper_may_issue_exactly_its_own_steps(cls: type[Command]) -> None:
    _, system = EXPECTED[cls.__name__]
    case = case_in(CaseState.CONDITIONS_PROVISIONAL)
    refused = _refused_for_permission(case, _sample(cls, case, None), frozenset(), True)
    assert refused is not system, cls.__name__


@pytest.mark.parametrize("cls", LETTER_COMMANDS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize(
    "state", [CaseState.CONDITIONS_UNDER_REVIEW, CaseState.BAN_UNDER_REVIEW], ids=str
)
def test_a_letter_is_recorded_only_by_its_signer_or_the_head(
    cls: type[Command], role: Role, state: CaseState
) -> None:
    case = case_in(state)
    assert {x.signer for x in case.v.letters} >= {HEAD, CHAIR, CLERK}
    for letter in case.v.letters:
        command = _letter_command(cls, case, letter.letter_id)
        refused = _refused_for_permission(case, command, frozenset({role}), False)
        allowed = role in (HEAD, SIGNER[letter.letter])
        assert refused is not allowed, f"{role} on {letter.letter.value}"
