"""A chair in a real browser moves a scheduled TT&CG from the meeting's page: a time in the past
comes back with its message, a good one moves the meeting and says the invitations go again.
axe finds no serious or critical WCAG 2.2 AA problem on the form, with or without errors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tasking.models import Meeting
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.tasking.proceedings_helpers import cast_scheduled, ttcg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chair_moves_a_scheduled_meeting(page, hierarchy, vetting_table):
    cast = cast_scheduled(hierarchy)
    meeting = ttcg(hierarchy.bcu)
    new_day = timezone.localtime(meeting.starts_at).date() + timedelta(days=1)

    sign_in(page, cast.chair.username)
    page.goto(f"/tasking/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Change the time or place").click()
    page.get_by_role("heading", name="Change the time or place").wait_for()
    assert marking_banners(page) == ["OFFICIAL", "OFFICIAL"]
    assert_accessible(page)

    page.get_by_label("Date").fill("2020-01-01")
    page.get_by_role("button", name="Move the meeting").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert "Choose a time in the future." in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_label("Date").fill(new_day.isoformat())
    page.get_by_label("Start time").fill("09:15")
    page.get_by_label("Place (optional)").fill("Stechford police station, briefing room 2")
    page.get_by_role("button", name="Move the meeting").click()
    page.get_by_text("the invitations go out again with the change").wait_for()

    moved = Meeting.objects.get(pk=meeting.pk)
    local = timezone.localtime(moved.starts_at)
    assert (local.date(), local.hour, local.minute, moved.sequence) == (new_day, 9, 15, 1)
