"""Traceability (issue 14, point 4): actions and bids name the product or commissioned profile
that justifies them (one their author may read), an accepted bid's action names its bid's, and
the product's page lists the activity against it with its outcome: only what the reader may
read, its markings in the page's banner, in a constant number of queries."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from nim_portal.choices import GSCMarking, Role, VettingLevel
from products.choices import ProductKind
from tasking.actions.services import action_close
from tasking.bids.services import bid_accept, bid_decline
from tasking.models import TacticalAction
from tests.factories import member, product_drafting
from tests.tasking.bid_helpers import BidCast, due_in
from tests.tasking.factories import action_raised

pytestmark = pytest.mark.django_db

ACTIVITY = "Activity against this product"


@pytest.fixture
def cast(hierarchy):
    return BidCast(hierarchy)


@pytest.fixture
def profile(cast):
    return product_drafting(
        cast.unit,
        owner=cast.analyst,
        kind=ProductKind.PROBLEM_PROFILE,
        title="Drugs line into the north estates",
        marking=GSCMarking.OFFICIAL,
    )


def raised(cast, **fields):
    return action_raised(cast.unit, chair=cast.chair, priority=cast.priority, **fields)


def product_page(client, user, product):
    client.force_login(user)
    return client.get(reverse("products:detail", args=[product.pk]))


def test_an_action_names_the_product_that_justifies_it_one_its_raiser_may_read(cast, profile):
    elsewhere = product_drafting(
        cast.hierarchy.other_force,
        owner=member(cast.hierarchy.other_force, Role.ANALYST),
        title="Elsewhere",
    )
    with pytest.raises(ValidationError) as refused:
        raised(cast, product=elsewhere)
    assert refused.value.message_dict == {"product": ["Choose a product you may read, or none."]}
    assert not TacticalAction.objects.exists()

    assert raised(cast, product=profile).product == profile


def test_an_accepted_bid_becomes_an_action_naming_the_bids_product(cast, profile):
    bid = cast.bid(user=cast.analyst, product=profile)
    cast.sit()
    bid = bid_accept(
        acting_user=cast.chair,
        bid=bid,
        expected_version=bid.version,
        owner_unit=cast.unit,
        due_date=due_in(),
    )
    assert TacticalAction.objects.get(pk=bid.action_id).product == profile


def test_the_profiles_page_shows_the_activity_against_it_and_its_outcome(client, cast, profile):
    assert ACTIVITY not in product_page(client, cast.member, profile).content.decode()

    action = raised(cast, product=profile, description="Test purchases at the flats.")
    action_close(
        acting_user=cast.chair,
        action=action,
        outcome="Two arrests; the line went quiet for a month.",
        expected_version=action.version,
    )
    bid = cast.bid(user=cast.analyst, product=profile, title="Dogs at the station")
    cast.sit()
    bid_decline(
        acting_user=cast.chair, bid=bid, reason="No dog this cycle.", expected_version=bid.version
    )
    raised(cast, description="Unrelated patrols.")

    page = product_page(client, cast.member, profile).content.decode()
    assert ACTIVITY in page
    assert action.reference in page and "Two arrests; the line went quiet" in page
    assert bid.reference in page and "Dogs at the station" in page
    assert "No dog this cycle." in page
    assert "Unrelated patrols." not in page


def test_activity_the_reader_may_not_read_is_left_out_and_the_banner_carries_the_rest(
    client, cast, profile
):
    secret = raised(
        cast, product=profile, description="Covert deployment.", marking=GSCMarking.SECRET
    )
    open_action = raised(cast, product=profile, description="Leaflets at the school gates.")
    rv_reader = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV, username="rv")

    page = product_page(client, rv_reader, profile).content.decode()
    assert open_action.reference in page and "Leaflets at the school gates." in page
    # The reference as a word: a short one ("A1") may stand inside the page's random tokens.
    assert "Covert deployment." not in page
    assert re.search(rf"\b{re.escape(secret.reference)}\b", page) is None

    page = product_page(client, cast.member, profile).content.decode()
    assert "Covert deployment." in page
    assert "SECRET" in page.split("<main", 1)[0]


def test_the_activity_costs_the_same_queries_however_much_there_is(client, cast, profile):
    raised(cast, product=profile)
    cast.bid(user=cast.analyst, product=profile)
    client.force_login(cast.member)
    url = reverse("products:detail", args=[profile.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(4):
        raised(cast, product=profile, owner_user=cast.bcu_member, description=f"Action {number}")
        cast.bid(user=cast.analyst, product=profile, title=f"Bid {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("Bid 3") == 1
    assert len(many) == len(few)


def test_the_api_names_an_actions_product_to_those_who_may_read_it(cast, profile):
    action = raised(cast, product=profile)
    client = APIClient()
    client.force_authenticate(cast.member)
    answer = client.get(f"/api/v1/actions/{action.pk}/").json()
    assert answer["product"] == profile.pk

    body = {
        "unit": cast.unit.pk,
        "priority": cast.priority.pk,
        "action_type": "prevention",
        "description": "Leaflets.",
        "owner_unit": cast.unit.pk,
        "due_date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        "product": profile.pk,
    }
    client.force_authenticate(cast.chair)
    response = client.post("/api/v1/actions/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["product"] == profile.pk
