"""The sign-in page and both dashboards in a real browser: they work, and axe finds no WCAG 2.2 AA
problem that is serious or critical."""

import re
import tempfile

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from nim_portal.choices import Role, VettingLevel
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, PartnerUserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots for a person to look at: /tmp/nim-*.png
SCREENSHOTS = tempfile.gettempdir()


@pytest.fixture
def browser_errors(page):
    """JavaScript errors and console errors (a CSP violation is one) seen while a test runs."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def marking_banners(page) -> list[str]:
    return page.locator(".nim-marking").all_inner_texts()


def test_the_sign_in_page_works_with_javascript_and_is_accessible(page, browser_errors):
    page.goto("/accounts/login/")

    assert page.title() == "Sign in \N{EN DASH} NIM Portal"
    assert marking_banners(page) == ["OFFICIAL", "OFFICIAL"]
    body_classes = page.locator("body").get_attribute("class")
    assert "js-enabled" in body_classes
    assert "govuk-frontend-supported" in body_classes
    page.screenshot(path=f"{SCREENSHOTS}/nim-login.png", full_page=True)
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    assert browser_errors == []


def test_a_failed_sign_in_focuses_the_error_summary(page, browser_errors, vetting_table):
    sign_in(page, "nobody-by-this-name")

    # The form posts back to its own address, so wait for the answer rather than for a new URL.
    expect(page).to_have_title("Error: Sign in \N{EN DASH} NIM Portal")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct username and password")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert browser_errors == []
    assert_accessible(page)


def test_a_police_user_signs_in_to_their_dashboard(page, browser_errors, hierarchy, vetting_table):
    user = member(
        hierarchy.force,
        Role.ADMIN,
        first_name="Priya",
        last_name="Shah",
        vetting_level=VettingLevel.SC,
    )
    member_bcu = hierarchy.bcu
    user.memberships.create(unit=member_bcu, role=Role.ANALYST)

    sign_in(page, user.username)

    page.wait_for_url(re.compile(r"/$"))
    assert page.locator("h1").inner_text() == "Priya Shah"
    assert page.locator("tbody tr").count() == 2
    assert "West Midlands Police and 1 unit below" in page.locator("tbody").inner_text()
    assert "SECRET" in page.locator(".govuk-summary-list").inner_text()
    assert page.get_by_role("link", name="Units").is_visible()
    assert marking_banners(page) == ["OFFICIAL", "OFFICIAL"]
    assert browser_errors == []
    page.screenshot(path=f"{SCREENSHOTS}/nim-dashboard.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert "You have signed out." in page.locator("main").inner_text()


def test_a_partner_user_sees_their_own_page(page, browser_errors, hierarchy, vetting_table):
    partner = PartnerUserFactory(first_name="Sam", last_name="Okafor")

    sign_in(page, partner.username)

    page.wait_for_url(re.compile(r"/$"))
    main = page.locator("main").inner_text()
    assert "Releases for your agency" in main
    assert "OFFICIAL-SENSITIVE" in main
    assert hierarchy.force.name not in main
    navigation = page.locator(".govuk-service-navigation a").all_inner_texts()
    assert navigation == ["Dashboard", "Releases", "Information for the police", "Meetings"]
    assert browser_errors == []
    page.screenshot(path=f"{SCREENSHOTS}/nim-partner-dashboard.png", full_page=True)
    assert_accessible(page)


def test_a_first_sign_in_enrols_an_authenticator_app(
    page, browser_errors, hierarchy, vetting_table, settings
):
    settings.NIM_REQUIRE_SECOND_FACTOR = True
    user = member(hierarchy.bcu, Role.ANALYST, first_name="Jo", last_name="Reid")

    sign_in(page, user.username)

    page.wait_for_url(re.compile(r"/accounts/second-factor/"))
    assert page.locator("h1").inner_text() == "Set up your authenticator app"
    assert page.locator(".nim-qr-code svg").is_visible()
    page.screenshot(path=f"{SCREENSHOTS}/nim-second-factor.png", full_page=True)
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=user)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label("Security code").fill(f"{code:06d}")
    page.get_by_role("button", name="Confirm and continue").click()

    page.wait_for_url(re.compile(r"/$"))
    assert "Your authenticator app is set up." in page.locator("main").inner_text()
    assert browser_errors == []
