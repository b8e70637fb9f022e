"""The action log API from both sides, through the same services as the pages: readers, 404 for
members of other units and partners, 400 (an action without a priority among them), 403 and
409 with a message and nothing changed; constant queries as the log grows."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from nim_portal.choices import GSCMarking, Role, VettingLevel
from tasking.actions.choices import ActionStatus, ActionType, Rag
from tasking.actions.services import action_close, action_update_add
from tasking.models import ActionUpdate, TacticalAction
from tests.factories import PartnerUserFactory, member
from tests.tasking.factories import (
    StrategyCast,
    action_raised,
    meeting_sitting,
    strategy_approved,
)

pytestmark = pytest.mark.django_db

ACTIONS = "/api/v1/actions/"


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def priority(cast):
    strategy = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    return strategy.priorities.order_by("rank").first()


@pytest.fixture
def action(cast, priority):
    return action_raised(cast.unit, chair=cast.chair, priority=priority, owner_user=cast.member)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def raise_body(cast, priority, **overrides) -> dict:
    body = {
        "unit": cast.unit.pk,
        "priority": priority.pk if priority else None,
        "action_type": ActionType.REASSURANCE,
        "description": "Street briefings in the estates hit by the burglaries.",
        "owner_user": cast.member.pk,
        "due_date": (timezone.localdate() + datetime.timedelta(days=21)).isoformat(),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


# Reading.


def test_a_member_lists_the_units_log_and_reads_an_action(cast, action):
    client = api_as(cast.member)
    listed = client.get(ACTIONS, {"unit": cast.unit.pk})
    assert listed.status_code == 200
    (row,) = listed.json()["results"]
    assert row["id"] == action.pk and row["marking_label"] == "OFFICIAL-SENSITIVE"
    assert row["owner_user_name"] and row["is_overdue"] is False

    action_update_add(
        acting_user=cast.member, action=action, text="Begun.", rag=Rag.AMBER, expected_version=1
    )
    detail = client.get(f"{ACTIONS}{action.pk}/").json()
    assert [u["text"] for u in detail["updates"]] == ["Begun."] and detail["version"] == 2


@pytest.mark.parametrize("who", ["outsider", "bcu_member"])
def test_a_member_of_another_unit_gets_404(cast, action, who):
    client = api_as(getattr(cast, who))
    assert client.get(ACTIONS, {"unit": cast.unit.pk}).status_code == 404
    assert client.get(f"{ACTIONS}{action.pk}/").status_code == 404
    assert client.get(ACTIONS).json()["results"] == []


def test_partners_get_404(cast, action):
    client = api_as(PartnerUserFactory())
    assert client.get(f"{ACTIONS}{action.pk}/").status_code == 404
    assert client.get(ACTIONS).status_code == 404


def test_an_action_above_the_readers_vetting_is_left_out(cast, priority, action):
    secret = action_raised(
        cast.unit, chair=cast.chair, priority=priority, marking=GSCMarking.SECRET
    )
    client = api_as(member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV))
    ids = [row["id"] for row in client.get(ACTIONS, {"unit": cast.unit.pk}).json()["results"]]
    assert ids == [action.pk]
    assert client.get(f"{ACTIONS}{secret.pk}/").status_code == 404


def test_the_list_filters_and_refuses_bad_filters(cast, priority, action):
    closed = action_raised(cast.unit, chair=cast.chair, priority=priority)
    action_close(acting_user=cast.chair, action=closed, outcome="Done.", expected_version=1)
    client = api_as(cast.member)

    def ids(**params):
        return [r["id"] for r in client.get(ACTIONS, params).json()["results"]]

    assert ids(status=ActionStatus.CLOSED) == [closed.pk]
    assert ids(owner_user=cast.member.pk) == [action.pk]
    assert client.get(ACTIONS, {"rag": "purple"}).status_code == 400
    assert client.get(ACTIONS, {"unit": "x"}).status_code == 400


def test_my_actions(cast, priority, action):
    action_raised(cast.unit, chair=cast.chair, priority=priority, owner_user=cast.analyst)
    rows = api_as(cast.member).get(f"{ACTIONS}mine/").json()["results"]
    assert [r["id"] for r in rows] == [action.pk]


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_runs_a_constant_number_of_queries(
    cast, priority, django_assert_max_num_queries, count
):
    for i in range(count):
        raised = action_raised(cast.unit, chair=cast.chair, priority=priority, due_in_days=i)
        action_update_add(
            acting_user=cast.chair,
            action=raised,
            text="Going.",
            rag=Rag.AMBER,
            expected_version=1,
        )
    client = api_as(cast.member)
    # Unit (1), vetting (1), count and page (2).
    with django_assert_max_num_queries(4):
        response = client.get(ACTIONS, {"unit": cast.unit.pk})
    assert response.status_code == 200 and response.json()["count"] == count


# Raising.


def test_a_chair_raises_an_action(cast, priority):
    response = api_as(cast.chair).post(ACTIONS, raise_body(cast, priority), format="json")
    assert response.status_code == 201, response.json()
    assert TacticalAction.objects.get().priority == priority


def test_an_action_with_no_priority_is_refused_with_a_clear_message(cast, priority):
    response = api_as(cast.chair).post(ACTIONS, raise_body(cast, None), format="json")
    assert response.status_code == 400
    assert "every action is tied to one" in response.json()["priority"][0]
    assert not TacticalAction.objects.exists()


@pytest.mark.parametrize("body", [[1, 2], "raise it", 42])
def test_a_body_that_is_not_one_json_object_is_a_400(cast, priority, body):
    response = api_as(cast.chair).post(ACTIONS, body, format="json")
    assert response.status_code == 400
    assert "Send one JSON object" in response.json()["detail"]
    assert not TacticalAction.objects.exists()


@pytest.mark.parametrize("due_date", ["0001-01-01", "9999-12-31"])
def test_an_absurd_due_date_is_refused_with_a_clear_message(cast, priority, due_date):
    body = raise_body(cast, priority, due_date=due_date)
    response = api_as(cast.chair).post(ACTIONS, body, format="json")
    assert response.status_code == 400
    assert response.json()["due_date"][0].startswith("Enter the date the action is due between")
    assert not TacticalAction.objects.exists()


def test_a_member_may_not_raise_and_an_outsider_gets_404(cast, priority):
    response = api_as(cast.member).post(ACTIONS, raise_body(cast, priority), format="json")
    assert response.status_code == 403
    assert "chair or administrator" in response.json()["detail"]
    outsider = api_as(cast.outsider).post(ACTIONS, raise_body(cast, priority), format="json")
    assert outsider.status_code == 404
    assert not TacticalAction.objects.exists()


def test_the_chair_raises_at_the_sitting_meeting(cast, priority):
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    body = raise_body(cast, priority, meeting=meeting.pk)
    assert api_as(cast.member).post(ACTIONS, body, format="json").status_code == 403
    response = api_as(cast.chair).post(ACTIONS, body, format="json")
    assert response.status_code == 201
    assert response.json()["raised_at_meeting"] == meeting.pk


# Progress, RAG and closing.


def test_the_owner_adds_an_update_and_a_stale_one_is_refused(cast, action):
    client = api_as(cast.member)
    url = f"{ACTIONS}{action.pk}/updates/"
    response = client.post(url, {"text": "Begun.", "rag": Rag.AMBER, "version": 1}, format="json")
    assert response.status_code == 201 and response.json()["rag"] == Rag.AMBER

    stale = client.post(url, {"text": "Again.", "rag": Rag.RED, "version": 1}, format="json")
    assert stale.status_code == 409
    assert "nothing was saved" in stale.json()["detail"] and stale.json()["version"] == 2
    assert [u["text"] for u in client.get(url).json()["results"]] == ["Begun."]


def test_somebody_else_may_not_update(cast, action):
    body = {"text": "Begun.", "rag": Rag.AMBER, "version": 1}
    response = api_as(cast.analyst).post(f"{ACTIONS}{action.pk}/updates/", body, format="json")
    assert response.status_code == 403 and "Only the owner" in response.json()["detail"]
    assert not ActionUpdate.objects.exists()


def test_the_owner_changes_the_rag(cast, action):
    response = api_as(cast.member).post(
        f"{ACTIONS}{action.pk}/rag/", {"rag": Rag.RED, "version": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["rag"] == Rag.RED


def test_closing_needs_a_chair_and_an_outcome(cast, action):
    url = f"{ACTIONS}{action.pk}/close/"
    member_try = api_as(cast.member).post(url, {"outcome": "Done.", "version": 1}, format="json")
    assert member_try.status_code == 403
    no_outcome = api_as(cast.chair).post(url, {"outcome": "", "version": 1}, format="json")
    assert no_outcome.status_code == 400
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN

    closed = api_as(cast.chair).post(url, {"outcome": "Done.", "version": 1}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == ActionStatus.CLOSED
