"""Each command × each role: allowed, or refused naming the role needed and the role held."""

from __future__ import annotations

import pytest

from rules.commands import COMMAND_TYPES, Command
from rules.decide import DecisionContext, decide, handled_commands
from rules.errors import NotPermitted, Refusal
from rules.permissions import PERMISSIONS, required_roles, titles
from rules.roles import Role
from rules.state import CaseState
from rules.steps.chair import DecideAsChair
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
from rules.steps.reporting import AddStatement
from rules.steps.review import RecordReviewOutcome
from rules.steps.warning import ClarifyExpectations

from .rules_builders import STEPS, Case, case_in

SYSTEM_ONLY = {cls for cls, p in PERMISSIONS.items() if not p.roles}
COMMITTEE_AND_CHAIR = {DecideAsChair, RecordReviewOutcome}


def _sample(cls: type[Command], case: Case, role: Role | None = None) -> Command:
    if cls.TRIGGERS:
        return STEPS[cls.TRIGGERS[0]].command(case)
    # A letter this role signs, if there is one (letters are narrowed to their signer).
    signed = [x for x in case.v.letters if x.signer is role] or list(case.v.letters)
    letter = signed[0].letter_id
    samples: dict[type[Command], Command] = {
        RecordLetterSent: RecordLetterSent("p-1", letter, case.today),
        WithdrawLetter: WithdrawLetter("p-1", letter, "Not needed"),
        RecordLetterDrafted: RecordLetterDrafted("p-1", letter, "drafts/1"),
        RecordLetterDraftFailed: RecordLetterDraftFailed("p-1", letter, "mailbox offline"),
        RedateLetter: RedateLetter("p-1", letter),
        RecordNotificationQueued: RecordNotificationQueued(
            "p-1", case.v.notifications[0].notification_id
        ),
        RecordNotificationDelivered: RecordNotificationDelivered(
            "p-1", case.v.notifications[0].notification_id, "user:x"
        ),
        RecordNotificationUndeliverable: RecordNotificationUndeliverable(
            "p-1", case.v.notifications[0].notification_id, "user:x", "403"
        ),
        SendDueReminders: SendDueReminders("p-1"),
    }
    return samples[cls]


def _ctx(case: Case, roles: frozenset[Role], *, system: bool = False) -> DecisionContext:
    return case.ctx(roles, system=system)


def test_every_command_has_a_permission_and_a_handler() -> None:
    assert set(PERMISSIONS) == set(COMMAND_TYPES) == handled_commands()


def test_the_head_may_do_everything_but_the_chairs_and_committees_decisions() -> None:
    for cls in COMMAND_TYPES:
        expected = cls not in COMMITTEE_AND_CHAIR and cls not in SYSTEM_ONLY
        assert (Role.HEAD in required_roles(cls)) is expected, cls.__name__


def test_trust_governance_issues_no_case_commands() -> None:
    assert not any(Role.TRUST in p.roles for p in PERMISSIONS.values())


@pytest.mark.parametrize("cls", COMMAND_TYPES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_command_for_each_role(cls: type[Command], role: Role) -> None:
    case = case_in(CaseState.CONDITIONS_UNDER_REVIEW)  # letters by the head, Chair and clerk
    command = _sample(cls, case, role)
    permission = PERMISSIONS[cls]
    if role in permission.roles:
        try:
            decide(case.view, command, _ctx(case, frozenset({role})))
        except NotPermitted as wrongly:  # pragma: no cover - the failure message
            pytest.fail(f"{role} was refused {cls.__name__}: {wrongly}")
        except Refusal:
            pass  # refused for another reason (stage, guard): permission was granted
        return
    with pytest.raises(NotPermitted) as refusal:
        decide(case.view, command, _ctx(case, frozenset({role})))
    message = str(refusal.value)
    if permission.roles:
        assert message == (
            f"Only {titles(permission.roles)} can {permission.doing}. "
            f"You are recorded as: {role.label}."
        )
    else:
        assert message.startswith("Only the system can")


@pytest.mark.parametrize("cls", COMMAND_TYPES, ids=lambda cls: cls.__name__)
def test_the_sweeper_may_issue_only_its_own_steps(cls: type[Command]) -> None:
    case = case_in(CaseState.CONDITIONS_PROVISIONAL)
    command = _sample(cls, case)
    ctx = _ctx(case, frozenset(), system=True)
    if PERMISSIONS[cls].system:
        try:
            decide(case.view, command, ctx)
        except NotPermitted as wrongly:  # pragma: no cover
            pytest.fail(str(wrongly))
        except Refusal:
            pass
    else:
        with pytest.raises(NotPermitted, match="automatic sweeper"):
            decide(case.view, command, ctx)


def test_the_refusal_reads_as_the_policy_speaks() -> None:
    case = case_in(CaseState.OPEN)
    with pytest.raises(NotPermitted) as refusal:
        decide(case.view, ClarifyExpectations("x-1"), _ctx(case, frozenset({Role.STAFF})))
    assert str(refusal.value) == (
        "Only the Headteacher/Principal can choose the school's response. "
        "You are recorded as: member of staff."
    )


def test_no_role_at_the_school_is_said_plainly() -> None:
    case = case_in(CaseState.OPEN)
    with pytest.raises(NotPermitted, match="You are recorded as: no role at this school"):
        decide(case.view, STEPS[AddStatement.TRIGGERS[0]].command(case), _ctx(case, frozenset()))


def test_only_the_signer_or_the_head_records_a_letter_as_sent() -> None:
    case = case_in(CaseState.CONDITIONS_PROVISIONAL)
    letter_2 = case.v.letters[-1]
    with pytest.raises(NotPermitted, match="Headteacher/Principal"):
        case.run(RecordLetterSent("s-1", letter_2.letter_id, case.today), frozenset({Role.CLERK}))
    case.run(RecordLetterSent("s-2", letter_2.letter_id, case.today), frozenset({Role.HEAD}))
    assert case.v.letter(letter_2.letter_id).sent_on == case.today  # type: ignore[union-attr]


def test_the_chair_records_their_own_letter() -> None:
    case = case_in(CaseState.CONDITIONS_CONFIRMED)
    letter_3 = case.v.letters[-1]
    assert letter_3.signer is Role.CHAIR
    case.run(RecordLetterSent("s-1", letter_3.letter_id, case.today), frozenset({Role.CHAIR}))
    assert case.v.letter(letter_3.letter_id).sent_on == case.today  # type: ignore[union-attr]
