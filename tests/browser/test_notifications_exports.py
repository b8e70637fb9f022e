"""Notifications, exports and the error pages in a real browser (issue 13, points 4, 9 and 12):
the header's link with the unread count, marking one read, the preferences page, the register's
CSV download carrying its filter and marking, a unit's move asked for twice, and the portal's
404 page. axe checks every page visited (WCAG 2.2 AA, and no content outside a landmark), and
none scrolls sideways at 390 px."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from nim_portal.choices import NotificationDelivery, NotificationKind, Role
from nim_portal.models import AuditEvent, NotificationPreference, Unit
from nim_portal.services import notify
from products.choices import ProductKind
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.factories import member, product_drafting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 390, "height": 844}


def mark_read(reference: str) -> re.Pattern:
    # The button's name is "Mark as read" and, visually hidden, the notification it marks.
    return re.compile(f"^Mark as read\\W+Action {reference} is yours$")


def header_link(page):
    return page.locator("header").get_by_role("link", name="Notifications")


def fits_390_px(page) -> None:
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= NARROW["width"], f"{page.url} is {width} px wide at 390 px"


@pytest.fixture
def officer(hierarchy, vetting_table):
    officer = member(hierarchy.force, Role.MEMBER, first_name="Sam", last_name="Iqbal")
    for text in ("Action BIRM-7 is yours", "Action BIRM-8 is yours"):
        notify(
            [officer],
            kind=NotificationKind.ACTION_ASSIGNED,
            message=text,
            link="/tasking/actions/",
        )
    return officer


def test_the_header_counts_unread_and_one_is_marked_read(page, officer):
    sign_in(page, officer.username)

    link = header_link(page)
    assert link.inner_text().split() == ["Notifications", "2", "unread"]
    assert_accessible(page)

    link.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    assert_accessible(page)
    fits_390_px(page)
    page.get_by_role("button", name=mark_read("BIRM-8")).click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Notification marked as read."
    )
    expect(header_link(page)).to_have_text(re.compile(r"^Notifications\s+1\s+unread$"))
    assert page.get_by_role("button", name=mark_read("BIRM-7")).is_visible()
    assert not page.get_by_role("button", name=mark_read("BIRM-8")).count()
    page.get_by_role("button", name="Mark all as read").click()
    expect(header_link(page)).to_have_text("Notifications")


def test_a_person_chooses_e_mail_only_for_a_kind(page, officer):
    sign_in(page, officer.username)
    page.goto("/notifications/")

    page.get_by_role("link", name="Choose how you hear of each kind of notification").click()
    assert page.get_by_role("heading", level=1).inner_text() == "How you hear of notifications"
    assert_accessible(page)
    fits_390_px(page)
    page.get_by_label(NotificationKind.ACTION_ASSIGNED.label).select_option(
        label=NotificationDelivery.EMAIL.label
    )
    page.get_by_role("button", name="Save preferences").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your notification preferences are saved."
    )
    assert (
        NotificationPreference.objects.get(
            user=officer, kind=NotificationKind.ACTION_ASSIGNED
        ).delivery
        == NotificationDelivery.EMAIL
    )
    assert_accessible(page)


def test_the_register_downloads_the_filtered_list_marked(page, hierarchy, vetting_table):
    reader = member(hierarchy.force, Role.MEMBER)
    analyst = member(hierarchy.force, Role.ANALYST)
    product_drafting(
        hierarchy.force, owner=analyst, title="Night-time economy", kind=ProductKind.PROBLEM_PROFILE
    )
    product_drafting(hierarchy.force, owner=analyst, title="Tactical assessment, spring")
    sign_in(page, reader.username)
    page.goto(f"/products/?kind={ProductKind.PROBLEM_PROFILE}")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV file of the product register").click()

    assert download.value.suggested_filename.startswith("product-register-OFFICIAL-SENSITIVE-")
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.reader(io.StringIO(exported.read())))
    assert rows[0] == ["OFFICIAL-SENSITIVE"]
    assert [row[1] for row in rows[2:]] == ["Night-time economy"]
    assert AuditEvent.objects.filter(actor=reader, detail__export="product register").exists()


def test_a_unit_moves_once_its_administrator_confirms_what_it_reaches(
    page, hierarchy, vetting_table
):
    admin = member(hierarchy.region, Role.ADMIN)
    sign_in(page, admin.username)

    page.goto("/staff/units/")
    assert page.get_by_text("1 unit under Staffordshire Police").is_visible()
    assert not page.get_by_role("link", name="Stoke", exact=True).is_visible()
    assert_accessible(page)
    page.goto(f"/staff/units/{hierarchy.bcu.pk}/move/")
    page.get_by_label("New parent unit").select_option(label="Staffordshire Police (STAFFS)")
    page.get_by_role("button", name="Move unit").click()

    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Move Birmingham under Staffordshire Police?"
    )
    assert "Units below it" in page.locator(".govuk-summary-list").inner_text()
    assert Unit.objects.get_parent(Unit.objects.get(pk=hierarchy.bcu.pk)) == hierarchy.force
    assert_accessible(page)
    fits_390_px(page)
    page.get_by_role("button", name="Yes, move it").click()

    page.wait_for_url(f"**/staff/units/{hierarchy.bcu.pk}/")
    assert Unit.objects.get_parent(Unit.objects.get(pk=hierarchy.bcu.pk)) == hierarchy.other_force


def test_a_missing_page_is_the_portals_own_404(page, officer):
    sign_in(page, officer.username)

    response = page.goto("/products/no-such-page/")

    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert marking_banners(page) == ["OFFICIAL", "OFFICIAL"]
    assert page.get_by_role("link", name="Go to your dashboard").is_visible()
    assert "URLconf" not in page.content()
    assert_accessible(page)
    fits_390_px(page)
