"""A BCU's TT&CG on screen in a real browser (issue 6, acceptance 2 and 5).

The chair opens the meeting on the shared screen and walks the agenda with the keyboard; in their
private view they review and close an action, raise a new one tied to a priority of the control
strategy, commission a problem profile, escalate an item, and close the meeting, whose minutes
PDF carries the marking on every page. A member in a second browser follows the chair's current
item and sees the new action within 5 seconds (the screen polls every 2). axe-core finds nothing
serious or critical on the shared screen or the private view."""

import datetime
import io
import re
import tempfile

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tasking.actions.choices import ActionStatus, ActionType
from tasking.actions.services import action_raise
from tasking.meetings.choices import MeetingStatus
from tasking.models import Commission, Escalation, Meeting, MinutesVersion, TacticalAction
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.tasking.screen_helpers import ScreenCast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = tempfile.gettempdir()
FOLLOW_MS = 5_000
NEW_ACTION = "Visit every repeat burglary victim in Stechford"


@pytest.fixture
def screen(hierarchy, vetting_table, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    screen = ScreenCast(hierarchy, open_meeting=False)
    # An action carried forward from between meetings, for the chair to review and close.
    screen.carried = action_raise(
        acting_user=screen.chair,
        unit=hierarchy.bcu,
        priority=screen.priority,
        action_type=ActionType.INTELLIGENCE,
        description="Map the county line into Stechford",
        owner_user=screen.member,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    return screen


@pytest.fixture
def member_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def errors_of(page) -> list[str]:
    """JavaScript and console errors (a CSP violation is one) seen on `page` from now on."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def in_form(page, button: str):
    """The form holding `button`: several forms on the private view share field labels."""
    return page.locator("form").filter(has=page.get_by_role("button", name=button))


def test_the_chair_runs_the_meeting_on_screen_and_a_member_follows(page, member_page, screen):
    meeting = screen.meeting
    shared = f"/tasking/screen/{meeting.pk}/"
    private = f"/tasking/screen/{meeting.pk}/chair/"
    chair_errors, member_errors = errors_of(page), errors_of(member_page)

    sign_in(page, screen.chair.username)
    page.goto(shared)
    page.get_by_role("button", name="Open the meeting").click()
    expect(page.get_by_text("Item 1 of 7")).to_be_visible()
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.IN_SESSION
    assert "OFFICIAL-SENSITIVE" in marking_banners(page)

    sign_in(member_page, screen.member.username)
    member_page.goto(shared)
    current = member_page.locator("#nim-screen-item-title")
    expect(current).to_have_text("Attendance and apologies")
    expect(member_page.get_by_role("button", name=re.compile("Next item"))).to_have_count(0)
    assert_accessible(member_page)

    # Walk the agenda with the documented shortcut; the member's screen follows.
    expect(page.get_by_label("Keyboard shortcuts")).to_be_checked()
    page.keyboard.press("n")
    expect(page.locator("#nim-screen-item-title")).to_have_text("Previous minutes")
    expect(current).to_have_text("Previous minutes", timeout=FOLLOW_MS)
    page.get_by_role("button", name=re.compile("^Next item")).click()
    expect(current).to_have_text("Review of the action log", timeout=FOLLOW_MS)

    # With the shortcuts off, a key press moves nothing (WCAG 2.1.4).
    page.get_by_label("Keyboard shortcuts").uncheck()
    page.keyboard.press("n")
    page.wait_for_timeout(500)
    expect(page.locator("#nim-screen-item-title")).to_have_text("Review of the action log")
    page.get_by_label("Keyboard shortcuts").check()
    page.screenshot(path=f"{SCREENSHOTS}/nim-meeting-screen.png", full_page=True)
    assert_accessible(page)

    # The private view: review and close the carried action.
    page.goto(private)
    expect(page.get_by_role("heading", name=re.compile("Chair's view"))).to_be_visible()
    assert_accessible(page)
    # Typing in a field is typing, not a shortcut.
    decision = in_form(page, "Record the decision").get_by_label("Decision")
    decision.press("n")
    page.wait_for_timeout(500)
    expect(decision).to_have_value("n")
    expect(page.locator("#nim-screen-item-title")).to_have_text("Review of the action log")
    decision.fill("")
    page.get_by_role("link", name=f"Review action {screen.carried.reference}").click()
    expect(
        page.get_by_role("heading", name=f"Review action {screen.carried.reference}")
    ).to_be_visible()
    page.get_by_label("Outcome").fill("The line is mapped: two addresses found.")
    page.get_by_role("button", name="Close the action with this outcome").click()
    expect(page.get_by_text(f"Action {screen.carried.pk} is closed.")).to_be_visible()
    assert TacticalAction.objects.get(pk=screen.carried.pk).status == ActionStatus.CLOSED

    # Raise a new action tied to a priority; the member sees it within 5 seconds.
    page.get_by_role("tab", name="Action").click()
    form = in_form(page, "Raise the action")
    form.get_by_label("Control strategy priority").select_option(str(screen.priority.pk))
    form.get_by_label("Prevention").check()
    form.get_by_label("What is to be done").fill(NEW_ACTION)
    form.get_by_label("Owner (a person)").select_option(str(screen.member.pk))
    due = timezone.localdate() + datetime.timedelta(days=14)
    form.get_by_label("Due by").fill(due.isoformat())
    form.get_by_role("button", name="Raise the action").click()
    expect(page.get_by_text("The action is raised.")).to_be_visible()
    expect(member_page.get_by_text(NEW_ACTION)).to_be_visible(timeout=FOLLOW_MS)
    action = TacticalAction.objects.get(description=NEW_ACTION)
    assert (action.priority_id, action.raised_at_meeting_id) == (screen.priority.pk, meeting.pk)

    # Commission a problem profile.
    page.get_by_role("tab", name="Commission").click()
    form = in_form(page, "Commission")
    form.get_by_label("Problem profile").check()
    form.get_by_label("Title").fill("Burglary dwelling on the Stechford estate")
    form.get_by_label("Developing analyst").select_option(str(screen.analyst.pk))
    form.get_by_label("Purpose (draft terms of reference)").fill("Why burglary rose this month")
    form.get_by_role("button", name="Commission").click()
    expect(page.get_by_text("Problem profile commissioned")).to_be_visible()
    assert Commission.objects.filter(meeting=meeting).count() == 1

    # Escalate the current item to the force's T&CG.
    page.get_by_role("tab", name="Escalation").click()
    form = in_form(page, "Escalate")
    form.get_by_label("What is escalated").fill("Firearms supply to the county line")
    form.get_by_label("Why it is beyond the unit's resources").fill(
        "Needs the force's firearms team"
    )
    form.get_by_role("button", name="Escalate").click()
    expect(page.get_by_text("Escalated to the T&CG of West Midlands Police.")).to_be_visible()
    page.screenshot(path=f"{SCREENSHOTS}/nim-meeting-screen-chair.png", full_page=True)
    escalation = Escalation.objects.get(from_meeting=meeting)
    assert escalation.agenda_item.title == "Review of the action log"
    assert_accessible(page)

    # Close the meeting: the minutes freeze and print with the marking on every page.
    page.locator("summary", has_text="Close the meeting").click()
    page.get_by_role("button", name="Close the meeting and freeze its minutes").click()
    expect(page.get_by_text("The meeting is closed: its minutes are frozen.")).to_be_visible()
    expect(member_page.get_by_text("The meeting is closed: its minutes are frozen.")).to_be_visible(
        timeout=FOLLOW_MS
    )
    version = MinutesVersion.objects.get(meeting=meeting)
    marking = version.marking_label
    download = page.request.get(f"/tasking/meetings/{meeting.pk}/minutes.pdf")
    assert download.ok, download.status
    pages = [
        " ".join(pdf_page.extract_text().split())
        for pdf_page in PdfReader(io.BytesIO(download.body())).pages
    ]
    assert pages
    for number, text in enumerate(pages, start=1):
        assert f"{marking} {marking} Page {number} of {len(pages)}" in text, number
    everything = " ".join(pages)
    assert NEW_ACTION in everything
    assert "Firearms supply to the county line" in everything
    assert chair_errors == [] and member_errors == [], (chair_errors, member_errors)
