"""An action owner in a real browser: reads the unit's action log, opens "my actions" and records
progress with a new RAG rating in the action's row; the chair then reads it on the log. Both
pages show the highest marking top and bottom, and axe finds no serious or critical WCAG 2.2 AA
problem on them."""

import pytest

from nim_portal.choices import GSCMarking
from tasking.actions.choices import Rag
from tasking.models import ActionUpdate
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.tasking.factories import StrategyCast, action_raised, strategy_approved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(hierarchy, vetting_table):
    return StrategyCast(hierarchy)


def test_the_owner_records_progress_from_my_actions(page, cast):
    strategy = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    priority = strategy.priorities.order_by("rank").first()
    action = action_raised(
        cast.unit,
        chair=cast.chair,
        priority=priority,
        owner_user=cast.member,
        description="Warrant at the cuckooed address on Coleshill Road.",
        due_in_days=-1,
    )
    action_raised(
        cast.unit,
        chair=cast.chair,
        priority=priority,
        owner_unit=cast.hierarchy.bcu,
        description="Patrols at the school gates.",
        marking=GSCMarking.OFFICIAL,
    )

    sign_in(page, cast.member.username)
    page.goto(f"/tasking/actions/units/{cast.unit.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Action log of {cast.unit.name}"
    assert marking_banners(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    assert "Overdue" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Actions").first.click()
    page.wait_for_url("**/tasking/actions/")
    assert page.get_by_role("heading", level=1).inner_text() == "My actions"
    assert marking_banners(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    assert_accessible(page)

    page.get_by_role("link", name=f"Update action {action.reference}").click()
    row = page.locator(f"#action-{action.pk}")
    row.get_by_label("Progress since the last update").fill("Search team booked for Friday.")
    row.get_by_label("Red").check()
    row.get_by_role("button", name=f"Record progress on action {action.reference}").click()
    page.get_by_text(f"Progress on action {action.reference} recorded.").wait_for()
    assert_accessible(page)

    update = ActionUpdate.objects.get()
    assert (update.author, update.text, update.rag) == (
        cast.member,
        "Search team booked for Friday.",
        Rag.RED,
    )
    page.goto(f"/tasking/actions/{action.pk}/")
    assert "Search team booked for Friday." in page.locator("main").inner_text()
    assert_accessible(page)
