"""Profile review, the standards checklist and readers' feedback in a real browser (issue 14,
points 5 and 9): the TT&CG's page lists its unit's profiles due for review; the reviewer approves
only with every standard confirmed; a reader gives feedback and its author reads it.

On each page axe finds no serious or critical WCAG 2.2 AA problem and no `region` finding."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nim_portal.choices import Role
from products.choices import ProductKind, ProductStatus
from products.models import Product, TermsOfReference
from products.services import product_submit
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.factories import member, product_drafting
from tests.products.helpers import write
from tests.tasking.submission_helpers import meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "Used it to brief the Aston neighbourhood team."


class Cast:
    def __init__(self, hierarchy):
        self.unit = hierarchy.bcu
        self.analyst = member(
            self.unit, Role.ANALYST, username="analyst", first_name="Asha", last_name="Patel"
        )
        self.chair = member(
            self.unit, Role.CHAIR, username="chair", first_name="Jo", last_name="Lee"
        )
        self.reviewer = member(self.unit, Role.REVIEWER, username="reviewer")
        self.reader = member(self.unit, Role.MEMBER, username="reader")


@pytest.fixture
def cast(hierarchy, vetting_table):
    return Cast(hierarchy)


def test_the_ttcg_lists_the_profiles_due_for_review(page, cast):
    from tasking.meetings.choices import MeetingKind

    profile = product_drafting(
        cast.unit,
        owner=cast.analyst,
        requester=cast.chair,
        kind=ProductKind.PROBLEM_PROFILE,
        title="Problem profile: car crime in Aston",
    )
    TermsOfReference.objects.filter(product=profile).update(
        review_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    ttcg = meeting(cast.unit, kind=MeetingKind.TACTICAL, days=1, chair=cast.chair)

    sign_in(page, "chair")
    page.goto(f"/tasking/meetings/{ttcg.pk}/")
    heading = page.get_by_role("heading", name="Profiles due for review")
    expect(heading).to_be_visible()
    table = page.get_by_role("table", name=f"Profiles of {cast.unit.name} due for review")
    expect(table.get_by_role("link", name=profile.title)).to_be_visible()
    expect(table).to_contain_text("Asha Patel")
    expect(table).to_contain_text("OFFICIAL-SENSITIVE")
    assert marking_banners(page)
    assert_accessible(page)


def test_approval_needs_the_checklist_and_a_reader_gives_feedback(page, cast):
    product = product_drafting(cast.unit, owner=cast.analyst, requester=cast.chair)
    write(product, cast.analyst, "Burglary rose in Aston.")
    product_submit(acting_user=cast.analyst, product=product)

    sign_in(page, "reviewer")
    page.goto(f"/products/{product.pk}/")
    checklist = page.get_by_role("group", name="Standards checklist")
    expect(checklist).to_be_visible()
    assert_accessible(page)
    boxes = checklist.get_by_role("checkbox").all()
    boxes[0].check()
    page.get_by_role("button", name="Approve and publish v1").click()
    expect(page.locator(".govuk-error-summary, .govuk-notification-banner").first).to_contain_text(
        "Confirm every standard"
    )
    assert Product.objects.get(pk=product.pk).status == ProductStatus.SUBMITTED

    checklist = page.get_by_role("group", name="Standards checklist")
    for box in checklist.get_by_role("checkbox").all():
        box.check()
    page.get_by_role("button", name="Approve and publish v1").click()
    expect(page.get_by_text("Version 1 approved and published.")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, "reader")
    page.goto(f"/products/{product.pk}/")
    form = page.get_by_role("group", name="How useful was version 1 to you?")
    expect(form).to_be_visible()
    assert_accessible(page)
    form.get_by_label("Very useful").check()
    page.get_by_label("What did you use it for").fill(COMMENT)
    page.get_by_role("button", name="Send your feedback").click()
    expect(page.get_by_text("You gave your feedback on version 1")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, "analyst")
    page.goto(f"/products/{product.pk}/")
    feedback = page.get_by_role("table", name="Feedback from its readers, newest first")
    expect(feedback).to_contain_text(COMMENT)
    expect(feedback).to_contain_text("Very useful")
    assert_accessible(page)
