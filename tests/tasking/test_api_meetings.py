"""The meetings API from both sides, through the same services as the pages: the chair runs the
meeting, others get 403 with the message and nothing changes; stale minutes 409; escalations
adopted only by the receiving chair; outsiders and partners 404."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from nim_portal.choices import Role, UnitKind
from tasking.meetings.choices import MeetingStatus
from tasking.models import AgendaItem, Escalation, Meeting
from tasking.proceedings.choices import EscalationStatus
from tests.factories import PartnerUserFactory, add_unit, member
from tests.tasking.proceedings_helpers import cast_scheduled, ttcg

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(hierarchy):
    return cast_scheduled(hierarchy)


@pytest.fixture
def meeting(cast):
    return ttcg(cast.hierarchy.bcu)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_chair_runs_the_meeting_through_the_api(cast, meeting):
    chair = api(cast.chair)
    assert chair.post(f"/api/v1/meetings/{meeting.pk}/open/").status_code == 200
    item = meeting.agenda_items.get(position=3)
    response = chair.post(f"/api/v1/meetings/{meeting.pk}/current-item/", {"item": item.pk})
    assert response.json()["current_agenda_item"] == item.pk
    decision = chair.post(f"/api/v1/meetings/{meeting.pk}/decisions/", {"text": "Patrol."})
    assert decision.status_code == 201
    minutes = chair.post(
        f"/api/v1/meetings/{meeting.pk}/minutes/", {"minutes": "Agreed.", "minutes_version": 0}
    )
    assert minutes.json()["minutes_version"] == 1
    added = chair.post("/api/v1/agenda-items/", {"meeting": meeting.pk, "title": "Knives"})
    assert added.status_code == 201
    moved = chair.post(f"/api/v1/agenda-items/{added.json()['id']}/move/", {"direction": "up"})
    assert moved.json()["position"] == added.json()["position"] - 1
    assert chair.post(f"/api/v1/meetings/{meeting.pk}/close/").json()["status"] == "closed"


def test_a_member_is_refused_403_with_the_message_and_nothing_changes(cast, meeting):
    member = api(cast.member)
    response = member.post(f"/api/v1/meetings/{meeting.pk}/open/")
    assert response.status_code == 403
    assert "Only the chair of this meeting of Birmingham" in response.json()["detail"]
    added = member.post("/api/v1/agenda-items/", {"meeting": meeting.pk, "title": "Mine"})
    assert added.status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.SCHEDULED
    assert not AgendaItem.objects.filter(title="Mine").exists()
    assert member.get(f"/api/v1/meetings/{meeting.pk}/").json()["may_chair"] is False


def test_stale_minutes_get_409_with_what_is_saved(cast, meeting):
    chair = api(cast.chair)
    chair.post(f"/api/v1/meetings/{meeting.pk}/open/")
    chair.post(f"/api/v1/meetings/{meeting.pk}/minutes/", {"minutes": "One.", "minutes_version": 0})
    stale = api(cast.force_chair).post(
        f"/api/v1/meetings/{meeting.pk}/minutes/", {"minutes": "Two.", "minutes_version": 0}
    )
    assert stale.status_code == 409
    assert stale.json()["minutes"] == "One." and stale.json()["minutes_version"] == 1


def test_bad_input_is_400_not_500(cast, meeting):
    chair = api(cast.chair)
    chair.post(f"/api/v1/meetings/{meeting.pk}/open/")
    other = ttcg(cast.hierarchy.force).agenda_items.first()
    assert (
        chair.post(f"/api/v1/meetings/{meeting.pk}/current-item/", {"item": other.pk}).status_code
        == 400
    )
    assert chair.post(f"/api/v1/meetings/{meeting.pk}/decisions/", {"text": ""}).status_code == 400


def test_escalations_go_up_and_only_the_receiving_chair_decides(cast, meeting):
    chair = api(cast.chair)
    chair.post(f"/api/v1/meetings/{meeting.pk}/open/")
    raised = chair.post(
        f"/api/v1/meetings/{meeting.pk}/escalate/", {"title": "Guns", "reason": "Beyond us."}
    )
    assert raised.status_code == 201 and raised.json()["to_unit"] == cast.hierarchy.force.pk
    pk = raised.json()["id"]
    assert chair.post(f"/api/v1/escalations/{pk}/adopt/", {"decision_text": "x"}).status_code == 403
    assert Escalation.objects.get(pk=pk).status == EscalationStatus.RAISED
    force = api(cast.force_chair)
    assert pk in [e["id"] for e in force.get("/api/v1/escalations/").json()["inbox"]]
    returned = force.post(f"/api/v1/escalations/{pk}/return/", {"decision_text": "Yours."})
    assert returned.json()["status"] == EscalationStatus.RETURNED


@pytest.mark.parametrize("who", ["outsider", "partner"])
def test_outsiders_and_partners_get_404(cast, meeting, who):
    user = PartnerUserFactory() if who == "partner" else cast.outsider
    client = api(user)
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert client.post(f"/api/v1/meetings/{meeting.pk}/open/").status_code == 404


def test_the_chair_moves_a_meeting_over_the_sequence_loaded(cast, meeting):
    chair = api(cast.chair)
    loaded = chair.get(f"/api/v1/meetings/{meeting.pk}/").json()
    later = (meeting.starts_at + timedelta(days=2)).isoformat()

    moved = chair.post(
        f"/api/v1/meetings/{meeting.pk}/reschedule/",
        {"starts_at": later, "place": "Stechford", "sequence": loaded["sequence"]},
    )
    stale = chair.post(
        f"/api/v1/meetings/{meeting.pk}/reschedule/",
        {"starts_at": later, "place": "Elsewhere", "sequence": loaded["sequence"]},
    )

    assert moved.status_code == 200
    assert (moved.json()["place"], moved.json()["sequence"]) == ("Stechford", 1)
    assert stale.status_code == 409 and "moved by somebody else" in stale.json()["detail"]
    assert stale.json()["code"] == "stale_meeting"
    assert Meeting.objects.get(pk=meeting.pk).place == "Stechford"


def test_a_member_may_not_move_a_meeting_and_bad_input_is_400(cast, meeting):
    later = (meeting.starts_at + timedelta(days=2)).isoformat()
    refused = api(cast.member).post(
        f"/api/v1/meetings/{meeting.pk}/reschedule/", {"starts_at": later, "sequence": 0}
    )
    bad = api(cast.chair).post(
        f"/api/v1/meetings/{meeting.pk}/reschedule/", {"starts_at": "soon", "sequence": 0}
    )

    assert (
        refused.status_code == 403
        and "Only the chair of this meeting of" in refused.json()["detail"]
    )
    assert bad.status_code == 400 and "starts_at" in bad.json()
    assert Meeting.objects.get(pk=meeting.pk).sequence == 0


def test_the_chair_invites_and_takes_back_through_the_api_and_a_member_may_not(cast, meeting):
    solihull = add_unit(cast.hierarchy.force, kind=UnitKind.BCU, code="SOLI", name="Solihull")
    colleague = member(solihull, Role.MEMBER, username="solihull")
    path = f"/api/v1/meetings/{meeting.pk}"

    refused = api(cast.member).post(f"{path}/invite/", {"person": colleague.pk})
    outsider = api(cast.chair).post(f"{path}/invite/", {"person": cast.outsider.pk})
    invited = api(cast.chair).post(f"{path}/invite/", {"person": colleague.pk})

    assert (
        refused.status_code == 403
        and "Only the chair of this meeting of" in refused.json()["detail"]
    )
    assert outsider.status_code == 400 and "holds no role in" in outsider.json()["person"][0]
    assert invited.status_code == 200
    invitee = meeting.invitees.get(user=colleague)
    assert invitee.pk in [row["id"] for row in invited.json()["invitees"]]
    assert api(cast.member).post(f"{path}/take-back/", {"invitee": invitee.pk}).status_code == 403
    taken_back = api(cast.chair).post(f"{path}/take-back/", {"invitee": invitee.pk})
    assert taken_back.status_code == 200 and not meeting.invitees.filter(user=colleague).exists()
    assert api(cast.chair).post(f"{path}/take-back/", {"invitee": 999999}).status_code == 404
