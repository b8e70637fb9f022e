"""The control strategy API from both sides, through the same services as the pages: allowed,
404 for what a user may not read (and for partners, everywhere), 403 and 400 with a message and
nothing changed, 409 for a change over a stale edit token."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from nim_portal.choices import GSCMarking, Role, VettingLevel
from tasking.models import ControlStrategy, IntelligenceRequirementItem, Priority
from tasking.strategy.choices import ControlStrategyStatus, RequirementItemStatus
from tasking.strategy.requirement import ir_item_update
from tasking.strategy.services import control_strategy_approve, edit_token, priority_update
from tests.factories import PartnerUserFactory, member
from tests.tasking.factories import (
    StrategyCast,
    approved_at_sitting,
    priority_added,
    scores,
    stcg_sitting,
    strategy_approved,
    strategy_drafted,
)

pytestmark = pytest.mark.django_db

STRATEGIES = "/api/v1/control-strategies/"
PRIORITIES = "/api/v1/priorities/"
ITEMS = "/api/v1/requirement-items/"


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def draft(cast):
    return strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())


@pytest.fixture
def approved(cast):
    return strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def review_date():
    return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


# Reading.


def test_the_list_and_a_strategy_with_its_priorities_in_rank_order(cast, approved, hierarchy):
    strategy_approved(
        hierarchy.other_force,
        chair=cast.outside_chair,
        version=cast.assessment(hierarchy.other_force),
    )
    response = api_as(cast.bcu_member).get(STRATEGIES)
    assert response.status_code == 200
    assert [row["id"] for row in response.data["results"]] == [approved.pk]
    assert response.data["results"][0]["marking_label"] == "OFFICIAL-SENSITIVE"
    detail = api_as(cast.bcu_member).get(f"{STRATEGIES}{approved.pk}/").data
    assert [p["rank"] for p in detail["priorities"]] == [1, 2]
    assert detail["status"] == ControlStrategyStatus.APPROVED
    assert detail["priorities"][0]["edit_token"]


def test_strategies_a_user_may_not_read_give_404(cast, approved, draft):
    assert api_as(cast.outsider).get(f"{STRATEGIES}{approved.pk}/").status_code == 404
    assert api_as(cast.member).get(f"{STRATEGIES}{draft.pk}/").status_code == 404
    priority = approved.priorities.first()
    assert api_as(cast.outsider).get(f"{PRIORITIES}{priority.pk}/").status_code == 404
    item = IntelligenceRequirementItem.objects.filter(requirement__control_strategy=approved)[0]
    assert api_as(cast.outsider).get(f"{ITEMS}{item.pk}/").status_code == 404
    secret = strategy_approved(
        cast.hierarchy.bcu,
        chair=cast.bcu_chair,
        version=cast.assessment(cast.hierarchy.bcu),
        marking=GSCMarking.SECRET,
    )
    rv_member = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)
    assert api_as(rv_member).get(f"{STRATEGIES}{secret.pk}/").status_code == 404
    assert api_as(cast.member).get(f"{STRATEGIES}{secret.pk}/").status_code == 200


def test_partners_get_404_on_every_route(cast, approved):
    partner = api_as(PartnerUserFactory())
    priority = approved.priorities.first()
    item = IntelligenceRequirementItem.objects.filter(requirement__control_strategy=approved)[0]
    for url in (
        STRATEGIES,
        f"{STRATEGIES}{approved.pk}/",
        f"{STRATEGIES}{approved.pk}/intelligence-requirement/",
        f"{PRIORITIES}{priority.pk}/",
        ITEMS,
        f"{ITEMS}{item.pk}/",
    ):
        assert partner.get(url).status_code == 404, url
    assert partner.post(f"{STRATEGIES}{approved.pk}/approve/").status_code == 404
    assert partner.post(f"{ITEMS}{item.pk}/close/", {"note": "x"}).status_code == 404


def test_the_requirement_is_read_by_every_member_of_the_unit_and_below(cast, approved):
    response = api_as(cast.bcu_member).get(f"{STRATEGIES}{approved.pk}/intelligence-requirement/")
    assert response.status_code == 200
    assert response.data["approved_at"] is not None
    assert {item["question"] for item in response.data["items"]} == {
        "Who drives county lines drug supply?",
        "Who drives burglary?",
    }
    listed = api_as(cast.bcu_member).get(ITEMS, {"control_strategy": approved.pk})
    assert listed.data["count"] == 2


# Drafting and approving.


def test_a_chair_drafts_and_approves_and_the_old_strategy_is_superseded(cast, approved):
    chair = api_as(cast.chair)
    response = chair.post(
        STRATEGIES,
        {
            "unit": cast.unit.pk,
            "title": "Next half-year",
            "period_start": timezone.localdate().isoformat(),
            "period_end": (timezone.localdate() + datetime.timedelta(days=180)).isoformat(),
            "informed_by": cast.assessment().pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    strategy_id = response.data["id"]
    response = chair.post(
        f"{STRATEGIES}{strategy_id}/priorities/",
        {
            "theme": "Knife crime",
            "rationale": "Rising.",
            "owner": cast.member.pk,
            "scores": scores(3),
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["rank"] == 1
    # Outside a sitting the API refuses the approval; the ST&CG gives it at its sitting.
    response = chair.post(f"{STRATEGIES}{strategy_id}/approve/")
    assert response.status_code == 400
    assert "approves it at its sitting" in response.data["detail"][0]
    assert ControlStrategy.objects.get(pk=strategy_id).status == ControlStrategyStatus.DRAFT
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    approved_at_sitting(
        ControlStrategy.objects.get(pk=strategy_id), sitting=sitting, chair=cast.chair
    )
    approved.refresh_from_db()
    assert approved.status == ControlStrategyStatus.SUPERSEDED
    assert approved.superseded_by_id == strategy_id


def test_drafting_is_refused_to_a_member_and_an_unreadable_version_is_unknown(cast, hierarchy):
    body = {
        "unit": cast.unit.pk,
        "title": "Not mine",
        "period_start": timezone.localdate().isoformat(),
        "period_end": timezone.localdate().isoformat(),
        "informed_by": cast.assessment().pk,
    }
    response = api_as(cast.member).post(STRATEGIES, body, format="json")
    assert response.status_code == 403
    assert "Only a T&CG chair over West Midlands Police" in response.data["detail"]
    other = cast.assessment(hierarchy.other_force)
    response = api_as(cast.chair).post(STRATEGIES, {**body, "informed_by": other.pk}, format="json")
    assert response.status_code == 400
    assert "informed_by" in response.data
    assert not ControlStrategy.objects.exists()


def test_approval_refusals_change_nothing(cast, draft):
    priority_added(draft, chair=cast.chair, scores=None)
    response = api_as(cast.chair).post(f"{STRATEGIES}{draft.pk}/approve/")
    assert response.status_code == 400
    assert "approves it at its sitting" in response.data["detail"][0]
    assert api_as(cast.member).post(f"{STRATEGIES}{draft.pk}/approve/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == ControlStrategyStatus.DRAFT


# Priorities.


def test_a_chair_changes_scores_and_overrides_over_the_token(cast, draft):
    first = priority_added(draft, chair=cast.chair, theme="A", scores=scores(4))
    second = priority_added(draft, chair=cast.chair, theme="B", scores=scores(1))
    chair = api_as(cast.chair)
    token = chair.get(f"{PRIORITIES}{second.pk}/").data["edit_token"]
    response = chair.patch(
        f"{PRIORITIES}{second.pk}/",
        {"rationale": "Seen in the new figures.", "edit_token": token},
        format="json",
    )
    assert response.status_code == 200
    assert response.data["rationale"] == "Seen in the new figures."
    response = chair.post(
        f"{PRIORITIES}{second.pk}/score/",
        {"scores": scores(2), "edit_token": response.data["edit_token"]},
        format="json",
    )
    assert response.status_code == 200
    response = chair.post(
        f"{PRIORITIES}{second.pk}/override-rank/",
        {"rank": 1, "reason": "", "edit_token": response.data["edit_token"]},
        format="json",
    )
    assert response.status_code == 400
    second.refresh_from_db()
    assert second.override_rank is None
    response = chair.post(
        f"{PRIORITIES}{second.pk}/override-rank/",
        {"rank": 1, "reason": "Harm to children.", "edit_token": edit_token(second)},
        format="json",
    )
    assert response.status_code == 200
    assert (response.data["rank"], response.data["override_reason"]) == (1, "Harm to children.")
    first.refresh_from_db()
    assert first.rank == 2


def test_a_stale_change_is_409_and_changes_nothing(cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    loaded = edit_token(priority)
    priority_update(acting_user=cast.chair, priority=priority, theme="Changed meanwhile")
    response = api_as(cast.chair).patch(
        f"{PRIORITIES}{priority.pk}/", {"theme": "Mine", "edit_token": loaded}, format="json"
    )
    assert response.status_code == 409
    assert "nothing was saved" in response.data["detail"]
    priority.refresh_from_db()
    assert priority.theme == "Changed meanwhile"
    assert response.data["edit_token"] == edit_token(priority)
    response = api_as(cast.chair).patch(
        f"{PRIORITIES}{priority.pk}/", {"theme": "Mine"}, format="json"
    )
    assert response.status_code == 400
    assert "edit_token" in response.data


def test_priorities_are_refused_to_a_non_chair_with_no_change(cast, approved):
    priority = approved.priorities.first()
    before = edit_token(priority)
    client = api_as(cast.bcu_member)
    for method, url, body in (
        ("patch", f"{PRIORITIES}{priority.pk}/", {"theme": "X", "edit_token": before}),
        ("post", f"{PRIORITIES}{priority.pk}/score/", {"scores": scores(1), "edit_token": before}),
        (
            "post",
            f"{PRIORITIES}{priority.pk}/override-rank/",
            {"rank": 2, "reason": "Why not", "edit_token": before},
        ),
        ("post", f"{STRATEGIES}{approved.pk}/priorities/", {}),
    ):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (400, 403), url
        if body:
            assert response.status_code == 403, url
            assert "Only a T&CG chair" in response.data["detail"]
    priority.refresh_from_db()
    assert edit_token(priority) == before


# Intelligence requirement items.


def test_a_chair_adds_items_and_approves_the_requirement(cast):
    strategy = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority = priority_added(strategy, chair=cast.chair)
    control_strategy_approve(
        acting_user=cast.chair,
        strategy=strategy,
        sitting=stcg_sitting(strategy.unit, chair=cast.chair),
    )
    body = {"question": "Where are the trap houses?", "owner": cast.analyst.pk}
    body["review_date"] = review_date()
    response = api_as(cast.member).post(
        f"{PRIORITIES}{priority.pk}/requirement-items/", body, format="json"
    )
    assert response.status_code == 403
    response = api_as(cast.chair).post(
        f"{PRIORITIES}{priority.pk}/requirement-items/", body, format="json"
    )
    assert response.status_code == 201, response.data
    # Before approval, a member reads no items; the owner reads theirs.
    assert api_as(cast.member).get(ITEMS).data["count"] == 0
    assert api_as(cast.analyst).get(ITEMS).data["count"] == 1
    response = api_as(cast.member).post(
        f"{STRATEGIES}{strategy.pk}/intelligence-requirement/approve/"
    )
    assert response.status_code == 403
    response = api_as(cast.chair).post(
        f"{STRATEGIES}{strategy.pk}/intelligence-requirement/approve/"
    )
    assert response.status_code == 400
    assert "approves it at its sitting" in response.data["detail"][0]
    assert api_as(cast.member).get(ITEMS).data["count"] == 0
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    approved_at_sitting(strategy, sitting=sitting, chair=cast.chair, requirement=True)
    assert api_as(cast.member).get(ITEMS).data["count"] == 1


def test_the_owner_reviews_and_closes_an_item_but_cannot_reassign_it(cast, approved):
    item = IntelligenceRequirementItem.objects.filter(requirement__control_strategy=approved)[0]
    ir_item_update(acting_user=cast.chair, item=item, owner=cast.analyst)
    item.refresh_from_db()
    owner = api_as(cast.analyst)
    response = owner.patch(
        f"{ITEMS}{item.pk}/",
        {"owner": cast.member.pk, "edit_token": edit_token(item)},
        format="json",
    )
    assert response.status_code == 403
    response = owner.patch(
        f"{ITEMS}{item.pk}/",
        {"sources_to_task": "ANPR", "edit_token": edit_token(item)},
        format="json",
    )
    assert response.status_code == 200
    assert response.data["sources_to_task"] == "ANPR"
    response = api_as(cast.member).post(
        f"{ITEMS}{item.pk}/close/",
        {"note": "Done", "edit_token": response.data["edit_token"]},
        format="json",
    )
    assert response.status_code == 403
    stale = edit_token(item)
    response = owner.post(f"{ITEMS}{item.pk}/close/", {"note": "Done", "edit_token": stale})
    assert response.status_code == 409
    item.refresh_from_db()
    response = owner.post(
        f"{ITEMS}{item.pk}/close/", {"note": "Answered.", "edit_token": edit_token(item)}
    )
    assert response.status_code == 200
    assert response.data["status"] == RequirementItemStatus.CLOSED
    assert response.data["closing_note"] == "Answered."


def test_a_bad_strategy_filter_is_400_not_500(cast, approved):
    response = api_as(cast.member).get(ITEMS, {"control_strategy": "x" * 30})
    assert response.status_code == 400
    assert api_as(cast.member).get(f"{PRIORITIES}{'9' * 18}/").status_code == 404
    assert Priority.objects.count() == 2


def test_a_score_out_of_its_scale_is_400_with_no_change(cast, draft):
    priority = priority_added(draft, chair=cast.chair, scores=None)
    response = api_as(cast.chair).post(
        f"{PRIORITIES}{priority.pk}/score/",
        {"scores": scores(9), "edit_token": edit_token(priority)},
        format="json",
    )
    assert response.status_code == 400
    assert "Physical harm must be from 0 to 4 (given 9)." in response.data["scores"]
    priority.refresh_from_db()
    assert priority.score is None


def test_another_forces_members_get_404_on_the_requirement(cast, approved):
    url = f"{STRATEGIES}{approved.pk}/intelligence-requirement/"
    assert api_as(cast.outside_chair).get(url).status_code == 404
    assert api_as(cast.outsider).get(ITEMS).data["count"] == 0
    response = api_as(cast.outside_chair).post(f"{url}approve/")
    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_reads_run_a_constant_number_of_queries(cast, django_assert_max_num_queries, count):
    themes = [f"Theme {i}" for i in range(count)]
    for _ in range(count):
        strategy = strategy_approved(
            cast.unit, chair=cast.chair, version=cast.assessment(), themes=themes
        )
    client = api_as(cast.bcu_member)
    # Each read: its rows (1 to 3) and the page count for lists (1), nothing a row.
    for url, most in (
        (STRATEGIES, 2),
        (f"{STRATEGIES}{strategy.pk}/", 3),
        (f"{STRATEGIES}{strategy.pk}/intelligence-requirement/", 4),
        (ITEMS, 2),
    ):
        with django_assert_max_num_queries(most):
            response = client.get(url)
        assert response.status_code == 200, url
    # Superseded strategies stay readable: every strategy's items are listed.
    assert response.data["count"] == count * count
