"""Reviewing in a real browser: the reviewer's comments beside the section in the editor (below
it at 390 px), "Save and next section", the page that lists a draft's empty sections before it is
submitted (its button saying "Working…" at once), and the count of readers a higher marking
withholds a section from, told as the marking changes (and, without JavaScript, by holding the
save until it is confirmed).

On each page axe finds no serious or critical WCAG 2.2 AA problem and no `region` finding (the
best-practice rule that all content sits in a landmark), and at 390 px none scrolls sideways."""

import re

import pytest
from playwright.sync_api import expect

from nim_portal.choices import GSCMarking, Role, VettingLevel
from products.choices import ProductStatus
from products.models import Product
from products.services import product_return, product_submit, review_comment_add
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.factories import member, product_drafting
from tests.products.helpers import write

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Give the source grading for the Aston figures."
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}


class Cast:
    def __init__(self, hierarchy):
        self.unit = hierarchy.bcu
        self.analyst = member(
            self.unit, Role.ANALYST, username="analyst", first_name="Asha", last_name="Patel"
        )
        self.requester = member(self.unit, Role.CHAIR, username="chair")
        self.reviewer = member(
            self.unit,
            Role.REVIEWER,
            username="reviewer",
            first_name="Tom",
            last_name="Reid",
            vetting_level=VettingLevel.SC,
        )


@pytest.fixture
def cast(hierarchy, vetting_table):
    return Cast(hierarchy)


@pytest.fixture
def returned(cast):
    """Version 1 returned with a comment on its first section."""
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.requester)
    write(product, cast.analyst, "Burglary rose in Aston.")
    product_submit(acting_user=cast.analyst, product=product)
    first = product.sections.get(position=1)
    review_comment_add(acting_user=cast.reviewer, product=product, text=COMMENT, section=first)
    product_return(acting_user=cast.reviewer, product=product)
    return product


def assert_no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{page.url} is {width} px wide at 390 px"


def open_editor(page, product, position: int):
    section = product.sections.get(position=position)
    page.goto(f"/products/{product.pk}/sections/{section.pk}/edit/")
    return page.get_by_role("textbox", name="Text (optional)")


def test_comments_stand_beside_the_section_and_below_it_on_a_narrow_screen(page, cast, returned):
    sign_in(page, cast.analyst.username)
    page.wait_for_url(re.compile(r"/$"))
    box = open_editor(page, returned, 1)
    comments = page.get_by_role("region", name="Reviewer comments on this section")
    expect(comments).to_contain_text(COMMENT)
    expect(comments).to_contain_text("Tom Reid")
    assert marking_banners(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    text, beside = box.bounding_box(), comments.bounding_box()
    assert beside["x"] >= text["x"] + text["width"], "the comments stand beside the text"
    assert beside["y"] < text["y"] + text["height"]
    assert_accessible(page)

    page.set_viewport_size(NARROW)
    page.reload()
    text, below = box.bounding_box(), comments.bounding_box()
    assert below["y"] >= text["y"] + text["height"], "the comments stand below the text"
    assert_no_sideways_scroll(page)
    assert_accessible(page)

    # The next section has no comment of its own.
    open_editor(page, returned, 2)
    expect(page.get_by_text(COMMENT)).to_have_count(0)


def test_save_and_next_section_then_back_to_the_product(page, cast):
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.requester)
    sections = list(product.sections.order_by("position"))
    sign_in(page, cast.analyst.username)
    page.wait_for_url(re.compile(r"/$"))

    open_editor(page, product, 1).fill("The aim and scope.")
    page.get_by_role("button", name="Save and next section").click()
    page.wait_for_url(f"**/sections/{sections[1].pk}/edit/")
    page.get_by_text("Section saved (revision 2).").wait_for()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sections[1].title)
    assert_accessible(page)

    open_editor(page, product, len(sections)).fill("Sources and methods used.")
    page.get_by_role("button", name="Save and go back to the product").click()
    page.wait_for_url(f"**/products/{product.pk}/")
    page.get_by_text("Section saved (revision 2).").wait_for()
    bodies = dict(product.sections.values_list("position", "body"))
    assert (bodies[1], bodies[len(sections)]) == ("The aim and scope.", "Sources and methods used.")


def test_the_empty_sections_are_listed_before_the_draft_is_submitted(page, cast):
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.requester)
    sections = list(product.sections.order_by("position"))
    for section in sections[:-2]:
        write(product, cast.analyst, f"Text of {section.title}.", position=section.position)
    sign_in(page, cast.analyst.username)
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/products/{product.pk}/")
    page.get_by_role("button", name="Submit v1 for review").click()
    page.wait_for_url(re.compile(rf"/products/{product.pk}/submit/check/\??$"))
    page.get_by_text("2 sections have no text").wait_for()
    listed = page.locator("#empty-sections")
    expect(listed.get_by_role("link")).to_have_count(2)
    for empty in sections[-2:]:
        expect(listed.get_by_role("link", name=empty.title)).to_be_visible()
    assert marking_banners(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    assert_accessible(page)
    page.set_viewport_size(NARROW)
    page.reload()
    assert_no_sideways_scroll(page)
    page.set_viewport_size(WIDE)

    # Back to fill one: its editor opens; the list is one shorter after.
    page.get_by_role("link", name=sections[-2].title).click()
    page.wait_for_url(f"**/sections/{sections[-2].pk}/edit/")
    page.get_by_role("textbox", name="Text (optional)").fill("Gaps: the fence's buyers.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Section saved").wait_for()
    page.goto(f"/products/{product.pk}/submit/check/")
    page.get_by_text("1 section has no text").wait_for()

    # The analyst submits it as it is: the button says "Working…" at once and cannot be pressed
    # again while the portal answers (the answer held back here, so that the wait can be seen).
    held = []
    page.route(f"**/products/{product.pk}/submit/", lambda route: held.append(route))
    pressed = page.evaluate(
        """() => new Promise((resolve) => {
            const button = document.querySelector("form[data-busy] button[type=submit]");
            button.click();
            setTimeout(() => resolve({text: button.textContent.trim(), off: button.disabled}), 100);
        })"""
    )
    assert pressed == {"text": "Working…", "off": True}
    assert len(held) == 1
    held[0].continue_()
    page.get_by_text("Version 1 submitted for review.").wait_for()
    assert Product.objects.get(pk=product.pk).status == ProductStatus.SUBMITTED


def test_a_higher_marking_says_how_many_readers_will_see_the_section_withheld(page, cast):
    member(cast.unit, Role.MEMBER, username="rv-member", vetting_level=VettingLevel.RV)
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.requester)
    section = product.sections.get(position=1)
    sign_in(page, cast.analyst.username)
    page.wait_for_url(re.compile(r"/$"))

    open_editor(page, product, 1).fill("A covert source names the fence.")
    warning = page.locator("#section-withheld")
    page.get_by_label("Marking of this section").select_option(label="SECRET")
    expect(warning).to_contain_text(
        "1 person who may read this product today is not vetted to read SECRET"
    )
    assert_accessible(page)
    page.get_by_label("Marking of this section").select_option(label="OFFICIAL-SENSITIVE")
    expect(warning).to_be_empty()
    page.get_by_label("Marking of this section").select_option(label="SECRET")
    expect(warning).to_contain_text("Withheld: SECRET")

    # Told before saving: the save goes through at once.
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Section saved").wait_for()
    section.refresh_from_db()
    assert (section.marking, section.body) == (
        GSCMarking.SECRET,
        "A covert source names the fence.",
    )


def test_without_javascript_the_save_of_a_higher_marking_waits_for_confirmation(
    browser, live_server, page, cast
):
    member(cast.unit, Role.MEMBER, username="rv-member", vetting_level=VettingLevel.RV)
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.requester)
    section = product.sections.get(position=1)
    context = browser.new_context(
        base_url=live_server.url, viewport=WIDE, java_script_enabled=False
    )
    plain = context.new_page()
    try:
        # Without JavaScript in the page, Playwright's waiting locators never settle: after each
        # navigation the page is read as it stands.
        sign_in(plain, cast.analyst.username)
        plain.wait_for_url(re.compile(r"/$"))
        open_editor(plain, product, 1).fill("A covert source names the fence.")
        plain.get_by_label("Marking of this section").select_option(label="SECRET")
        plain.get_by_role("button", name="Save", exact=True).click()
        plain.wait_for_load_state()
        held = plain.get_by_role("region", name="Not saved yet")
        assert "1 person who may read this product today is not vetted to read SECRET" in (
            held.inner_text()
        )
        section.refresh_from_db()
        assert section.marking == GSCMarking.OFFICIAL_SENSITIVE
        assert plain.get_by_role("textbox", name="Text (optional)").input_value() == (
            "A covert source names the fence."
        )
        plain.get_by_role("button", name="Save", exact=True).click()
        plain.wait_for_load_state()
        assert "Section saved" in plain.locator("main").inner_text()
        section.refresh_from_db()
        assert section.marking == GSCMarking.SECRET
    finally:
        context.close()

    # The held page as axe sees it (axe needs JavaScript: the count's request is made to fail,
    # so that the save is held as it is without JavaScript).
    page.route(re.compile(r"/withheld/"), lambda route: route.abort())
    sign_in(page, cast.analyst.username)
    page.wait_for_url(re.compile(r"/$"))
    open_editor(page, product, 2).fill("The fence's address.")
    page.get_by_label("Marking of this section").select_option(label="SECRET")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("heading", name="Not saved yet").wait_for()
    assert_accessible(page)
    page.set_viewport_size(NARROW)
    assert_no_sideways_scroll(page)
