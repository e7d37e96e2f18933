"""The README's walk-through in the real Playground, as a newcomer does it: one bot (its
records kept), and the Playground restarted as each example user in turn
(`PLAYGROUND_AS`), its page in Debian's Chromium. Priya Shah reports an incident on the
form; Rachel Okafor assesses the risk, imposes conditions, marks letter 2 as sent and
records the person's comments, all by pressing the Case card's buttons; Graham Whitlock
confirms the conditions on his phone; reception's list then names the person.

Each step saves a screenshot of the page into `var/screenshots/playground/` (the run
prints the folder; `var/` is not committed), the last ones at phone width (390 x 844),
and each screenshot is taken only once the page shows the card's own words."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect, sync_playwright
from playwright.sync_api import TimeoutError as PageTimeout

from bot.devserver import PLAYGROUND_CONFIG, DevServerError, config_acting_as
from tests.e2e.conftest import letter_drafts
from tests.e2e.playground import ROOT, PlaygroundProcess
from tests.e2e.playground_fixtures import (  # noqa: F401 (a fixture, used by name)
    RunningBot,
    bot_server_fixture,
)
from tests.e2e.test_playground_browser import CHROMIUM_ARGS, chromium_path

ONE_BACKEND = "a browser walk-through of the Playground on the embedded default (SQLite)"

pytestmark = [pytest.mark.playground, pytest.mark.browser]

SCREENSHOTS = ROOT / "var" / "screenshots" / "playground"
CARD = ".ac-adaptiveCard"
MESSAGE_BOX = '[data-lexical-editor="true"][role="textbox"]'
LAPTOP: ViewportSize = {"width": 1280, "height": 1800}
PHONE: ViewportSize = {"width": 390, "height": 844}
WAIT_MS = 20_000
REFERENCE = "OAK-2026-0001"
UK = ZoneInfo("Europe/London")


@pytest.fixture(name="chromium")
def chromium_fixture() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed: run 'make browser'")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=WAIT_MS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(name="screenshots")
def screenshots_fixture() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    print(f"screenshots: {SCREENSHOTS}")  # noqa: T201 (shown with -s, for a person to look at)
    return SCREENSHOTS


# The Playground's chat pane is at least 600 px wide and has no phone layout; Teams' mobile
# app lays a card out across the screen. On a narrow page, let the pane and each card's
# frame shrink to the page, so the cards are laid out at phone width.
FIT_TO_PAGE = """() => {
  const width = window.innerWidth;
  for (const card of document.querySelectorAll('.ac-adaptiveCard')) {
    for (let node = card; node && node !== document.body; node = node.parentElement) {
      node.style.minWidth = '0';
      node.style.maxWidth = '100%';
      if (node.getBoundingClientRect().width > width) node.style.width = 'auto';
    }
  }
}"""


class Person:
    """One person's Playground page: type in the message box, find cards by their words,
    press their buttons, pick dates, and save what the page shows."""

    def __init__(self, page: Page, screenshots: Path, *, phone: bool) -> None:
        self.page = page
        self.screenshots = screenshots
        self.phone = phone

    def say(self, text: str) -> None:
        box = self.page.locator(MESSAGE_BOX)
        box.click()
        box.type(text)
        box.press("Enter")

    def card(self, heading: str, button: str | None = None) -> Locator:
        """The newest card showing `heading` (and the button `button`, if given)."""
        found = self.page.locator(CARD).filter(has_text=heading)
        if button is not None:
            found = found.filter(has=self.page.get_by_role("button", name=button, exact=True))
        card = found.last
        expect(card).to_be_visible(timeout=WAIT_MS)
        if self.phone:
            self.page.evaluate(FIT_TO_PAGE)
        return card

    def pick_date(self, card: Locator, label: str, day: date) -> None:
        # The date input ignores typing: open its calendar and press the day.
        field = card.get_by_label(label)
        field.click()
        calendar = self.page.get_by_role("dialog").filter(has_text=f"{day:%B %Y}")
        calendar.locator(f'button[aria-label="{day.day}, {day:%B}, {day.year}"]').click()
        expect(calendar).to_be_hidden()
        expect(field).to_have_value(f"{day:%B} {day.day}, {day.year}")

    def complete(
        self,
        form: tuple[str, str],
        fill: Callable[[Locator], None],
        outcome: str,
        screenshot: str,
        press: str | None = None,
    ) -> Locator:
        """Fill in the newest card (`form`: its heading and the button that sends it),
        press the button (or `press`, a button the filling shows), and return the outcome
        card (headed `outcome`).

        A message arriving while a card is being filled in (a prompt, delivered in the
        background) makes the Playground redraw the chat, which empties the card's inputs;
        the press then sends an empty form and the bot answers with the form and its
        problems; or the part of the card that was opened (a response's questions) closes
        again, with its button. As a person would, fill it in again (at most three times)."""
        heading, button = form
        for _ in range(3):
            card = self.card(heading, button)
            try:
                fill(card)
                self.shot(screenshot, card)
                card.get_by_role("button", name=press or button, exact=True).click()
                answer = self.page.locator(CARD).filter(has_text=outcome)
                expect(answer.last).to_be_visible(timeout=8_000)
            except (AssertionError, PageTimeout):
                # Emptied while being filled in, or sent empty; or the redraw closed the
                # part of the card that was open, so its button is gone.
                continue
            return self.card(outcome)
        raise AssertionError(f"{button!r} on {heading!r} never got {outcome!r}")

    def shot(self, name: str, card: Locator) -> Path:
        card.evaluate("card => card.scrollIntoView({block: 'start'})")  # its heading shows
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000, path
        return path


@contextmanager
def playground_as(
    bot: RunningBot,
    chromium: Browser,
    screenshots: Path,
    who: str,
    viewport: ViewportSize,
    work: Path,
) -> Iterator[Person]:
    """`make playground PLAYGROUND_AS=<who>`: the Playground started with `who` as its
    current user, against the same bot, and its page opened in a fresh browser context."""
    work = work / f"{who}-{viewport['width']}"
    config = config_acting_as(ROOT / PLAYGROUND_CONFIG, who, work / f"as-{who}.yml")
    process = PlaygroundProcess(bot.endpoint, work, config=config)
    try:
        process.start()
    except DevServerError as error:
        pytest.fail(f"{error}\n--- Playground output ---\n{process.output_text()[-4000:]}")
    context = chromium.new_context(viewport=viewport)
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(process.base_url)
        phone = viewport["width"] < LAPTOP["width"]
        person = Person(page, screenshots, phone=phone)
        # Opening the page installs the app: the welcome card comes first.
        person.card("Welcome to Safe Premises")
        if phone:
            # On a narrow page the Playground's log panel covers the chat.
            page.get_by_title("Hide log panel").click()
        try:
            yield person
        except BaseException:
            page.screenshot(path=str(screenshots / f"failed-{who}.png"))
            raise
    finally:
        context.close()
        process.stop()


def test_report_assess_respond_letter_sent_and_the_chair_in_the_playground(
    bot_server: RunningBot, chromium: Browser, screenshots: Path, tmp_path: Path
) -> None:
    today = datetime.now(UK).date()  # the bot runs on the real clock, in school time

    # --- Priya Shah, staff: reports on the form --------------------------------------------
    with playground_as(
        bot_server, chromium, screenshots, "oakfield-staff", LAPTOP, tmp_path
    ) as priya:

        def report(form: Locator) -> None:
            form.get_by_label("Name of the person").fill("Jordan Example")
            form.get_by_text("Parent", exact=True).click()
            priya.pick_date(form, "Date of the incident", today)
            form.get_by_label("Time (roughly is fine)").click()
            priya.page.get_by_role("option", name="12:00 AM", exact=True).click()
            form.get_by_label("Where did it happen?").fill("The main gate")
            form.get_by_text("In person", exact=True).click()
            # The 18 behaviours are one compact multi-select: open its list, tick two.
            behaviours = form.get_by_role(
                "combobox", name="What behaviour was shown? (choose all that apply)"
            )
            behaviours.click()
            for behaviour in ("Verbal: Shouting", "Verbal: Threat"):
                choice = priya.page.get_by_role("menuitemcheckbox", name=behaviour, exact=True)
                choice.click()
                expect(choice).to_have_attribute("aria-checked", "true")
            priya.page.keyboard.press("Escape")
            expect(behaviours).to_have_value(re.compile("Verbal: Shouting.*Verbal: Threat"))
            form.get_by_text("Staff", exact=True).click()
            form.get_by_label("What happened?").fill(
                "Shouted at the class teacher and threatened to wait for her."
            )
            form.get_by_label("What effect did it have?").fill("The teacher was frightened.")

        priya.say("report")
        recorded = priya.complete(
            ("Report an incident", "Submit report"),
            report,
            "Report recorded",
            "01-staff-report-form",
        )
        expect(recorded).to_contain_text(f"Report {REFERENCE} recorded")
        priya.shot("02-staff-report-recorded", recorded)

        priya.say(f"case {REFERENCE}")
        own = priya.card(f"Your report {REFERENCE}")
        expect(own).not_to_contain_text("Jordan Example")  # staff see their report's stage only

    # --- Rachel Okafor, head: assess, respond, letter sent, comments -------------------------
    with playground_as(
        bot_server, chromium, screenshots, "oakfield-head", LAPTOP, tmp_path
    ) as rachel:
        rachel.say(f"case {REFERENCE}")
        case = rachel.card(f"Case {REFERENCE}", "Assess the risk")
        expect(case).to_contain_text("Incident 1 reported")
        expect(case).to_contain_text("Priya Shah")  # who reported it, on the timeline
        rachel.shot("03-head-case-card", case)
        case.get_by_role("button", name="Assess the risk").click()

        def assess(form: Locator) -> None:
            previous = form.get_by_label("4. Are there previous incidents to consider?")
            expect(previous).to_have_value("None recorded on this case.")
            form.get_by_label("1. What form did the abuse take?").fill("Shouting and a threat")
            form.get_by_label("2. What evidence is there?").fill("Two staff accounts")
            form.get_by_label("3. What do witnesses say happened?").fill(
                "The class teacher heard it"
            )
            form.get_by_text("High", exact=True).click()

        assessed = rachel.complete(
            ("Risk assessment", "Record the risk assessment"),
            assess,
            "Risk assessment recorded",
            "04-head-risk-assessment",
        )
        assessed.get_by_role("button", name="Open the case").click()

        rachel.card(f"Case {REFERENCE}", "Choose a response").get_by_role(
            "button", name="Choose a response"
        ).click()

        def conditions(form: Locator) -> None:
            form.get_by_role("button", name="Conditions", exact=True).click()
            form.get_by_text("Accompanied to any meeting", exact=True).click()
            form.get_by_label("Why conditions are needed").fill("Shouting at staff at the gate")

        imposed = rachel.complete(
            ("Choose the school's response", "Conditions"),
            conditions,
            "Response recorded",
            "05-head-choose-conditions",
            press="Record: conditions",
        )
        expect(imposed).to_contain_text("Conditions imposed, pending the Chair's review")
        imposed.get_by_role("button", name="Open the case").click()

        case = rachel.card(f"Case {REFERENCE}", "Mark a letter as sent")
        expect(case).to_contain_text("Letter 2: conditions, pending review")
        case.get_by_role("button", name="Mark a letter as sent").click()

        def sent_today(form: Locator) -> None:
            letter = form.get_by_label(re.compile(r"^Letter 2: conditions, pending review \(draft"))
            # The draft is ready, with the reply-by date printed on it.
            expect(form).to_contain_text("printed on it)")
            letter.check()
            rachel.pick_date(form, "The date it was sent", today)

        sent = rachel.complete(
            ("Mark a letter as sent", "Record it as sent"),
            sent_today,
            "Letter recorded as sent",
            "06-head-mark-letter-sent",
        )
        sent.get_by_role("button", name="Open the case").click()

        case = rachel.card(f"Case {REFERENCE}", "Record their written comments")
        expect(case).to_contain_text(f"Sent on {today:%A} {today.day} {today:%B %Y}")
        case.get_by_role("button", name="Record their written comments").click()

        def comments(form: Locator) -> None:
            rachel.pick_date(form, "The date on their letter", today)
            rachel.pick_date(form, "The date it arrived", today)
            form.get_by_label("What they wrote, in short").fill(
                "Apologises and asks for the conditions to be lifted"
            )
            form.get_by_label("They say they have nothing more to add").check()

        done = rachel.complete(
            ("Record the person's written comments", "Record their comments"),
            comments,
            "Comments recorded",
            "07-head-record-comments",
        )
        expect(done).to_contain_text("with the Chair to confirm or overturn")

    # --- Graham Whitlock, chair, on his phone: confirms ---------------------------------------
    with playground_as(
        bot_server, chromium, screenshots, "oakfield-chair", PHONE, tmp_path
    ) as graham:
        graham.say(f"case {REFERENCE}")
        case = graham.card(f"Case {REFERENCE}", "Confirm or overturn")
        graham.shot("08-phone-chair-case-card", case)
        case.get_by_role("button", name="Confirm or overturn").click()

        def confirm(form: Locator) -> None:
            expect(form).to_contain_text("Their reasons: Shouting at staff at the gate")
            expect(form).to_contain_text("Apologises and asks for the conditions to be lifted")
            expect(form).to_contain_text("they have nothing more to add")
            form.get_by_label("Confirm it", exact=True).check()
            form.get_by_label("Your reasons (they go into your letter to the person)").fill(
                "The threat to a member of staff was serious"
            )

        decided = graham.complete(
            ("Confirm or overturn the conditions", "Record my decision"),
            confirm,
            "Decision recorded",
            "09-phone-chair-decide",
        )
        graham.shot("10-phone-chair-decision-recorded", decided)
        decided.get_by_role("button", name="Open the case").click()
        # The Chair's own letter is drafted meanwhile, and its prompt (also headed with the
        # case reference) may arrive after the Case card: find the card by what it says.
        case = graham.card("The Chair confirmed the conditions.")
        expect(case).to_contain_text(f"Case {REFERENCE}")

    # --- Priya Shah again, on her phone: reception's list -------------------------------------
    with playground_as(
        bot_server, chromium, screenshots, "oakfield-staff", PHONE, tmp_path
    ) as priya:
        priya.say("who is banned")
        reception = priya.card("Who is banned")
        expect(reception).to_contain_text("Jordan Example")
        expect(reception).to_contain_text("Accompanied to any meeting")
        expect(reception).not_to_contain_text(REFERENCE)  # nothing else about the case
        priya.shot("11-phone-staff-who-is-banned", reception)

    # The letters are files a newcomer can open: letter 2, and the Chair's letter.
    drafts = sorted(letter_drafts(bot_server.data_dir, REFERENCE))
    assert "letter-2" in drafts, drafts
    assert len(drafts) >= 2, drafts
    assert sorted(p.name for p in screenshots.glob("*.png")) == [
        "01-staff-report-form.png",
        "02-staff-report-recorded.png",
        "03-head-case-card.png",
        "04-head-risk-assessment.png",
        "05-head-choose-conditions.png",
        "06-head-mark-letter-sent.png",
        "07-head-record-comments.png",
        "08-phone-chair-case-card.png",
        "09-phone-chair-decide.png",
        "10-phone-chair-decision-recorded.png",
        "11-phone-staff-who-is-banned.png",
    ]
