"""The partner area's tasking pages in a real browser: a partner gives information with a file
(and is refused, clearly, a disallowed one), follows it on their list, and sees their ST&CG with
the released strategic assessment. axe-core finds nothing serious or critical on the form (also
with its errors), the list, the submission's page and the meetings page."""

import re

import pytest
from playwright.sync_api import expect

from tasking.models import PartnerSubmission
from tasking.proceedings.partner_attendees import partner_attendee_invite
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import sign_in
from tests.tasking.submission_helpers import (
    CANARY_AGENDA,
    CANARY_ATTENDEE,
    CANARY_MINUTES,
    PDF,
    RELEASED_TITLE,
    SubmissionCast,
    meeting_with_canaries,
    released_assessment,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(hierarchy, vetting_table, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return SubmissionCast(hierarchy)


def assert_marked(page, label: str):
    """The marking stands at the top and the bottom of the page."""
    expect(page.locator(".nim-marking")).to_have_text([label] * 2)


def signed_in(page, username):
    sign_in(page, username)
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_a_partner_gives_information_accessibly(page, cast, tmp_path):
    signed_in(page, cast.partner_a.username)
    page.get_by_role("link", name="Information for the police").click()
    page.wait_for_url(re.compile(r"/tasking/partner/information/$"))
    assert_marked(page, "OFFICIAL-SENSITIVE")
    assert_accessible(page)
    page.get_by_role("link", name="Give information").first.click()
    page.wait_for_url(re.compile(r"/tasking/partner/information/new/\?item=\d+$"))
    assert_marked(page, "OFFICIAL-SENSITIVE")
    assert_accessible(page)

    page.get_by_label("What was seen, heard or recorded").fill("A grey van, every night at 2am.")
    page.get_by_label("When did it happen?").fill("2026-01-10")
    page.get_by_label("Where did it happen?").fill("Northfield flats")
    page.get_by_label("Where did the information come from?").select_option("own_staff")
    bad = tmp_path / "tool.exe"
    bad.write_bytes(b"MZ\x90")
    page.get_by_label("Attach files (optional)").set_input_files(str(bad))
    page.get_by_role("button", name="Send to the police").click()

    summary = page.locator(".govuk-error-summary")
    assert "“tool.exe” is not a kind of file we accept" in summary.inner_text()
    assert not PartnerSubmission.objects.exists()
    assert_accessible(page)

    good = tmp_path / "report.pdf"
    good.write_bytes(PDF)
    page.get_by_label("Attach files (optional)").set_input_files(str(good))
    page.get_by_role("button", name="Send to the police").click()

    page.wait_for_url(re.compile(r"/tasking/partner/information/\d+/$"))
    assert "Awaiting triage" in page.locator("main").inner_text()
    assert "report.pdf" in page.locator("main").inner_text()
    assert_marked(page, "OFFICIAL-SENSITIVE")
    assert_accessible(page)
    page.get_by_role("link", name="Information for the police").first.click()
    page.wait_for_url(re.compile(r"/tasking/partner/information/$"))
    assert "PI-" in page.locator("main").inner_text()
    assert_accessible(page)


def test_a_partner_sees_their_stcg_accessibly_and_nothing_tactical(
    page, cast, django_capture_on_commit_callbacks
):
    stcg = meeting_with_canaries(cast)
    partner_attendee_invite(acting_user=cast.chair, meeting=stcg, partner_user=cast.partner_b)
    released_assessment(cast, [cast.agency_b], django_capture_on_commit_callbacks)

    signed_in(page, cast.partner_b.username)
    page.get_by_role("link", name="Meetings").click()
    page.wait_for_url(re.compile(r"/tasking/partner/meetings/$"))

    main = page.locator("main").inner_text()
    assert "ST&CG of West Midlands Police" in main
    assert RELEASED_TITLE in main
    for canary in (CANARY_MINUTES, CANARY_AGENDA, CANARY_ATTENDEE):
        assert canary not in page.content()
    # The page is marked as the most sensitive release it lists (this one is OFFICIAL).
    assert_marked(page, "OFFICIAL")
    assert_accessible(page)
