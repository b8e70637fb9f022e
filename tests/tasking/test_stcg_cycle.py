"""The ST&CG cycle (issue 14, point 1): the schedule commissions the strategic assessment due before
each ST&CG, once, also when run twice or twice at once; the control strategy and intelligence
requirement are approved at the ST&CG's sitting, which the approval carries, and refused anywhere
else (service, page and API) with nothing changed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from nim_portal.choices import Role
from products.choices import ProductKind, ProductStatus
from products.models import Product
from tasking.meetings.cadence import cadence_policies_default, schedule_meetings
from tasking.meetings.choices import MeetingKind
from tasking.models import CadencePolicy, Meeting
from tests.factories import member
from tests.tasking.scheduling_helpers import schedule_twice_at_once

# A fixed moment in the future: the BCU's ST&CG of 6 July 2030 is 35 days ahead, within the
# strategic assessment's eight weeks; the one of 6 January 2031 is not.
NOW = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def bcu_people(hierarchy):
    bcu = hierarchy.bcu
    return (
        member(bcu, Role.CHAIR, username="bcuchair"),
        member(bcu, Role.ANALYST, username="bcuanalyst"),
    )


def _strategic_meetings(unit):
    return list(Meeting.objects.filter(unit=unit, kind=MeetingKind.STRATEGIC).order_by("starts_at"))


def test_new_stcg_policies_commission_eight_weeks_ahead_due_two_weeks_before(db):
    cadence_policies_default()
    strategic = CadencePolicy.objects.filter(meeting_kind=MeetingKind.STRATEGIC)
    tactical = CadencePolicy.objects.filter(meeting_kind=MeetingKind.TACTICAL)
    assert {(p.assessment_commission_days, p.assessment_due_days) for p in strategic} == {(56, 14)}
    assert {(p.assessment_commission_days, p.assessment_due_days) for p in tactical} == {(14, 3)}


def test_one_strategic_assessment_per_stcg_in_its_window_also_when_run_twice(hierarchy, bcu_people):
    chair, analyst = bcu_people
    bcu = hierarchy.bcu
    first = schedule_meetings(now=NOW)
    second = schedule_meetings(now=NOW)
    meetings = _strategic_meetings(bcu)
    within = [m for m in meetings if m.starts_at <= NOW + timedelta(days=56)]
    later = [m for m in meetings if m.starts_at > NOW + timedelta(days=56)]

    assert len(within) == 1 and meetings
    stcg = within[0]
    product = stcg.strategic_assessment
    day = timezone.localtime(stcg.starts_at).date()
    assert product.kind == ProductKind.STRATEGIC_ASSESSMENT
    assert product.status == ProductStatus.COMMISSIONED
    assert product.title == f"Strategic assessment for the ST&CG of {bcu}, {day:%d %B %Y}"
    assert product.due_date == day - timedelta(days=14)
    assert (product.owner, product.requester) == (analyst, chair)
    assert product.history.first().history_user is None
    assert product.pk in first.commissioned and product.pk not in second.commissioned
    assert stcg.tactical_assessment is None
    assert not any(m.strategic_assessment_id for m in later)
    strategic = Product.objects.filter(unit=bcu, kind=ProductKind.STRATEGIC_ASSESSMENT)
    assert strategic.count() == 1
    # No TT&CG is given a strategic assessment.
    assert not Meeting.objects.filter(kind=MeetingKind.TACTICAL).exclude(strategic_assessment=None)


def test_an_stcg_without_analyst_is_flagged_then_commissioned(hierarchy):
    force = hierarchy.force
    member(force, Role.CHAIR, username="forcechair")
    schedule_meetings(now=NOW)
    stcg = _strategic_meetings(force)[0]
    assert stcg.strategic_assessment is None
    assert "no analyst to develop the strategic assessment" in stcg.assessment_flag

    analyst = member(force, Role.ANALYST, username="forceanalyst")
    schedule_meetings(now=NOW)
    stcg.refresh_from_db()
    assert stcg.strategic_assessment.owner == analyst
    assert stcg.assessment_flag == ""


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_commission_each_strategic_assessment_once(vetting_table):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race runs in CI's PostgreSQL pass.")
    from tests.factories import HierarchyFactory

    hierarchy = HierarchyFactory()
    member(hierarchy.bcu, Role.CHAIR, username="bcuchair")
    member(hierarchy.bcu, Role.ANALYST, username="bcuanalyst")
    cadence_policies_default()
    schedule_twice_at_once(lambda: schedule_meetings(now=NOW))
    stcgs = Meeting.objects.filter(unit=hierarchy.bcu, kind=MeetingKind.STRATEGIC)
    assert stcgs.exclude(strategic_assessment=None).count() == 1
    assert Product.objects.filter(kind=ProductKind.STRATEGIC_ASSESSMENT).count() == 1


# The control strategy and intelligence requirement, decided at the sitting.


@pytest.fixture
def strategy_cast(hierarchy):
    from tests.tasking.factories import StrategyCast

    return StrategyCast(hierarchy)


def _draft_scored(cast):
    from tests.tasking.factories import priority_added, strategy_drafted

    strategy = strategy_drafted(cast.unit, chair=cast.chair, version=cast.assessment())
    priority_added(strategy, chair=cast.chair)
    return strategy


def test_the_sitting_approves_the_strategy_and_requirement_with_its_date_and_decisions(
    strategy_cast,
):
    from tasking.proceedings.strategy import sitting_requirement_decide, sitting_strategy_decide
    from tasking.strategy.choices import ControlStrategyStatus
    from tasking.strategy.requirement import ir_item_add
    from tests.tasking.factories import stcg_sitting

    cast = strategy_cast
    strategy = _draft_scored(cast)
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    decision = sitting_strategy_decide(
        acting_user=cast.chair, meeting=sitting, strategy=strategy, approve=True
    )
    strategy.refresh_from_db()
    assert strategy.status == ControlStrategyStatus.APPROVED
    assert strategy.approved_at_sitting == sitting
    assert timezone.localdate(strategy.approved_at) == timezone.localdate(sitting.opened_at)
    assert decision.meeting == sitting and decision.agenda_item.kind == "control_strategy"
    assert decision.text == f"The control strategy “{strategy.title}” approved."
    assert decision.marking == strategy.marking

    ir_item_add(
        acting_user=cast.chair,
        priority=strategy.priorities.get(),
        question="Who runs the lines?",
        owner=cast.chair,
        review_date=timezone.localdate() + timedelta(days=30),
    )
    returned = sitting_requirement_decide(
        acting_user=cast.chair, meeting=sitting, strategy=strategy, approve=False, note="Too thin."
    )
    assert returned.text.endswith("returned for more work. Too thin.")
    assert not strategy.intelligence_requirement.is_approved
    sitting_requirement_decide(
        acting_user=cast.chair, meeting=sitting, strategy=strategy, approve=True
    )
    requirement = strategy.intelligence_requirement
    requirement.refresh_from_db()
    assert requirement.is_approved and requirement.approved_at_sitting == sitting
    assert sitting.decisions.count() == 3


def test_approval_outside_a_sitting_is_refused_and_changes_nothing(strategy_cast, hierarchy):
    from django.core.exceptions import ValidationError

    from tasking.meetings.choices import MeetingStatus
    from tasking.proceedings.models import Decision
    from tasking.proceedings.strategy import sitting_strategy_decide
    from tasking.strategy.services import control_strategy_approve
    from tests.tasking.factories import meeting_sitting, stcg_sitting

    cast = strategy_cast
    strategy = _draft_scored(cast)
    with pytest.raises(ValidationError, match="approves it at its sitting"):
        control_strategy_approve(acting_user=cast.chair, strategy=strategy)
    scheduled = Meeting.objects.create(
        unit=cast.unit, kind=MeetingKind.STRATEGIC, starts_at=timezone.now(), chair=cast.chair
    )
    with pytest.raises(ValidationError, match="Open the meeting first"):
        sitting_strategy_decide(
            acting_user=cast.chair, meeting=scheduled, strategy=strategy, approve=True
        )
    ttcg = meeting_sitting(cast.unit, chair=cast.chair)
    with pytest.raises(ValidationError, match="Only an ST&CG approves"):
        sitting_strategy_decide(
            acting_user=cast.chair, meeting=ttcg, strategy=strategy, approve=True
        )
    other = stcg_sitting(hierarchy.bcu, chair=cast.chair)
    with pytest.raises(ValidationError, match="decides only on the control strategy of its unit"):
        sitting_strategy_decide(
            acting_user=cast.chair, meeting=other, strategy=strategy, approve=True
        )
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    with pytest.raises(ValidationError, match="Say why it is returned"):
        sitting_strategy_decide(
            acting_user=cast.chair, meeting=sitting, strategy=strategy, approve=False
        )
    with pytest.raises(PermissionDenied):
        sitting_strategy_decide(
            acting_user=cast.member, meeting=sitting, strategy=strategy, approve=True
        )
    strategy.refresh_from_db()
    assert strategy.is_draft and strategy.approved_at is None
    assert not Decision.objects.exists()
    assert scheduled.status == MeetingStatus.SCHEDULED


# The meeting's page: the chair decides there.


def test_the_chair_approves_the_draft_strategy_from_the_sitting_page(client, strategy_cast):
    from django.urls import reverse

    from tasking.strategy.choices import ControlStrategyStatus
    from tests.tasking.factories import stcg_sitting

    cast = strategy_cast
    strategy = _draft_scored(cast)
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    page = reverse("tasking:meeting_detail", args=[sitting.pk])
    decide = reverse(
        "tasking:meeting_sitting_decide", args=[sitting.pk, "control-strategy", strategy.pk]
    )

    client.force_login(cast.chair)
    shown = client.get(page)
    assert [d.strategy for d in shown.context["sitting_decisions"]] == [strategy]
    assert decide in shown.content.decode()

    refused = client.post(decide, {"decision": "return", "note": ""}, follow=True)
    assert "Say why it is returned." in refused.content.decode()
    strategy.refresh_from_db()
    assert strategy.status == ControlStrategyStatus.DRAFT and not sitting.decisions.exists()

    approved = client.post(decide, {"decision": "approve"}, follow=True)
    assert "approved at this sitting." in approved.content.decode()
    strategy.refresh_from_db()
    assert strategy.status == ControlStrategyStatus.APPROVED
    assert strategy.approved_at_sitting == sitting
    assert sitting.decisions.get().text == f"The control strategy “{strategy.title}” approved."
    assert strategy not in [d.strategy for d in client.get(page).context["sitting_decisions"]]


def test_only_the_chair_decides_at_the_sitting(client, strategy_cast):
    from django.urls import reverse

    from tasking.strategy.choices import ControlStrategyStatus
    from tests.tasking.factories import stcg_sitting

    cast = strategy_cast
    strategy = _draft_scored(cast)
    sitting = stcg_sitting(cast.unit, chair=cast.chair)
    decide = reverse(
        "tasking:meeting_sitting_decide", args=[sitting.pk, "control-strategy", strategy.pk]
    )

    client.force_login(cast.member)
    assert (
        "sitting_decisions"
        not in client.get(reverse("tasking:meeting_detail", args=[sitting.pk])).context
    )
    client.post(decide, {"decision": "approve"})
    strategy.refresh_from_db()
    assert strategy.status == ControlStrategyStatus.DRAFT
    assert not sitting.decisions.exists()

    client.force_login(cast.chair)
    unknown = reverse("tasking:meeting_sitting_decide", args=[sitting.pk, "budget", strategy.pk])
    assert client.post(unknown, {"decision": "approve"}).status_code == 404
