"""Partner documents in a real browser (issue 13, points 8 and 11): the release's preview marks
each passage cut from the partner text "[removed]" and holds nothing of it; while a partner's own
copy renders the release page shows its progress, which turns into the download link by itself;
a slow button says "Working…" at once, cannot be sent twice and comes back on returning to the
page; the copy names the partner and their agency on every page. axe-core finds no serious or
critical problem nor a `region` finding on each page, and at 390 px no partner page scrolls
sideways."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from nim_portal import jobs
from nim_portal.views import job_progress as job_progress_view
from partners.models import Release
from partners.services import release_approve
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import sign_in
from tests.partners.conftest import (
    CANARIES,
    CANARY_RESTRICTED,
    RELEASABLE_TEXT,
    Cast,
    prepare,
    published_assessment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 390, "height": 844}


@pytest.fixture
def cast(hierarchy, vetting_table, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Cast(hierarchy)


@pytest.fixture
def release(cast) -> Release:
    """Available to agency A: approved, its PDF rendered in-process as the demo renders it."""
    release = prepare(cast, published_assessment(cast), agencies=[cast.agency_a])
    release_approve(acting_user=cast.reviewer, release=release)
    release.refresh_from_db()
    return release


@pytest.fixture
def held_jobs(release, monkeypatch):
    """From here, work handed to Celery waits until a page next asks how it goes, and then runs:
    the worker's part, played inside the live server, where SQLite serves one request at a
    time."""
    held: list[int] = []
    monkeypatch.setattr(jobs, "_dispatch", held.extend)
    read = job_progress_view.job_progress_for

    def run_held_then_read(user, job):
        while held:
            jobs.job_run(held.pop(0))
        return read(user, job)

    monkeypatch.setattr(job_progress_view, "job_progress_for", run_held_then_read)
    return held


def assert_no_sideways_scroll(page, url: str) -> None:
    page.set_viewport_size(NARROW)
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{url} is {width} px wide at 390 px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_preview_marks_what_was_removed(page, cast, release):
    sign_in(page, cast.reviewer.username)
    url = f"/partners/releases/{release.pk}/"
    page.goto(url)

    partner_text = page.get_by_role("region", name=re.compile("^Partner text of"))
    expect(partner_text.locator(".nim-removed")).to_have_text("[removed]")
    text = partner_text.inner_text()
    assert f"{RELEASABLE_TEXT} [removed]" in " ".join(text.split())
    assert CANARY_RESTRICTED not in text
    # The passage itself stands only in the police-only column beside it.
    removed = page.get_by_role("region", name=re.compile("^Removed from .*police only"))
    assert CANARY_RESTRICTED in removed.inner_text()
    expect(page.locator("#release-status")).to_have_text("Available to download")
    assert "being rendered" not in page.locator("main").inner_text().lower()
    assert_accessible(page)
    assert_no_sideways_scroll(page, url)


def test_your_copy_renders_in_view_then_its_link_downloads_it(page, cast, release, held_jobs):
    sign_in(page, cast.partner_a.username)
    url = f"/partners/area/{release.pk}/"
    page.goto(url)
    assert_accessible(page)

    page.get_by_role("button", name="I accept these conditions").click()

    progress = page.get_by_role("status").filter(has_text="your copy")
    expect(progress).to_contain_text("Queued")
    assert_accessible(page)
    link = page.get_by_role("link", name=f"Download your copy of {release.reference}")
    expect(link).to_be_visible(timeout=20_000)
    expect(progress).to_contain_text("Ready")
    assert_accessible(page)

    with page.expect_download() as download_info:
        link.click()
    with open(download_info.value.path(), "rb") as handle:
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages]
    reader = cast.partner_a.get_full_name()
    for text in pages:
        flat = " ".join(text.split())
        assert f"Released to {reader}, {cast.agency_a.name} — {release.reference}" in flat
        assert not [canary for canary in CANARIES if canary in flat]
    assert f"{RELEASABLE_TEXT} [removed]" in " ".join(" ".join(pages).split())
    assert_no_sideways_scroll(page, url)
    assert_no_sideways_scroll(page, "/partners/area/")


def test_a_slow_button_says_it_is_working_and_is_sent_once(page, cast, release):
    sign_in(page, cast.partner_a.username)
    page.goto(f"/partners/area/{release.pk}/")
    sent = []
    # The answer is held back, so that the page stays as the person sees it while they wait
    # (Playwright's locators would wait for the navigation: the page is read from inside).
    page.route(f"**/partners/area/{release.pk}/accept/", lambda route: sent.append(route))

    pressed, after_back = page.evaluate(
        """async () => {
            const form = document.querySelector("form[data-busy]");
            const button = form.querySelector("button");
            const state = () => ({
                text: button.textContent.trim(),
                disabled: button.disabled,
                busy: form.getAttribute("aria-busy"),
                said: [...document.querySelectorAll("[role=status]")].map((e) => e.textContent),
            });
            const moment = () => new Promise((resolve) => setTimeout(resolve, 100));
            // Whether each submission was stopped, as seen once the portal's script had it.
            const stopped = [];
            window.addEventListener("submit", (event) => stopped.push(event.defaultPrevented));
            button.click();
            await moment();
            form.requestSubmit();  // sent again while the first is on its way: refused
            button.click();  // and pressed again: disabled by now
            await moment();
            const pressed = {...state(), stopped};
            // Back to the page from the browser's cache: the button is usable again.
            window.dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}));
            return [pressed, state()];
        }"""
    )

    assert pressed["text"] == "Working…" and pressed["disabled"] and pressed["busy"] == "true"
    assert "Working…" in pressed["said"]
    assert pressed["stopped"] == [False, True]
    assert len(sent) == 1
    assert after_back["text"] == "I accept these conditions"
    assert not after_back["disabled"] and after_back["busy"] is None

    sent[0].continue_()
    expect(page.get_by_role("link", name=re.compile("Download your copy"))).to_be_visible()
    assert_accessible(page)
