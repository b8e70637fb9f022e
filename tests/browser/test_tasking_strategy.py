"""A force's ST&CG chair in a real browser: scores the priorities of a draft control strategy on
the MoRiLE form, overrides a rank with its reason and is sent to the ST&CG's sitting to approve
the strategy, which approves it; he adds an item to its intelligence requirement, which the sitting
approves too; a BCU member then reads both. Every page shows its
marking top and bottom, and axe finds no serious or critical WCAG 2.2 AA problem on the
strategy page, the score form, the intelligence requirement and the cadence admin pages."""

import datetime
import tempfile

import pytest
from django.utils import timezone

from nim_portal.choices import Role
from tasking.meetings.cadence import cadence_policies_default
from tasking.models import ControlStrategy, IntelligenceRequirementItem
from tasking.strategy.choices import ControlStrategyStatus
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.factories import UserFactory, member
from tests.tasking.factories import (
    StrategyCast,
    approved_at_sitting,
    priority_added,
    stcg_sitting,
    strategy_drafted,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = tempfile.gettempdir()
SENSITIVE = ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]


@pytest.fixture
def cast(hierarchy, vetting_table):
    return StrategyCast(hierarchy)


def test_the_chair_scores_ranks_and_approves_and_a_member_reads_it(page, cast):
    strategy = strategy_drafted(
        cast.unit, chair=cast.chair, version=cast.assessment(), title="WMP control strategy"
    )
    priority_added(strategy, chair=cast.chair, theme="Burglary dwelling")
    county_lines = priority_added(strategy, chair=cast.chair, theme="County lines", scores=None)

    sign_in(page, cast.chair.username)
    page.get_by_role("link", name="Control strategy").first.click()
    page.get_by_role("link", name="WMP control strategy").click()
    assert page.get_by_role("heading", level=1).inner_text() == "WMP control strategy"
    assert marking_banners(page) == SENSITIVE
    assert_accessible(page)

    page.get_by_role("link", name="Score County lines").click()
    assert_accessible(page)
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("3:", exact=False).check()
    page.get_by_role("button", name="Save the score").click()
    page.wait_for_url(f"**/strategies/{strategy.pk}/")
    assert "1. County lines" in page.content()

    page.get_by_role("link", name="Override the rank of Burglary dwelling").click()
    page.get_by_label("Rank").fill("1")
    page.get_by_label("Reason").fill("Repeat victims in Stechford.")
    assert_accessible(page)
    page.get_by_role("button", name="Save the rank").click()
    page.wait_for_url(f"**/strategies/{strategy.pk}/")
    assert "Repeat victims in Stechford." in page.content()

    # No button: the ST&CG approves it at its sitting, which the page says.
    assert page.get_by_role("button", name="Approve the control strategy").count() == 0
    assert "approves it at its sitting" in page.locator("main").inner_text()
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    approved_at_sitting(strategy, sitting=sitting, chair=cast.chair)
    assert ControlStrategy.objects.get(pk=strategy.pk).status == ControlStrategyStatus.APPROVED
    page.reload()

    page.get_by_role("link", name="Not started").click()
    page.get_by_role("link", name="Add an item to “County lines”").click()
    page.get_by_label("Question or intelligence gap").fill("Which lines run into Stechford?")
    page.get_by_label("Owner").select_option(str(county_lines.owner_id))
    review_date = timezone.localdate() + datetime.timedelta(days=60)
    page.get_by_label("Review date").fill(review_date.isoformat())
    page.get_by_role("button", name="Add the item").click()
    page.get_by_role("cell", name="Which lines run into Stechford?", exact=True).wait_for()
    assert "approves it at its sitting" in page.locator("main").inner_text()
    approved_at_sitting(strategy, sitting=sitting, chair=cast.chair, requirement=True)
    page.reload()
    assert "Approved by the ST&CG" in page.locator("main").inner_text()
    assert marking_banners(page) == SENSITIVE
    page.screenshot(path=f"{SCREENSHOTS}/nim-requirement.png", full_page=True)
    assert_accessible(page)
    assert IntelligenceRequirementItem.objects.count() == 1

    page.context.clear_cookies()
    sign_in(page, cast.bcu_member.username)
    page.goto("/tasking/strategies/requirement/")
    assert "Which lines run into Stechford?" in page.content()
    assert_accessible(page)


def test_the_cadence_pages_are_accessible(page, hierarchy, vetting_table):
    cadence_policies_default()
    root = UserFactory(username="root", is_superuser=True)
    member(hierarchy.force, Role.MEMBER, username="plainmember")
    sign_in(page, root.username)
    page.get_by_role("link", name="Meeting cadence").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Meeting cadence"
    assert_accessible(page)
    page.get_by_role("link", name="Change the TT&CG cadence of Basic Command Unit units").click()
    page.get_by_label("Horizon in days").fill("120")
    assert_accessible(page)
    page.get_by_role("button", name="Save the cadence").click()
    page.get_by_text("Cadence saved").wait_for()
    page.get_by_role("link", name="Units whose cadence has lapsed").click()
    assert_accessible(page)
