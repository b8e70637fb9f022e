"""Acceptance: an admin moves a BCU to another force in the browser; the tree, the unit's history
and the audit log show it; a non-admin is refused; a system administrator retries a failed
background job. axe checks each staff page on the way."""

import pytest

from nim_portal.choices import NotificationKind, Role
from nim_portal.models import Job, JobState, Unit
from nim_portal.services import NOTIFICATION_EMAIL_JOB, notify
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import sign_in
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_moves_a_bcu_to_another_force(page, hierarchy, vetting_table):
    admin = member(hierarchy.region, Role.ADMIN, first_name="Dev", last_name="Okafor")
    bcu = hierarchy.bcu
    sign_in(page, admin.username)

    page.get_by_role("link", name="Units").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Units"
    assert_accessible(page)

    page.goto(f"/staff/units/{bcu.pk}/move/")
    page.get_by_label("New parent unit").select_option(label="Staffordshire Police (STAFFS)")
    assert_accessible(page)
    page.get_by_role("button", name="Move unit").click()
    # The move is asked for twice: the second page says what it reaches.
    assert_accessible(page)
    page.get_by_role("button", name="Yes, move it").click()

    page.wait_for_url(f"**/staff/units/{bcu.pk}/")
    moved = Unit.objects.get(pk=bcu.pk)
    assert Unit.objects.get_parent(moved) == hierarchy.other_force
    assert "Moved from West Midlands Police to Staffordshire Police" in page.content()
    assert_accessible(page)

    page.goto("/staff/units/")
    staffs_branch = page.locator(
        "li", has=page.locator(f"a[href='/staff/units/{hierarchy.other_force.pk}/']")
    ).first
    # Folded away under the force (the region's administrator's own unit is the region).
    assert "Birmingham" in staffs_branch.text_content()

    page.goto("/staff/audit/")
    rows = page.locator("table tbody tr")
    assert "Moved" in rows.first.inner_text()
    assert "Birmingham" in rows.first.inner_text()
    assert_accessible(page)


def test_a_non_admin_is_refused_the_move_form(page, hierarchy, vetting_table):
    analyst = member(hierarchy.force, Role.ANALYST)
    sign_in(page, analyst.username)

    response = page.goto(f"/staff/units/{hierarchy.bcu.pk}/move/")

    assert response.status == 403
    assert Unit.objects.get_parent(Unit.objects.get(pk=hierarchy.bcu.pk)) == hierarchy.force


def test_a_system_administrator_finds_a_failed_job_and_retries_it(page, hierarchy, vetting_table):
    keeper = member(hierarchy.national, Role.ANALYST, is_superuser=True, is_staff=True)
    (notification,) = notify(
        [member(hierarchy.bcu, Role.MEMBER)],
        kind=NotificationKind.SUBMITTED_FOR_REVIEW,
        message="A review waits.",
    )
    job = Job.objects.get(kind=NOTIFICATION_EMAIL_JOB, object_id=notification.pk)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.FAILED, attempts=4, last_error="Attempt 4: OSError: no mail server"
    )
    sign_in(page, keeper.username)

    page.get_by_role("link", name="Jobs").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Background jobs"
    page.get_by_label("State").select_option(label="Failed")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("table tbody tr").first
    assert "Notification e-mail" in row.inner_text()
    assert "Attempt 4: OSError: no mail server" in row.inner_text()
    assert_accessible(page)

    row.get_by_role("button", name="Retry").click()

    assert "will run again" in page.locator(".govuk-notification-banner").inner_text()
    assert Job.objects.get(pk=job.pk).state == JobState.DONE
    assert_accessible(page)
