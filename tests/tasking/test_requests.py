"""Sideways requests (issue 14, point 8): a sitting T&CG asks a neighbouring unit's T&CG (a unit of
the same level), which accepts or declines it; each side's decision is in its minutes. Every rule
from both sides: who may send, to whom, who may decide, who reads it; the pages and the API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from nim_portal.choices import GSCMarking, NotificationKind, VettingLevel
from nim_portal.models import Notification
from tasking.meetings.choices import AgendaItemKind
from tasking.models import Decision, SidewaysRequest
from tasking.proceedings.services import meeting_open
from tasking.requests import services
from tasking.requests.choices import RequestStatus
from tasking.requests.selectors import request_boxes, requests_visible_to
from tests.factories import member
from tests.tasking.proceedings_helpers import cast_scheduled, opened, ttcg


@pytest.fixture
def cast(hierarchy):
    return cast_scheduled(hierarchy)


@pytest.fixture
def sitting(cast):
    return opened(cast, ttcg(cast.hierarchy.bcu))


def send(cast, sitting, to_unit=None, **fields):
    return services.request_send(
        acting_user=cast.chair,
        meeting=sitting,
        to_unit=to_unit or cast.hierarchy.other_bcu,
        title=fields.pop("title", "Surveillance on a county line"),
        details=fields.pop("details", "Two days of the surveillance team in Stoke."),
        **fields,
    )


def test_a_sitting_ttcg_asks_its_neighbour_and_records_it_in_its_minutes(cast, sitting):
    sent = send(cast, sitting)
    assert (sent.from_unit, sent.to_unit) == (cast.hierarchy.bcu, cast.hierarchy.other_bcu)
    assert sent.receiving_meeting == ttcg(cast.hierarchy.other_bcu)
    assert sent.status == RequestStatus.SENT
    decision = Decision.objects.get(meeting=sitting)
    assert f"Request {sent.reference} sent to the T&CG of Stoke" in decision.text


@pytest.mark.parametrize("target", ["force", "bcu", "region"])
def test_only_a_unit_of_the_same_level_is_a_neighbour(cast, sitting, target):
    with pytest.raises(ValidationError, match="same level"):
        send(cast, sitting, to_unit=getattr(cast.hierarchy, target))
    assert not SidewaysRequest.objects.exists()
    assert not Decision.objects.exists()


def test_forces_of_a_region_are_neighbours(cast):
    meeting = meeting_open(acting_user=cast.force_chair, meeting=ttcg(cast.hierarchy.force))
    sent = services.request_send(
        acting_user=cast.force_chair,
        meeting=meeting,
        to_unit=cast.hierarchy.other_force,
        title="Firearms support",
        details="An armed response vehicle for a planned arrest.",
    )
    assert sent.to_unit == cast.hierarchy.other_force


@pytest.mark.parametrize("who", ["member", "analyst", "neighbour_chair", "outsider"])
def test_only_the_chair_sends_a_request(cast, sitting, who):
    with pytest.raises(PermissionDenied):
        services.request_send(
            acting_user=getattr(cast, who),
            meeting=sitting,
            to_unit=cast.hierarchy.other_bcu,
            title="x",
            details="y",
        )
    assert not SidewaysRequest.objects.exists()


def test_a_request_is_sent_only_while_the_meeting_sits(cast):
    with pytest.raises(ValidationError, match="only while it sits"):
        send(cast, ttcg(cast.hierarchy.bcu))
    assert not SidewaysRequest.objects.exists()


def test_a_request_needs_its_title_and_details(cast, sitting):
    with pytest.raises(ValidationError, match="what is asked"):
        send(cast, sitting, title="  ")
    assert not SidewaysRequest.objects.exists()


@pytest.fixture
def sent(cast, sitting):
    return send(cast, sitting)


def test_the_neighbour_accepts_and_the_decision_is_in_its_minutes(cast, sent):
    neighbour_meeting = meeting_open(
        acting_user=cast.neighbour_chair, meeting=ttcg(cast.hierarchy.other_bcu)
    )
    accepted = services.request_accept(
        acting_user=cast.neighbour_chair,
        sideways_request=sent,
        decision_text="Two days of the team in week 3.",
    )
    assert accepted.status == RequestStatus.ACCEPTED
    assert accepted.decided_by == cast.neighbour_chair
    decision = Decision.objects.get(meeting=neighbour_meeting)
    assert decision.agenda_item.kind == AgendaItemKind.ESCALATIONS
    assert "accepted" in decision.text and "week 3" in decision.text


def test_the_neighbours_chairs_hear_of_a_request_and_the_sender_of_its_answer(cast, sent):
    received = Notification.objects.filter(kind=NotificationKind.REQUEST_RECEIVED)
    assert {n.recipient for n in received} == {cast.neighbour_chair}
    assert "asks the T&CG of Stoke for help" in received.get().message
    assert received.get().link == reverse("tasking:request_list")
    assert not Notification.objects.filter(kind=NotificationKind.REQUEST_DECIDED).exists()

    services.request_decline(
        acting_user=cast.neighbour_chair, sideways_request=sent, decision_text="No capacity."
    )
    decided = Notification.objects.get(kind=NotificationKind.REQUEST_DECIDED)
    assert decided.recipient == cast.chair
    assert "Stoke declined a request of" in decided.message
    # The title and details stay in the portal: a notification's e-mail says only its kind.
    assert all(sent.title not in n.message for n in Notification.objects.all())


@pytest.mark.parametrize("who", ["chair", "member", "outsider"])
def test_only_a_chair_of_the_asked_unit_decides(cast, sent, who):
    with pytest.raises(PermissionDenied, match="Only a chair of Stoke"):
        services.request_accept(
            acting_user=getattr(cast, who), sideways_request=sent, decision_text="Yes."
        )
    sent.refresh_from_db()
    assert sent.status == RequestStatus.SENT
    assert not Notification.objects.filter(kind=NotificationKind.REQUEST_DECIDED).exists()


def test_a_decline_gives_its_reason_and_is_final(cast, sent):
    with pytest.raises(ValidationError, match="Enter the decision"):
        services.request_decline(
            acting_user=cast.neighbour_chair, sideways_request=sent, decision_text=""
        )
    declined = services.request_decline(
        acting_user=cast.neighbour_chair, sideways_request=sent, decision_text="No capacity."
    )
    assert declined.status == RequestStatus.DECLINED
    with pytest.raises(ValidationError):
        services.request_accept(
            acting_user=cast.neighbour_chair, sideways_request=sent, decision_text="After all."
        )


def test_both_sides_read_a_request_and_nobody_above_their_vetting(cast, sitting):
    sent = send(cast, sitting, marking=GSCMarking.OFFICIAL_SENSITIVE)
    assert sent in requests_visible_to(cast.member)  # the asking unit
    assert sent in requests_visible_to(cast.outsider)  # a member of the asked unit's force
    assert request_boxes(cast.neighbour_chair).inbox == [sent]
    assert request_boxes(cast.chair).outbox == [sent]
    unvetted = member(cast.hierarchy.bcu, username="unvetted", vetting_level=VettingLevel.NONE)
    assert sent not in requests_visible_to(unvetted)


def test_the_requests_page_offers_the_decision_to_the_neighbour_only(client, cast, sent):
    client.force_login(cast.chair)
    page = client.get(reverse("tasking:request_list")).content.decode()
    assert sent.title in page and "Accept" not in page
    client.force_login(cast.neighbour_chair)
    page = client.get(reverse("tasking:request_list")).content.decode()
    assert reverse("tasking:request_accept", args=[sent.pk]) in page
    response = client.post(
        reverse("tasking:request_accept", args=[sent.pk]), {"decision_text": "Yes."}
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == RequestStatus.ACCEPTED


def test_the_send_page_refuses_a_non_chair_and_sends_for_the_chair(client, cast, sitting):
    url = reverse("tasking:request_send", args=[sitting.pk])
    client.force_login(cast.member)
    assert client.get(url).status_code == 403
    client.force_login(cast.chair)
    assert client.post(url, {"to_unit": cast.hierarchy.force.pk, "title": "x"}).status_code == 400
    assert not SidewaysRequest.objects.exists()
    response = client.post(
        url,
        {
            "to_unit": cast.hierarchy.other_bcu.pk,
            "title": "Surveillance",
            "details": "Two days.",
            "marking": GSCMarking.OFFICIAL_SENSITIVE,
        },
    )
    assert response.status_code == 302
    assert SidewaysRequest.objects.get().to_unit == cast.hierarchy.other_bcu


def test_the_api_sends_and_decides_through_the_same_services(cast, sitting):
    api = APIClient()
    api.force_authenticate(cast.chair)
    body = {
        "meeting": sitting.pk,
        "to_unit": cast.hierarchy.other_bcu.pk,
        "title": "Surveillance",
        "details": "Two days.",
    }
    created = api.post("/api/v1/requests/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    refused = api.post(f"/api/v1/requests/{pk}/accept/", {"decision_text": "Mine."}, format="json")
    assert refused.status_code == 403
    api.force_authenticate(cast.neighbour_chair)
    assert [r["id"] for r in api.get("/api/v1/requests/").json()["results"]] == [pk]
    accepted = api.post(f"/api/v1/requests/{pk}/accept/", {"decision_text": "Yes."}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == RequestStatus.ACCEPTED
    assert api.get("/api/v1/requests/999999/").status_code == 404
