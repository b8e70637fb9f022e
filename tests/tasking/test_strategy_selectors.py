import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, VettingLevel
from nim_portal.models import Unit
from products.choices import ProductKind
from tasking.strategy.requirement import ir_item_add, ir_item_close, ir_item_update
from tasking.strategy.selectors import (
    control_strategies_visible_to,
    current_control_strategy,
    get_control_strategy_for,
    get_priority_for,
    get_requirement_item_for,
    intelligence_requirement_for,
    priorities_for_unit,
    published_requirement_items_for_units,
    requirement_items_visible_to,
    strategic_assessment_versions_for,
)
from tasking.strategy.services import control_strategy_approve
from tests.factories import PartnerUserFactory, member, signed_in
from tests.tasking.factories import (
    StrategyCast,
    priority_added,
    published_version,
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
def force_strategy(cast):
    return strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())


def visible(user):
    return set(control_strategies_visible_to(user))


# Who reads a control strategy.


def test_an_approved_strategy_is_read_in_its_unit_above_and_below(cast, force_strategy):
    for reader in (cast.member, cast.bcu_member, cast.regional_chair, cast.chair):
        assert force_strategy in visible(reader)
    assert get_control_strategy_for(cast.bcu_member, force_strategy.pk) == force_strategy


def test_another_forces_people_and_partners_do_not_read_it(cast, force_strategy):
    assert force_strategy not in visible(cast.outsider)
    assert force_strategy not in visible(cast.outside_chair)
    assert not visible(PartnerUserFactory())
    for pk in (force_strategy.pk, "x", 0, 2**70):
        with pytest.raises(Http404):
            get_control_strategy_for(cast.outsider, pk)


def test_a_bcus_own_strategy_is_not_read_by_a_neighbouring_bcu(cast, hierarchy):
    neighbour = member(hierarchy.other_bcu, Role.MEMBER)
    bcu_strategy = strategy_approved(hierarchy.bcu, chair=cast.chair, version=cast.assessment())
    assert bcu_strategy in visible(cast.bcu_member)
    assert bcu_strategy in visible(cast.member)  # the force above it
    assert bcu_strategy not in visible(neighbour)


def test_a_draft_is_read_by_its_drafter_and_chairs_over_the_unit_only(cast):
    draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    assert draft in visible(cast.chair) and draft in visible(cast.regional_chair)
    for reader in (cast.member, cast.bcu_member, cast.bcu_chair, cast.outside_chair):
        assert draft not in visible(reader)


def test_a_strategy_above_the_readers_vetting_is_hidden(cast):
    secret = strategy_approved(
        cast.unit, chair=cast.chair, version=cast.assessment(), marking=GSCMarking.SECRET
    )
    rv_member = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)
    lapsed = member(
        cast.unit, Role.MEMBER, vetting_expires_on=timezone.localdate() - datetime.timedelta(1)
    )
    assert secret in visible(cast.member)
    assert secret not in visible(rv_member) and not visible(lapsed)


def test_superseded_strategies_stay_readable(cast, force_strategy):
    newer = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    force_strategy.refresh_from_db()
    assert force_strategy.status == "superseded"
    assert {force_strategy, newer} <= visible(cast.bcu_member)


# The current strategy.


def test_the_current_strategy_is_the_units_own_else_its_parents(cast, hierarchy, force_strategy):
    assert current_control_strategy(cast.unit) == force_strategy
    assert current_control_strategy(hierarchy.bcu) == force_strategy
    assert current_control_strategy(hierarchy.other_bcu) is None
    bcu_strategy = strategy_approved(hierarchy.bcu, chair=cast.chair, version=cast.assessment())
    assert current_control_strategy(hierarchy.bcu) == bcu_strategy
    assert current_control_strategy(cast.unit) == force_strategy


def test_a_strategy_outside_its_period_or_superseded_is_not_current(cast, force_strategy):
    later = force_strategy.period_end + datetime.timedelta(days=1)
    assert current_control_strategy(cast.unit, today=later) is None
    newer = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    assert current_control_strategy(cast.unit) == newer
    draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    assert current_control_strategy(cast.unit) == newer != draft


# Priorities for tying actions.


def test_priorities_for_a_bcu_are_its_forces_in_rank_order(cast, hierarchy, force_strategy):
    priorities = list(priorities_for_unit(cast.bcu_member, hierarchy.bcu))
    assert [p.theme for p in priorities] == ["County lines drug supply", "Burglary"]
    assert [p.rank for p in priorities] == [1, 2]
    assert not priorities_for_unit(cast.outsider, hierarchy.bcu).exists()
    assert not priorities_for_unit(cast.outsider, hierarchy.other_force).exists()


def test_priorities_for_unit_is_one_query(cast, hierarchy, django_assert_num_queries):
    draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    for number in range(6):
        priority_added(draft, chair=cast.chair, theme=f"Theme {number}", scores=scores(number % 5))
    control_strategy_approve(
        acting_user=cast.chair, strategy=draft, sitting=stcg_sitting(draft.unit, chair=cast.chair)
    )
    reader = signed_in(cast.bcu_member)
    with django_assert_num_queries(1):
        rows = [(p.theme, p.owner.username, p.control_strategy.unit.name) for p in
                priorities_for_unit(reader, hierarchy.bcu)]  # fmt: skip
    assert len(rows) == 6 and rows[0][0] == "Theme 4"


# The intelligence requirement.


def test_the_requirement_directs_every_member_of_the_unit_and_below(
    cast, hierarchy, force_strategy
):
    items = list(intelligence_requirement_for(cast.bcu_member, hierarchy.bcu))
    assert [i.question for i in items] == [
        "Who drives county lines drug supply?",
        "Who drives burglary?",
    ]
    assert list(intelligence_requirement_for(cast.member, cast.unit)) == items
    assert not intelligence_requirement_for(cast.outsider, hierarchy.bcu).exists()
    assert not intelligence_requirement_for(cast.outsider, hierarchy.other_bcu).exists()
    assert not intelligence_requirement_for(PartnerUserFactory(), hierarchy.bcu).exists()


def test_an_unapproved_requirement_is_not_shown(cast):
    draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority = priority_added(draft, chair=cast.chair)
    control_strategy_approve(
        acting_user=cast.chair, strategy=draft, sitting=stcg_sitting(draft.unit, chair=cast.chair)
    )
    ir_item_add(
        acting_user=cast.chair, priority=priority, question="Who?", owner=cast.chair,
        review_date=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    assert not intelligence_requirement_for(cast.chair, cast.unit).exists()


def test_closed_items_follow_the_open_ones(cast, force_strategy):
    first = force_strategy.intelligence_requirement.items.order_by("pk").first()
    ir_item_close(acting_user=cast.chair, item=first, note="Answered.")
    items = list(intelligence_requirement_for(cast.member, cast.unit))
    assert [i.status for i in items] == ["open", "closed"]
    assert items[1].closing_note == "Answered."


def test_intelligence_requirement_for_is_one_query(
    cast, hierarchy, force_strategy, django_assert_num_queries
):
    priority = force_strategy.priorities.first()
    for number in range(5):
        ir_item_add(
            acting_user=cast.chair, priority=priority, question=f"Gap {number}",
            owner=cast.bcu_member, review_date=timezone.localdate() + datetime.timedelta(9),
        )  # fmt: skip
    with django_assert_num_queries(1):
        rows = [(i.question, i.priority.theme, i.owner.username) for i in
                intelligence_requirement_for(cast.bcu_member, hierarchy.bcu)]  # fmt: skip
    assert len(rows) == 7


# What partners may submit against.


def open_all_to_partners(strategy, chair):
    for item in strategy.intelligence_requirement.items.all():
        ir_item_update(acting_user=chair, item=item, open_to_partners=True)


def test_partners_see_only_items_opened_to_them(cast, hierarchy, force_strategy):
    assert not published_requirement_items_for_units([cast.unit]).exists()
    first = force_strategy.intelligence_requirement.items.order_by("pk").first()
    ir_item_update(acting_user=cast.chair, item=first, open_to_partners=True)
    assert list(published_requirement_items_for_units([cast.unit])) == [first]
    # Agencies working with a BCU submit against the force's requirement above it too.
    assert list(published_requirement_items_for_units([hierarchy.bcu])) == [first]
    assert not published_requirement_items_for_units([hierarchy.other_force]).exists()
    assert not published_requirement_items_for_units([hierarchy.other_bcu]).exists()
    ir_item_close(acting_user=cast.chair, item=first, note="Answered.")
    assert not published_requirement_items_for_units([cast.unit]).exists()


def test_partners_never_see_secret_or_superseded_requirements(cast):
    secret = strategy_approved(
        cast.unit, chair=cast.chair, version=cast.assessment(), marking=GSCMarking.SECRET
    )
    open_all_to_partners(secret, cast.chair)
    assert not published_requirement_items_for_units([cast.unit]).exists()
    newer = strategy_approved(cast.unit, chair=cast.chair, version=cast.assessment())
    open_all_to_partners(newer, cast.chair)
    assert set(published_requirement_items_for_units([cast.unit])) == set(
        newer.intelligence_requirement.items.all()
    )


def test_published_items_for_units_is_one_query(
    cast, hierarchy, force_strategy, django_assert_num_queries
):
    open_all_to_partners(force_strategy, cast.chair)
    bcu_strategy = strategy_approved(hierarchy.bcu, chair=cast.chair, version=cast.assessment())
    open_all_to_partners(bcu_strategy, cast.chair)
    units = Unit.objects.filter(pk__in=[hierarchy.bcu.pk, hierarchy.other_bcu.pk])
    with django_assert_num_queries(1):
        rows = [(i.question, i.priority.theme, i.requirement.control_strategy.unit.code) for i in
                published_requirement_items_for_units(units)]  # fmt: skip
    assert [code for *_, code in rows] == ["WMP", "WMP", "BIRM", "BIRM"]


# The pages' and the API's own reads.


def test_requirement_items_before_approval_are_read_by_chairs_and_owners_only(cast):
    strategy = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority = priority_added(strategy, chair=cast.chair)
    control_strategy_approve(
        acting_user=cast.chair,
        strategy=strategy,
        sitting=stcg_sitting(strategy.unit, chair=cast.chair),
    )
    item = ir_item_add(
        acting_user=cast.chair,
        priority=priority,
        question="Where?",
        owner=cast.analyst,
        review_date=timezone.localdate() + datetime.timedelta(days=9),
    )
    for reader in (cast.chair, cast.regional_chair, cast.analyst):
        assert item in requirement_items_visible_to(reader)
    for reader in (cast.member, cast.bcu_member, cast.bcu_chair, cast.outside_chair):
        assert item not in requirement_items_visible_to(reader)


def test_approved_requirement_items_follow_the_strategys_readers(cast, force_strategy):
    item = force_strategy.intelligence_requirement.items.first()
    assert item in requirement_items_visible_to(cast.bcu_member)
    assert get_requirement_item_for(cast.bcu_member, item.pk) == item
    assert get_priority_for(cast.bcu_member, item.priority_id) == item.priority
    for pk in (item.pk, "x", 0, 2**64):
        with pytest.raises(Http404):
            get_requirement_item_for(cast.outsider, pk)
    with pytest.raises(Http404):
        get_priority_for(PartnerUserFactory(), item.priority_id)


def test_strategic_assessment_versions_are_those_the_user_reads(cast, hierarchy):
    own = cast.assessment()
    above = cast.assessment(hierarchy.region)
    other = cast.assessment(hierarchy.other_force)
    tactical = published_version(cast.unit, kind=ProductKind.TACTICAL_ASSESSMENT)
    versions = set(strategic_assessment_versions_for(cast.chair))
    assert own in versions
    assert not {above, other, tactical} & versions
    assert {own, above} <= set(strategic_assessment_versions_for(cast.regional_chair))
    assert not strategic_assessment_versions_for(PartnerUserFactory()).exists()
