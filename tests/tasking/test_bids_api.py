"""The capability and bid API from both sides, through the same services as the pages: readers
and 404 for everybody else, 400 with a message (a bid beyond the capability without an
escalation among them) and 403 with nothing changed, 409 over an older version, and the same
numbers as the pages for committed against available; constant queries as the bids grow."""

import pytest
from rest_framework.test import APIClient

from nim_portal.choices import GSCMarking
from tasking.bids.choices import BidStatus
from tasking.models import Bid, Capability, TacticalAction
from tasking.resources.selectors import cycle_load
from tests.factories import PartnerUserFactory
from tests.tasking.bid_helpers import BidCast, due_in

pytestmark = pytest.mark.django_db

CAPABILITIES = "/api/v1/capabilities/"
BIDS = "/api/v1/bids/"


@pytest.fixture
def cast(hierarchy):
    return BidCast(hierarchy)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_register_is_read_over_the_unit_only(cast):
    answer = api_as(cast.member).get(CAPABILITIES, {"unit": cast.unit.pk})
    assert answer.status_code == 200
    assert [row["name"] for row in answer.json()["results"]] == ["Drugs dog", "Proactive team"]
    assert api_as(cast.outsider).get(CAPABILITIES, {"unit": cast.unit.pk}).status_code == 404
    assert api_as(cast.outsider).get(f"{CAPABILITIES}{cast.team.pk}/").status_code == 404
    assert api_as(PartnerUserFactory()).get(f"{CAPABILITIES}{cast.team.pk}/").status_code in (
        403,
        404,
    )


def test_adding_is_for_chairs_and_administrators(cast):
    body = {"unit": cast.unit.pk, "kind": "team", "name": "Neighbourhood", "hours_per_cycle": 9}
    refused = api_as(cast.member).post(CAPABILITIES, body, format="json")
    assert refused.status_code == 403 and "Only a T&CG chair" in refused.json()["detail"]
    assert not Capability.objects.filter(name="Neighbourhood").exists()
    assert api_as(cast.chair).post(CAPABILITIES, body, format="json").status_code == 201
    bad = api_as(cast.chair).post(CAPABILITIES, {**body, "name": "Drugs dog"}, format="json")
    assert bad.status_code == 400 and "already" in bad.json()["name"][0]


def test_a_stale_change_is_409_with_the_version_saved(cast):
    body = {"kind": "team", "name": "Team A", "hours_per_cycle": 10, "version": 1}
    url = f"{CAPABILITIES}{cast.team.pk}/"
    assert api_as(cast.chair).put(url, body, format="json").status_code == 200
    stale = api_as(cast.chair).put(url, {**body, "name": "Team B"}, format="json")
    assert stale.status_code == 409 and stale.json()["version"] == 2
    retired = api_as(cast.chair).post(f"{url}retire/", {"version": 2}, format="json")
    assert retired.status_code == 200 and retired.json()["status"] == "retired"


def test_submitting_ranking_and_the_lifecycle_refusals(cast):
    body = {
        "meeting": cast.meeting.pk,
        "priority": cast.priority.pk,
        "title": "Test purchases",
        "activity": "Buy on the high street.",
        "action_type": "enforcement",
        "justification": "The assessment names it.",
        "capability": cast.team.pk,
        "hours": 30,
        "marking": GSCMarking.OFFICIAL_SENSITIVE,
    }
    assert api_as(cast.outsider).post(BIDS, body, format="json").status_code == 404
    bad = api_as(cast.member).post(BIDS, {**body, "justification": " "}, format="json")
    assert bad.status_code == 400 and "justification" in bad.json()
    created = api_as(cast.member).post(BIDS, body, format="json")
    assert created.status_code == 201
    bid = created.json()
    assert (bid["hours"], bid["capability_name"], bid["status"]) == (
        30,
        "Proactive team",
        BidStatus.SUBMITTED,
    )
    url = f"{BIDS}{bid['id']}/"
    assert api_as(cast.member).post(f"{url}rank/", {"rank": 1, "version": 1}).status_code == 403
    assert api_as(cast.chair).post(f"{url}rank/", {"rank": 1, "version": 1}).status_code == 200
    stale = api_as(cast.chair).post(f"{url}rank/", {"rank": 2, "version": 1})
    assert stale.status_code == 409 and stale.json()["version"] == 2
    early = api_as(cast.chair).post(f"{url}decline/", {"reason": "No.", "version": 2})
    assert early.status_code == 400 and "not sitting" in early.json()["detail"][0]


def test_accepting_beyond_the_capability_is_refused_and_the_numbers_match_the_page(cast):
    small, large = cast.bid(hours=60), cast.bid(hours=60, title="Large")
    cast.sit()
    accept = {"version": 1, "owner_unit": cast.unit.pk, "due_date": due_in().isoformat()}
    chair = api_as(cast.chair)
    assert chair.post(f"{BIDS}{small.pk}/accept/", accept, format="json").status_code == 200
    refused = chair.post(f"{BIDS}{large.pk}/accept/", accept, format="json")
    assert refused.status_code == 400 and "20 more than" in refused.json()["escalation"][0]
    assert TacticalAction.objects.count() == 1
    assert Bid.objects.get(pk=large.pk).status == BidStatus.SUBMITTED
    load = chair.get(f"{CAPABILITIES}load/", {"meeting": cast.meeting.pk}).json()
    page = cycle_load(cast.meeting)
    assert (load["available"], load["committed"], load["asked"]) == (
        page.available,
        page.committed,
        page.asked,
    )
    assert load["committed"] == 60 and load["asked"] == 60
    declined = chair.post(f"{BIDS}{large.pk}/decline/", {"reason": "Too big.", "version": 1})
    assert declined.status_code == 200 and declined.json()["status"] == BidStatus.DECLINED


def test_the_meetings_bids_in_constant_queries(cast, django_assert_max_num_queries):
    cast.bid()
    client = api_as(cast.chair)
    with django_assert_max_num_queries(20) as few:
        assert client.get(BIDS, {"meeting": cast.meeting.pk}).status_code == 200
    for n in range(5):
        cast.bid(title=f"Bid {n}", hours=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(BIDS, {"meeting": cast.meeting.pk}).json()["results"]) == 6
