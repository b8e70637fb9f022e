"""An escalation of a bid's shortfall opens prefilled (issue 14, point 2): the reason says it is
beyond the unit's resources, with the capability, the hours short and the bid; a bid that fits,
is another meeting's or the link's nonsense gives the empty form. Raised, it returns to the bid,
whose acceptance it then carries."""

import datetime

import pytest
from django.urls import reverse

from tasking.bids.choices import BidStatus
from tasking.bids.services import bid_accept
from tasking.models import Escalation
from tests.tasking.bid_helpers import BidCast


@pytest.fixture
def cast(hierarchy):
    return BidCast(hierarchy)


def escalate_url(cast, bid_id) -> str:
    return reverse("tasking:meeting_escalate", args=[cast.meeting.pk]) + f"?bid={bid_id}"


def test_the_shortfall_prefills_the_escalation_and_the_bid_is_then_accepted(client, cast):
    short = cast.bid(title="Dealers' flats", hours=130)
    cast.sit()
    client.force_login(cast.chair)
    form = client.get(escalate_url(cast, short.pk)).context["form"]
    assert form.initial["title"] == f"30 hours of Proactive team for bid {short.reference}"
    assert form.initial["reason"].startswith("Beyond the unit's resources: bid ")
    assert "asks for 130 hours of Proactive team, 30 more than" in form.initial["reason"]
    response = client.post(
        escalate_url(cast, short.pk),
        {**form.initial, "marking": form.initial["marking"], "agenda_item": ""},
    )
    assert response.status_code == 302
    assert response.url == reverse("tasking:bid_detail", args=[short.pk])
    escalation = Escalation.objects.get()
    assert escalation.to_unit == cast.hierarchy.region
    accepted = bid_accept(
        acting_user=cast.chair,
        bid=short,
        expected_version=short.version,
        due_date=datetime.date(2031, 1, 1),
        owner_unit=cast.unit,
        escalation=escalation,
    )
    assert accepted.status == BidStatus.ACCEPTED


@pytest.mark.parametrize("bid_id", ["fits", "999999", "x", "99999999999999999999999"])
def test_no_shortfall_no_prefill(client, cast, bid_id):
    fits = cast.bid(hours=10)
    cast.sit()
    client.force_login(cast.chair)
    response = client.get(escalate_url(cast, fits.pk if bid_id == "fits" else bid_id))
    assert response.status_code == 200
    assert not response.context["form"].initial


def test_only_the_chair_opens_the_prefilled_form(client, cast):
    short = cast.bid(hours=150)
    cast.sit()
    client.force_login(cast.member)
    assert client.get(escalate_url(cast, short.pk)).status_code == 403
