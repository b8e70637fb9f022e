"""Portion marking and word-by-word compare, in a real browser: a member vetted to
OFFICIAL-SENSITIVE (RV) reads a product whose SECRET section shows only as withheld, and an SC
reader compares two versions word by word, inline and side by side. axe finds no serious or
critical WCAG 2.2 AA problem and no moderate `region` finding on each page, and at 390 px
nothing scrolls sideways."""

import re

import pytest

from nim_portal.choices import GSCMarking, Role, VettingLevel
from products.services import section_retitle
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.factories import member, product_drafting
from tests.products.helpers import publish, write

CANARY = "Kestrelcanary"
TITLE = "Burglary dwelling in Stechford"


@pytest.fixture
def world(hierarchy, vetting_table):
    unit = hierarchy.bcu
    analyst = member(unit, Role.ANALYST, username="aanalyst", vetting_level=VettingLevel.SC)
    reviewer = member(
        hierarchy.force, Role.REVIEWER, username="rreviewer", vetting_level=VettingLevel.SC
    )
    rv = member(unit, Role.MEMBER, username="rvmember", vetting_level=VettingLevel.RV)
    sc = member(unit, Role.MEMBER, username="scmember", vetting_level=VettingLevel.SC)
    product = product_drafting(unit, owner=analyst, title=TITLE, kind="problem")
    write(product, analyst, "Burglary rose by 40% in Stechford.\n\nMostly at night.")
    write(
        product,
        analyst,
        f"Source {CANARY} says the stash moves on Fridays.",
        position=2,
        marking=GSCMarking.SECRET,
    )
    section_retitle(
        acting_user=analyst, section=product.sections.get(position=2), title=f"Informant {CANARY}"
    )
    publish(product, owner=analyst, reviewer=reviewer)
    write(product, analyst, "Burglary rose by 45% in Stechford.\n\nMostly at night.")
    write(product, analyst, f"Source {CANARY} says Saturdays now.", position=2)
    publish(product, owner=analyst, reviewer=reviewer)
    return {"product": product, "rv": rv, "sc": sc}


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def signed_in_as(page, user):
    sign_in(page, user.username)
    page.wait_for_url(re.compile(r"/$"))


def test_the_rv_member_sees_the_secret_section_withheld(page, world):
    product = world["product"]
    signed_in_as(page, world["rv"])

    page.goto(f"/products/{product.pk}/")
    banners = marking_banners(page)
    assert len(banners) == 2
    for banner in banners:
        assert banner.startswith("OFFICIAL-SENSITIVE")
        assert "PARTS MARKED SECRET WITHHELD" in banner.upper()
    placeholder = page.get_by_role("heading", name=re.compile(r"Withheld: SECRET"))
    assert placeholder.count() == 1
    assert CANARY not in page.content()
    assert_accessible(page)

    page.goto(f"/products/{product.pk}/versions/compare/?a=1&b=2")
    assert page.get_by_role("heading", name="Withheld: SECRET").count() == 1
    assert CANARY not in page.content()
    assert_accessible(page)


def test_compare_word_by_word_inline_and_side_by_side(page, world):
    product = world["product"]
    signed_in_as(page, world["sc"])

    page.goto(f"/products/{product.pk}/versions/compare/?a=1&b=2")
    assert marking_banners(page) == ["SECRET", "SECRET"]
    first = page.locator(".nim-section-difference").first
    # Changed sections first; only the number changed, marked as removed and added.
    assert "Changed" in first.locator("h3").inner_text()
    assert first.locator("del").first.text_content() == "removed: 40"
    assert first.locator("ins").first.text_content() == "added: 45"
    assert page.locator("ins", has_text="Saturdays").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Show the changes side by side").click()
    page.wait_for_url(re.compile(r"view=side-by-side"))
    table = page.locator("table.nim-word-diff").first
    assert table.locator("th").all_inner_texts() == ["Version 1", "Version 2"]
    assert table.locator("del").first.text_content() == "removed: 40"
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 844})
    assert no_sideways_scroll(page)
    page.get_by_role("link", name="Show the changes inline").click()
    page.wait_for_url(re.compile(r"view=inline"))
    assert no_sideways_scroll(page)
