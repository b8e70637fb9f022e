"""Bids from both sides: who may submit, rank and decide (allowed and refused, nothing changed on
refusal), submitting only before the TT&CG sits, the lifecycle's refusals, stale decisions, a bid
beyond the unit's capability refused without an escalation and accepted with one, the accepted
bid becoming an action that commits its hours, each decision in the minutes, and the justifying
product only one the proposer may read."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nim_portal.choices import GSCMarking, Role, VettingLevel
from tasking.bids.choices import BidStatus
from tasking.bids.selectors import bids_for_meeting, bids_visible_to, get_bid_for
from tasking.bids.services import (
    BeyondCapability,
    StaleBid,
    bid_accept,
    bid_decline,
    bid_defer,
    bid_rank,
)
from tasking.models import Bid, CapabilityCommitment, Decision, Escalation, TacticalAction
from tasking.proceedings.escalations import escalation_raise
from tests.factories import member, product_drafting
from tests.tasking.bid_helpers import BidCast, due_in, scheduled_ttcg

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(hierarchy):
    return BidCast(hierarchy)


def accept(cast, bid, **kwargs):
    kwargs.setdefault("owner_unit", cast.unit)
    kwargs.setdefault("due_date", due_in())
    kwargs.setdefault("expected_version", bid.version)
    return bid_accept(acting_user=cast.chair, bid=bid, **kwargs)


# Submitting.


def test_a_member_bids_before_the_meeting_asking_hours(cast):
    bid = cast.bid(hours=40)
    assert bid.status == BidStatus.SUBMITTED and bid.unit == cast.unit
    assert bid.commitment.hours == 40 and not bid.commitment.is_committed
    assert bid.history.count() == 1


@pytest.mark.parametrize("who", ["outsider", "bcu_member"])
def test_somebody_without_a_role_over_the_unit_may_not_bid(cast, who):
    with pytest.raises(PermissionDenied):
        cast.bid(user=getattr(cast, who))
    assert not Bid.objects.exists()


def test_a_force_officer_bids_to_a_bcu_ttcg(cast):
    from tasking.resources.services import capability_add

    bcu_team = capability_add(
        acting_user=cast.bcu_chair,
        unit=cast.hierarchy.bcu,
        kind="team",
        name="BCU team",
        hours_per_cycle=10,
    )
    meeting = scheduled_ttcg(cast.hierarchy.bcu, chair=cast.bcu_chair)
    bid = cast.bid(user=cast.member, meeting=meeting, capability=bcu_team, hours=5)
    assert bid.unit == cast.hierarchy.bcu


def test_bids_go_before_the_sitting_only(cast):
    cast.sit()
    with pytest.raises(ValidationError, match="before it sits"):
        cast.bid()
    assert not Bid.objects.exists()


def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(cast):
    with pytest.raises(ValidationError) as refused:
        cast.bid(
            title="",
            activity="",
            justification="",
            priority=None,
            action_type="arrest",
            hours=0,
            marking=GSCMarking.TOP_SECRET,
        )
    fields = set(refused.value.message_dict)
    assert {"title", "activity", "justification", "priority", "action_type", "hours"} <= fields
    assert "marking" in fields
    assert not Bid.objects.exists() and not CapabilityCommitment.objects.exists()


def test_a_capability_of_another_unit_or_retired_is_refused(cast):
    from tasking.resources.services import capability_retire

    capability_retire(acting_user=cast.chair, capability=cast.dogs, expected_version=1)
    with pytest.raises(ValidationError) as refused:
        cast.bid(capability=cast.dogs)
    assert "capability" in refused.value.message_dict


def test_the_justifying_product_must_be_one_the_proposer_may_read(cast):
    readable = product_drafting(cast.unit, owner=cast.analyst, title="Problem profile")
    secret = product_drafting(
        cast.hierarchy.other_force,
        owner=member(cast.hierarchy.other_force, Role.ANALYST),
        title="Elsewhere",
    )
    with pytest.raises(ValidationError) as refused:
        cast.bid(user=cast.analyst, product=secret)
    assert "product" in refused.value.message_dict
    bid = cast.bid(user=cast.analyst, product=readable)
    assert bid.product == readable
    # The product is named only to those who may read it.
    unit_chair = member(cast.unit, Role.CHAIR, username="seesbids")
    assert get_bid_for(unit_chair, bid.pk).product_readable is True


# Reading.


def test_who_reads_a_bid(cast):
    bid = cast.bid(marking=GSCMarking.SECRET, user=cast.chair)
    rv_member = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)
    assert not bids_visible_to(rv_member).filter(pk=bid.pk).exists()
    assert bids_visible_to(cast.member).filter(pk=bid.pk).exists()
    assert bids_visible_to(cast.chair).filter(pk=bid.pk).exists()
    assert not bids_visible_to(cast.outsider).filter(pk=bid.pk).exists()
    assert not bids_visible_to(cast.bcu_member).filter(pk=bid.pk).exists()


def test_the_meetings_bids_in_one_query(cast, django_assert_num_queries):
    for n in range(4):
        cast.bid(title=f"Bid {n}", hours=5)
    with django_assert_num_queries(1):
        rows = list(bids_for_meeting(cast.chair, cast.meeting))
        assert [row.commitment.capability.name for row in rows] == ["Proactive team"] * 4


# Ranking.


def test_the_chair_ranks_and_reranks(cast):
    first, second = cast.bid(title="First"), cast.bid(title="Second")
    bid_rank(acting_user=cast.chair, bid=second, rank=1, expected_version=1)
    bid_rank(acting_user=cast.chair, bid=first, rank=2, expected_version=1)
    second = bid_rank(acting_user=cast.chair, bid=second, rank=3, expected_version=2)
    assert second.status == BidStatus.RANKED and second.rank == 3
    order = [bid.title for bid in bids_for_meeting(cast.chair, cast.meeting)]
    assert order == ["First", "Second"]


def test_a_member_may_not_rank(cast):
    bid = cast.bid()
    with pytest.raises(PermissionDenied):
        bid_rank(acting_user=cast.member, bid=bid, rank=1, expected_version=1)
    bid.refresh_from_db()
    assert bid.rank is None and bid.status == BidStatus.SUBMITTED


def test_a_rank_over_an_older_version_is_refused(cast):
    bid = cast.bid()
    bid_rank(acting_user=cast.chair, bid=bid, rank=1, expected_version=1)
    with pytest.raises(StaleBid):
        bid_rank(acting_user=cast.chair, bid=bid, rank=2, expected_version=1)
    bid.refresh_from_db()
    assert bid.rank == 1


# Deciding.


def test_accepting_makes_an_action_that_commits_the_hours_in_the_minutes(cast):
    bid = cast.bid(hours=40)
    cast.sit()
    bid = accept(cast, bid)
    assert bid.status == BidStatus.ACCEPTED and bid.decided_by == cast.chair
    action = TacticalAction.objects.get(pk=bid.action_id)
    assert action.raised_at_meeting == cast.meeting and action.priority == cast.priority
    assert action.description == bid.activity and action.marking == bid.marking
    commitment = CapabilityCommitment.objects.get(bid=bid)
    assert commitment.action == action and commitment.committed_by == cast.chair
    decision = Decision.objects.get(meeting=cast.meeting)
    assert bid.reference in decision.text and action.reference in decision.text


def test_deciding_before_the_sitting_is_refused(cast):
    bid = cast.bid()
    with pytest.raises(ValidationError, match="not sitting"):
        accept(cast, bid)
    with pytest.raises(ValidationError, match="not sitting"):
        bid_decline(acting_user=cast.chair, bid=bid, reason="No.", expected_version=1)
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED and not TacticalAction.objects.exists()


def test_only_the_chair_decides(cast):
    bid = cast.bid()
    cast.sit()
    for decide in (
        lambda: bid_accept(
            acting_user=cast.member,
            bid=bid,
            expected_version=1,
            owner_unit=cast.unit,
            due_date=due_in(),
        ),
        lambda: bid_defer(acting_user=cast.member, bid=bid, reason="Later.", expected_version=1),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED


def test_beyond_the_capability_without_an_escalation_is_refused_nothing_changed(cast):
    first, second = cast.bid(hours=70), cast.bid(hours=40, title="Second")
    cast.sit()
    accept(cast, first)
    with pytest.raises(BeyondCapability) as refused:
        accept(cast, second)
    message = refused.value.message_dict["escalation"][0]
    assert "10 more than" in message and "Escalate the shortfall" in message
    second.refresh_from_db()
    assert second.status == BidStatus.SUBMITTED and second.action is None
    assert TacticalAction.objects.count() == 1
    assert Decision.objects.filter(meeting=cast.meeting).count() == 1
    assert not CapabilityCommitment.objects.get(bid=second).is_committed


def test_beyond_the_capability_with_the_units_escalation_is_accepted(cast):
    bid = cast.bid(hours=150)
    cast.sit()
    escalation = escalation_raise(
        acting_user=cast.chair,
        meeting=cast.meeting,
        title="Proactive hours",
        reason="50 hours beyond the team.",
    )
    bid = accept(cast, bid, escalation=escalation)
    assert bid.status == BidStatus.ACCEPTED and bid.escalation == escalation
    assert "50 hours beyond" in Decision.objects.get(meeting=cast.meeting).text


def test_an_escalation_of_another_unit_does_not_carry_the_shortfall(cast):
    bid = cast.bid(hours=150)
    bcu_meeting = scheduled_ttcg(cast.hierarchy.bcu, chair=cast.bcu_chair)
    from tasking.proceedings.services import meeting_open

    meeting_open(acting_user=cast.bcu_chair, meeting=bcu_meeting)
    other = escalation_raise(
        acting_user=cast.bcu_chair, meeting=bcu_meeting, title="BCU", reason="Theirs."
    )
    cast.sit()
    with pytest.raises(ValidationError) as refused:
        accept(cast, bid, escalation=other)
    assert "escalation" in refused.value.message_dict
    assert Escalation.objects.filter(bids__isnull=False).count() == 0


def test_decline_and_defer_need_their_reason(cast):
    declined, deferred = cast.bid(), cast.bid(title="Later")
    cast.sit()
    with pytest.raises(ValidationError) as refused:
        bid_decline(acting_user=cast.chair, bid=declined, reason=" ", expected_version=1)
    assert "reason" in refused.value.message_dict
    bid_decline(acting_user=cast.chair, bid=declined, reason="Covered.", expected_version=1)
    bid_defer(acting_user=cast.chair, bid=deferred, reason="Next cycle.", expected_version=1)
    declined.refresh_from_db()
    deferred.refresh_from_db()
    assert (declined.status, deferred.status) == (BidStatus.DECLINED, BidStatus.DEFERRED)
    assert Decision.objects.filter(meeting=cast.meeting).count() == 2


def test_a_decided_bid_is_final(cast):
    bid = cast.bid()
    cast.sit()
    bid_decline(acting_user=cast.chair, bid=bid, reason="Covered.", expected_version=1)
    bid.refresh_from_db()
    with pytest.raises(ValidationError, match="that is final"):
        accept(cast, bid)
    with pytest.raises(ValidationError, match="that is final"):
        bid_rank(acting_user=cast.chair, bid=bid, rank=1, expected_version=bid.version)


def test_a_decision_over_an_older_version_is_refused(cast):
    bid = cast.bid()
    bid_rank(acting_user=cast.chair, bid=bid, rank=1, expected_version=1)
    cast.sit()
    with pytest.raises(StaleBid):
        accept(cast, bid, expected_version=1)
    assert not TacticalAction.objects.exists()
