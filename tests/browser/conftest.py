"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

`playwright install` cannot download a browser here, so the tests use /usr/bin/chromium. Without
it they are skipped, except under CI (CI=true), where a missing browser is a failure.
"""

import os
import threading
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

# Playwright's sync API runs an event loop in this thread; Django must still allow its ORM here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BUILT_STYLESHEET = ROOT / "static" / "build" / "portal.css"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__browser-tests__/axe.min.js"
WCAG_22_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
# axe tags `region` (all content inside a landmark) best practice, not WCAG: asked for by name.
EXTRA_RULES = ["region"]
BLOCKING_IMPACTS = {"serious", "critical"}


def _missing(what: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} (CI=true: browser tests must run)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing: install Debian's chromium package (make browser)")
    if not BUILT_STYLESHEET.exists():
        pytest.fail(
            f"{BUILT_STYLESHEET.relative_to(ROOT)} is missing: build the front end first "
            "with `npm ci && npm run build`"
        )
    if not AXE_SCRIPT.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def one_request_at_a_time_on_sqlite():
    """On SQLite the live server's request threads share one in-memory connection, and with it one
    transaction state: an autosave and a Save sent together interleave their transactions (or hit
    "database table is locked"), failing at random. There requests are served one at a time;
    concurrent requests are tested on PostgreSQL, where each thread has its own connection."""
    if connection.vendor != "sqlite":
        yield
        return
    lock = threading.Lock()
    serve = WSGIHandler.__call__

    def one_at_a_time(handler, environ, start_response):
        with lock:
            return serve(handler, environ, start_response)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WSGIHandler, "__call__", one_at_a_time)
        yield


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Runs axe-core with the WCAG 2.2 A and AA rules, and the `region` rule, on the page as it
    stands.

    axe comes from node_modules, served by Playwright at a same-origin address: an inline copy
    (add_script_tag(path=...)) would be refused by the portal's CSP, which the tests keep on.
    """
    page.route(
        f"**{AXE_URL}",
        lambda route: route.fulfill(path=AXE_SCRIPT, content_type="text/javascript"),
    )
    # A link just clicked may still be loading its page: axe goes into the new document.
    page.wait_for_load_state()
    page.add_script_tag(url=AXE_URL)
    return page.evaluate(
        """async ([tags, extra]) => {
            const rules = axe.getRules(tags).map((rule) => rule.ruleId).concat(extra);
            const results = await axe.run(document, {runOnly: {type: "rule", values: rules}});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        [WCAG_22_AA_TAGS, EXTRA_RULES],
    )


def assert_accessible(page) -> None:
    """No serious or critical WCAG 2.2 AA problem, and nothing outside a landmark (`region` is
    moderate, yet a reader moving by landmarks would miss that content)."""
    blocking = [
        v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS or v["id"] == "region"
    ]
    assert not blocking, f"{page.url}: axe found problems: {blocking}"
