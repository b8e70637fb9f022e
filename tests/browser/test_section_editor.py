"""The section editor in a real browser: the toolbar, the live preview, autosave, a conflict
between two analysts each in their own browser, and text kept in the browser across a reload."""

import re
import tempfile
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from nim_portal.choices import Role
from products.views import sections
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.factories import member, product_drafting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots for a person to look at: /tmp/nim-*.png
SCREENSHOTS = tempfile.gettempdir()

# Chromium logs every refused autosave as a failed resource load; the editor expects that answer.
AUTOSAVE_CONFLICT_LOG = "the server responded with a status of 409 (Conflict)"

# Runs before the page's own scripts: a Content-Security-Policy violation becomes a console error.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Cast:
    def __init__(self, hierarchy):
        self.unit = hierarchy.bcu
        self.analyst = member(hierarchy.bcu, Role.ANALYST, username="analyst")
        self.colleague = member(hierarchy.bcu, Role.ANALYST, username="colleague")
        self.requester = member(hierarchy.bcu, Role.CHAIR, username="chair")


@pytest.fixture
def cast(hierarchy, vetting_table):
    return Cast(hierarchy)


@pytest.fixture
def fast_autosave(monkeypatch):
    monkeypatch.setattr(sections, "AUTOSAVE_INTERVAL_SECONDS", 1)


def watch_errors(page) -> list[str]:
    """JavaScript errors and console errors (CSP violations among them) on `page`, except the
    expected log of a refused autosave."""
    errors = []
    page.add_init_script(REPORT_CSP_VIOLATIONS)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and AUTOSAVE_CONFLICT_LOG not in message.text
            and errors.append(message.text)
        ),
    )
    return errors


@pytest.fixture
def second_page(browser, live_server):
    """Another person's browser, with its own cookies and storage."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def autosaved(response, text: str) -> bool:
    """Is `response` the autosave's answer to a post of `text`? (Autosave runs on a timer.)"""
    if not response.url.endswith("/autosave/") or response.status != 200:
        return False
    return parse_qs(response.request.post_data or "").get("body") == [text]


def open_editor(page, product, section):
    page.goto(f"/products/{product.pk}/sections/{section.pk}/edit/")
    page.locator("[data-nim-toolbar]").wait_for()
    return page.get_by_role("textbox", name="Text (optional)")


def test_the_toolbar_preview_and_autosave_work(page, cast, fast_autosave):
    errors = watch_errors(page)
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.requester)
    section = product.sections.get(position=1)
    sign_in(page, cast.analyst.username)
    page.wait_for_url(re.compile(r"/$"))

    box = open_editor(page, product, section)
    assert marking_banners(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    assert_accessible(page)
    box.fill("The flat above")
    box.evaluate("(textarea) => textarea.setSelectionRange(9, 14)")
    page.get_by_role("button", name="Restricted").click()
    assert box.input_value() == "The flat [restricted]above[/restricted]"
    final = "The flat [restricted]**above**[/restricted]"
    with page.expect_response(lambda response: autosaved(response, final)):
        page.get_by_role("button", name="Bold").click()
    assert box.input_value() == final

    page.locator("#section-preview mark.nim-restricted strong", has_text="above").wait_for()
    section.refresh_from_db()
    assert section.body == final
    expect(page.locator("#section-autosave-status")).to_contain_text(
        f"(revision {section.revision})"
    )
    expect(page.locator("input[name=revision]")).to_have_value(str(section.revision))

    # The whole text saved, the browser keeps no draft of it.
    page.reload()
    assert box.input_value() == "The flat [restricted]**above**[/restricted]"
    assert not page.locator("[data-nim-draft-restore]").is_visible()
    assert errors == []


def test_a_conflict_between_two_analysts_shows_both_texts_and_loses_nothing(
    page, second_page, cast, fast_autosave
):
    errors = watch_errors(page)
    their_errors = watch_errors(second_page)
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.requester)
    section = product.sections.get(position=1)
    sign_in(page, cast.analyst.username)
    page.wait_for_url(re.compile(r"/$"))
    sign_in(second_page, cast.colleague.username)
    second_page.wait_for_url(re.compile(r"/$"))

    mine = open_editor(page, product, section)
    theirs = open_editor(second_page, product, section)
    theirs.fill("Their text.")
    second_page.get_by_role("button", name="Save", exact=True).click()
    second_page.get_by_text("Section saved").wait_for()

    # My autosave goes over the revision I loaded: refused, both texts shown.
    mine.fill("My text.")
    page.get_by_role("heading", name="Your text has not been saved").wait_for()
    page.get_by_text("Autosave stopped").wait_for()
    assert page.locator("#conflict-theirs").input_value() == "Their text."
    assert page.locator("#conflict-yours").input_value() == "My text."
    section.refresh_from_db()
    assert (section.body, section.revision) == ("Their text.", 2)
    page.screenshot(path=f"{SCREENSHOTS}/nim-section-conflict.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name="Put their text in the editor").click()
    assert mine.input_value() == "Their text."
    mine.press("End")
    mine.type(" My text.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Section saved").wait_for()
    section.refresh_from_db()
    assert (section.body, section.revision) == ("Their text. My text.", 3)
    assert errors == []
    assert their_errors == []


def test_a_save_over_a_stale_revision_shows_the_conflict_on_the_page(page, second_page, cast):
    """Without autosave in the way (the default interval is longer than the test): the Save
    button itself is refused and the editor comes back with both texts."""
    errors = watch_errors(page)
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.requester)
    section = product.sections.get(position=1)
    sign_in(page, cast.analyst.username)
    page.wait_for_url(re.compile(r"/$"))
    sign_in(second_page, cast.colleague.username)
    second_page.wait_for_url(re.compile(r"/$"))

    mine = open_editor(page, product, section)
    theirs = open_editor(second_page, product, section)
    theirs.fill("Their text.")
    second_page.get_by_role("button", name="Save", exact=True).click()
    second_page.get_by_text("Section saved").wait_for()
    mine.fill("My text.")
    page.get_by_role("button", name="Save", exact=True).click()

    page.get_by_role("heading", name="Your text has not been saved").wait_for()
    assert page.title().startswith("Error: ")
    assert page.locator("#conflict-theirs").input_value() == "Their text."
    assert page.get_by_role("textbox", name="Text (optional)").input_value() == "My text."
    section.refresh_from_db()
    assert section.body == "Their text."
    assert marking_banners(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    assert_accessible(page)
    assert errors == []


def test_unsaved_text_is_offered_back_after_a_reload(page, cast):
    errors = watch_errors(page)
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.requester)
    section = product.sections.get(position=1)
    sign_in(page, cast.analyst.username)
    page.wait_for_url(re.compile(r"/$"))

    box = open_editor(page, product, section)
    assert not page.locator("[data-nim-draft-restore]").is_visible()
    box.type("Unsaved words")
    box = open_editor(page, product, section)
    assert box.input_value() == ""
    page.locator("[data-nim-draft-restore]").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Restore my unsaved text").click()
    assert box.input_value() == "Unsaved words"
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Section saved").wait_for()
    section.refresh_from_db()
    assert section.body == "Unsaved words"

    # Saved: nothing is offered any more.
    open_editor(page, product, section)
    assert not page.locator("[data-nim-draft-restore]").is_visible()
    assert errors == []
