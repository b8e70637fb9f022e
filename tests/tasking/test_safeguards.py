"""Safeguards of covert activity (issue 14, point 6) from both sides: a covert action, raised on
the page, through the API or by accepting a bid, is refused with a clear message and nothing
changed without its authority type, reference, authorising officer and necessity and
proportionality note; recorded with it, the authority is read by whoever may read the action and
by nobody else (404), and its note reaches neither the audit log nor a partner."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from nim_portal.choices import GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent
from tasking.actions.choices import ActionType
from tasking.actions.services import action_raise
from tasking.bids.choices import BidStatus
from tasking.bids.services import bid_accept
from tasking.models import Authority, Bid, IntelligenceRequirementItem, TacticalAction
from tasking.safeguards.choices import AuthorityType
from tasking.safeguards.services import COVERT_MARKING, MISSING, NOT_COVERT
from tasking.strategy.requirement import ir_item_add
from tests.factories import PartnerUserFactory, member
from tests.tasking.bid_helpers import BidCast, due_in

pytestmark = pytest.mark.django_db

NOTE = "Only covert observation will show who restocks the line: overt patrols displace it."
AUTHORITY = {
    "authority_type": AuthorityType.DIRECTED_SURVEILLANCE,
    "authority_reference": "DS/2026/0142",
    "authorising_officer": "Supt J. Okafor",
    "necessity_and_proportionality": NOTE,
}


@pytest.fixture
def cast(hierarchy):
    return BidCast(hierarchy)


def raise_covert(cast, **overrides):
    kwargs = {
        "acting_user": cast.chair,
        "unit": cast.unit,
        "priority": cast.priority,
        "action_type": ActionType.INTELLIGENCE,
        "description": "Observe the address the runners restock from.",
        "owner_user": cast.member,
        "due_date": timezone.localdate() + datetime.timedelta(days=14),
        "covert": True,
        **AUTHORITY,
    }
    kwargs.update(overrides)
    return action_raise(**kwargs)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# The service.


def test_a_covert_action_is_recorded_with_its_authority_and_audited_without_its_note(cast):
    action = raise_covert(cast)

    authority = Authority.objects.get(action=action)
    assert action.is_covert and authority.recorded_by == cast.chair
    assert (authority.authority_type, authority.reference) == (
        AuthorityType.DIRECTED_SURVEILLANCE,
        "DS/2026/0142",
    )
    assert authority.authorising_officer == "Supt J. Okafor"
    assert authority.necessity_and_proportionality == NOTE
    assert authority.history.get().history_change_reason == "Recorded"
    event = AuditEvent.objects.get(content_type__model="authority")
    assert event.detail == {"type": "directed", "reference": "DS/2026/0142"}
    assert NOTE not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_a_covert_action_without_its_authority_is_refused_field_by_field_nothing_saved(cast):
    with pytest.raises(ValidationError) as refused:
        raise_covert(
            cast,
            authority_type="",
            authority_reference=" ",
            authorising_officer="",
            necessity_and_proportionality="",
        )
    assert refused.value.message_dict == {field: [message] for field, message in MISSING.items()}
    assert not TacticalAction.objects.exists() and not Authority.objects.exists()


@pytest.mark.parametrize("missing", list(MISSING))
def test_each_part_of_the_authority_is_required(cast, missing):
    with pytest.raises(ValidationError) as refused:
        raise_covert(cast, **{missing: ""})
    assert refused.value.message_dict == {missing: [MISSING[missing]]}
    assert not TacticalAction.objects.exists()


def test_an_unknown_authority_type_and_an_official_marking_are_refused(cast):
    with pytest.raises(ValidationError) as refused:
        raise_covert(cast, authority_type="wiretap", marking=GSCMarking.OFFICIAL)
    assert refused.value.message_dict == {
        "authority_type": [MISSING["authority_type"]],
        "marking": [COVERT_MARKING],
    }
    assert not TacticalAction.objects.exists()


def test_an_overt_action_takes_no_authority_and_records_none(cast):
    with pytest.raises(ValidationError) as refused:
        raise_covert(cast, covert=False)
    assert refused.value.message_dict == {"covert": [NOT_COVERT]}
    assert not TacticalAction.objects.exists()

    action = raise_covert(
        cast,
        covert=False,
        authority_type="",
        authority_reference="",
        authorising_officer="",
        necessity_and_proportionality="",
    )
    assert not action.is_covert and not Authority.objects.exists()


# Accepting a bid as covert activity.


def test_a_bid_accepted_as_covert_activity_needs_its_authority(cast):
    bid = cast.bid(hours=10)
    cast.sit()
    with pytest.raises(ValidationError) as refused:
        bid_accept(
            acting_user=cast.chair,
            bid=bid,
            expected_version=bid.version,
            owner_unit=cast.unit,
            due_date=due_in(),
            covert=True,
        )
    assert set(refused.value.message_dict) == set(MISSING)
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED and bid.action_id is None
    assert not TacticalAction.objects.exists() and not Authority.objects.exists()

    bid = bid_accept(
        acting_user=cast.chair,
        bid=bid,
        expected_version=bid.version,
        owner_unit=cast.unit,
        due_date=due_in(),
        covert=True,
        **AUTHORITY,
    )
    assert bid.status == BidStatus.ACCEPTED
    assert Authority.objects.get().action_id == bid.action_id


# The page.


def raise_data(cast, **overrides):
    data = {
        "priority": cast.priority.pk,
        "action_type": ActionType.INTELLIGENCE,
        "description": "Observe the address the runners restock from.",
        "owner_user": cast.member.pk,
        "owner_unit": "",
        "due_date": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "marking": GSCMarking.OFFICIAL_SENSITIVE,
        "covert": "on",
        **AUTHORITY,
    }
    data.update(overrides)
    return data


def test_the_raise_page_refuses_a_covert_action_without_its_authority(client, cast):
    client.force_login(cast.chair)
    url = reverse("tasking:action_raise", args=[cast.unit.pk])
    response = client.post(url, raise_data(cast, authority_reference="", authorising_officer=""))

    assert response.status_code == 400
    page = response.content.decode()
    assert escape(MISSING["authority_reference"]) in page
    assert escape(MISSING["authorising_officer"]) in page
    assert not TacticalAction.objects.exists() and not Authority.objects.exists()

    response = client.post(url, raise_data(cast))
    action = TacticalAction.objects.get()
    assert response.status_code == 302 and action.is_covert


def test_the_authority_is_read_on_the_action_page_by_its_readers_only(client, cast):
    action = raise_covert(cast)
    url = reverse("tasking:action_detail", args=[action.pk])

    client.force_login(cast.member)
    page = client.get(url).content.decode()
    assert "DS/2026/0142" in page and "Supt J. Okafor" in page and NOTE in page
    assert "Directed surveillance (RIPA Part II)" in page

    for outsider in (cast.outsider, PartnerUserFactory()):
        client.force_login(outsider)
        response = client.get(url)
        assert response.status_code == 404 and NOTE not in response.content.decode()


def test_the_authority_follows_the_actions_marking(client, cast):
    action = raise_covert(cast, marking=GSCMarking.SECRET, owner_user=None, owner_unit=cast.unit)
    rv_member = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV, username="rv")

    client.force_login(rv_member)
    response = client.get(reverse("tasking:action_detail", args=[action.pk]))
    assert response.status_code == 404 and NOTE not in response.content.decode()


# The API.


def raise_body(cast, **overrides) -> dict:
    body = {
        "unit": cast.unit.pk,
        "priority": cast.priority.pk,
        "action_type": ActionType.INTELLIGENCE,
        "description": "Observe the address the runners restock from.",
        "owner_user": cast.member.pk,
        "due_date": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "covert": True,
        **AUTHORITY,
    }
    body.update(overrides)
    return body


def test_the_api_refuses_a_covert_action_without_its_authority(cast):
    body = raise_body(cast)
    del body["necessity_and_proportionality"]
    response = api_as(cast.chair).post("/api/v1/actions/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "necessity_and_proportionality": [MISSING["necessity_and_proportionality"]]
    }
    assert not TacticalAction.objects.exists() and not Authority.objects.exists()


def test_the_api_records_the_authority_and_shows_it_to_the_actions_readers_only(cast):
    response = api_as(cast.chair).post("/api/v1/actions/", raise_body(cast), format="json")
    assert response.status_code == 201, response.json()
    url = f"/api/v1/actions/{response.json()['id']}/"

    answer = api_as(cast.member).get(url).json()
    assert answer["covert"] is True
    assert answer["authority"]["reference"] == "DS/2026/0142"
    assert answer["authority"]["authority_type"] == AuthorityType.DIRECTED_SURVEILLANCE
    assert answer["authority"]["necessity_and_proportionality"] == NOTE

    for outsider in (cast.outsider, PartnerUserFactory()):
        response = api_as(outsider).get(url)
        assert response.status_code == 404 and NOTE not in response.content.decode()


def test_the_bid_accept_api_refuses_covert_activity_without_its_authority(cast):
    bid = cast.bid(hours=10)
    cast.sit()
    body = {
        "version": bid.version,
        "owner_unit": cast.unit.pk,
        "due_date": due_in().isoformat(),
        "covert": True,
        "authority_type": AuthorityType.CHIS,
    }
    url = f"/api/v1/bids/{bid.pk}/accept/"
    response = api_as(cast.chair).post(url, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == set(MISSING) - {"authority_type"}
    assert Bid.objects.get().status == BidStatus.SUBMITTED and not Authority.objects.exists()

    response = api_as(cast.chair).post(url, {**body, **AUTHORITY}, format="json")
    assert response.status_code == 200, response.json()
    assert Authority.objects.get().action_id == Bid.objects.get().action_id


# Collection items of the intelligence requirement.


def add_item(cast, **authority):
    return ir_item_add(
        acting_user=cast.chair,
        priority=cast.priority,
        question="Where is the line's phone held?",
        owner=cast.chair,
        review_date=timezone.localdate() + datetime.timedelta(days=30),
        sources_to_task="CHIS tasking in the north estates.",
        **authority,
    )


def test_a_covert_collection_item_needs_its_authority_and_records_it(cast):
    items = IntelligenceRequirementItem.objects.count()
    with pytest.raises(ValidationError) as refused:
        add_item(cast, covert=True, authority_type=AuthorityType.CHIS)
    assert set(refused.value.message_dict) == set(MISSING) - {"authority_type"}
    assert IntelligenceRequirementItem.objects.count() == items
    assert not Authority.objects.exists()

    item = add_item(cast, covert=True, **{**AUTHORITY, "authority_type": AuthorityType.CHIS})
    authority = Authority.objects.get(requirement_item=item)
    assert authority.authority_type == AuthorityType.CHIS and authority.action_id is None
    assert not Authority.objects.filter(requirement_item__isnull=True, action__isnull=True)

    overt = add_item(cast)
    assert not Authority.objects.filter(requirement_item=overt).exists()


def item_data(cast, **overrides) -> dict:
    data = {
        "question": "Where is the line's phone held?",
        "sources_to_task": "CHIS tasking in the north estates.",
        "owner": cast.chair.pk,
        "review_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "covert": "on",
        **AUTHORITY,
    }
    data.update(overrides)
    return data


def test_the_item_page_refuses_a_covert_item_without_its_authority_and_shows_it(client, cast):
    strategy = cast.priority.control_strategy
    url = reverse("tasking:requirement_item_add", args=[strategy.pk, cast.priority.pk])
    items = IntelligenceRequirementItem.objects.count()
    client.force_login(cast.chair)

    response = client.post(url, item_data(cast, authorising_officer=""))
    assert response.status_code == 400
    assert escape(MISSING["authorising_officer"]) in response.content.decode()
    assert IntelligenceRequirementItem.objects.count() == items and not Authority.objects.exists()

    assert client.post(url, item_data(cast)).status_code == 302
    item = IntelligenceRequirementItem.objects.get(authority__isnull=False)
    page_url = reverse("tasking:requirement_item_detail", args=[strategy.pk, item.pk])
    client.force_login(cast.member)
    page = client.get(page_url).content.decode()
    assert "DS/2026/0142" in page and "Supt J. Okafor" in page and NOTE in page

    for outsider in (cast.outsider, PartnerUserFactory()):
        client.force_login(outsider)
        response = client.get(page_url)
        assert response.status_code in (403, 404) and NOTE not in response.content.decode()


def test_the_item_api_refuses_a_covert_item_without_its_authority_and_shows_it(cast):
    url = f"/api/v1/priorities/{cast.priority.pk}/requirement-items/"
    body = {**item_data(cast), "covert": True, "authority_reference": ""}
    items = IntelligenceRequirementItem.objects.count()

    response = api_as(cast.chair).post(url, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"authority_reference": [MISSING["authority_reference"]]}
    assert IntelligenceRequirementItem.objects.count() == items and not Authority.objects.exists()

    response = api_as(cast.chair).post(url, {**body, **AUTHORITY}, format="json")
    assert response.status_code == 201, response.json()
    item_url = f"/api/v1/requirement-items/{response.json()['id']}/"
    answer = api_as(cast.member).get(item_url).json()
    assert answer["covert"] is True and answer["authority"]["necessity_and_proportionality"] == NOTE
    overt = IntelligenceRequirementItem.objects.filter(authority__isnull=True).first()
    assert (
        api_as(cast.member).get(f"/api/v1/requirement-items/{overt.pk}/").json()["authority"]
        is None
    )

    for outsider in (cast.outsider, PartnerUserFactory()):
        response = api_as(outsider).get(item_url)
        assert response.status_code in (403, 404) and NOTE not in response.content.decode()
