"""Patrol briefings in a real browser (issue 14, acceptance 4): the chair generates the late turn's
briefing from the unit's page; an RV member reads it on a 390 px wide phone with no sideways
scroll, marked top and bottom, with neither the SECRET action's nor the ungranted subject
profile's canary on the page or in their PDF; axe finds no serious or critical WCAG 2.2 AA problem
(nor a `region` finding) on each page."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tasking.briefings.models import Briefing
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.tasking.test_briefings import CANARY_ACTION, CANARY_PERSON, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(hierarchy, vetting_table):
    return World(hierarchy)


def assert_fits_a_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 391)
            .slice(0, 5).map((e) => e.tagName + '.' + e.className)"""
    )
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at 390 px ({width} px): {wide}"


def test_the_chair_generates_and_a_member_reads_it_on_a_phone(page, world):
    sign_in(page, world.chair.username)
    page.goto(f"/tasking/briefings/units/{world.unit.pk}/")
    assert_accessible(page)
    page.get_by_label("Late turn").check()
    page.get_by_label("Date of the shift").fill("not a date")
    page.get_by_role("button", name="Generate the briefing").click()
    page.get_by_text("Enter a valid date").first.wait_for()
    assert not Briefing.objects.exists()
    assert_accessible(page)
    page.get_by_label("Date of the shift").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Generate the briefing").click()
    page.get_by_role("heading", name="Live taskings").wait_for()
    briefing = Briefing.objects.get()
    assert CANARY_ACTION in page.locator("main").inner_text()

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(page, world.member.username)
    page.goto("/tasking/briefings/")
    assert_accessible(page)
    assert_fits_a_phone(page)
    page.get_by_role("link", name="Late turn").first.click()
    page.get_by_role("heading", name="People of interest").wait_for()
    text = page.locator("body").inner_text()
    assert "Patrol the ring road" in text
    assert "Darren Wells" in text
    assert "Shard End" in text
    assert CANARY_ACTION not in text
    assert CANARY_PERSON not in text
    assert CANARY_ACTION not in page.content()
    assert marking_banners(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    assert_accessible(page)
    assert_fits_a_phone(page)

    pdf_url = f"/tasking/briefings/{briefing.pk}/pdf/"
    response = page.request.get(pdf_url)
    if response.headers["content-type"] != "application/pdf":
        response = page.request.get(pdf_url)
    assert response.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.body())).pages
    printed = "\n".join(p.extract_text() for p in pages)
    assert "Patrol the ring road" in printed
    assert CANARY_ACTION not in printed
    assert CANARY_PERSON not in printed
    assert all("OFFICIAL-SENSITIVE" in p.extract_text() for p in pages)
