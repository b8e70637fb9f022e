"""Who reads the action log: the unit's members and the staff of the units above it; members of
other units get 404; the owner reads their action; nothing marked above the reader's vetting;
what a meeting reviews; a user's own open actions."""

import pytest
from django.http import Http404

from nim_portal.choices import GSCMarking, Role, VettingLevel
from tasking.actions.choices import Rag
from tasking.actions.selectors import (
    action_log_for_unit,
    actions_for_meeting,
    actions_for_meeting_for_user,
    get_action_for,
    log_rows,
    my_actions,
    my_actions_to_page,
)
from tasking.actions.services import action_close, action_update_add
from tasking.proceedings.services import meeting_close
from tests.factories import PartnerUserFactory, member
from tests.tasking.factories import (
    StrategyCast,
    action_raised,
    meeting_sitting,
    strategy_approved,
)

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize("who", ["chair", "member", "analyst", "regional_chair"])
def test_the_units_members_and_the_staff_above_read_its_log(cast, action, who):
    log = action_log_for_unit(getattr(cast, who), cast.unit.pk)
    assert log.unit == cast.unit and list(log.actions) == [action]
    assert get_action_for(getattr(cast, who), action.pk) == action


@pytest.mark.parametrize("who", ["outsider", "outside_chair", "bcu_member"])
def test_members_of_another_unit_get_404(cast, action, who):
    with pytest.raises(Http404):
        action_log_for_unit(getattr(cast, who), cast.unit.pk)
    with pytest.raises(Http404):
        get_action_for(getattr(cast, who), action.pk)


def test_partners_and_bad_ids_get_404(cast, action):
    partner = PartnerUserFactory()
    for unit_id in (cast.unit.pk, "x", 0, 2**64):
        with pytest.raises(Http404):
            action_log_for_unit(partner if unit_id == cast.unit.pk else cast.chair, unit_id)
    with pytest.raises(Http404):
        get_action_for(partner, action.pk)


def test_the_owning_units_members_read_the_action_but_not_the_log(cast, priority):
    action = action_raised(
        cast.unit, chair=cast.chair, priority=priority, owner_unit=cast.hierarchy.bcu
    )
    assert get_action_for(cast.bcu_member, action.pk) == action
    assert list(my_actions(cast.bcu_member)) == [action]
    with pytest.raises(Http404):
        action_log_for_unit(cast.bcu_member, cast.unit.pk)


def test_an_action_marked_above_the_readers_vetting_is_not_shown(cast, priority, action):
    secret = action_raised(
        cast.unit, chair=cast.chair, priority=priority, marking=GSCMarking.SECRET
    )
    rv_member = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)

    assert list(action_log_for_unit(rv_member, cast.unit.pk).actions) == [action]
    with pytest.raises(Http404):
        get_action_for(rv_member, secret.pk)
    assert set(action_log_for_unit(cast.member, cast.unit.pk).actions) == {action, secret}


def test_the_log_shows_open_actions_first_with_their_last_update(cast, priority):
    later = action_raised(cast.unit, chair=cast.chair, priority=priority, due_in_days=30)
    sooner = action_raised(cast.unit, chair=cast.chair, priority=priority, due_in_days=3)
    done = action_raised(cast.unit, chair=cast.chair, priority=priority, due_in_days=1)
    action_close(acting_user=cast.chair, action=done, outcome="Done.", expected_version=1)
    action_update_add(
        acting_user=cast.chair, action=later, text="Begun.", rag=Rag.AMBER, expected_version=1
    )

    rows = list(action_log_for_unit(cast.member, cast.unit.pk).actions)

    assert rows == [sooner, later, done]
    assert rows[1].last_update_at is not None and rows[0].last_update_at is None


def test_my_actions_are_the_open_ones_i_own(cast, priority, action):
    closed = action_raised(cast.unit, chair=cast.chair, priority=priority, owner_user=cast.member)
    action_close(acting_user=cast.chair, action=closed, outcome="Done.", expected_version=1)
    action_raised(cast.unit, chair=cast.chair, priority=priority, owner_user=cast.analyst)

    assert list(my_actions(cast.member)) == [action]
    assert list(my_actions(PartnerUserFactory())) == []


def test_my_actions_are_paged_by_id_and_read_again_with_the_log_columns_in_order(
    cast, priority, action
):
    later = action_raised(
        cast.unit, chair=cast.chair, priority=priority, owner_user=cast.member, due_in_days=40
    )
    action_update_add(
        acting_user=cast.chair, action=later, text="Begun.", rag=Rag.RED, expected_version=1
    )

    page = list(my_actions_to_page(cast.member))
    rows = log_rows(page[::-1])

    assert page == list(my_actions(cast.member)) == [action, later]
    assert rows == [later, action]
    assert rows[0].last_update_at is not None and rows[0].priority.theme == priority.theme
    assert log_rows([]) == []


def test_a_meeting_reviews_the_open_actions_and_those_raised_or_closed_at_it(cast, priority):
    carried = action_raised(cast.unit, chair=cast.chair, priority=priority)
    closed_before = action_raised(cast.unit, chair=cast.chair, priority=priority)
    action_close(acting_user=cast.chair, action=closed_before, outcome="Done.", expected_version=1)
    other_unit = action_raised(cast.hierarchy.bcu, chair=cast.bcu_chair, priority=priority)
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    raised_at = action_raised(cast.unit, chair=cast.chair, priority=priority, meeting=meeting)
    closed_at = action_raised(cast.unit, chair=cast.chair, priority=priority)
    action_close(
        acting_user=cast.chair,
        action=closed_at,
        outcome="Done.",
        meeting=meeting,
        expected_version=1,
    )

    reviewed = set(actions_for_meeting(meeting))

    assert reviewed == {carried, raised_at, closed_at}
    assert other_unit not in reviewed

    meeting_close(acting_user=cast.chair, meeting=meeting)
    meeting.refresh_from_db()
    after = action_raised(cast.unit, chair=cast.chair, priority=priority)
    assert after not in set(actions_for_meeting(meeting))


def test_a_meetings_actions_are_filtered_by_the_readers_vetting(cast, priority, action):
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    secret = action_raised(
        cast.unit, chair=cast.chair, priority=priority, marking=GSCMarking.SECRET
    )
    rv_member = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)

    assert list(actions_for_meeting_for_user(rv_member, meeting)) == [action]
    assert set(actions_for_meeting_for_user(cast.member, meeting)) == {action, secret}
