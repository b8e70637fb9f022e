"""Issue 14, points 4 and 9, in a real browser: the chair links the product answering a
requirement item from the item's page, and at the ST&CG's sitting evaluates a priority of the
ending period, which the strategy's page then shows. axe finds nothing serious or critical on
every page visited."""

import pytest
from playwright.sync_api import expect

from products.choices import ProductKind
from tasking.strategy.models import IntelligenceRequirementItem
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import sign_in
from tests.factories import product_drafting
from tests.tasking.factories import StrategyCast, stcg_sitting, strategy_approved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chair_links_a_product_and_evaluates_a_priority(page, hierarchy, vetting_table):
    cast = StrategyCast(hierarchy)
    strategy = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    item = IntelligenceRequirementItem.objects.filter(
        requirement__control_strategy=strategy
    ).first()
    profile = product_drafting(
        cast.unit, owner=cast.analyst, kind=ProductKind.PROBLEM_PROFILE, title="County lines"
    )
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    sign_in(page, cast.chair.username)

    page.goto(f"/tasking/strategies/{strategy.pk}/requirement/items/{item.pk}/")
    assert_accessible(page)
    page.get_by_label("Product").select_option(str(profile.pk))
    page.get_by_label("It answers the item").check()
    page.get_by_role("button", name="Link the product").click()
    expect(page.get_by_text("“County lines” linked.")).to_be_visible()
    expect(page.get_by_role("link", name="County lines")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/tasking/meetings/{sitting.pk}/evaluations/")
    assert_accessible(page)
    page.get_by_label("Priority", exact=True).select_option(
        str(strategy.priorities.order_by("rank").first().pk)
    )
    page.get_by_label("Activity").fill("Twelve warrants executed.")
    page.get_by_label("Results").fill("Two lines closed down.")
    page.get_by_label("Threat reduced").check()
    page.get_by_role("button", name="Record the evaluation").click()
    expect(page.get_by_text("evaluated at this sitting.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/tasking/strategies/{strategy.pk}/")
    expect(page.get_by_text("Two lines closed down.")).to_be_visible()
    assert_accessible(page)
