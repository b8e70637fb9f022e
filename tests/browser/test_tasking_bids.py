"""Bids and capability in a real browser (issue 14, acceptance 2): the chair keeps the unit's
register, an officer bids before the TT&CG, and at the sitting the chair ranks the bids, accepts one
(it becomes an action committing its hours), sees one beyond the unit's capability refused with its
message, escalates the shortfall from the form it prefills and accepts the bid with it; then the
sitting accepts a neighbouring force's request, its decision in the minutes of both. Every page
shows its marking top and bottom, axe finds no serious or critical WCAG 2.2 AA problem, and none
scrolls sideways at 390 px."""

import pytest

from nim_portal.choices import Role
from tasking.bids.choices import BidStatus
from tasking.models import (
    Bid,
    Capability,
    CapabilityCommitment,
    Decision,
    Escalation,
    TacticalAction,
)
from tasking.proceedings.services import meeting_open
from tasking.requests.choices import RequestStatus
from tasking.requests.services import request_send
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import marking_banners, sign_in
from tests.factories import member
from tests.tasking.bid_helpers import BidCast, due_in, scheduled_ttcg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cast(hierarchy, vetting_table):
    return BidCast(hierarchy)


def assert_no_sideways_scroll(page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 391)
            .slice(0, 5).map((e) => e.tagName + '.' + e.className)"""
    )
    assert width <= 390, f"{page.url} scrolls sideways at 390 px ({width} px wide): {wide}"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_register_bids_and_the_sitting(page, cast):
    sign_in(page, cast.chair.username)
    page.goto(f"/tasking/capabilities/units/{cast.unit.pk}/")
    assert marking_banners(page) == ["OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"]
    page.get_by_role("link", name="Add a capability").click()
    page.get_by_label("Specialist asset").check()
    page.get_by_label("Name").fill("Firearms support unit")
    page.get_by_label("Hours available per TT&CG cycle").fill("16")
    page.get_by_role("button", name="Add the capability").click()
    page.get_by_text("Firearms support unit added to the register.").wait_for()
    assert Capability.objects.filter(name="Firearms support unit").exists()
    assert_accessible(page)
    assert_no_sideways_scroll(page)

    page.context.clear_cookies()
    sign_in(page, cast.member.username)
    page.goto(f"/tasking/bids/meetings/{cast.meeting.pk}/")
    page.get_by_role("link", name="Submit a bid").click()
    page.wait_for_url("**/submit/")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_label("Title").fill("Test purchases")
    page.get_by_label("Priority").select_option(str(cast.priority.pk))
    page.get_by_label("Enforcement").check()
    page.get_by_label("Activity proposed").fill("Test purchases on the high street.")
    page.get_by_label("Justification").fill("The tactical assessment names the street.")
    page.get_by_label("Capability asked for").select_option(str(cast.team.pk))
    page.get_by_label("Hours asked for").fill("60")
    page.get_by_role("button", name="Submit the bid").click()
    page.get_by_text("submitted to the meeting").wait_for()
    first = Bid.objects.get(title="Test purchases")
    beyond = cast.bid(title="Warrant at the trap house", hours=60)

    page.context.clear_cookies()
    sign_in(page, cast.chair.username)
    cast.sit()
    page.goto(f"/tasking/bids/meetings/{cast.meeting.pk}/")
    assert "Capability in this cycle" in page.locator("main").inner_text()
    page.get_by_label(f"Rank of {first.reference}").fill("1")
    page.get_by_role("button", name=f"Rank {first.reference}").click()
    page.get_by_text(f"Bid {first.reference} ranked.").wait_for()
    assert_accessible(page)
    assert_no_sideways_scroll(page)

    page.goto(f"/tasking/bids/{first.pk}/")
    page.get_by_label("Due by").fill(due_in().isoformat())
    page.get_by_role("button", name="Accept the bid").click()
    page.get_by_text("it is on the action log").wait_for()
    first.refresh_from_db()
    assert first.status == BidStatus.ACCEPTED
    assert TacticalAction.objects.filter(bid=first).exists()

    page.goto(f"/tasking/bids/{beyond.pk}/")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_label("Due by").fill(due_in().isoformat())
    page.get_by_role("button", name="Accept the bid").click()
    page.get_by_text("Escalate the shortfall to the T&CG above").first.wait_for()
    assert_accessible(page)
    beyond.refresh_from_db()
    assert beyond.status == BidStatus.SUBMITTED

    # The shortfall goes up, its form already saying how many hours; then the bid is accepted.
    page.get_by_role("link", name="escalate the shortfall", exact=True).click()
    page.wait_for_url("**/escalate/?bid=*")
    assert (
        "20 more than" in page.get_by_label("Why it is beyond the unit's resources").input_value()
    )
    assert_accessible(page)
    page.get_by_role("button", name="Escalate").click()
    page.wait_for_url(f"**/tasking/bids/{beyond.pk}/")
    escalation = Escalation.objects.get(from_meeting=cast.meeting)
    page.get_by_label("Escalation").select_option(str(escalation.pk))
    page.get_by_label("Due by").fill(due_in().isoformat())
    page.get_by_role("button", name="Accept the bid").click()
    page.get_by_text("it is on the action log").wait_for()
    beyond.refresh_from_db()
    assert beyond.status == BidStatus.ACCEPTED and beyond.escalation == escalation
    assert CapabilityCommitment.objects.get(bid=beyond).is_committed


def neighbours_request(cast):
    """The sitting T&CG of the neighbouring force asks the cast's force for help."""
    neighbour_chair = member(cast.hierarchy.other_force, Role.CHAIR, username="staffschair")
    neighbour_meeting = meeting_open(
        acting_user=neighbour_chair,
        meeting=scheduled_ttcg(cast.hierarchy.other_force, chair=neighbour_chair),
    )
    return request_send(
        acting_user=neighbour_chair,
        meeting=neighbour_meeting,
        to_unit=cast.unit,
        title="Drugs dog for a warrant",
        details="A drugs dog for four hours at a warrant on the county line.",
    )


def test_the_sitting_accepts_a_neighbours_request(page, cast):
    cast.sit()
    asked = neighbours_request(cast)
    assert asked.receiving_meeting == cast.meeting

    sign_in(page, cast.chair.username)
    page.goto("/tasking/requests/")
    assert marking_banners(page)[0] == "OFFICIAL-SENSITIVE"
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_label(f"Decision on {asked.reference}").fill("The dog handler on the day.")
    page.get_by_role("button", name=f"Accept {asked.reference}").click()
    page.get_by_text(f"Request {asked.reference} is accepted").first.wait_for()
    asked.refresh_from_db()
    assert asked.status == RequestStatus.ACCEPTED
    assert "dog handler" in Decision.objects.get(meeting=cast.meeting).text
    assert asked.reference in Decision.objects.get(meeting=asked.from_meeting).text
