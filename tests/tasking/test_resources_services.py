"""The register of tactical capability from both sides: who may add, change and retire a
capability (allowed and refused, nothing changed on refusal), bad input refused by field, stale
edits refused, and committed against available in a TT&CG's cycle, in one query."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nim_portal.choices import Role
from nim_portal.models import AuditEvent
from tasking.models import Capability
from tasking.resources.choices import CapabilityKind, CapabilityStatus
from tasking.resources.selectors import cycle_load
from tasking.resources.services import (
    StaleCapability,
    capability_add,
    capability_edit,
    capability_retire,
)
from tests.factories import member
from tests.tasking.bid_helpers import BidCast, due_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(hierarchy):
    return BidCast(hierarchy)


def add(cast, user, **fields):
    fields = {"kind": CapabilityKind.TEAM, "name": "Neighbourhood team", "hours_per_cycle": 60}
    return capability_add(acting_user=user, unit=cast.unit, **fields)


def test_a_chair_or_administrator_over_the_unit_adds_a_capability(cast):
    admin = member(cast.hierarchy.region, Role.ADMIN)
    capability = add(cast, admin)
    assert capability.unit == cast.unit and capability.status == CapabilityStatus.ACTIVE
    assert capability.history.count() == 1
    assert AuditEvent.objects.filter(object_id=str(capability.pk)).exists()


@pytest.mark.parametrize("who", ["member", "analyst", "bcu_chair", "outside_chair"])
def test_anybody_else_is_refused_and_nothing_is_added(cast, who):
    before = Capability.objects.count()
    with pytest.raises(PermissionDenied, match="Only a T&CG chair or administrator"):
        add(cast, getattr(cast, who))
    assert Capability.objects.count() == before


def test_bad_input_is_refused_field_by_field(cast):
    with pytest.raises(ValidationError) as refused:
        capability_add(
            acting_user=cast.chair, unit=cast.unit, kind="boat", name=" ", hours_per_cycle=0
        )
    assert set(refused.value.message_dict) == {"kind", "name", "hours_per_cycle"}


def test_a_name_taken_in_the_unit_is_refused(cast):
    with pytest.raises(ValidationError) as refused:
        capability_add(
            acting_user=cast.chair,
            unit=cast.unit,
            kind=CapabilityKind.TEAM,
            name="Proactive team",
            hours_per_cycle=5,
        )
    assert "already" in refused.value.message_dict["name"][0]


def test_an_edit_over_an_older_version_is_refused(cast):
    capability_edit(
        acting_user=cast.chair,
        capability=cast.team,
        kind=CapabilityKind.TEAM,
        name="Proactive team",
        hours_per_cycle=120,
        expected_version=1,
    )
    with pytest.raises(StaleCapability):
        capability_edit(
            acting_user=cast.chair,
            capability=cast.team,
            kind=CapabilityKind.TEAM,
            name="Proactive team",
            hours_per_cycle=80,
            expected_version=1,
        )
    cast.team.refresh_from_db()
    assert cast.team.hours_per_cycle == 120 and cast.team.version == 2


def test_an_edit_by_a_member_is_refused(cast):
    with pytest.raises(PermissionDenied):
        capability_edit(
            acting_user=cast.member,
            capability=cast.team,
            kind=CapabilityKind.TEAM,
            name="Mine now",
            hours_per_cycle=1,
            expected_version=1,
        )
    cast.team.refresh_from_db()
    assert cast.team.name == "Proactive team"


def test_retiring_moves_once_and_a_retired_capability_is_final(cast):
    capability_retire(acting_user=cast.chair, capability=cast.dogs, expected_version=1)
    cast.dogs.refresh_from_db()
    assert cast.dogs.status == CapabilityStatus.RETIRED
    with pytest.raises(ValidationError, match="that is final"):
        capability_retire(acting_user=cast.chair, capability=cast.dogs, expected_version=2)
    with pytest.raises(ValidationError, match="retired"):
        capability_edit(
            acting_user=cast.chair,
            capability=cast.dogs,
            kind=CapabilityKind.TEAM,
            name="Dogs",
            hours_per_cycle=5,
            expected_version=2,
        )


def test_a_member_may_not_retire(cast):
    with pytest.raises(PermissionDenied):
        capability_retire(acting_user=cast.member, capability=cast.team, expected_version=1)
    cast.team.refresh_from_db()
    assert cast.team.is_active


def test_committed_against_available_in_one_query(cast, django_assert_num_queries):
    from tasking.bids.services import bid_accept, bid_decline

    accepted = cast.bid(hours=30)
    cast.bid(hours=25, title="Plain clothes patrols")
    declined = cast.bid(hours=50, title="Warrant")
    cast.bid(hours=5, capability=cast.dogs, title="Search")
    cast.sit()
    bid_accept(
        acting_user=cast.chair,
        bid=accepted,
        expected_version=1,
        owner_unit=cast.unit,
        due_date=due_in(),
    )
    bid_decline(acting_user=cast.chair, bid=declined, reason="Not now.", expected_version=1)
    with django_assert_num_queries(1):
        load = cycle_load(cast.meeting)
    by_name = {row.capability.name: row for row in load.rows}
    team, dogs = by_name["Proactive team"], by_name["Drugs dog"]
    assert (team.available, team.committed, team.asked, team.remaining) == (100, 30, 25, 70)
    assert team.shortfall == 0
    assert (dogs.committed, dogs.asked) == (0, 5)
    assert (load.available, load.committed, load.asked) == (120, 30, 30)
