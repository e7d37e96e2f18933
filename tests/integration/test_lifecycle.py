"""THE SCRIPTED LIFECYCLE: one case at Oakfield (the example configuration, its real term
dates) from the report to the end of its sanction, on SQLite and `.eml` drafts in a
folder, with a clock moved by hand.

report → risk assessment → provisional ban (letter 4, and the notice to the Chair of
Trustees) → letter 4 recorded as sent → the person's written comments → the Chair
confirms (letter 5) → review scheduled (letter 6) → statement → the committee replaces the
ban by conditions (letter 7) → next review (letter 6) → the conditions are removed
(letter 7).

Reply-by dates, counted by hand on Oakfield's calendar (config/terms/oakfield.yaml). A
school day is a weekday in term, not an INSET closure nor an English bank holiday; "within
10 school days of D" ends on the 10th school day after D, D not counted.

- Letter 4, drafted Monday 12 January 2026 (Spring 1 runs 5 January to 13 February; the
  5th is an INSET day, before the count starts anyway): 13, 14, 15, 16, 19, 20, 21, 22,
  23, 26 January → the draft says Monday 26 January 2026. The notice to the Chair of
  Trustees, drafted the same day, repeats that date.
- Letter 6 (first review), drafted Wednesday 1 July 2026 (Summer 2 runs 1 June to 22
  July): 2, 3, 6, 7, 8, 9, 10, 13, 14, 15 July → Wednesday 15 July 2026. The meeting on
  Monday 20 July is after it, as the rules require.
- Letter 6 (second review), drafted Tuesday 5 January 2027 (Spring 1 2027 starts 4
  January, an INSET day): 6, 7, 8, 11, 12, 13, 14, 15, 18, 19 January → Tuesday 19
  January 2027. The meeting is on Wednesday 20 January 2027.
- Letters 5 and 7 and the notice's own addressee give no right of reply (no Reply-By).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from casework import bus as uc
from casework.bootstrap import LETTERS_FOLDER, prepare
from casework.bootstrap import embedded as embedded_default
from casework.pipeline import Actor, Casework
from casework.ports import StoredEvent
from rules.behaviours import ChairOutcome, ReviewOutcome, StandardCondition
from rules.details import Conditions
from rules.state import CaseState
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from rules.steps.review import RecordReviewOutcome, RecordReviewStatement, ScheduleReview
from rules.steps.risk_assessment import AssessRisk
from tests.builders import (
    POLICE,
    VIOLENCE,
    arrangements,
    assessment,
    at,
    person,
    violent_incident,
)
from tests.casework_world import CHAIR, CLERK, EXAMPLE_CONFIG, HEAD, STAFF
from tests.fakes import FixedClock

SYSTEM_ID = "system"
NEW_CONDITIONS = Conditions(
    (StandardCondition.ACCOMPANIED_TO_MEETINGS, StandardCondition.NO_CONTACT_WITH_STAFF),
    ("You may not film or record anyone on the school site",),
)


@dataclass
class Embedded:
    casework: Casework
    clock: FixedClock
    letters: Path


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[Embedded]:
    clock = FixedClock(at(date(2026, 1, 12), 9))
    async with embedded_default(prepare(EXAMPLE_CONFIG), tmp_path, clock) as casework:
        yield Embedded(casework, clock, tmp_path / LETTERS_FOLDER)


def drafts_in(folder: Path) -> dict[str, EmailMessage]:
    """Every .eml draft under `folder`, by path relative to it."""
    found = {}
    for path in sorted(folder.rglob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=default)
        assert isinstance(message, EmailMessage)
        found[path.relative_to(folder).as_posix()] = message
    return found


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    text = part.get_content()
    assert isinstance(text, str)
    return text


# Form text of the model letters that must never reach a person.
PLACEHOLDERS = re.compile(
    r"\(name|\(date|\(enter|\[name|Headteacher/Principal|conditions/ban|staff/pupils|"
    r"parent/carer|delete as appropriate"
)


def check_letter(
    message: EmailMessage,
    *,
    letter: str,
    sender: str,
    to: str,
    reply_by: date | None,
    says: tuple[str, ...] = (),
) -> None:
    assert message["X-Safe-Premises-Letter"] == letter
    assert message["X-Safe-Premises-Case"] == "OAK-2026-0001"
    assert message["X-Unsent"] == "1"
    assert message["From"] == sender
    assert message["To"] == to
    if reply_by is None:
        assert message["X-Safe-Premises-Reply-By"] is None
    else:
        assert message["X-Safe-Premises-Reply-By"] == reply_by.isoformat()
    text = body_text(message)
    assert "Oakfield Primary Academy" in text
    assert "Jordan Example" in text
    assert not PLACEHOLDERS.search(text), PLACEHOLDERS.search(text)
    for expected in says:
        assert expected in text, expected
    attachments = [p.get_filename() for p in message.iter_attachments()]
    assert f"OAK-2026-0001 {letter}.docx" in attachments


async def step(clock: FixedClock, when: datetime) -> None:
    assert when >= clock.now(), "the script only moves forward in time"
    clock.set(when)


async def test_a_ban_from_report_to_removal(embedded: Embedded) -> None:
    cw, clock = embedded.casework, embedded.clock
    acted: list[tuple[Actor, datetime]] = []

    # Monday 12 January 2026: the incident at 8am, reported at 9am.
    reported = await uc.report_incident(
        cw,
        STAFF,
        command_id="cmd-report",
        school_id="oakfield",
        person=person(),
        incident=violent_incident(at(date(2026, 1, 12), 8)),
    )
    case_id = reported.case_id
    assert reported.reference == "OAK-2026-0001"
    acted.append((STAFF, clock.now()))

    await step(clock, at(date(2026, 1, 12), 11))
    await uc.dispatch(
        cw,
        AssessRisk(command_id="cmd-assess", incident_no=1, assessment=assessment()),
        HEAD,
        case_id=case_id,
    )

    await step(clock, at(date(2026, 1, 12), 14))
    banned = await uc.dispatch(
        cw,
        ImposeBan(
            command_id="cmd-ban",
            reason="A threat to wait for a member of staff after school",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
        ),
        HEAD,
        case_id=case_id,
    )
    assert banned.state is CaseState.BAN_PROVISIONAL
    assert banned.letters_drafted == ("cmd-ban:letter-4", "cmd-ban:ban-notice-to-chair-of-trustees")
    assert banned.effect_failures == ()

    await step(clock, at(date(2026, 1, 13), 9))
    await uc.dispatch(
        cw,
        RecordLetterSent(
            command_id="cmd-sent-4", letter_id="cmd-ban:letter-4", sent_on=date(2026, 1, 13)
        ),
        HEAD,
        case_id=case_id,
    )

    await step(clock, at(date(2026, 1, 20), 10))
    with_chair = await uc.dispatch(
        cw,
        RecordRepresentation(
            command_id="cmd-representation",
            letter_dated=date(2026, 1, 19),
            received_on=date(2026, 1, 20),
            summary="Apologises and asks for the ban to be lifted",
            nothing_more_to_add=True,
        ),
        HEAD,
        case_id=case_id,
    )
    assert with_chair.state is CaseState.BAN_WITH_CHAIR

    await step(clock, at(date(2026, 1, 27), 16))
    confirmed = await uc.dispatch(
        cw,
        DecideAsChair(
            command_id="cmd-chair",
            outcome=ChairOutcome.CONFIRM,
            reason="The threat was serious and the comments do not answer it",
        ),
        CHAIR,
        case_id=case_id,
    )
    assert confirmed.state is CaseState.BAN_CONFIRMED
    assert confirmed.letters_drafted == ("cmd-chair:letter-5",)

    await step(clock, at(date(2026, 1, 28), 9))
    await uc.dispatch(
        cw,
        RecordLetterSent(
            command_id="cmd-sent-5", letter_id="cmd-chair:letter-5", sent_on=date(2026, 1, 28)
        ),
        CHAIR,
        case_id=case_id,
    )

    # First review: scheduled on Wednesday 1 July for Monday 20 July 2026.
    await step(clock, at(date(2026, 7, 1), 9))
    scheduled = await uc.dispatch(
        cw,
        ScheduleReview(command_id="cmd-review-1", meeting_on=date(2026, 7, 20)),
        CLERK,
        case_id=case_id,
    )
    assert scheduled.state is CaseState.BAN_UNDER_REVIEW
    assert scheduled.letters_drafted == ("cmd-review-1:letter-6",)
    await step(clock, at(date(2026, 7, 1), 15))
    await uc.dispatch(
        cw,
        RecordLetterSent(
            command_id="cmd-sent-6a", letter_id="cmd-review-1:letter-6", sent_on=date(2026, 7, 1)
        ),
        CLERK,
        case_id=case_id,
    )
    await step(clock, at(date(2026, 7, 8), 10))
    await uc.dispatch(
        cw,
        RecordReviewStatement(
            command_id="cmd-statement",
            letter_dated=date(2026, 7, 7),
            received_on=date(2026, 7, 8),
            summary="Has attended a course and asks to collect Casey again",
        ),
        CLERK,
        case_id=case_id,
    )
    await step(clock, at(date(2026, 7, 20), 18))
    replaced = await uc.dispatch(
        cw,
        RecordReviewOutcome(
            command_id="cmd-outcome-1",
            outcome=ReviewOutcome.REPLACE_BAN_WITH_CONDITIONS,
            reason="No further incident; conditions are enough",
            conditions=NEW_CONDITIONS,
        ),
        CLERK,
        case_id=case_id,
    )
    assert replaced.state is CaseState.CONDITIONS_CONFIRMED
    assert replaced.letters_drafted == ("cmd-outcome-1:letter-7",)
    await step(clock, at(date(2026, 7, 21), 9))
    await uc.dispatch(
        cw,
        RecordLetterSent(
            command_id="cmd-sent-7a", letter_id="cmd-outcome-1:letter-7", sent_on=date(2026, 7, 21)
        ),
        CLERK,
        case_id=case_id,
    )

    # Second review: scheduled on Tuesday 5 January for Wednesday 20 January 2027.
    await step(clock, at(date(2027, 1, 5), 9))
    await uc.dispatch(
        cw,
        ScheduleReview(command_id="cmd-review-2", meeting_on=date(2027, 1, 20)),
        CLERK,
        case_id=case_id,
    )
    await step(clock, at(date(2027, 1, 5), 15))
    await uc.dispatch(
        cw,
        RecordLetterSent(
            command_id="cmd-sent-6b", letter_id="cmd-review-2:letter-6", sent_on=date(2027, 1, 5)
        ),
        CLERK,
        case_id=case_id,
    )
    await step(clock, at(date(2027, 1, 20), 18))
    removed = await uc.dispatch(
        cw,
        RecordReviewOutcome(
            command_id="cmd-outcome-2",
            outcome=ReviewOutcome.REMOVE,
            reason="Two terms without incident",
        ),
        CLERK,
        case_id=case_id,
    )
    assert removed.state is CaseState.OPEN
    assert removed.letters_drafted == ("cmd-outcome-2:letter-7",)

    # --- the history: complete, ordered, each event by who acted, when --------------------
    history = tuple(await cw.ports.store.load(case_id))
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    assert timeline(history) == EXPECTED_TIMELINE
    issued = None
    for event in history:
        if event.actor_id != SYSTEM_ID:
            issued = COMMAND_TIMES[event.command_id]
        # The system's bookkeeping happens in the same request as the command before it.
        assert event.at == issued, event

    # --- the drafts: one per letter the policy calls for, each fully rendered --------------
    drafts = drafts_in(embedded.letters)
    by_letter = [(m["X-Safe-Premises-Letter"], m["Date"].datetime.date()) for m in drafts.values()]
    assert sorted(by_letter) == sorted(
        [
            ("letter-4", date(2026, 1, 12)),
            ("ban-notice-to-chair-of-trustees", date(2026, 1, 12)),
            ("letter-5", date(2026, 1, 27)),
            ("letter-6", date(2026, 7, 1)),
            ("letter-7", date(2026, 7, 20)),
            ("letter-6", date(2027, 1, 5)),
            ("letter-7", date(2027, 1, 20)),
        ]
    )
    dated = {(m["X-Safe-Premises-Letter"], m["Date"].datetime.date()): m for m in drafts.values()}
    head = "Rachel Okafor <r.okafor@oakfield.example>"
    chair = "Graham Whitlock <g.whitlock@oakvalley.example>"
    clerk = "Siân Ní Bhriain <clerk@oakvalley.example>"
    jordan = "Jordan Example <jordan.example@example.com>"
    check_letter(
        dated[("letter-4", date(2026, 1, 12))],
        letter="letter-4",
        sender=head,
        to=jordan,
        reply_by=date(2026, 1, 26),
        says=("Monday 26 January 2026", "Casey's grandmother brings and collects Casey"),
    )
    notice = dated[("ban-notice-to-chair-of-trustees", date(2026, 1, 12))]
    check_letter(
        notice,
        letter="ban-notice-to-chair-of-trustees",
        sender=head,
        to="Margaret Ellison <m.ellison@oakvalley.example>",
        reply_by=None,
        says=("Monday 26 January 2026", "Dear Margaret Ellison"),
    )
    check_letter(
        dated[("letter-5", date(2026, 1, 27))],
        letter="letter-5",
        sender=chair,
        to=jordan,
        reply_by=None,
        says=("Tuesday 13 January 2026",),  # the date of the head's letter 4, as sent
    )
    check_letter(
        dated[("letter-6", date(2026, 7, 1))],
        letter="letter-6",
        sender=clerk,
        to=jordan,
        reply_by=date(2026, 7, 15),
        says=("Wednesday 15 July 2026", "Monday 20 July 2026", "a ban was imposed"),
    )
    check_letter(
        dated[("letter-7", date(2026, 7, 20))],
        letter="letter-7",
        sender=clerk,
        to=jordan,
        reply_by=None,
        says=("You may not film or record anyone on the school site.",),
    )
    check_letter(
        dated[("letter-6", date(2027, 1, 5))],
        letter="letter-6",
        sender=clerk,
        to=jordan,
        reply_by=date(2027, 1, 19),
        # The conditions replaced the ban: what happened, and when (issue 9, item 11).
        says=(
            "Tuesday 19 January 2027",
            "Wednesday 20 January 2027",
            "As a result of this incident, a ban was imposed. At their meeting on Monday 20 July"
            " 2026, the Local Academy Committee (the governing body) lifted the ban and replaced"
            " it with conditions on your contact with the school.",
        ),
    )
    check_letter(
        dated[("letter-7", date(2027, 1, 20))],
        letter="letter-7",
        sender=clerk,
        to=jordan,
        reply_by=None,
        says=("Wednesday 20 January 2027",),
    )
    # Copies as the rules call for: the Chair on the head's letter, the head on the others'.
    expected_cc = {
        "letter-4": chair,
        "ban-notice-to-chair-of-trustees": None,
        "letter-5": head,
        "letter-6": head,
        "letter-7": head,
    }
    for message in drafts.values():
        assert message["Cc"] == expected_cc[message["X-Safe-Premises-Letter"]]

    summary = await cw.ports.store.summary(case_id)
    assert summary is not None
    assert summary.status == CaseState.OPEN.value
    assert summary.reference == "OAK-2026-0001"


H, S, C, K, SYS = HEAD.object_id, STAFF.object_id, CHAIR.object_id, CLERK.object_id, SYSTEM_ID

# (kind, actor, command id) for every event, in order: the audit trail of the case.
EXPECTED_TIMELINE: list[tuple[str, str, str]] = [
    ("case-opened", S, "cmd-report"),
    ("incident-reported", S, "cmd-report"),
    ("notification-required", S, "cmd-report"),
    ("notification-queued", SYS, "system:queued:cmd-report:incident-reported"),
    ("risk-assessed", H, "cmd-assess"),
    ("notification-required", H, "cmd-assess"),  # the reporter: it is being handled
    ("notification-queued", SYS, "system:queued:report-being-handled:incident-1"),
    ("ban-imposed", H, "cmd-ban"),
    ("letter-required", H, "cmd-ban"),
    ("letter-required", H, "cmd-ban"),
    ("notification-required", H, "cmd-ban"),  # the Chair of Trustees: a ban
    ("notification-required", H, "cmd-ban"),  # the trust: review the policy (issue 9)
    # Each prompt is queued in the transaction of the events that call for it.
    ("notification-queued", SYS, "system:queued:cmd-ban:ban-imposed"),
    ("notification-queued", SYS, "system:queued:policy-review:incident-1"),
    ("letter-drafted", SYS, "system:letter-drafted:cmd-ban:letter-4"),
    ("notification-required", SYS, "system:letter-drafted:cmd-ban:letter-4"),
    ("notification-queued", SYS, "system:queued:cmd-ban:letter-4:letter-ready"),
    ("letter-drafted", SYS, "system:letter-drafted:cmd-ban:ban-notice-to-chair-of-trustees"),
    ("notification-required", SYS, "system:letter-drafted:cmd-ban:ban-notice-to-chair-of-trustees"),
    (
        "notification-queued",
        SYS,
        "system:queued:cmd-ban:ban-notice-to-chair-of-trustees:letter-ready",
    ),
    ("letter-sent", H, "cmd-sent-4"),
    ("representation-received", H, "cmd-representation"),
    ("notification-required", H, "cmd-representation"),
    ("notification-queued", SYS, "system:queued:cmd-ban:letter-4:chair-decision-needed"),
    ("chair-decided", C, "cmd-chair"),
    ("letter-required", C, "cmd-chair"),
    ("letter-drafted", SYS, "system:letter-drafted:cmd-chair:letter-5"),
    ("notification-required", SYS, "system:letter-drafted:cmd-chair:letter-5"),
    ("notification-queued", SYS, "system:queued:cmd-chair:letter-5:letter-ready"),
    ("letter-sent", C, "cmd-sent-5"),
    ("review-scheduled", K, "cmd-review-1"),
    ("letter-required", K, "cmd-review-1"),
    ("letter-drafted", SYS, "system:letter-drafted:cmd-review-1:letter-6"),
    ("notification-required", SYS, "system:letter-drafted:cmd-review-1:letter-6"),
    ("notification-queued", SYS, "system:queued:cmd-review-1:letter-6:letter-ready"),
    ("letter-sent", K, "cmd-sent-6a"),
    ("review-statement-received", K, "cmd-statement"),
    ("review-outcome-recorded", K, "cmd-outcome-1"),
    ("letter-required", K, "cmd-outcome-1"),
    ("letter-drafted", SYS, "system:letter-drafted:cmd-outcome-1:letter-7"),
    ("notification-required", SYS, "system:letter-drafted:cmd-outcome-1:letter-7"),
    ("notification-queued", SYS, "system:queued:cmd-outcome-1:letter-7:letter-ready"),
    ("letter-sent", K, "cmd-sent-7a"),
    ("review-scheduled", K, "cmd-review-2"),
    ("letter-required", K, "cmd-review-2"),
    ("letter-drafted", SYS, "system:letter-drafted:cmd-review-2:letter-6"),
    ("notification-required", SYS, "system:letter-drafted:cmd-review-2:letter-6"),
    ("notification-queued", SYS, "system:queued:cmd-review-2:letter-6:letter-ready"),
    ("letter-sent", K, "cmd-sent-6b"),
    ("review-outcome-recorded", K, "cmd-outcome-2"),
    ("letter-required", K, "cmd-outcome-2"),
    ("letter-drafted", SYS, "system:letter-drafted:cmd-outcome-2:letter-7"),
    ("notification-required", SYS, "system:letter-drafted:cmd-outcome-2:letter-7"),
    ("notification-queued", SYS, "system:queued:cmd-outcome-2:letter-7:letter-ready"),
]

# When each command was issued (the clock set by the script).
COMMAND_TIMES: dict[str, datetime] = {
    "cmd-report": at(date(2026, 1, 12), 9),
    "cmd-assess": at(date(2026, 1, 12), 11),
    "cmd-ban": at(date(2026, 1, 12), 14),
    "cmd-sent-4": at(date(2026, 1, 13), 9),
    "cmd-representation": at(date(2026, 1, 20), 10),
    "cmd-chair": at(date(2026, 1, 27), 16),
    "cmd-sent-5": at(date(2026, 1, 28), 9),
    "cmd-review-1": at(date(2026, 7, 1), 9),
    "cmd-sent-6a": at(date(2026, 7, 1), 15),
    "cmd-statement": at(date(2026, 7, 8), 10),
    "cmd-outcome-1": at(date(2026, 7, 20), 18),
    "cmd-sent-7a": at(date(2026, 7, 21), 9),
    "cmd-review-2": at(date(2027, 1, 5), 9),
    "cmd-sent-6b": at(date(2027, 1, 5), 15),
    "cmd-outcome-2": at(date(2027, 1, 20), 18),
}


def timeline(history: tuple[StoredEvent, ...]) -> list[tuple[str, str, str]]:
    return [(e.kind, e.actor_id, e.command_id) for e in history]
