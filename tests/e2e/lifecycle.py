"""What the lifecycle tests share (issue 11): the example trust on each backend,
served over HTTP, every role holder with the app installed, the app's own sweeper and
deliverer running; people who read the cards they are sent and press their buttons by
title; the letter drafts (`letter_drafts`); and school days counted here, from the
example trust's term dates, independently of the app's calendar.

The people and the press-and-replace helper are those of `test_case_commands`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from cards.common import Choice
from casework.bootstrap import prepare
from tests.cardschema import assert_valid_card
from tests.casework_world import EXAMPLE_CONFIG
from tests.e2e.conftest import (
    CasesKeptIn,
    StartBot,
    example_trust,
    letter_drafts,
    services_for_tests,
)
from tests.e2e.test_case_commands import CHAIR, CLERK, HEAD, STAFF, Trust, on
from tests.e2e.test_report_incident import complete_report
from tests.fakes import FixedClock
from tests.harness.graph import GraphStandIn
from tests.harness.identities import TRUST_TENANT
from tests.harness.teams import SentCard, TeamsUser

SENIOR = TeamsUser("a1000000-0000-4000-8000-000000000002", "Daniel Hughes", TRUST_TENANT)
RIVERSIDE_CHAIR = TeamsUser("a1000000-0000-4000-8000-000000000014", "Catrin Evans", TRUST_TENANT)
EVERYONE = (HEAD, SENIOR, STAFF, CHAIR, CLERK)
REFERENCE = "OAK-2026-0001"

# --- school days, counted here --------------------------------------------------------------

# England's bank holidays in the example terms' years (gov.uk), listed here rather than taken
# from the app's holiday source, so the count is the test's own.
_BANK_HOLIDAYS = frozenset(
    date.fromisoformat(d)
    for d in (
        "2025-12-25",
        "2025-12-26",
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-05-03",
        "2027-05-31",
    )
)


def _oakfield_terms() -> tuple[list[tuple[date, date]], frozenset[date]]:
    raw = yaml.safe_load((EXAMPLE_CONFIG.parent / "terms" / "oakfield.yaml").read_text("utf-8"))
    terms = [(t["start"], t["end"]) for t in raw["terms"]]
    return terms, frozenset(raw["closures"])


def is_school_day(day: date) -> bool:
    terms, closures = _oakfield_terms()
    return (
        day.weekday() < 5
        and any(start <= day <= end for start, end in terms)
        and day not in closures
        and day not in _BANK_HOLIDAYS
    )


def school_days_after(day: date, count: int) -> date:
    """The last of `count` school days after `day` (the policy's "within 10 school days of
    the date of this letter"; `day` itself is never counted)."""
    while count:
        day += timedelta(days=1)
        count -= is_school_day(day)
    return day


def about_six_months_after(day: date) -> date:
    """The policy's review "in approximately six months": six calendar months on (the day
    clamped to the month's end), then the next school day if that is not one."""
    month = day.month + 6
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    while True:
        try:
            due = date(year, month, day.day)
            break
        except ValueError:
            day = day.replace(day=day.day - 1)
    while not is_school_day(due):
        due += timedelta(days=1)
    return due


def long_date(day: date) -> str:
    """How the letters write a date: "Monday 26 January 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


# --- the running trust -----------------------------------------------------------------------


@dataclass
class Lifecycle(Trust):
    data_dir: Path
    # The Graph stand-ins the case runs on (none on SQLite): where its letters are drafted.
    stand_ins: Sequence[GraphStandIn] = ()

    async def install_everyone(self, *people: TeamsUser) -> None:
        for user in people or EVERYONE:
            for response in await self.bot.client.install(user):
                assert response.status in (200, 201), response

    def at(self, day: date, hour: int = 9) -> None:
        """Time passes: it is now `day`, `hour` o'clock UTC (the school's clock in winter)."""
        self.clock.set(datetime(day.year, day.month, day.day, hour, tzinfo=UTC))

    async def card_for(self, user: TeamsUser, text: str) -> SentCard:
        """`user` types `text`: the card the bot answered with (a prompt delivered
        meanwhile, posted fresh rather than as a reply, is not it)."""
        response = await self.bot.client.say(user, text)
        assert response.status == 200
        answers = [
            SentCard(card, recorded.conversation_id, recorded.id)
            for recorded, card in self.bot.connector.cards_in(user.personal_conversation_id)
            if recorded.reply_to_id == response.activity_id
        ]
        assert len(answers) == 1, answers
        assert_valid_card(answers[0].card)
        return answers[0]

    async def case(self, user: TeamsUser, reference: str = REFERENCE) -> SentCard:
        return await self.card_for(user, f"case {reference}")

    async def press(
        self,
        user: TeamsUser,
        card: SentCard,
        title: str,
        inputs: Mapping[str, Any] | None = None,
    ) -> SentCard:
        """`user` presses `title` on `card`: the card Teams shows in its place."""
        return on(card, await self.bot.client.press(user, card, title, inputs))

    async def step(
        self,
        user: TeamsUser,
        opener: str,
        submit: str,
        inputs: Mapping[str, Any],
        reference: str = REFERENCE,
    ) -> SentCard:
        """`user` opens the case, presses the step's button on its card, fills the step's
        card and presses its submit: the outcome card."""
        case_card = await self.case(user, reference)
        form = await self.press(user, case_card, opener)
        return await self.press(user, form, submit, inputs)

    async def report(self, **changes: Any) -> SentCard:
        form = await self.card_for(STAFF, "report")
        return await self.press(STAFF, form, "Submit report", complete_report(**changes))

    async def kinds(self, reference: str = REFERENCE) -> list[str]:
        """The kinds of the case's stored events, oldest first."""
        summary = await self.casework.ports.store.case_by_reference(reference)
        assert summary is not None
        return [e.kind for e in await self.casework.ports.store.load(summary.case_id)]

    async def until_kind(self, kind: str, reference: str = REFERENCE, within_s: float = 10) -> None:
        """Wait for the app's own sweeper to record `kind` on the case (time has passed)."""
        for _ in range(int(within_s / 0.05)):
            if kind in await self.kinds(reference):
                return
            await asyncio.sleep(0.05)
        pytest.fail(f"the app's sweeper did not record {kind} in time")

    async def prompts_to(self, user: TeamsUser, within_s: float = 10) -> list[SentCard]:
        """The proactive prompts (cards that open a case) delivered to `user`'s chat."""
        for _ in range(int(within_s / 0.05)):
            found = [
                c
                for c in self.bot.client.cards_for(user)
                if any(a.get("verb") == "case.open" for a in c.card.get("actions", []))
            ]
            if found:
                for card in found:
                    assert_valid_card(card.card)
                return found
            await asyncio.sleep(0.05)
        return []

    def drafts(self, reference: str = REFERENCE) -> dict[str, str]:
        """Each draft of the case's letters: its letter -> the plain text (`letter_drafts`)."""
        return letter_drafts(self.data_dir, reference, self.stand_ins)

    async def draft(self, letter: str, reference: str = REFERENCE, within_s: float = 10) -> str:
        """The plain text of the case's draft of `letter`, once it is written (the
        effects run after the step's card has answered)."""
        for _ in range(int(within_s / 0.05)):
            found = self.drafts(reference)
            if letter in found:
                return found[letter]
            await asyncio.sleep(0.05)
        pytest.fail(f"no draft of {letter}; there are {sorted(self.drafts(reference))}")

    async def reception(self) -> str:
        return (await self.card_for(STAFF, "who is banned")).text()


def reply_by(text: str) -> str:
    """The reply-by date a letter prints ("… that is by Monday 26 January 2026", letter 6's
    "… by Monday 29 June 2026.")."""
    found = re.findall(r"\bby (\w+day \d{1,2} \w+ \d{4})", text)
    assert len(found) == 1, found
    return str(found[0])


def button_titles(card: SentCard) -> list[str]:
    return [str(a["title"]) for a in card.card.get("actions", [])]


@pytest.fixture
async def lifecycle(
    start_bot: StartBot,
    tmp_path: Path,
    cases_kept_in: CasesKeptIn,
    stand_ins: list[GraphStandIn],
) -> AsyncIterator[Lifecycle]:
    """The example trust in the harness's tenant, from Monday 12 January 2026, 9am, on
    each backend; the app sweeps often, so a window that has passed is closed soon after
    the clock moves."""
    clock = FixedClock(datetime(2026, 1, 12, 9, tzinfo=UTC))
    data_dir = tmp_path / "data"
    async with cases_kept_in(prepare(example_trust(tmp_path)), data_dir, clock) as casework:
        services = services_for_tests(
            schools=tuple(Choice(s.id, s.name) for s in casework.config.schools),
            casework=casework,
            sweep_every_s=0.1,
        )
        async with start_bot(services=services) as bot:
            world = Lifecycle(bot, casework, clock, data_dir, stand_ins)
            await world.install_everyone()
            yield world


def assert_in_order(text: str, parts: Sequence[str]) -> None:
    """Each of `parts` is in `text`, in this order."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} not found after position {at} in:\n{text}"
        at = found + len(part)
