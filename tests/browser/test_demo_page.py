"""`leadbot demo` in a real browser: Debian's Chromium driven by Playwright, clicking
through the whole loop as people would. A screenshot of each step goes to tests/artifacts."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, Route, async_playwright, expect

from bot.demo import DemoOptions, RunningDemo, running_demo
from workspace.directory import BOOTH, MANAGER, REP_1, REP_2, SALES, STAFFER, STAFFER_JA, Person

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "demo"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="no Chromium at /usr/bin/chromium; `apt-get install -y chromium` (.ci/run does)",
    ),
]
expect.set_options(timeout=10_000)


@pytest.fixture(params=["http", "socket-mode"])
async def demo(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[RunningDemo]:
    """The demo on an ephemeral port, with a fresh database; the bot serves HTTP or connects
    over Socket Mode."""
    options = DemoOptions(
        port=0, database=tmp_path / "demo.db", socket_mode=request.param == "socket-mode"
    )
    async with running_demo(options) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium from the system packages (Playwright's own download cannot work)."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        await chromium.close()


class Steps:
    """Numbered screenshots of the scenario, in a folder of their own."""

    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.folder = folder
        self.count = 0

    async def shot(self, page: Page, name: str) -> None:
        """Save the page as NN-name.png."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        await page.screenshot(path=path, full_page=True)


async def open_as(browser: Browser, demo: RunningDemo, person: Person, channel: str) -> Page:
    """A page showing `channel` to `person`, once its live updates are connected."""
    page = await browser.new_page(viewport={"width": 1280, "height": 860})
    await page.goto(f"{demo.url}?user={person.id}&channel={channel}")
    await expect(page.locator("body[data-ready=yes][data-live=yes]")).to_be_attached()
    return page


async def type_in_box(page: Page, text: str) -> None:
    """Type into the message box and press Enter."""
    box = page.get_by_label("Message")
    await box.fill(text)
    await box.press("Enter")


async def test_the_whole_loop_in_the_browser(browser: Browser, demo: RunningDemo) -> None:
    steps = Steps(ARTIFACTS / ("socket-mode" if demo.workspace.socket_mode else "http"))
    print(f"screenshots: {steps.folder}")
    await capture_with_the_form(browser, demo, steps)
    rep1, card1 = await claim_race(browser, demo, steps)
    await record_won(rep1, card1, steps)
    await help_in_japanese(browser, demo, steps)
    await stats_and_home(browser, demo, steps)


async def capture_with_the_form(browser: Browser, demo: RunningDemo, steps: Steps) -> None:
    """The staffer types /lead, sees the usage hint, fills the form, meets an inline error
    for a bad email, fixes it and saves."""
    staffer = await open_as(browser, demo, STAFFER, BOOTH.id)
    await staffer.get_by_label("Message").fill("/lead")
    await expect(staffer.locator("#hint")).to_contain_text("event <name>")
    await steps.shot(staffer, "usage-hint")
    await staffer.get_by_label("Message").press("Enter")
    modal = staffer.locator("#modal")
    await expect(staffer.locator("#modal-title")).to_have_text("New lead")
    await modal.get_by_label("Name", exact=True).fill("Jane Doe")
    await modal.get_by_label("Company", exact=True).fill("Initech")
    await modal.get_by_label("Email", exact=True).fill("jane(at)initech")
    await modal.get_by_label("Interest", exact=True).select_option(label="Hot")
    await staffer.locator("#modal-submit").click()

    await expect(staffer.locator('.bk-error[data-error-for="email"]')).not_to_be_empty()
    await steps.shot(staffer, "inline-error")
    await modal.get_by_label("Email", exact=True).fill("jane.doe@initech.com")
    await staffer.locator("#modal-submit").click()
    await expect(staffer.locator("#overlay")).to_be_hidden()
    await steps.shot(staffer, "saved")


async def claim_race(browser: Browser, demo: RunningDemo, steps: Steps) -> tuple[Page, Locator]:
    """The card reaches #sales; rep 1 claims it; rep 2, whose screen has not redrawn yet,
    clicks Claim too and is told privately who has it."""
    rep1 = await open_as(browser, demo, REP_1, SALES.id)
    card1 = rep1.locator(".msg", has_text="Jane Doe").first
    await expect(card1.get_by_role("button", name="Claim")).to_be_visible()
    await steps.shot(rep1, "card-in-sales")
    rep2 = await open_as(browser, demo, REP_2, SALES.id)
    card2 = rep2.locator(".msg", has_text="Jane Doe").first
    await expect(card2.get_by_role("button", name="Claim")).to_be_visible()

    async def stale(route: Route) -> None:
        await route.abort()

    await rep2.route("**/demo/channel?*", stale)
    await card1.get_by_role("button", name="Claim").click()
    await expect(card1).to_contain_text("Claimed by")
    await expect(card1.get_by_role("button", name="Claim")).to_have_count(0)
    await steps.shot(rep1, "claimed")

    await card2.get_by_role("button", name="Claim").click()
    await rep2.unroute("**/demo/channel?*")
    await rep2.reload()
    told = rep2.locator(".msg.ephemeral", has_text="already claimed")
    await expect(told).to_contain_text(REP_1.real_name)
    await steps.shot(rep2, "rep2-told")
    return rep1, card1


async def record_won(rep1: Page, card1: Locator, steps: Steps) -> None:
    """Rep 1 records Won with a value; the card shows it."""
    await card1.get_by_role("button", name="Won").click()
    await expect(rep1.locator("#modal-title")).to_have_text("Won")
    await rep1.locator('#modal [data-type="number_input"]').fill("1200000")
    await rep1.locator("#modal-submit").click()
    await expect(rep1.locator("#overlay")).to_be_hidden()
    await expect(card1).to_contain_text("1,200,000")
    await steps.shot(rep1, "won")


async def help_in_japanese(browser: Browser, demo: RunningDemo, steps: Steps) -> None:
    """The Japanese staffer's /lead help is in Japanese."""
    japanese = await open_as(browser, demo, STAFFER_JA, BOOTH.id)
    await type_in_box(japanese, "/lead help")
    await expect(japanese.locator(".msg.ephemeral").last).to_contain_text("リード")
    await steps.shot(japanese, "help-ja")


async def stats_and_home(browser: Browser, demo: RunningDemo, steps: Steps) -> None:
    """/lead stats shows the win; the Home tab opens."""
    manager = await open_as(browser, demo, MANAGER, BOOTH.id)
    await type_in_box(manager, "/lead stats")
    await expect(manager.locator(".msg.ephemeral").last).to_contain_text("Won 1")
    await steps.shot(manager, "stats")
    await manager.get_by_text("leadbot · Home").click()
    await expect(manager.locator(".home")).to_contain_text("/lead")
    await steps.shot(manager, "home")


async def test_a_new_message_keeps_the_place_of_someone_reading_history(
    browser: Browser, demo: RunningDemo
) -> None:
    for n in range(40):
        await demo.workspace.say(STAFFER.id, BOOTH.id, f"booth note {n}", None)
    page = await open_as(browser, demo, REP_1, BOOTH.id)
    messages = page.locator("#messages")
    await expect(page.get_by_text("booth note 39")).to_be_attached()
    assert await messages.evaluate("list => list.scrollTop") > 0  # opened at the newest
    await messages.evaluate("list => { list.scrollTop = 0; }")

    await demo.workspace.say(STAFFER.id, BOOTH.id, "booth note 40", None)
    await expect(page.get_by_text("booth note 40")).to_be_attached()

    assert await messages.evaluate("list => list.scrollTop") == 0
