"""The capability register and bids pages from both sides: readers and 404 for everybody else,
the manage and decide forms only for those who may, a refusal back on the form with nothing
changed, a stale rank refused with 409, the marking in the banner, and constant queries as the
meeting's bids grow."""

import pytest
from django.urls import reverse

from nim_portal.choices import GSCMarking, Role, VettingLevel
from tasking.bids.choices import BidStatus
from tasking.models import Bid, Capability, TacticalAction
from tests.factories import PartnerUserFactory, member
from tests.tasking.bid_helpers import BidCast, due_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(hierarchy):
    return BidCast(hierarchy)


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(f"tasking:{name}", args=args))


def post(client, user, name, *args, data=None):
    client.force_login(user)
    return client.post(reverse(f"tasking:{name}", args=args), data or {})


# The register.


def test_the_register_is_read_over_the_unit_and_managed_by_its_chairs(client, cast):
    page = get(client, cast.member, "capability_register", cast.unit.pk)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Proactive team" in html and "Add a capability" not in html
    assert "OFFICIAL-SENSITIVE" in html
    assert (
        "Add a capability"
        in get(client, cast.chair, "capability_register", cast.unit.pk).content.decode()
    )


@pytest.mark.parametrize("who", ["outsider", "bcu_member"])
def test_the_register_is_404_outside_the_unit(client, cast, who):
    assert get(client, getattr(cast, who), "capability_register", cast.unit.pk).status_code == 404


def test_a_partner_gets_404(client, cast):
    assert get(client, PartnerUserFactory(), "capability_register", cast.unit.pk).status_code == 404


def test_adding_from_the_page_and_refused_to_a_member(client, cast):
    data = {"kind": "team", "name": "Neighbourhood team", "hours_per_cycle": "30"}
    assert post(client, cast.member, "capability_add", cast.unit.pk, data=data).status_code == 403
    assert not Capability.objects.filter(name="Neighbourhood team").exists()
    response = post(client, cast.chair, "capability_add", cast.unit.pk, data=data)
    assert response.status_code == 302
    assert Capability.objects.filter(name="Neighbourhood team", unit=cast.unit).exists()


def test_a_taken_name_goes_back_onto_the_form(client, cast):
    data = {"kind": "team", "name": "Proactive team", "hours_per_cycle": "30"}
    response = post(client, cast.chair, "capability_add", cast.unit.pk, data=data)
    assert response.status_code == 400 and "already" in response.content.decode()


def test_a_stale_edit_is_409_and_nothing_changes(client, cast):
    data = {"kind": "team", "name": "Team A", "hours_per_cycle": "50", "version": "1"}
    assert post(client, cast.chair, "capability_edit", cast.team.pk, data=data).status_code == 302
    data["name"] = "Team B"
    response = post(client, cast.chair, "capability_edit", cast.team.pk, data=data)
    assert response.status_code == 409
    cast.team.refresh_from_db()
    assert cast.team.name == "Team A"


def test_retiring_from_the_page(client, cast):
    post(client, cast.chair, "capability_retire", cast.dogs.pk, data={"version": "1"})
    cast.dogs.refresh_from_db()
    assert not cast.dogs.is_active


# Bids.


def submit_data(cast, **overrides):
    data = {
        "title": "Test purchases",
        "priority": str(cast.priority.pk),
        "action_type": "enforcement",
        "activity": "Buy on the high street.",
        "justification": "The assessment names it.",
        "capability": str(cast.team.pk),
        "hours": "30",
        "marking": str(GSCMarking.OFFICIAL_SENSITIVE),
    }
    return {**data, **overrides}


def test_a_member_submits_a_bid_from_the_page(client, cast):
    assert get(client, cast.member, "bid_submit", cast.meeting.pk).status_code == 200
    response = post(client, cast.member, "bid_submit", cast.meeting.pk, data=submit_data(cast))
    assert response.status_code == 302
    assert Bid.objects.get().proposed_by == cast.member


def test_a_bad_bid_goes_back_onto_the_form_and_nothing_is_saved(client, cast):
    data = submit_data(cast, hours="0", justification="")
    response = post(client, cast.member, "bid_submit", cast.meeting.pk, data=data)
    assert response.status_code == 400 and not Bid.objects.exists()


def test_the_meetings_bids_404_to_an_outsider(client, cast):
    assert get(client, cast.outsider, "meeting_bids", cast.meeting.pk).status_code == 404
    bid = cast.bid()
    assert get(client, cast.outsider, "bid_detail", bid.pk).status_code == 404


def test_the_meetings_bids_in_constant_queries(client, cast, django_assert_max_num_queries):
    cast.bid()
    client.force_login(cast.chair)
    url = reverse("tasking:meeting_bids", args=[cast.meeting.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        cast.bid(title=f"Bid {n}", hours=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    html = page.content.decode()
    assert "Bid 4" in html and "Rank of" in html
    assert "OFFICIAL-SENSITIVE" in html


def test_a_member_sees_no_rank_or_decide_forms_and_may_not_post_them(client, cast):
    bid = cast.bid()
    cast.sit()
    html = get(client, cast.member, "bid_detail", bid.pk).content.decode()
    assert "Accept the bid" not in html and "Rank the bid" not in html
    data = {"decline-version": "1", "decline-reason": "No."}
    assert post(client, cast.member, "bid_decline", bid.pk, data=data).status_code == 403
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED


def test_the_chair_ranks_accepts_and_a_stale_rank_is_409(client, cast):
    bid = cast.bid(hours=30)
    rank = {f"bid-{bid.pk}-version": "1", f"bid-{bid.pk}-rank": "1"}
    assert post(client, cast.chair, "bid_rank", bid.pk, data=rank).status_code == 302
    assert post(client, cast.chair, "bid_rank", bid.pk, data=rank).status_code == 409
    cast.sit()
    html = get(client, cast.chair, "bid_detail", bid.pk).content.decode()
    assert "Accept the bid" in html
    accept = {
        "version": "2",
        "owner_unit": str(cast.unit.pk),
        "due_date": due_in().isoformat(),
    }
    assert post(client, cast.chair, "bid_accept", bid.pk, data=accept).status_code == 302
    bid.refresh_from_db()
    assert bid.status == BidStatus.ACCEPTED and TacticalAction.objects.filter(bid=bid).exists()


def test_beyond_capability_is_refused_on_the_page(client, cast):
    bid = cast.bid(hours=150)
    cast.sit()
    accept = {"version": "1", "owner_unit": str(cast.unit.pk), "due_date": due_in().isoformat()}
    response = post(client, cast.chair, "bid_accept", bid.pk, data=accept)
    assert response.status_code == 400
    assert "Escalate the shortfall" in response.content.decode()
    assert not TacticalAction.objects.exists()


def test_declining_needs_a_reason(client, cast):
    bid = cast.bid()
    cast.sit()
    data = {"decline-version": "1", "decline-reason": ""}
    assert post(client, cast.chair, "bid_decline", bid.pk, data=data).status_code == 400
    data["decline-reason"] = "Covered by the neighbourhood team."
    assert post(client, cast.chair, "bid_decline", bid.pk, data=data).status_code == 302
    bid.refresh_from_db()
    assert bid.status == BidStatus.DECLINED


def test_the_bid_page_carries_a_secret_marking(client, cast):
    chair_secret = member(
        cast.unit, Role.CHAIR, username="secretchair", vetting_level=VettingLevel.DV
    )
    bid = cast.bid(user=chair_secret, marking=GSCMarking.SECRET)
    html = get(client, chair_secret, "bid_detail", bid.pk).content.decode()
    assert "SECRET" in html
