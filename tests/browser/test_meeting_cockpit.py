"""The chair's cockpit, presentation mode and portion-marked minutes in a real browser (issue 13,
points 1 to 3 and 9).

In a 1366x900 window the chair records a decision and an action on the current item without
scrolling, each form one key away, and a member's screen in a second browser shows both within
5 seconds. The room's display shows no site chrome but the marking. An RV member reads closed
minutes with their SECRET decision withheld, and never its canary. At 390 px the meeting screen
(its action table included) does not scroll sideways. axe finds nothing serious or critical, and
no `region` finding, on every page visited."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nim_portal.choices import GSCMarking, VettingLevel
from tasking.actions.choices import ActionType
from tasking.actions.services import action_raise
from tasking.proceedings import services
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.tasking.screen_helpers import ScreenCast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOLLOW_MS = 5_000
CANARY = "CANARY-b41e: the covert deployment"


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def screen(hierarchy, vetting_table, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return ScreenCast(hierarchy)


def window(browser, live_server, width: int, height: int):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def chair_page(browser, live_server):
    context, page = window(browser, live_server, 1366, 900)
    yield page
    context.close()


@pytest.fixture
def member_page(browser, live_server):
    context, page = window(browser, live_server, 1280, 900)
    yield page
    context.close()


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_the_chair_records_a_decision_and_an_action_without_scrolling(
    chair_page, member_page, screen
):
    page = chair_page
    sign_in(page, screen.chair.username)
    page.goto(f"/tasking/screen/{screen.meeting.pk}/chair/")
    sign_in(member_page, screen.member.username)
    member_page.goto(f"/tasking/screen/{screen.meeting.pk}/")

    # The item and the recording panel side by side.
    item = page.locator("#nim-screen-item-title")
    panel = page.locator("#nim-screen-controls")
    assert item.bounding_box()["x"] < panel.bounding_box()["x"]
    assert in_viewport(page, item)
    # The whole panel lies in the window: nothing in it can scroll the page to itself.
    assert in_viewport(page, panel)
    assert_accessible(page)

    page.keyboard.press("d")
    decision = page.locator("#nim-record-decision")
    expect(decision.get_by_label("Agenda item")).to_be_focused()
    decision.get_by_label("Decision").fill("Leaflet the Stechford estate this week.")
    record = decision.get_by_role("button", name="Record the decision")
    assert in_viewport(page, record)
    assert page.evaluate("window.scrollY") == 0
    record.click()
    expect(page.get_by_text("The decision is recorded.")).to_be_visible()
    # The decision appears under the item, in place: the page has not moved.
    recorded = page.locator(".nim-screen__item").get_by_text("Leaflet the Stechford estate")
    expect(recorded).to_be_visible()
    assert in_viewport(page, recorded)
    assert in_viewport(page, item)
    assert page.evaluate("window.scrollY") == 0

    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("a")
    action = page.locator("#nim-record-action")
    expect(action).to_be_visible()
    # A refused action comes back on its own tab, its errors shown.
    action.get_by_role("button", name="Raise the action").click()
    expect(action.get_by_text("There is a problem")).to_be_visible()
    action.get_by_label("Control strategy priority").select_option(str(screen.priority.pk))
    action.get_by_label("Prevention").check()
    action.get_by_label("What is to be done").fill("Visit every repeat victim on the estate")
    action.get_by_label("Owner (a person)").select_option(str(screen.member.pk))
    due = timezone.localdate() + datetime.timedelta(days=14)
    action.get_by_label("Due by").fill(due.isoformat())
    # The panel stays in view (sticky); a long form scrolls within it, never the page.
    action.get_by_role("button", name="Raise the action").click()
    expect(page.get_by_text("The action is raised.")).to_be_visible()
    raised = page.locator("#nim-screen-live").get_by_text("Visit every repeat victim on the estate")
    expect(raised).to_be_visible()
    assert in_viewport(page, item)
    assert page.evaluate("window.scrollY") == 0

    expect(member_page.get_by_text("Leaflet the Stechford estate this week.").first).to_be_visible(
        timeout=FOLLOW_MS
    )
    expect(member_page.get_by_text("Visit every repeat victim on the estate")).to_be_visible(
        timeout=FOLLOW_MS
    )
    assert_accessible(page)


def test_the_slow_forms_say_they_are_working(chair_page, screen):
    """Closing the meeting (its minutes printed), escalating and commissioning (the body above
    and the analyst told) take a moment: their forms carry data-busy
    (static/src/js/busy-buttons.mjs), so that the button says "Working…" and a second press
    sends nothing."""
    page = chair_page
    sign_in(page, screen.chair.username)
    page.goto(f"/tasking/screen/{screen.meeting.pk}/chair/")
    for form in (
        page.locator("#nim-record-escalation form"),
        page.locator("#nim-record-commission form"),
        page.locator("form").filter(has=page.locator("#nim-screen-close")),
    ):
        expect(form).to_have_attribute("data-busy", "")

    page.goto(f"/tasking/meetings/{screen.meeting.pk}/")
    close = page.locator("form").filter(
        has=page.get_by_role("button", name="Close the meeting and freeze its minutes")
    )
    expect(close).to_have_attribute("data-busy", "")
    assert_accessible(page)

    # The answer is held back, so that the page stays as the chair sees it while they wait (read
    # from inside: Playwright's locators would wait for the navigation).
    sent = []
    page.route(f"**/tasking/meetings/{screen.meeting.pk}/close/", lambda route: sent.append(route))
    pressed = page.evaluate(
        """async () => {
            const button = [...document.querySelectorAll("form[data-busy] button")].find(
                (b) => b.textContent.includes("Close the meeting"));
            button.click();
            await new Promise((resolve) => setTimeout(resolve, 100));
            button.click();
            return {text: button.textContent.trim(), disabled: button.disabled};
        }"""
    )
    assert pressed == {"text": "Working…", "disabled": True}
    assert len(sent) == 1
    sent[0].continue_()
    expect(page.get_by_text("The meeting is closed", exact=False).first).to_be_visible()


def test_presentation_mode_has_the_marking_and_no_site_chrome(page, screen):
    sign_in(page, screen.member.username)
    page.goto(f"/tasking/screen/{screen.meeting.pk}/present/")
    expect(page.get_by_role("button", name=re.compile("Full screen"))).to_be_visible()
    expect(page.locator(".govuk-header")).to_have_count(0)
    banners = marking_banners(page)
    assert len(banners) == 2 and banners[0] == banners[1]
    expect(page.locator(".nim-marking--top")).to_be_in_viewport()
    expect(page.locator(".nim-marking--bottom")).to_be_in_viewport()
    assert_accessible(page)


def test_the_rv_member_reads_the_minutes_with_the_secret_decision_withheld(page, screen):
    services.decision_record(
        acting_user=screen.chair,
        meeting=screen.meeting,
        agenda_item=None,
        text=CANARY,
        marking=GSCMarking.SECRET,
    )
    services.decision_record(
        acting_user=screen.chair,
        meeting=screen.meeting,
        agenda_item=None,
        text="Patrol the ring road at weekends.",
        marking=GSCMarking.OFFICIAL_SENSITIVE,
    )
    services.meeting_close(acting_user=screen.chair, meeting=screen.meeting)
    type(screen.member).objects.filter(pk=screen.member.pk).update(vetting_level=VettingLevel.RV)

    sign_in(page, screen.member.username)
    page.goto(f"/tasking/meetings/{screen.meeting.pk}/")
    expect(page.get_by_text("Withheld: SECRET").first).to_be_visible()
    expect(page.get_by_text("Patrol the ring road at weekends.").first).to_be_visible()
    assert CANARY not in page.content()
    assert_accessible(page)


def test_the_meeting_screen_does_not_scroll_sideways_at_390_px(browser, live_server, screen):
    action_raise(
        acting_user=screen.chair,
        unit=screen.hierarchy.bcu,
        priority=screen.priority,
        action_type=ActionType.INTELLIGENCE,
        description="Map the county line into Stechford and every address it supplies",
        owner_user=screen.member,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
        meeting=screen.meeting,
    )
    context, page = window(browser, live_server, 390, 844)
    try:
        sign_in(page, screen.member.username)
        page.goto(f"/tasking/screen/{screen.meeting.pk}/")
        expect(page.get_by_text("Map the county line into Stechford")).to_be_visible()
        assert no_sideways_scroll(page)
        page.goto(f"/tasking/screen/{screen.meeting.pk}/present/")
        assert no_sideways_scroll(page)
        assert_accessible(page)
    finally:
        context.close()
