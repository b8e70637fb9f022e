"""The control strategy pages from both sides: allowed, 404 for what a user may not read, 403 with
a clear message and nothing changed; stale edits refused; constant queries as strategies and
priorities grow."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, VettingLevel
from tasking.models import (
    ControlStrategy,
    IntelligenceRequirement,
    IntelligenceRequirementItem,
    Priority,
)
from tasking.strategy import views as strategy_views
from tasking.strategy.choices import ControlStrategyStatus, MoRiLEDimension, RequirementItemStatus
from tasking.strategy.requirement import ir_item_add, ir_item_update
from tasking.strategy.services import (
    control_strategy_approve,
    edit_token,
    priority_override_rank,
    priority_update,
)
from tests.factories import PartnerUserFactory, member
from tests.paging import two_pages
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


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def draft(cast):
    return strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())


@pytest.fixture
def approved(cast):
    return strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(f"tasking:{name}", args=args), params)


def post(client, user, name, *args, data=None):
    client.force_login(user)
    return client.post(reverse(f"tasking:{name}", args=args), data or {})


def in_a_month():
    return (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


def priority_data(owner, **overrides):
    data = {
        "theme": "Knife crime",
        "rationale": "Rising among young people.",
        "objective_intelligence": "Map the suppliers.",
        "owner": owner.pk,
    }
    data.update(overrides)
    return data


# The list.


def test_the_list_shows_the_strategies_a_user_may_read(client, cast, approved, hierarchy):
    elsewhere = strategy_approved(
        hierarchy.other_force,
        chair=cast.outside_chair,
        version=cast.assessment(hierarchy.other_force),
        title="Staffordshire's strategy",
    )
    response = get(client, cast.bcu_member, "strategy_list")
    html = response.content.decode()
    assert response.status_code == 200
    assert approved.title in html
    assert elsewhere.title not in html
    assert response.context["page_marking"] == GSCMarking.OFFICIAL_SENSITIVE
    assert "Draft a control strategy" not in html
    assert "Draft a control strategy" in get(client, cast.chair, "strategy_list").content.decode()


def test_partners_get_404_on_every_strategy_page(client, approved):
    partner = PartnerUserFactory()
    assert get(client, partner, "strategy_list").status_code == 404
    assert get(client, partner, "strategy_detail", approved.pk).status_code == 404
    assert get(client, partner, "requirement_detail", approved.pk).status_code == 404
    assert get(client, partner, "requirement_current").status_code == 404


def _strategies(cast, count):
    version = cast.assessment()
    for i in range(count):
        strategy = strategy_drafted(cast.unit, chair=cast.chair, version=version, title=f"S{i}")
        priority_added(strategy, chair=cast.chair)


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_runs_a_constant_number_of_queries(
    client, cast, django_assert_max_num_queries, count
):
    _strategies(cast, count)
    client.force_login(cast.chair)
    # Session and user (2), count and page (2), "may draft" (1), navigation admin check (1),
    # the session's save (3).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("tasking:strategy_list"))
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == count


def test_the_list_walks_two_pages_in_constant_queries(client, cast, monkeypatch):
    monkeypatch.setattr(strategy_views, "STRATEGIES_PER_PAGE", 2)
    client.force_login(cast.chair)
    _strategies(cast, 3)
    small = two_pages(client, reverse("tasking:strategy_list"))
    _strategies(cast, 3)
    assert two_pages(client, reverse("tasking:strategy_list")) == small


# A strategy's page.


def test_the_page_shows_priorities_in_rank_order_with_score_and_override(client, cast, draft):
    first = priority_added(draft, chair=cast.chair, theme="Burglary", scores=scores(4))
    second = priority_added(draft, chair=cast.chair, theme="County lines", scores=scores(2))
    priority_override_rank(
        acting_user=cast.chair, priority=second, rank=1, reason="Exploitation of children."
    )
    response = get(client, cast.chair, "strategy_detail", draft.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["page_marking"] == GSCMarking.OFFICIAL_SENSITIVE
    assert html.index("1. County lines") < html.index("2. Burglary")
    assert "Exploitation of children." in html
    assert "rank 2 by score" in html
    assert "Physical harm: 4 (Critical)" in html
    assert draft.informed_by.product.title in html
    assert "approves it at its sitting" in html
    # The history tells who changed what and why.
    assert "Rank overridden to 1: Exploitation of children." in html
    assert first.theme in html


def test_a_member_reads_an_approved_strategy_without_chair_actions(client, cast, approved):
    response = get(client, cast.bcu_member, "strategy_detail", approved.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Add a priority" not in html and "approves it at its sitting" not in html


def test_strategies_a_user_may_not_read_give_404(client, cast, approved, draft):
    assert get(client, cast.outsider, "strategy_detail", approved.pk).status_code == 404
    assert get(client, cast.outside_chair, "requirement_detail", approved.pk).status_code == 404
    assert get(client, cast.member, "strategy_detail", draft.pk).status_code == 404
    assert get(client, cast.member, "strategy_detail", 999999).status_code == 404
    secret = strategy_approved(
        cast.hierarchy.bcu,
        chair=cast.bcu_chair,
        version=cast.assessment(cast.hierarchy.bcu),
        marking=GSCMarking.SECRET,
    )
    rv_member = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)
    assert get(client, rv_member, "strategy_detail", secret.pk).status_code == 404
    assert get(client, cast.member, "strategy_detail", secret.pk).status_code == 200


def test_a_superseded_strategy_stays_readable_and_links_its_successor(client, cast, approved):
    newer = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment(), title="New")
    response = get(client, cast.member, "strategy_detail", approved.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This control strategy was superseded" in html
    assert reverse("tasking:strategy_detail", args=[newer.pk]) in html
    assert "County lines drug supply" in html


@pytest.mark.parametrize("count", [1, 8])
def test_the_page_runs_a_constant_number_of_queries(
    client, cast, draft, django_assert_max_num_queries, count
):
    for i in range(count):
        priority_added(draft, chair=cast.chair, theme=f"Theme {i}", scores=scores(i % 5))
    client.force_login(cast.chair)
    # Session and user (2), strategy (1), priorities (1), scales (1), requirement (1),
    # chair check (1), predecessors (1), history (2), navigation (1), session (3), the
    # previous strategy and the evaluations of both (2).
    with django_assert_max_num_queries(17):
        response = client.get(reverse("tasking:strategy_detail", args=[draft.pk]))
    assert response.status_code == 200
    assert len(response.context["priorities"]) == count


# Drafting and approving.


def test_a_chair_drafts_a_strategy(client, cast):
    version = cast.assessment()
    response = post(
        client,
        cast.chair,
        "strategy_draft",
        data={
            "unit": cast.unit.pk,
            "title": "Control strategy 2026/27",
            "period_start": timezone.localdate().isoformat(),
            "period_end": (timezone.localdate() + datetime.timedelta(days=180)).isoformat(),
            "informed_by": version.pk,
            "marking": GSCMarking.OFFICIAL_SENSITIVE,
        },
    )
    strategy = ControlStrategy.objects.get(title="Control strategy 2026/27")
    assert response.status_code == 302
    assert response.url == reverse("tasking:strategy_detail", args=[strategy.pk])
    assert strategy.drafted_by == cast.chair and strategy.informed_by == version


def test_drafting_is_refused_to_a_non_chair_and_a_wrong_assessment_changes_nothing(
    client, cast, hierarchy
):
    response = get(client, cast.member, "strategy_draft")
    assert response.status_code == 403
    assert "Only a T&amp;CG chair can draft" in response.content.decode()
    bcu_assessment = cast.assessment(hierarchy.bcu)
    response = post(
        client,
        cast.chair,
        "strategy_draft",
        data={
            "unit": cast.unit.pk,
            "title": "Informed from below",
            "period_start": timezone.localdate().isoformat(),
            "period_end": timezone.localdate().isoformat(),
            "informed_by": bcu_assessment.pk,
            "marking": GSCMarking.OFFICIAL_SENSITIVE,
        },
    )
    assert response.status_code == 400
    assert "must be of West Midlands Police or a unit above it" in response.content.decode()
    assert not ControlStrategy.objects.exists()


def test_approving_outside_a_sitting_is_refused_with_a_message_and_no_change(
    client, cast, approved
):
    newer = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority_added(newer, chair=cast.chair)
    page = get(client, cast.chair, "strategy_detail", newer.pk).content.decode()
    assert "approves it at its sitting" in page and "Approve the control strategy" not in page
    response = post(client, cast.chair, "strategy_approve", newer.pk)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "The ST&amp;CG approves it at its sitting: open the ST&amp;CG of" in page
    approved.refresh_from_db()
    newer.refresh_from_db()
    assert newer.status == ControlStrategyStatus.DRAFT and newer.approved_at is None
    assert approved.status == ControlStrategyStatus.APPROVED


def test_approval_is_refused_with_a_message_and_no_change(client, cast, draft):
    priority_added(draft, chair=cast.chair, scores=None)
    response = post(client, cast.chair, "strategy_approve", draft.pk)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "approves it at its sitting" in page
    draft.refresh_from_db()
    assert draft.status == ControlStrategyStatus.DRAFT
    # A member of the unit who may not even read the draft: 404.
    assert post(client, cast.member, "strategy_approve", draft.pk).status_code == 404
    # A chair over another unit reads nothing of it either.
    assert post(client, cast.bcu_chair, "strategy_approve", draft.pk).status_code == 404
    draft.refresh_from_db()
    assert draft.status == ControlStrategyStatus.DRAFT


def test_a_member_who_reads_the_strategy_still_cannot_approve_it(client, cast, approved):
    newer = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority_added(newer, chair=cast.chair)
    drafter_member = member(cast.unit, Role.MEMBER)
    # The drafter reads a draft; once they hold no chair, approving is refused (403, no change).
    ControlStrategy.objects.filter(pk=newer.pk).update(drafted_by=drafter_member)
    response = post(client, drafter_member, "strategy_approve", newer.pk)
    assert response.status_code == 403
    assert "Only a T&amp;CG chair over West Midlands Police" in response.content.decode()
    newer.refresh_from_db()
    assert newer.status == ControlStrategyStatus.DRAFT


# Priorities.


def test_the_chair_adds_a_priority_then_scores_it(client, cast, draft):
    response = post(client, cast.chair, "priority_add", draft.pk, data=priority_data(cast.member))
    priority = Priority.objects.get(theme="Knife crime")
    assert response.url == reverse("tasking:priority_score", args=[draft.pk, priority.pk])
    page = client.get(response.url)
    html = page.content.decode()
    # The form comes from the matrix: every dimension, every point with its label.
    for dimension in MoRiLEDimension:
        assert dimension.label in html
    assert "4: Almost certain" in html and "0: Remote" in html
    data = {**scores(3), "edit_token": page.context["form"].initial["edit_token"]}
    response = client.post(response.url, data)
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.score is not None and priority.rank == 1


def test_scoring_needs_every_dimension_and_changes_nothing_otherwise(client, cast, draft):
    priority = priority_added(draft, chair=cast.chair, scores=None)
    data = {**scores(3), "edit_token": edit_token(priority)}
    del data["likelihood"]
    response = post(client, cast.chair, "priority_score", draft.pk, priority.pk, data=data)
    assert response.status_code == 400
    assert "Score likelihood." in response.content.decode()
    priority.refresh_from_db()
    assert priority.score is None


def test_priorities_are_refused_to_non_chairs_with_no_change(client, cast, approved):
    priority = approved.priorities.first()
    before = edit_token(priority)
    for name in ("priority_edit", "priority_score", "priority_override"):
        response = get(client, cast.bcu_member, name, approved.pk, priority.pk)
        assert response.status_code == 403, name
    response = post(
        client,
        cast.bcu_member,
        "priority_edit",
        approved.pk,
        priority.pk,
        data={**priority_data(cast.member), "edit_token": before},
    )
    assert response.status_code == 403
    assert "Only a T&amp;CG chair over West Midlands Police" in response.content.decode()
    assert get(client, cast.bcu_member, "priority_add", approved.pk).status_code == 403
    priority.refresh_from_db()
    assert edit_token(priority) == before


def test_an_approved_strategys_priorities_say_they_cannot_change(client, cast, approved):
    priority = approved.priorities.first()
    response = get(client, cast.chair, "priority_edit", approved.pk, priority.pk)
    assert "The control strategy is approved" in response.content.decode()
    response = post(
        client,
        cast.chair,
        "priority_edit",
        approved.pk,
        priority.pk,
        data={**priority_data(cast.member), "edit_token": edit_token(priority)},
    )
    assert response.status_code == 400
    priority.refresh_from_db()
    assert priority.theme == "County lines drug supply"


def test_a_stale_priority_edit_is_refused_and_shows_what_is_saved(client, cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    loaded = edit_token(priority)
    priority_update(acting_user=cast.chair, priority=priority, theme="Saved by someone else")
    data = {**priority_data(cast.member, theme="My change"), "edit_token": loaded}
    response = post(client, cast.chair, "priority_edit", draft.pk, priority.pk, data=data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "was changed by" in html and "nothing was saved" in html
    assert "Saved by someone else" in html  # what is saved now, beside the sender's input
    priority.refresh_from_db()
    assert priority.theme == "Saved by someone else"
    # Sending again over what is saved now goes through.
    data["edit_token"] = response.context["form"].data["edit_token"]
    response = post(client, cast.chair, "priority_edit", draft.pk, priority.pk, data=data)
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.theme == "My change"


def test_an_override_needs_its_reason(client, cast, draft):
    first = priority_added(draft, chair=cast.chair, theme="A", scores=scores(4))
    second = priority_added(draft, chair=cast.chair, theme="B", scores=scores(2))
    data = {"rank": 1, "reason": "", "edit_token": edit_token(second)}
    response = post(client, cast.chair, "priority_override", draft.pk, second.pk, data=data)
    assert response.status_code == 400
    assert "Enter the reason for overriding the rank." in response.content.decode()
    second.refresh_from_db()
    assert second.override_rank is None and second.rank == 2
    data["reason"] = "The ST&CG judged exploitation the greater harm."
    response = post(client, cast.chair, "priority_override", draft.pk, second.pk, data=data)
    assert response.status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.rank, first.rank) == (1, 2)
    assert second.override_reason == data["reason"] and second.override_by == cast.chair


def test_a_stale_override_is_refused(client, cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    priority_added(draft, chair=cast.chair, theme="Other")
    loaded = edit_token(priority)
    priority_override_rank(acting_user=cast.chair, priority=priority, rank=2, reason="First view")
    data = {"rank": 1, "reason": "Second view", "edit_token": loaded}
    response = post(client, cast.chair, "priority_override", draft.pk, priority.pk, data=data)
    assert response.status_code == 400
    priority.refresh_from_db()
    assert priority.override_reason == "First view"


# The intelligence requirement.


def test_every_member_of_the_unit_and_below_reads_the_approved_requirement(client, cast, approved):
    for reader in (cast.member, cast.bcu_member):
        response = get(client, reader, "requirement_detail", approved.pk)
        html = response.content.decode()
        assert response.status_code == 200
        assert response.context["page_marking"] == GSCMarking.OFFICIAL_SENSITIVE
        assert "Who drives county lines drug supply?" in html
        assert "Approve the intelligence requirement" not in html
    response = get(client, cast.bcu_member, "requirement_current")
    assert "Who drives burglary?" in response.content.decode()


def test_before_approval_only_chairs_and_owners_see_the_items(client, cast):
    strategy = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority = priority_added(strategy, chair=cast.chair)
    control_strategy_approve(
        acting_user=cast.chair,
        strategy=strategy,
        sitting=stcg_sitting(strategy.unit, chair=cast.chair),
    )
    ir_item_add(
        acting_user=cast.chair,
        priority=priority,
        question="Where are the trap houses?",
        owner=cast.analyst,
        review_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert (
        "trap houses"
        not in get(client, cast.member, "requirement_detail", strategy.pk).content.decode()
    )
    assert (
        "trap houses"
        in get(client, cast.analyst, "requirement_detail", strategy.pk).content.decode()
    )
    page = get(client, cast.chair, "requirement_detail", strategy.pk).content.decode()
    assert "trap houses" in page and "approves it at its sitting" in page
    # Outside a sitting the page refuses the approval; at the ST&CG's sitting it is given.
    response = post(client, cast.chair, "requirement_approve", strategy.pk)
    assert response.status_code == 302
    assert not IntelligenceRequirement.objects.get(control_strategy=strategy).is_approved
    approved_at_sitting(
        strategy,
        sitting=stcg_sitting(cast.unit, chair=cast.chair),
        chair=cast.chair,
        requirement=True,
    )
    assert (
        "trap houses"
        in get(client, cast.member, "requirement_detail", strategy.pk).content.decode()
    )


def test_approving_the_requirement_is_refused_to_a_member_with_no_change(client, cast):
    strategy = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority = priority_added(strategy, chair=cast.chair)
    control_strategy_approve(
        acting_user=cast.chair,
        strategy=strategy,
        sitting=stcg_sitting(strategy.unit, chair=cast.chair),
    )
    ir_item_add(
        acting_user=cast.chair,
        priority=priority,
        question="Q?",
        owner=cast.chair,
        review_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    response = post(client, cast.member, "requirement_approve", strategy.pk)
    assert response.status_code == 403
    assert not strategy.intelligence_requirement.is_approved


def test_the_chair_adds_an_item_and_a_member_may_not(client, cast, approved):
    priority = approved.priorities.first()
    data = {
        "question": "Which lines run into Stechford?",
        "sources_to_task": "CHIS, ANPR",
        "owner": cast.analyst.pk,
        "review_date": in_a_month(),
        "open_to_partners": "on",
    }
    response = post(
        client, cast.member, "requirement_item_add", approved.pk, priority.pk, data=data
    )
    assert response.status_code == 403
    assert not IntelligenceRequirementItem.objects.filter(question__contains="Stechford").exists()
    response = post(client, cast.chair, "requirement_item_add", approved.pk, priority.pk, data=data)
    assert response.status_code == 302
    item = IntelligenceRequirementItem.objects.get(question__contains="Stechford")
    assert item.owner == cast.analyst and item.open_to_partners


def test_the_owner_reviews_an_item_but_cannot_reassign_it(client, cast, approved):
    item = IntelligenceRequirementItem.objects.filter(requirement__control_strategy=approved)[0]
    ir_item_update(acting_user=cast.chair, item=item, owner=cast.analyst)
    item.refresh_from_db()
    page = get(client, cast.analyst, "requirement_item_edit", approved.pk, item.pk)
    assert page.status_code == 200
    assert "owner" not in page.context["form"].fields
    data = {
        "question": "Who runs the lines now?",
        "sources_to_task": "Test purchases",
        "review_date": in_a_month(),
        "owner": cast.member.pk,  # not on the owner's form: ignored
        "edit_token": edit_token(item),
    }
    response = post(client, cast.analyst, "requirement_item_edit", approved.pk, item.pk, data=data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.question == "Who runs the lines now?" and item.owner == cast.analyst
    # Someone who neither owns it nor chairs: 403, no change.
    response = post(client, cast.member, "requirement_item_edit", approved.pk, item.pk, data=data)
    assert response.status_code == 403
    assert "owner or a T&amp;CG chair over West Midlands Police" in response.content.decode()


def test_an_item_is_closed_with_a_note_and_a_stale_close_is_refused(client, cast, approved):
    item = IntelligenceRequirementItem.objects.filter(requirement__control_strategy=approved)[0]
    token = edit_token(item)
    response = post(
        client,
        cast.chair,
        "requirement_item_close",
        approved.pk,
        item.pk,
        data={"note": "", "edit_token": token},
    )
    assert response.status_code == 400
    assert "Enter the closing note." in response.content.decode()
    ir_item_update(acting_user=cast.chair, item=item, sources_to_task="Changed meanwhile")
    response = post(
        client,
        cast.chair,
        "requirement_item_close",
        approved.pk,
        item.pk,
        data={"note": "Answered", "edit_token": token},
    )
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    item.refresh_from_db()
    assert item.status == RequirementItemStatus.OPEN
    response = post(
        client,
        cast.chair,
        "requirement_item_close",
        approved.pk,
        item.pk,
        data={"note": "Answered by the problem profile.", "edit_token": edit_token(item)},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RequirementItemStatus.CLOSED and item.closed_by == cast.chair
    html = get(client, cast.member, "requirement_detail", approved.pk).content.decode()
    assert "Answered by the problem profile." in html


def test_the_owner_closes_their_item_and_a_member_may_not(client, cast, approved):
    item = IntelligenceRequirementItem.objects.filter(requirement__control_strategy=approved)[0]
    ir_item_update(acting_user=cast.chair, item=item, owner=cast.analyst)
    item.refresh_from_db()
    data = {"note": "Answered by the tactical assessment.", "edit_token": edit_token(item)}
    refused = get(client, cast.member, "requirement_item_close", approved.pk, item.pk)
    assert refused.status_code == 403
    response = post(client, cast.member, "requirement_item_close", approved.pk, item.pk, data=data)
    assert response.status_code == 403
    assert "owner or a T&amp;CG chair over West Midlands Police can change it" in (
        response.content.decode()
    )
    item.refresh_from_db()
    assert item.status == RequirementItemStatus.OPEN
    page = get(client, cast.analyst, "requirement_item_close", approved.pk, item.pk)
    assert page.status_code == 200
    assert page.context["page_marking"] == GSCMarking.OFFICIAL_SENSITIVE
    response = post(client, cast.analyst, "requirement_item_close", approved.pk, item.pk, data=data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RequirementItemStatus.CLOSED and item.closed_by == cast.analyst


def test_a_reader_whose_vetting_lapsed_or_falls_short_reads_nothing(client, cast, approved):
    lapsed = member(
        cast.unit,
        Role.MEMBER,
        vetting_expires_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    for name in ("strategy_detail", "requirement_detail"):
        assert get(client, lapsed, name, approved.pk).status_code == 404
    assert approved.title not in get(client, lapsed, "strategy_list").content.decode()
    assert "Who drives" not in get(client, lapsed, "requirement_current").content.decode()
    # A member without vetting may not read OFFICIAL-SENSITIVE.
    unvetted = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.NONE)
    assert get(client, unvetted, "requirement_detail", approved.pk).status_code == 404
    assert approved.title not in get(client, unvetted, "strategy_list").content.decode()


@pytest.mark.parametrize("count", [1, 8])
def test_the_requirement_pages_run_a_constant_number_of_queries(
    client, cast, django_assert_max_num_queries, count
):
    themes = [f"Theme {i}" for i in range(count)]
    strategy = strategy_approved(
        cast.unit, chair=cast.chair, version=cast.assessment(), themes=themes
    )
    for priority in strategy.priorities.all():
        ir_item_add(
            acting_user=cast.chair,
            priority=priority,
            question=f"Where does {priority.theme} start?",
            owner=cast.analyst,
            review_date=timezone.localdate() + datetime.timedelta(days=30),
        )
    client.force_login(cast.chair)
    # Session and user (2), strategy (1), requirement (1), items (1), priorities (1),
    # chair check (1), navigation (1), session (3).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("tasking:requirement_detail", args=[strategy.pk]))
    assert response.status_code == 200
    assert sum(len(row["items"]) for row in response.context["priorities"]) == 2 * count
    client.force_login(cast.bcu_member)
    # Session and user (2), memberships (1), items of the one unit (1), navigation (1),
    # session (3).
    with django_assert_max_num_queries(8):
        response = client.get(reverse("tasking:requirement_current"))
    assert response.status_code == 200
    assert len(response.context["requirements"][0].items) == 2 * count


def test_another_forces_chair_gets_404_on_items(client, cast, approved):
    item = IntelligenceRequirementItem.objects.filter(requirement__control_strategy=approved)[0]
    for name in ("requirement_item_edit", "requirement_item_close"):
        assert get(client, cast.outside_chair, name, approved.pk, item.pk).status_code == 404


def test_a_superseded_requirement_is_read_only(client, cast, approved):
    strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    html = get(client, cast.chair, "requirement_detail", approved.pk).content.decode()
    assert "takes no new items or reviews" in html
    item = IntelligenceRequirementItem.objects.filter(requirement__control_strategy=approved)[0]
    assert "/items/add/" not in html
    assert reverse("tasking:requirement_item_edit", args=[approved.pk, item.pk]) not in html
