import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent
from products.choices import ProductKind
from tasking.models import (
    ControlStrategy,
    DimensionScale,
    IntelligenceRequirement,
    MoRiLEMatrix,
    Priority,
)
from tasking.strategy.choices import (
    DEFAULT_MORILE_SCALES,
    ControlStrategyStatus,
    MoRiLEDimension,
    RequirementItemStatus,
)
from tasking.strategy.morile import (
    morile_matrix_activate,
    morile_matrix_copy,
    morile_matrix_default,
    morile_scale_configure,
    morile_score,
    morile_scores_clean,
)
from tasking.strategy.requirement import (
    intelligence_requirement_approve,
    ir_item_add,
    ir_item_close,
    ir_item_close_over,
    ir_item_update,
    ir_item_update_over,
)
from tasking.strategy.services import (
    StaleEdit,
    control_strategy_approve,
    control_strategy_draft,
    edit_token,
    priorities_rank,
    priority_add,
    priority_override_rank,
    priority_override_rank_over,
    priority_score,
    priority_score_over,
    priority_update,
    priority_update_over,
    ranks_with_overrides,
)
from tests.factories import UserFactory, member, product_drafting
from tests.products.helpers import publish
from tests.tasking.factories import (
    StrategyCast,
    priority_added,
    published_version,
    scores,
    stcg_sitting,
    strategy_approved,
    strategy_drafted,
)

DEFAULT_SCALES = [
    DimensionScale(dimension, weight, 0, len(labels) - 1)
    for dimension, (weight, labels) in DEFAULT_MORILE_SCALES.items()
]
HARM = [d for d in MoRiLEDimension.values if d.startswith("harm_")]
RISING = [*HARM, "likelihood", "vulnerability", "confidence"]
FALLING = ["capacity", "capability"]


@pytest.fixture
def cast(hierarchy):
    return StrategyCast(hierarchy)


@pytest.fixture
def draft(cast):
    return strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())


def next_review():
    return timezone.localdate() + datetime.timedelta(days=30)


# Scoring: a pure function.


def test_score_extremes_and_a_worked_example():
    top = scores(4, capacity=0, capability=0)
    assert morile_score(top, DEFAULT_SCALES) == Decimal("100.00")
    assert morile_score(scores(4, likelihood=0), DEFAULT_SCALES) == Decimal("0.00")
    assert morile_score(scores(0), DEFAULT_SCALES) == Decimal("0.00")
    # H = L = V = C = P = 1/2: 100 * 1/2 * 1/2 * 3/4 * 3/4 * 3/4 = 10.546875
    assert morile_score(scores(2), DEFAULT_SCALES) == Decimal("10.55")


def test_harm_is_the_weighted_mean_of_its_dimensions():
    weighted = [
        DimensionScale(s.dimension, 4 if s.dimension == "harm_physical" else s.weight, 0, 4)
        for s in DEFAULT_SCALES
    ]
    physical_only = scores(0, harm_physical=4, likelihood=4, vulnerability=4, confidence=4)
    # Harm = 4/8 with physical weighing 4 of 8, against 1/5 with equal weights.
    assert morile_score(physical_only, weighted) == Decimal("50.00")
    assert morile_score(physical_only, DEFAULT_SCALES) == Decimal("20.00")


@pytest.mark.parametrize("dimension", RISING + FALLING)
def test_score_is_monotone_in_every_dimension(dimension):
    for base in range(5):
        values = [morile_score(scores(base, **{dimension: v}), DEFAULT_SCALES) for v in range(5)]
        if dimension in FALLING:
            values.reverse()
        assert values == sorted(values), (dimension, base, values)
    raised = morile_score(scores(2, **{dimension: 3}), DEFAULT_SCALES)
    assert raised != morile_score(scores(2), DEFAULT_SCALES)


def test_scores_within_the_scale_are_accepted():
    given = {**scores(3), "likelihood": "4"}
    assert morile_scores_clean(given, DEFAULT_SCALES)["likelihood"] == 4


@pytest.mark.parametrize(
    "change, message",
    [
        ({"likelihood": 5}, "Likelihood must be from 0 to 4 (given 5)."),
        ({"confidence": -1}, "Confidence in the assessment must be from 0 to 4 (given -1)."),
        ({"vulnerability": "2.5"}, "Victim vulnerability must be a whole number."),
        ({"capacity": True}, "Organisational capacity to respond must be a whole number."),
        ({"harm_physical": None}, "Score physical harm."),
    ],
)
def test_scores_outside_the_scale_are_refused(change, message):
    with pytest.raises(ValidationError) as refused:
        morile_scores_clean({**scores(2), **change}, DEFAULT_SCALES)
    assert message in refused.value.message_dict["scores"]


def test_a_dimension_the_matrix_lacks_is_refused():
    with pytest.raises(ValidationError, match="no dimension danger"):
        morile_scores_clean({**scores(2), "danger": 1}, DEFAULT_SCALES)


def test_ranks_with_overrides_places_overrides_and_fills_in_score_order():
    assert ranks_with_overrides([10, 11, 12, 13], {}) == {10: 1, 11: 2, 12: 3, 13: 4}
    assert ranks_with_overrides([10, 11, 12, 13], {13: 1}) == {13: 1, 10: 2, 11: 3, 12: 4}
    # A rank beyond the count is clamped; a clash takes the nearest free rank.
    assert ranks_with_overrides([10, 11], {10: 9, 11: 2}) == {11: 2, 10: 1}


# The matrix.


@pytest.mark.django_db
def test_default_matrix_is_created_once():
    matrix = morile_matrix_default()
    assert morile_matrix_default() == matrix
    assert MoRiLEMatrix.objects.count() == 1
    assert {s.dimension for s in matrix.scales.all()} == set(MoRiLEDimension.values)
    assert matrix.scales.get(dimension="likelihood").label_for(4) == "Almost certain"


@pytest.mark.django_db
def test_only_a_superuser_configures_the_matrix(cast):
    matrix = morile_matrix_default()
    scale = matrix.scales.get(dimension="harm_physical")
    with pytest.raises(PermissionDenied):
        morile_scale_configure(
            acting_user=cast.chair, scale=scale, weight=3, minimum=0, maximum=2,
            labels=["Low", "Medium", "High"],
        )  # fmt: skip
    admin = UserFactory(is_superuser=True)
    morile_scale_configure(
        acting_user=admin, scale=scale, weight=3, minimum=0, maximum=2,
        labels=["Low", "Medium", "High"],
    )  # fmt: skip
    scale.refresh_from_db()
    assert (scale.weight, scale.maximum) == (3, 2)
    with pytest.raises(ValidationError, match="needs 3 labels"):
        morile_scale_configure(
            acting_user=admin, scale=scale, weight=3, minimum=0, maximum=2, labels=["Low"]
        )


@pytest.mark.django_db
def test_a_matrix_in_use_keeps_its_scales_and_a_copy_replaces_it(cast, draft):
    admin = UserFactory(is_superuser=True)
    used = draft.matrix
    with pytest.raises(ValidationError, match="copy it"):
        morile_scale_configure(
            acting_user=admin, scale=used.scales.first(), weight=2, minimum=0, maximum=4,
            labels=["a", "b", "c", "d", "e"],
        )  # fmt: skip
    copy = morile_matrix_copy(acting_user=admin, matrix=used, name="Local scales 2025")
    with pytest.raises(PermissionDenied):
        morile_matrix_activate(acting_user=cast.chair, matrix=copy)
    morile_matrix_activate(acting_user=admin, matrix=copy)
    used.refresh_from_db()
    assert not used.is_active and morile_matrix_default() == copy
    draft.refresh_from_db()
    assert draft.matrix == used


# Drafting a control strategy.


@pytest.mark.django_db
def test_a_chair_over_the_unit_drafts_a_strategy(cast):
    version = cast.assessment()
    strategy = strategy_drafted(cast.unit, chair=cast.chair, version=version)
    assert strategy.status == ControlStrategyStatus.DRAFT
    assert strategy.informed_by == version and strategy.matrix.is_active
    assert strategy.history.first().history_change_reason == "Drafted"
    assert AuditEvent.objects.filter(verb="create", object_id=str(strategy.pk)).exists()
    # A chair of the region above sits over the force too.
    assert strategy_drafted(cast.unit, chair=cast.regional_chair, version=version)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member", "bcu_chair", "outside_chair", "analyst"])
def test_a_non_chair_cannot_draft(cast, who):
    version = cast.assessment()
    with pytest.raises(PermissionDenied, match="Only a T&CG chair"):
        strategy_drafted(cast.unit, chair=getattr(cast, who), version=version)
    assert not ControlStrategy.objects.exists()


@pytest.mark.django_db
def test_a_strategy_is_informed_by_a_strategic_assessment(cast):
    tactical = cast.assessment(kind=ProductKind.TACTICAL_ASSESSMENT)
    with pytest.raises(ValidationError, match="informed by a strategic assessment"):
        strategy_drafted(cast.unit, chair=cast.chair, version=tactical)
    assert not ControlStrategy.objects.exists()


@pytest.mark.django_db
def test_the_assessment_is_of_the_unit_or_above(cast, hierarchy):
    of_bcu = published_version(hierarchy.bcu)
    with pytest.raises(ValidationError, match="of West Midlands Police or a unit above it"):
        strategy_drafted(cast.unit, chair=cast.chair, version=of_bcu)
    of_region = published_version(hierarchy.region)
    assert strategy_drafted(cast.unit, chair=cast.regional_chair, version=of_region)
    # The force's assessment informs a BCU's strategy (set by a chair who may read it).
    assert strategy_drafted(hierarchy.bcu, chair=cast.chair, version=cast.assessment())


@pytest.mark.django_db
def test_the_assessment_must_be_visible_to_the_setter(cast):
    rv_chair = member(cast.unit, Role.CHAIR, vetting_level=VettingLevel.RV)
    product = product_drafting(
        cast.unit, owner=cast.analyst, title="Secret SA", marking=GSCMarking.SECRET
    )
    version = publish(product, owner=cast.analyst, reviewer=cast.reviewer)
    with pytest.raises(ValidationError, match="cannot read that strategic assessment"):
        strategy_drafted(cast.unit, chair=rv_chair, version=version)
    assert strategy_drafted(cast.unit, chair=cast.chair, version=version)


@pytest.mark.django_db
def test_the_period_must_be_ordered(cast):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="end on or after its start"):
        control_strategy_draft(
            acting_user=cast.chair, unit=cast.unit, title="Backwards",
            period_start=today, period_end=today - datetime.timedelta(days=1),
            informed_by=cast.assessment(),
        )  # fmt: skip


# Priorities.


@pytest.mark.django_db
def test_a_chair_adds_a_scored_priority(cast, draft):
    priority = priority_added(draft, chair=cast.chair, owner=cast.bcu_member)
    assert priority.score == Decimal("10.55")
    assert (priority.score_rank, priority.rank) == (1, 1)
    assert priority.scores == scores(2)


@pytest.mark.django_db
def test_a_non_chair_cannot_add_or_change_priorities(cast, draft):
    with pytest.raises(PermissionDenied):
        priority_added(draft, chair=cast.member)
    priority = priority_added(draft, chair=cast.chair)
    with pytest.raises(PermissionDenied):
        priority_update(acting_user=cast.outside_chair, priority=priority, theme="Other")
    with pytest.raises(PermissionDenied):
        priority_score(acting_user=cast.member, priority=priority, scores=scores(4))
    priority.refresh_from_db()
    assert priority.theme == "County lines drug supply" and priority.score == Decimal("10.55")


@pytest.mark.django_db
def test_the_owner_works_in_the_unit_or_below(cast, draft):
    with pytest.raises(ValidationError, match="does not work in West Midlands Police"):
        priority_added(draft, chair=cast.chair, owner=cast.outsider)
    assert priority_added(draft, chair=cast.chair, owner=cast.bcu_member)


@pytest.mark.django_db
def test_a_4p_plan_is_for_organised_crime(cast, draft):
    with pytest.raises(ValidationError, match="4P plan is for an organised-crime priority"):
        priority_added(draft, chair=cast.chair, plan_pursue="Disrupt the line holders.")
    priority = priority_added(
        draft, chair=cast.chair, organised_crime=True, plan_pursue="Disrupt the line holders."
    )
    assert priority.plan_pursue == "Disrupt the line holders."


@pytest.mark.django_db
def test_updating_a_priority_keeps_the_reason(cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    priority_update(acting_user=cast.chair, priority=priority, objective_prevention="Schools.")
    priority.refresh_from_db()
    assert priority.objective_prevention == "Schools."
    assert priority.history.first().history_change_reason == "Changed: objective_prevention"


@pytest.mark.django_db
def test_scoring_refuses_out_of_scale_values_and_changes_nothing(cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    with pytest.raises(ValidationError) as refused:
        priority_score(acting_user=cast.chair, priority=priority, scores=scores(2, likelihood=7))
    assert "Likelihood must be from 0 to 4 (given 7)." in refused.value.message_dict["scores"]
    with pytest.raises(ValidationError):
        priority_added(draft, chair=cast.chair, theme="Burglary", scores={"likelihood": 2})
    priority.refresh_from_db()
    assert priority.scores == scores(2) and draft.priorities.count() == 1


@pytest.mark.django_db
def test_ranking_orders_by_score_with_ties_broken_by_order_added(cast, draft):
    low = priority_added(draft, chair=cast.chair, theme="Shoplifting", scores=scores(1))
    tie_first = priority_added(draft, chair=cast.chair, theme="Burglary", scores=scores(3))
    tie_second = priority_added(draft, chair=cast.chair, theme="Robbery", scores=scores(3))
    high = priority_added(draft, chair=cast.chair, theme="County lines", scores=scores(4))
    ranked = priorities_rank(acting_user=cast.chair, strategy=draft)
    assert [p.pk for p in ranked] == [high.pk, tie_first.pk, tie_second.pk, low.pk]
    assert [p.rank for p in ranked] == [1, 2, 3, 4]
    # Rescoring moves the ranks.
    priority_score(acting_user=cast.chair, priority=low, scores=scores(4, capacity=0))
    assert list(draft.priorities.order_by("rank").values_list("pk", flat=True)) == [
        low.pk, high.pk, tie_first.pk, tie_second.pk,
    ]  # fmt: skip
    with pytest.raises(PermissionDenied):
        priorities_rank(acting_user=cast.member, strategy=draft)


@pytest.mark.django_db
def test_unscored_priorities_have_no_rank(cast, draft):
    unscored = priority_add(
        acting_user=cast.chair, strategy=draft, theme="Fraud", rationale="Rising.", owner=cast.chair
    )
    scored = priority_added(draft, chair=cast.chair)
    unscored.refresh_from_db()
    assert unscored.rank is None and scored.rank == 1


@pytest.mark.django_db
def test_the_chair_overrides_a_rank_with_a_reason_kept_in_history(cast, draft):
    first = priority_added(draft, chair=cast.chair, theme="County lines", scores=scores(4))
    second = priority_added(draft, chair=cast.chair, theme="Burglary", scores=scores(3))
    third = priority_added(draft, chair=cast.chair, theme="Robbery", scores=scores(2))
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="reason for overriding"):
            priority_override_rank(acting_user=cast.chair, priority=third, rank=1, reason=blank)
    third.refresh_from_db()
    assert (third.override_rank, third.rank) == (None, 3)

    reason = "Community tension after the Handsworth incident."
    priority_override_rank(acting_user=cast.chair, priority=third, rank=1, reason=reason)
    ranks = dict(draft.priorities.values_list("pk", "rank"))
    assert ranks == {third.pk: 1, first.pk: 2, second.pk: 3}
    third.refresh_from_db()
    assert (third.score_rank, third.override_by, third.override_reason) == (3, cast.chair, reason)
    assert third.history.filter(history_change_reason__contains="Community tension").exists()
    assert AuditEvent.objects.filter(
        object_id=str(third.pk), detail__reason=reason, detail__override_rank__to=1
    ).exists()

    # Clearing the override also needs a reason, and returns it to its score rank.
    priority_override_rank(acting_user=cast.chair, priority=third, rank=None, reason="Settled.")
    third.refresh_from_db()
    assert (third.override_rank, third.rank, third.override_reason) == (None, 3, "")
    assert third.history.filter(history_change_reason__contains="Community tension").exists()


@pytest.mark.django_db
def test_an_override_is_refused_to_a_non_chair_or_out_of_range(cast, draft):
    first = priority_added(draft, chair=cast.chair, theme="County lines", scores=scores(4))
    second = priority_added(draft, chair=cast.chair, theme="Burglary", scores=scores(3))
    with pytest.raises(PermissionDenied):
        priority_override_rank(acting_user=cast.member, priority=second, rank=1, reason="Why.")
    with pytest.raises(ValidationError, match="from 1 to 2"):
        priority_override_rank(acting_user=cast.chair, priority=second, rank=3, reason="Why.")
    priority_override_rank(acting_user=cast.chair, priority=second, rank=1, reason="Why.")
    with pytest.raises(ValidationError, match="already holds rank 1"):
        priority_override_rank(acting_user=cast.chair, priority=first, rank=1, reason="Why.")


# Approving a control strategy.


@pytest.mark.django_db
def test_approval_needs_a_chair_and_scored_priorities(cast, draft):
    with pytest.raises(ValidationError, match="at least one priority"):
        control_strategy_approve(
            acting_user=cast.chair,
            strategy=draft,
            sitting=stcg_sitting(draft.unit, chair=cast.chair),
        )
    priority_add(
        acting_user=cast.chair, strategy=draft, theme="Fraud", rationale="Rising.", owner=cast.chair
    )
    with pytest.raises(ValidationError, match="not yet scored: Fraud"):
        control_strategy_approve(
            acting_user=cast.chair,
            strategy=draft,
            sitting=stcg_sitting(draft.unit, chair=cast.chair),
        )
    priority_score(acting_user=cast.chair, priority=draft.priorities.get(), scores=scores(3))
    with pytest.raises(PermissionDenied):
        control_strategy_approve(
            acting_user=cast.member,
            strategy=draft,
            sitting=stcg_sitting(draft.unit, chair=cast.chair),
        )
    draft.refresh_from_db()
    assert draft.status == ControlStrategyStatus.DRAFT
    approved = control_strategy_approve(
        acting_user=cast.chair, strategy=draft, sitting=stcg_sitting(draft.unit, chair=cast.chair)
    )
    assert approved.status == ControlStrategyStatus.APPROVED
    assert (approved.approved_by, approved.approved_at is not None) == (cast.chair, True)


@pytest.mark.django_db
def test_approving_supersedes_the_previous_strategy_and_both_stay(cast):
    old = strategy_approved(cast.unit, chair=cast.chair)
    new = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority_added(new, chair=cast.chair)
    control_strategy_approve(
        acting_user=cast.chair, strategy=new, sitting=stcg_sitting(new.unit, chair=cast.chair)
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == ControlStrategyStatus.SUPERSEDED and new.status == "approved"
    assert old.superseded_by == new and old.superseded_at == new.approved_at
    assert old.history.first().history_change_reason.startswith("Superseded by")
    assert old.priorities.count() == 2 and old.intelligence_requirement.items.count() == 2
    # Another unit's approved strategy is untouched.
    bcu = strategy_approved(cast.hierarchy.bcu, chair=cast.chair, version=cast.assessment())
    bcu.refresh_from_db()
    new.refresh_from_db()
    assert bcu.status == new.status == ControlStrategyStatus.APPROVED


@pytest.mark.django_db
def test_an_approved_strategy_is_frozen(cast):
    strategy = strategy_approved(cast.unit, chair=cast.chair)
    priority = strategy.priorities.first()
    with pytest.raises(ValidationError, match="approved: its priorities can no longer"):
        priority_update(acting_user=cast.chair, priority=priority, theme="Changed")
    with pytest.raises(ValidationError, match="can no longer be scored"):
        priority_score(acting_user=cast.chair, priority=priority, scores=scores(1))
    with pytest.raises(ValidationError, match="cannot become approved"):
        control_strategy_approve(
            acting_user=cast.chair,
            strategy=strategy,
            sitting=stcg_sitting(strategy.unit, chair=cast.chair),
        )


@pytest.mark.django_db
def test_a_strategy_whose_period_ended_is_not_approved(cast):
    long_ago = timezone.localdate() - datetime.timedelta(days=400)
    draft = strategy_drafted(
        cast.unit, chair=cast.chair, version=cast.assessment(), start=long_ago,
        end=long_ago + datetime.timedelta(days=180),
    )  # fmt: skip
    priority_added(draft, chair=cast.chair)
    with pytest.raises(ValidationError, match="period has ended"):
        control_strategy_approve(
            acting_user=cast.chair,
            strategy=draft,
            sitting=stcg_sitting(draft.unit, chair=cast.chair),
        )


# The intelligence requirement.


@pytest.mark.django_db
def test_the_requirement_is_approved_after_its_strategy_with_items(cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    control_strategy_approve(
        acting_user=cast.chair, strategy=draft, sitting=stcg_sitting(draft.unit, chair=cast.chair)
    )
    with pytest.raises(ValidationError, match="Add at least one open item"):
        intelligence_requirement_approve(
            acting_user=cast.chair,
            strategy=draft,
            sitting=stcg_sitting(draft.unit, chair=cast.chair),
        )
    item = ir_item_add(
        acting_user=cast.chair, priority=priority, question="Which lines run into Aston?",
        owner=cast.bcu_member, review_date=next_review(), sources_to_task="CHIS, ANPR",
    )  # fmt: skip
    assert item.requirement.control_strategy == draft
    with pytest.raises(PermissionDenied):
        intelligence_requirement_approve(
            acting_user=cast.member,
            strategy=draft,
            sitting=stcg_sitting(draft.unit, chair=cast.chair),
        )
    requirement = intelligence_requirement_approve(
        acting_user=cast.chair, strategy=draft, sitting=stcg_sitting(draft.unit, chair=cast.chair)
    )
    assert requirement.is_approved and requirement.approved_by == cast.chair
    with pytest.raises(ValidationError, match="already approved"):
        intelligence_requirement_approve(
            acting_user=cast.chair,
            strategy=draft,
            sitting=stcg_sitting(draft.unit, chair=cast.chair),
        )


@pytest.mark.django_db
def test_the_requirement_waits_for_the_strategy(cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    ir_item_add(
        acting_user=cast.chair, priority=priority, question="Who?", owner=cast.chair,
        review_date=next_review(),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="Approve the control strategy first"):
        intelligence_requirement_approve(
            acting_user=cast.chair,
            strategy=draft,
            sitting=stcg_sitting(draft.unit, chair=cast.chair),
        )
    assert not IntelligenceRequirement.objects.get().is_approved


@pytest.mark.django_db
def test_only_a_chair_adds_items_and_owners_come_from_the_unit_tree(cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    fields = {"priority": priority, "question": "Who?", "review_date": next_review()}
    with pytest.raises(PermissionDenied):
        ir_item_add(acting_user=cast.member, owner=cast.member, **fields)
    with pytest.raises(ValidationError, match="does not work in"):
        ir_item_add(acting_user=cast.chair, owner=cast.outsider, **fields)
    with pytest.raises(ValidationError, match="cannot be in the past"):
        ir_item_add(
            acting_user=cast.chair, owner=cast.member, priority=priority, question="Who?",
            review_date=timezone.localdate() - datetime.timedelta(days=1),
        )  # fmt: skip


@pytest.mark.django_db
def test_the_owner_reviews_an_item_and_the_chair_reassigns_it(cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    item = ir_item_add(
        acting_user=cast.chair, priority=priority, question="Who?", owner=cast.bcu_member,
        review_date=next_review(),
    )  # fmt: skip
    later = next_review() + datetime.timedelta(days=14)
    ir_item_update(
        acting_user=cast.bcu_member, item=item, review_date=later, sources_to_task="CHIS"
    )
    item.refresh_from_db()
    assert (item.review_date, item.sources_to_task) == (later, "CHIS")
    assert item.history.first().history_change_reason == "Reviewed: review_date, sources_to_task"
    with pytest.raises(PermissionDenied, match="Only a T&CG chair"):
        ir_item_update(acting_user=cast.bcu_member, item=item, owner=cast.member)
    with pytest.raises(PermissionDenied, match="owner or a T&CG chair"):
        ir_item_update(acting_user=cast.member, item=item, question="Why?")
    ir_item_update(acting_user=cast.chair, item=item, owner=cast.member, open_to_partners=True)
    item.refresh_from_db()
    assert item.owner == cast.member and item.open_to_partners


@pytest.mark.django_db
def test_items_are_closed_with_a_note_by_their_owner_or_a_chair(cast):
    strategy = strategy_approved(cast.unit, chair=cast.chair)
    first, second = strategy.intelligence_requirement.items.order_by("pk")
    ir_item_update(acting_user=cast.chair, item=first, owner=cast.bcu_member)
    with pytest.raises(ValidationError, match="closing note"):
        ir_item_close(acting_user=cast.bcu_member, item=first, note="  ")
    with pytest.raises(PermissionDenied):
        ir_item_close(acting_user=cast.member, item=first, note="Answered.")
    first.refresh_from_db()
    assert first.status == RequirementItemStatus.OPEN
    ir_item_close(acting_user=cast.bcu_member, item=first, note="Answered by the ANPR review.")
    ir_item_close(acting_user=cast.chair, item=second, note="No longer needed.")
    first.refresh_from_db()
    assert (first.status, first.closed_by, first.closing_note) == (
        RequirementItemStatus.CLOSED, cast.bcu_member, "Answered by the ANPR review.",
    )  # fmt: skip
    assert first.history.first().history_change_reason == "Closed: Answered by the ANPR review."
    with pytest.raises(ValidationError, match="item is closed: it cannot become closed"):
        ir_item_close(acting_user=cast.chair, item=first, note="Again.")
    with pytest.raises(ValidationError, match="closed: it can no longer change"):
        ir_item_update(acting_user=cast.chair, item=first, question="Again?")


@pytest.mark.django_db
def test_a_superseded_requirement_takes_no_new_items(cast):
    old = strategy_approved(cast.unit, chair=cast.chair)
    strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    with pytest.raises(ValidationError, match="superseded"):
        ir_item_add(
            acting_user=cast.chair, priority=old.priorities.first(), question="More?",
            owner=cast.chair, review_date=next_review(),
        )  # fmt: skip
    assert Priority.objects.filter(control_strategy=old).count() == 2


# Stale edits: a change sent over what its sender loaded.


def test_the_edit_token_follows_what_people_edit_not_the_recomputed_ranks(cast, draft):
    priority = priority_added(draft, chair=cast.chair, scores=scores(1))
    token = edit_token(priority)
    assert edit_token(Priority.objects.get(pk=priority.pk)) == token
    # Another priority scored higher moves this one's rank: its token stays.
    priority_added(draft, chair=cast.chair, theme="Higher", scores=scores(4))
    priority.refresh_from_db()
    assert priority.rank == 2 and edit_token(priority) == token
    priority_update(acting_user=cast.chair, priority=priority, rationale="New figures.")
    priority.refresh_from_db()
    assert edit_token(priority) != token


def test_changes_over_a_stale_token_are_refused_and_change_nothing(cast, draft):
    priority = priority_added(draft, chair=cast.chair, scores=scores(1))
    priority_added(draft, chair=cast.chair, theme="Other", scores=scores(2))
    stale = edit_token(priority)
    priority_update(acting_user=cast.chair, priority=priority, theme="Changed by the chair")
    history = priority.history.count()
    with pytest.raises(StaleEdit, match=r"was changed by .* nothing was saved"):
        priority_update_over(
            acting_user=cast.chair, priority=priority, loaded_token=stale, theme="Mine"
        )
    with pytest.raises(StaleEdit):
        priority_score_over(
            acting_user=cast.chair, priority=priority, loaded_token=stale, scores=scores(4)
        )
    with pytest.raises(StaleEdit):
        priority_override_rank_over(
            acting_user=cast.chair, priority=priority, loaded_token=stale, rank=1, reason="Why"
        )
    priority.refresh_from_db()
    assert priority.theme == "Changed by the chair" and priority.override_rank is None
    assert priority.history.count() == history
    current = edit_token(priority)
    priority = priority_score_over(
        acting_user=cast.chair, priority=priority, loaded_token=current, scores=scores(4)
    )
    assert priority.rank == 1


def test_the_over_services_keep_the_permission_checks(cast, draft):
    priority = priority_added(draft, chair=cast.chair)
    with pytest.raises(PermissionDenied):
        priority_update_over(
            acting_user=cast.member,
            priority=priority,
            loaded_token=edit_token(priority),
            theme="Not mine to change",
        )
    priority.refresh_from_db()
    assert priority.theme == "County lines drug supply"


def test_items_over_a_stale_token_are_refused(cast):
    strategy = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    item = strategy.intelligence_requirement.items.first()
    stale = edit_token(item)
    ir_item_update(acting_user=cast.chair, item=item, sources_to_task="CHIS")
    with pytest.raises(StaleEdit, match="The item was changed"):
        ir_item_update_over(acting_user=cast.chair, item=item, loaded_token=stale, question="Mine?")
    with pytest.raises(StaleEdit):
        ir_item_close_over(acting_user=cast.chair, item=item, loaded_token=stale, note="Done")
    item.refresh_from_db()
    assert item.status == RequirementItemStatus.OPEN and item.question.startswith("Who drives")
    closed = ir_item_close_over(
        acting_user=cast.chair, item=item, loaded_token=edit_token(item), note="Answered."
    )
    assert closed.status == RequirementItemStatus.CLOSED
