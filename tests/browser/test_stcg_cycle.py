"""The ST&CG cycle in a real browser (issue 14, acceptance 1): the schedule commissions the
strategic assessment due before a BCU's ST&CG; the analyst's assessment is published, and the
chair's draft control strategy and its intelligence requirement are drawn from it. At the sitting
the chair opens the meeting and approves the strategy, then the requirement, from the chair's
view of the screen; the approvals carry the sitting and its day, and both screens and the room's
display show the priorities and the open items. axe finds nothing serious or critical, and no
`region` finding, on every page visited."""

import datetime
from datetime import UTC

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nim_portal.choices import Role
from products.services import tor_agree, tor_update
from tasking.meetings.cadence import cadence_policies_default, schedule_meetings
from tasking.meetings.choices import MeetingKind
from tasking.models import Meeting
from tasking.strategy.choices import ControlStrategyStatus
from tasking.strategy.requirement import ir_item_add
from tests.browser.conftest import assert_accessible
from tests.browser.test_meeting_cockpit import in_viewport, window
from tests.browser.test_pages import sign_in
from tests.factories import member
from tests.products.helpers import publish
from tests.tasking.factories import priority_added, scores, strategy_drafted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The schedule runs on 1 June 2030: the BCU's ST&CG of 6 July 2030 is within the strategic
# assessment's eight weeks (tests/tasking/test_stcg_cycle.py).
SCHEDULED_ON = datetime.datetime(2030, 6, 1, 8, 0, tzinfo=UTC)
THEMES = ("Knife crime in the town centre", "Burglary of older residents")
QUESTIONS = ("Where are the knives bought?", "Who sells on what is stolen?")


class Cycle:
    """The BCU's people, its ST&CG with the commissioned strategic assessment published, and the
    chair's draft control strategy informed by it, with a requirement item per priority."""

    def __init__(self, hierarchy):
        bcu = hierarchy.bcu
        self.chair = member(bcu, Role.CHAIR, username="bcuchair")
        self.analyst = member(bcu, Role.ANALYST, username="bcuanalyst")
        self.reviewer = member(bcu, Role.REVIEWER, username="bcureviewer")
        self.member = member(bcu, Role.MEMBER, username="bcumember")
        cadence_policies_default()
        schedule_meetings(now=SCHEDULED_ON)
        self.sitting = (
            Meeting.objects.filter(unit=bcu, kind=MeetingKind.STRATEGIC)
            .exclude(strategic_assessment=None)
            .get()
        )
        assessment = self.sitting.strategic_assessment
        terms = assessment.terms
        tor_update(
            acting_user=self.analyst,
            terms=terms,
            purpose="Set the BCU's control strategy.",
            questions="What threatens the BCU over the next half-year?",
        )
        for party in {terms.requester, terms.developer}:
            tor_agree(acting_user=party, terms=terms)
        version = publish(assessment, owner=self.analyst, reviewer=self.reviewer)
        self.strategy = strategy_drafted(bcu, chair=self.chair, version=version)
        for level, (theme, question) in enumerate(zip(THEMES, QUESTIONS, strict=True)):
            priority = priority_added(
                self.strategy, chair=self.chair, theme=theme, scores=scores(4 - level)
            )
            ir_item_add(
                acting_user=self.chair,
                priority=priority,
                question=question,
                owner=self.chair,
                review_date=timezone.localdate() + datetime.timedelta(days=60),
            )


@pytest.fixture
def cycle(hierarchy, vetting_table, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Cycle(hierarchy)


@pytest.fixture
def chair_page(browser, live_server):
    context, page = window(browser, live_server, 1366, 900)
    yield page
    context.close()


def decide(page, label: str, done: str):
    """Approve what the Control strategy tab of the chair's view offers under `label`."""
    page.get_by_role("tab", name="Control strategy").click()
    form = page.locator("#nim-record-strategy form").filter(has_text=label)
    form.get_by_label("Approve").check()
    form.get_by_role("button", name="Record the decision on it").click()
    expect(page.get_by_text(done).first).to_be_visible()


def shows_the_strategy(page, day: str):
    for theme in THEMES:
        expect(page.get_by_text(theme).first).to_be_visible()
    for question in QUESTIONS:
        expect(page.get_by_text(question).first).to_be_visible()
    expect(page.get_by_text(f"approved at this sitting on {day}").first).to_be_visible()


def test_the_stcg_approves_its_strategy_and_requirement_on_screen(
    chair_page, browser, live_server, cycle
):
    page = chair_page
    sign_in(page, cycle.chair.username)
    page.goto(f"/tasking/screen/{cycle.sitting.pk}/chair/")
    assert_accessible(page)
    page.locator("#nim-screen-open").click()
    expect(page.get_by_text("The meeting is open.").first).to_be_visible()
    # Opening reloads the view: its script fits the panel to the window once the page has loaded.
    page.wait_for_load_state("load")
    panel = page.locator("#nim-screen-controls")
    assert in_viewport(page, panel)
    # The commissioned assessment is the meeting's, on screen.
    expect(page.get_by_text(cycle.sitting.strategic_assessment.title).first).to_be_visible()
    assert_accessible(page)

    title = cycle.strategy.title
    decide(
        page, "The control strategy", f"The control strategy “{title}” approved at this sitting."
    )
    assert page.evaluate("window.scrollY") == 0
    decide(
        page,
        "The intelligence requirement",
        f"The intelligence requirement of “{title}” approved at this sitting.",
    )
    expect(page.get_by_text("Nothing of").first).to_be_visible()

    cycle.sitting.refresh_from_db()
    cycle.strategy.refresh_from_db()
    requirement = cycle.strategy.intelligence_requirement
    assert cycle.strategy.status == ControlStrategyStatus.APPROVED
    assert cycle.strategy.approved_at_sitting == cycle.sitting == requirement.approved_at_sitting
    sitting_day = timezone.localdate(cycle.sitting.opened_at)
    assert timezone.localdate(cycle.strategy.approved_at) == sitting_day
    assert timezone.localdate(requirement.approved_at) == sitting_day
    day = f"{sitting_day.day} {sitting_day:%B %Y}"

    page.get_by_text("Control strategy and intelligence requirement").click()
    shows_the_strategy(page, day)
    assert_accessible(page)

    context, room = window(browser, live_server, 1280, 900)
    sign_in(room, cycle.member.username)
    for path in ("", "present/"):
        room.goto(f"/tasking/screen/{cycle.sitting.pk}/{path}")
        shows_the_strategy(room, day)
        assert_accessible(room)
    context.close()
