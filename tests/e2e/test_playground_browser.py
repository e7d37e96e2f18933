"""The Playground's own page in Debian's Chromium: the cards render the way Teams renders
them, and a person can get from the welcome card to the incident report by typing."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from tests.e2e.playground import PlaygroundProcess
from tests.e2e.playground_fixtures import (  # noqa: F401 (fixtures, used by name)
    bot_server_fixture,
    playground_fixture,
)

ONE_BACKEND = "the Playground runs the bot as a process on the embedded default (SQLite)"

pytestmark = [pytest.mark.playground, pytest.mark.browser]

# Never a downloaded browser: the distribution's Chromium only.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
MESSAGE_BOX = '[data-lexical-editor="true"][role="textbox"]'
CARD = ".ac-adaptiveCard"
WAIT_MS = 15_000


def chromium_path() -> str | None:
    if CHROMIUM.is_file():
        return str(CHROMIUM)
    return shutil.which("chromium")


@pytest.fixture(name="browser")
def browser_fixture(tmp_path: Path) -> Iterator[BrowserContext]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed: run 'make browser'")
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            tmp_path / "chromium-profile",  # fresh: no state from another run
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 2600},
            timeout=WAIT_MS,
        )
        context.set_default_timeout(WAIT_MS)
        try:
            yield context
        finally:
            context.close()


def open_playground(browser: BrowserContext, playground: PlaygroundProcess) -> Page:
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.goto(playground.base_url)
    return page


def test_a_newcomer_goes_from_the_welcome_card_to_the_report_form(
    browser: BrowserContext,
    playground: PlaygroundProcess,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    page = open_playground(browser, playground)

    # Opening the page installs the app: the bot's welcome card is rendered.
    welcome = page.locator(CARD).filter(has_text="Welcome to Safe Premises")
    expect(welcome).to_have_count(1)
    expect(welcome.get_by_role("button", name="Report an incident")).to_be_visible()

    box = page.locator(MESSAGE_BOX)
    box.click()
    box.type("report")
    box.press("Enter")

    form = (
        page.locator(CARD)
        .filter(has_text="Report an incident")
        .filter(has=page.get_by_role("button", name="Submit report"))
    )
    expect(form).to_have_count(1)
    form.get_by_role("button", name="Submit report").scroll_into_view_if_needed()
    expect(form.get_by_role("button", name="Submit report")).to_be_visible()
    expect(form.get_by_label("Name of the person")).to_be_visible()

    # The viewport is tall enough for the chat to show the whole form without scrolling.
    screenshot = tmp_path / "report-form.png"
    page.screenshot(path=str(screenshot))
    record_property("screenshot", str(screenshot))
    print(f"screenshot: {screenshot}")  # noqa: T201 (shown with -s, for a person to look at)
    assert screenshot.stat().st_size > 10_000


def test_the_welcome_cards_report_button_opens_the_report_form(
    browser: BrowserContext, playground: PlaygroundProcess
) -> None:
    page = open_playground(browser, playground)
    welcome = page.locator(CARD).filter(has_text="Welcome to Safe Premises").last
    expect(welcome).to_be_visible()
    forms_before = page.get_by_role("button", name="Submit report").count()

    welcome.get_by_role("button", name="Report an incident").click()

    expect(page.get_by_role("button", name="Submit report")).to_have_count(
        forms_before + 1, timeout=5_000
    )
