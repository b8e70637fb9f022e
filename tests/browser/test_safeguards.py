"""A chair in a real browser raises a covert action justified by a problem profile (issue 14,
points 4 and 6): sent without its authority's reference and officer it comes back with each
problem named and nothing raised; completed, the action's page shows the authority, and the
profile's page lists the action against it. axe finds no serious or critical WCAG 2.2 AA problem
on any of the pages."""

import pytest
from django.urls import reverse

from nim_portal.choices import GSCMarking
from products.choices import ProductKind
from tasking.models import Authority, TacticalAction
from tasking.safeguards.services import MISSING
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.factories import product_drafting
from tests.tasking.bid_helpers import due_in
from tests.tasking.factories import StrategyCast, strategy_approved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(hierarchy, vetting_table):
    return StrategyCast(hierarchy)


def test_a_covert_action_is_raised_only_with_its_authority_and_traced_to_its_profile(page, cast):
    strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    profile = product_drafting(
        cast.unit,
        owner=cast.analyst,
        kind=ProductKind.PROBLEM_PROFILE,
        title="Drugs line into the north estates",
        marking=GSCMarking.OFFICIAL,
    )

    sign_in(page, cast.chair.username)
    page.goto(reverse("tasking:action_raise", args=[cast.unit.pk]))
    page.get_by_label("Control strategy priority").select_option(index=1)
    page.get_by_label("Intelligence").check()
    page.get_by_label("What is to be done").fill("Observe the address the runners restock from.")
    page.get_by_label("Product that justifies it").select_option(label=profile.title)
    page.get_by_label("Or owner (a unit)").select_option(index=1)
    page.get_by_label("Due by").fill(due_in().isoformat())
    page.get_by_label("Covert activity").check()
    page.get_by_label("Type of authority").select_option(
        label="Directed surveillance (RIPA Part II)"
    )
    page.get_by_label("Necessity and proportionality").fill("Overt patrols displace the line.")
    page.get_by_role("button", name="Raise the action").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert MISSING["authority_reference"] in summary.inner_text()
    assert MISSING["authorising_officer"] in summary.inner_text()
    assert not TacticalAction.objects.exists()
    assert_accessible(page)

    page.get_by_label("Authority reference").fill("DS/2026/0142")
    page.get_by_label("Authorising officer").fill("Supt J. Okafor")
    page.get_by_role("button", name="Raise the action").click()
    page.get_by_role("heading", name="Covert: its authority").wait_for()
    action = TacticalAction.objects.get()
    assert Authority.objects.get().action == action and action.product == profile
    main = page.locator("main").inner_text()
    assert "DS/2026/0142" in main and "Supt J. Okafor" in main and profile.title in main
    assert marking_banners(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    assert_accessible(page)

    page.get_by_role("link", name=profile.title).click()
    page.get_by_role("heading", name="Activity against this product").wait_for()
    assert action.reference in page.locator("main").inner_text()
    # The profile is OFFICIAL; the action listed on its page is OFFICIAL-SENSITIVE.
    assert marking_banners(page)[0].startswith("OFFICIAL-SENSITIVE")
    assert_accessible(page)
