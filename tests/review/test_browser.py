"""End to end in a real headless browser (Debian's chromium driven by Playwright): an
officer signs in, filters the queue, opens a case and accepts it; a supervisor approves;
the warrant list is exported; the audit trail shows it all. Role rules, CSRF and the
concurrent-decision conflict are checked through the browser too. The tests write
screenshots of the queue, the case view and the dashboard to build/screenshots/ (or to
the folder in EXITMATCH_SCREENSHOTS; ``make screenshots`` refreshes docs/screenshots/).

One server (in a thread, on a free port, over a copy of the golden night's store) and one
browser serve the whole module; each user gets a fresh browser context.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from exitmatch.reconcile import STORE_FILE
from exitmatch.review.queue import PAGE_SIZE, Filters
from exitmatch.review.queue import page as page_of_queue
from exitmatch.review.server import build_server
from exitmatch.store.store import Store

from .conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(
    os.environ.get(
        "EXITMATCH_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build" / "screenshots"
    )
)


@pytest.fixture(scope="module")
def db(golden_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("browser") / "night"
    shutil.copytree(golden_template, target)
    return target / STORE_FILE


@pytest.fixture(scope="module")
def base_url(db: Path) -> Iterator[str]:
    server = build_server(db, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def signed_in(
    browser: Browser, contexts: list[BrowserContext], base_url: str, username: str
) -> Page:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    contexts.append(context)
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#signed-in")).to_contain_text(username)
    return page


def _total(db: Path, filters: Filters) -> int:
    with Store.open(db) as store:
        return page_of_queue(store, filters, 1, 1).total


def open_case(page: Page, base_url: str, case_id: str) -> None:
    page.goto(f"{base_url}/case/{case_id}")
    expect(page.locator("h1")).to_contain_text(case_id)


def test_officer_accepts_supervisor_approves_warrant_list_and_audit(
    browser: Browser, contexts: list[BrowserContext], base_url: str, db: Path, tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Counted now, not assumed: other tests in this module decide cases too.
    waiting = _total(db, Filters())
    officer = signed_in(browser, contexts, base_url, "olivia")
    expect(officer.locator("#total")).to_have_text(str(waiting))
    expect(officer.locator("#queue tbody tr")).to_have_count(min(waiting, PAGE_SIZE))
    officer.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    # Filter: serious inadmissibility cases with an active warrant.
    officer.select_option("select[name=priority]", "serious_inadmissibility")
    officer.select_option("select[name=warrant]", "with")
    officer.click("#apply-filters")
    rows = officer.locator("#queue tbody tr")
    expect(rows.first).to_contain_text("serious inadmissibility")
    count = rows.count()
    assert 1 <= count < waiting
    for i in range(count):
        expect(rows.nth(i)).to_contain_text("serious inadmissibility")
        expect(rows.nth(i).locator("td").nth(6)).not_to_be_empty()

    # Keyboard: j moves down, k back up, Enter opens the selected case.
    officer.keyboard.press("j")
    officer.keyboard.press("k")
    expect(rows.first).to_have_class("band-confirmed selected")
    case_id = rows.first.locator(".case-link").inner_text()
    officer.keyboard.press("Enter")
    expect(officer.locator("h1")).to_contain_text(case_id)
    expect(officer.locator("#compare tbody tr")).to_have_count(6)
    expect(officer.locator("#weights svg")).to_be_visible()
    expect(officer.locator("#timeline svg")).to_be_visible()
    expect(officer.locator("#band-reasons li").first).to_contain_text("confirmed")
    officer.click("#accept")
    expect(officer.locator(".flash.ok")).to_contain_text("waiting for a supervisor's approval")
    expect(officer.locator("#case-state")).to_have_text("awaiting approval")

    awaiting = _total(db, Filters(state="awaiting_approval"))
    supervisor = signed_in(browser, contexts, base_url, "sam")
    supervisor.click("#approvals")
    expect(supervisor.locator("#queue tbody tr")).to_have_count(awaiting)
    supervisor.click(f"text={case_id}")
    expect(supervisor.locator("h1")).to_contain_text(case_id)
    supervisor.fill("#decision textarea[name=note]", "travel history checked")
    supervisor.click("#approve")
    expect(supervisor.locator(".flash.ok")).to_contain_text("departure confirmed")
    expect(supervisor.locator("#case-state")).to_have_text("accepted")

    with supervisor.expect_download() as download:
        supervisor.click("text=Warrant list CSV")
    saved = tmp_path / "warrants.csv"
    download.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("warrant_id,case_id,uci")
    with Store.open(db) as store:
        listed = store.scalar(
            "SELECT count(*) FROM reviews WHERE state = 'accepted' AND warrant_id IS NOT NULL"
        )
    assert len(lines) == 1 + int(str(listed))
    [line] = [line for line in lines if f",{case_id}," in line]
    assert ",olivia,sam," in line

    supervisor.goto(f"{base_url}/audit?key={case_id}")
    audit = supervisor.locator("#audit tbody")
    expect(audit).to_contain_text("approve")
    expect(audit).to_contain_text("accept")
    trail = audit.inner_text()
    assert "sam" in trail and "olivia" in trail and "viewed" in trail
    with Store.open(db) as store:
        exported = store.scalar(
            "SELECT count(*) FROM audit WHERE entity = 'export' AND actor = 'sam'"
        )
    assert exported == 1


def test_case_view_and_dashboard_screenshots(
    browser: Browser, contexts: list[BrowserContext], base_url: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = signed_in(browser, contexts, base_url, "oscar")
    # A probable case with a variant spelling and a hyphen: differences to the character.
    open_case(page, base_url, "RC-0102")
    expect(page.locator("#compare mark").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "case.png"), full_page=True)
    # A re-entry alert: the later entry is on the timeline, the alert is acknowledged.
    open_case(page, base_url, "RC-0124")
    expect(page.locator(".alert-line")).to_contain_text("Entered Canada again")
    expect(page.locator("#timeline svg")).to_contain_text("departure under review")
    page.screenshot(path=str(SCREENSHOTS / "alert.png"), full_page=True)
    page.click("#acknowledge")
    expect(page.locator("#case-state")).to_have_text("acknowledged")
    page.goto(f"{base_url}/dashboard")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("#fiscal")).to_contain_text("Fiscal year")
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)


def test_a_supervisor_cannot_approve_their_own_proposal(
    browser: Browser, contexts: list[BrowserContext], base_url: str
) -> None:
    page = signed_in(browser, contexts, base_url, "sue")
    open_case(page, base_url, "RC-0101")  # active warrant: approval needed
    page.click("#accept")
    expect(page.locator("#case-state")).to_have_text("awaiting approval")
    expect(page.locator("#approve")).to_have_count(0)
    expect(page.locator("#decision")).to_contain_text("another supervisor must approve")
    # Forging the approval past the page is refused on the server.
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(
        f"{base_url}/case/RC-0101/decision",
        form={
            "csrf_token": token or "",
            "action": "approve",
            "version": "1",
            "exit_source": page.locator("#exit-source").inner_text(),
            "exit_record_id": page.locator("#exit-record-id").inner_text(),
        },
    )
    assert response.status == 403
    assert "four-eyes" in response.text()


def test_an_analyst_cannot_decide(
    browser: Browser, contexts: list[BrowserContext], base_url: str
) -> None:
    page = signed_in(browser, contexts, base_url, "ann")
    open_case(page, base_url, "RC-0116")
    expect(page.locator("#accept")).to_have_count(0)
    expect(page.locator("#decision")).to_contain_text("Read-only access")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(
        f"{base_url}/case/RC-0116/decision",
        form={"csrf_token": token or "", "action": "accept", "version": "0"},
    )
    assert response.status == 403


def test_a_post_without_csrf_token_is_rejected(
    browser: Browser, contexts: list[BrowserContext], base_url: str
) -> None:
    page = signed_in(browser, contexts, base_url, "olivia")
    response = page.request.post(
        f"{base_url}/case/RC-0116/decision", form={"action": "accept", "version": "0"}
    )
    assert response.status == 400
    assert "security token" in response.text()
    open_case(page, base_url, "RC-0116")
    expect(page.locator("#case-state")).to_have_text("open")


def test_two_officers_deciding_the_same_case_one_is_told(
    browser: Browser, contexts: list[BrowserContext], base_url: str
) -> None:
    first = signed_in(browser, contexts, base_url, "olivia")
    second = signed_in(browser, contexts, base_url, "oscar")
    open_case(first, base_url, "RC-0125")
    open_case(second, base_url, "RC-0125")
    first.click("#defer")
    expect(first.locator(".flash.ok")).to_contain_text("deferred")
    second.select_option("#reason", "different_person")
    second.click("#reject")
    expect(second.locator(".flash.conflict")).to_contain_text(
        "olivia changed this candidate (now deferred) while you had it open"
    )
    expect(second.locator("#case-state")).to_have_text("deferred")
