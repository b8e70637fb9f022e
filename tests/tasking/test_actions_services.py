"""The action log's services from both sides: who may raise, update, change the RAG rating and
close an action (allowed and refused, nothing changed on refusal), the priority every action must
serve, stale versions refused, history and audit written, and the meeting screen told."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from nim_portal.choices import GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent, Notification
from tasking.actions.choices import ActionStatus, ActionType, Rag
from tasking.actions.services import (
    StaleAction,
    action_close,
    action_rag_set,
    action_raise,
    action_update_add,
)
from tasking.models import ActionUpdate, Meeting, TacticalAction
from tasking.proceedings.services import meeting_close
from tests.factories import UserFactory, member
from tests.tasking.factories import (
    StrategyCast,
    action_raised,
    meeting_sitting,
    priority_added,
    strategy_approved,
    strategy_drafted,
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


def raise_kwargs(cast, chosen, **overrides) -> dict:
    kwargs = {
        "acting_user": cast.chair,
        "unit": cast.unit,
        "priority": chosen,
        "action_type": ActionType.PREVENTION,
        "description": "Visit the repeat victims with crime prevention advice.",
        "owner_user": cast.member,
        "due_date": timezone.localdate() + datetime.timedelta(days=14),
    }
    kwargs.update(overrides)
    return kwargs


def screen_revision(meeting) -> int:
    return Meeting.objects.values_list("screen_revision", flat=True).get(pk=meeting.pk)


# Raising.


def test_a_chair_raises_an_action_tied_to_a_priority_with_history_and_audit(cast, priority):
    action = action_raise(**raise_kwargs(cast, priority))

    assert action.status == ActionStatus.OPEN and action.version == 1
    assert action.priority == priority and action.owner_user == cast.member
    assert action.marking == GSCMarking.OFFICIAL_SENSITIVE and action.rag == Rag.GREEN
    row = action.history.get()
    assert (row.history_user, row.history_change_reason) == (cast.chair, "Raised")
    assert AuditEvent.objects.filter(object_id=str(action.pk), actor=cast.chair).exists()


def test_the_owner_is_told_the_action_is_theirs_without_its_text(cast, priority):
    Notification.objects.all().delete()  # the cast's products were announced as they were made
    action = action_raise(**raise_kwargs(cast, priority, description="Canary: see John Smith"))

    notification = Notification.objects.get(recipient=cast.member)
    assert action.reference in notification.message
    assert "Canary" not in notification.message
    assert notification.link == reverse("tasking:action_detail", args=[action.pk])
    assert not Notification.objects.exclude(recipient=cast.member).exists()


@pytest.mark.parametrize("priority_given", [None, "a draft's", "another unit's"])
def test_an_action_without_a_priority_of_the_current_strategy_is_refused(
    cast, priority, priority_given
):
    if priority_given == "a draft's":
        draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
        wrong = priority_added(draft, chair=cast.chair, theme="Shoplifting")
    elif priority_given == "another unit's":
        other = strategy_approved(
            cast.hierarchy.other_force,
            chair=cast.outside_chair,
            version=cast.assessment(cast.hierarchy.other_force),
        )
        wrong = other.priorities.first()
    else:
        wrong = None

    with pytest.raises(ValidationError) as refused:
        action_raise(**raise_kwargs(cast, priority, priority=wrong))

    assert "priority" in refused.value.message_dict
    if wrong is None:
        assert "every action is tied to one" in refused.value.message_dict["priority"][0]
    assert not TacticalAction.objects.exists()


def test_a_unit_without_an_approved_strategy_cannot_raise_actions(cast):
    draft = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority = priority_added(draft, chair=cast.chair)
    with pytest.raises(ValidationError, match="no approved control strategy"):
        action_raise(**raise_kwargs(cast, priority))
    assert not TacticalAction.objects.exists()


def test_a_bcu_raises_against_its_forces_strategy_when_it_has_none_of_its_own(cast, priority):
    action = action_raise(
        **raise_kwargs(cast, priority, acting_user=cast.bcu_chair, unit=cast.hierarchy.bcu)
    )
    assert action.unit == cast.hierarchy.bcu


def test_bad_input_is_refused_field_by_field_and_nothing_created(cast, priority):
    with pytest.raises(ValidationError) as refused:
        action_raise(
            **raise_kwargs(
                cast,
                priority,
                action_type="arrest",
                description="  ",
                owner_user=cast.member,
                owner_unit=cast.hierarchy.bcu,
                due_date=None,
            )
        )
    assert set(refused.value.message_dict) == {
        "action_type",
        "description",
        "owner_user",
        "due_date",
    }
    assert not TacticalAction.objects.exists()


def test_owners_must_work_in_the_unit_tree_and_read_the_marking(cast, priority):
    rv_member = member(cast.unit, Role.MEMBER, vetting_level=VettingLevel.RV)
    refusals = [
        {"owner_user": cast.outsider},
        {"owner_user": rv_member, "marking": GSCMarking.SECRET},
        {"owner_user": None, "owner_unit": cast.hierarchy.other_bcu},
        {"owner_user": None, "owner_unit": cast.hierarchy.region},
    ]
    for overrides in refusals:
        with pytest.raises(ValidationError):
            action_raise(**raise_kwargs(cast, priority, **overrides))
    assert not TacticalAction.objects.exists()
    # A unit below owns it; so does a member of the BCU in person.
    assert action_raise(
        **raise_kwargs(cast, priority, owner_user=None, owner_unit=cast.hierarchy.bcu)
    )
    assert action_raise(**raise_kwargs(cast, priority, owner_user=cast.bcu_member))


def test_a_marking_above_the_raisers_vetting_is_refused(cast, priority):
    chair = member(cast.unit, Role.CHAIR, vetting_level=VettingLevel.RV)
    with pytest.raises(ValidationError) as refused:
        action_raise(**raise_kwargs(cast, priority, acting_user=chair, marking=GSCMarking.SECRET))
    assert "marking" in refused.value.message_dict
    assert not TacticalAction.objects.exists()


@pytest.mark.parametrize("who", ["member", "analyst", "bcu_chair", "outsider", "outside_chair"])
def test_only_a_chair_or_admin_over_the_unit_raises_between_meetings(cast, priority, who):
    with pytest.raises(PermissionDenied, match="chair or administrator"):
        action_raise(**raise_kwargs(cast, priority, acting_user=getattr(cast, who)))
    assert not TacticalAction.objects.exists()


def test_a_unit_admin_and_a_regional_chair_may_raise(cast, priority):
    admin = member(cast.unit, Role.ADMIN)
    assert action_raise(**raise_kwargs(cast, priority, acting_user=admin))
    assert action_raise(**raise_kwargs(cast, priority, acting_user=cast.regional_chair))


def test_partners_cannot_raise(cast, priority):
    partner = UserFactory(kind="partner")
    with pytest.raises(PermissionDenied):
        action_raise(**raise_kwargs(cast, priority, acting_user=partner))


# At a meeting.


def test_the_meetings_chair_raises_at_it_and_the_screen_is_told(cast, priority):
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    before = screen_revision(meeting)

    action = action_raise(**raise_kwargs(cast, priority, meeting=meeting))

    assert action.raised_at_meeting == meeting
    assert screen_revision(meeting) == before + 1


def test_a_member_cannot_raise_at_a_meeting(cast, priority):
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    with pytest.raises(PermissionDenied, match="Only the chair of this meeting"):
        action_raise(**raise_kwargs(cast, priority, acting_user=cast.member, meeting=meeting))
    assert not TacticalAction.objects.exists()


def test_nothing_is_raised_at_a_meeting_not_sitting_or_of_another_unit(cast, priority):
    scheduled = Meeting.objects.create(
        unit=cast.unit, kind="ttcg", starts_at=timezone.now(), chair=cast.chair
    )
    with pytest.raises(ValidationError, match="not sitting"):
        action_raise(**raise_kwargs(cast, priority, meeting=scheduled))
    bcu_meeting = meeting_sitting(cast.hierarchy.bcu, chair=cast.chair)
    with pytest.raises(ValidationError, match="not one of"):
        action_raise(**raise_kwargs(cast, priority, meeting=bcu_meeting))
    assert not TacticalAction.objects.exists()


# Between meetings: the owner's progress.


def test_the_owner_adds_a_progress_update_and_the_rag_follows(cast, action):
    updated = action_update_add(
        acting_user=cast.member,
        action=action,
        text="Two of the four test purchases made.",
        rag=Rag.AMBER,
        expected_version=action.version,
    )

    assert updated.rag == Rag.AMBER and updated.version == 2
    update = ActionUpdate.objects.get()
    assert (update.author, update.text, update.rag) == (
        cast.member,
        "Two of the four test purchases made.",
        Rag.AMBER,
    )
    assert action.history.order_by("-history_id")[0].history_change_reason == "Progress update"


def test_a_member_of_the_owning_unit_updates_it(cast, priority):
    action = action_raised(
        cast.unit, chair=cast.chair, priority=priority, owner_unit=cast.hierarchy.bcu
    )
    action_update_add(
        acting_user=cast.bcu_member,
        action=action,
        text="Started.",
        rag=Rag.GREEN,
        expected_version=1,
    )
    assert action.updates.count() == 1


@pytest.mark.parametrize("who", ["analyst", "bcu_member", "outsider"])
def test_somebody_else_cannot_update_it(cast, action, who):
    with pytest.raises(PermissionDenied, match="Only the owner"):
        action_update_add(
            acting_user=getattr(cast, who),
            action=action,
            text="Done.",
            rag=Rag.GREEN,
            expected_version=1,
        )
    assert not ActionUpdate.objects.exists()
    action.refresh_from_db()
    assert action.version == 1


def test_a_stale_update_is_refused_and_nothing_changes(cast, action):
    action_update_add(
        acting_user=cast.member, action=action, text="First.", rag=Rag.AMBER, expected_version=1
    )
    with pytest.raises(StaleAction, match="nothing was saved"):
        action_update_add(
            acting_user=cast.chair, action=action, text="Second.", rag=Rag.RED, expected_version=1
        )
    action.refresh_from_db()
    assert (action.rag, action.version, action.updates.count()) == (Rag.AMBER, 2, 1)


def test_an_empty_update_or_unknown_rag_is_refused(cast, action):
    for text, rag in (("  ", Rag.GREEN), ("Done.", "purple")):
        with pytest.raises(ValidationError):
            action_update_add(
                acting_user=cast.member, action=action, text=text, rag=rag, expected_version=1
            )
    assert not ActionUpdate.objects.exists()


def test_the_owner_changes_the_rag_alone_and_it_is_kept_among_the_updates(cast, action):
    action = action_rag_set(acting_user=cast.member, action=action, rag=Rag.RED, expected_version=1)
    assert action.rag == Rag.RED
    assert action.updates.get().text == "RAG rating changed from green to red."
    with pytest.raises(ValidationError, match="already rated red"):
        action_rag_set(acting_user=cast.member, action=action, rag=Rag.RED, expected_version=2)
    with pytest.raises(PermissionDenied):
        action_rag_set(acting_user=cast.analyst, action=action, rag=Rag.GREEN, expected_version=2)


def test_an_update_tells_the_screen_of_the_units_sitting_meeting(cast, action):
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    other = meeting_sitting(cast.hierarchy.other_force, chair=cast.outside_chair)
    before, other_before = screen_revision(meeting), screen_revision(other)

    action_update_add(
        acting_user=cast.member, action=action, text="Done.", rag=Rag.GREEN, expected_version=1
    )

    assert screen_revision(meeting) == before + 1
    assert screen_revision(other) == other_before


# Closing.


def test_a_chair_closes_with_its_outcome_between_meetings(cast, action):
    closed = action_close(
        acting_user=cast.chair, action=action, outcome="Two dealers charged.", expected_version=1
    )
    assert closed.status == ActionStatus.CLOSED and closed.closed_by == cast.chair
    assert closed.outcome == "Two dealers charged." and closed.closed_at_meeting is None
    with pytest.raises(ValidationError, match="closed"):
        action_update_add(
            acting_user=cast.member,
            action=closed,
            text="More.",
            rag=Rag.GREEN,
            expected_version=closed.version,
        )
    with pytest.raises(ValidationError, match="cannot become closed"):
        action_close(
            acting_user=cast.chair,
            action=closed,
            outcome="Again.",
            expected_version=closed.version,
        )


def test_the_outcome_is_required(cast, action):
    with pytest.raises(ValidationError) as refused:
        action_close(acting_user=cast.chair, action=action, outcome=" ", expected_version=1)
    assert "outcome" in refused.value.message_dict
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


@pytest.mark.parametrize("who", ["member", "analyst", "bcu_chair", "outside_chair"])
def test_only_a_chair_or_admin_over_the_unit_closes(cast, action, who):
    with pytest.raises(PermissionDenied):
        action_close(
            acting_user=getattr(cast, who), action=action, outcome="Done.", expected_version=1
        )
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_a_stale_close_is_refused(cast, action):
    action_update_add(
        acting_user=cast.member,
        action=action,
        text="Half done.",
        rag=Rag.AMBER,
        expected_version=1,
    )
    with pytest.raises(StaleAction):
        action_close(acting_user=cast.chair, action=action, outcome="Done.", expected_version=1)
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_the_chair_closes_at_the_meeting_and_the_screen_is_told(cast, action):
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    before = screen_revision(meeting)
    with pytest.raises(PermissionDenied):
        action_close(
            acting_user=member(cast.unit, Role.ADMIN),
            action=action,
            outcome="Done.",
            meeting=meeting,
            expected_version=1,
        )

    closed = action_close(
        acting_user=cast.chair,
        action=action,
        outcome="Done.",
        meeting=meeting,
        expected_version=1,
    )

    assert closed.closed_at_meeting == meeting
    assert screen_revision(meeting) == before + 1


def test_nothing_is_closed_at_a_closed_meeting(cast, action):
    meeting = meeting_sitting(cast.unit, chair=cast.chair)
    meeting_close(acting_user=cast.chair, meeting=meeting)
    with pytest.raises(ValidationError, match="not sitting"):
        action_close(
            acting_user=cast.chair,
            action=action,
            outcome="Done.",
            meeting=Meeting.objects.get(pk=meeting.pk),
            expected_version=1,
        )
