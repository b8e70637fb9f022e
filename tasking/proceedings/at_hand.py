"""The control strategy a meeting has at hand, read once for its screens: at an ST&CG its unit's
draft (what the sitting decides), else the strategy approved at this sitting, else its unit's
approved one covering today; at a TT&CG the approved strategy its unit works under today (its
own, else the nearest unit's above it). With it its priorities, ranked, and the open items of its
intelligence requirement. What of it a screen may show is tasking.proceedings.screen's rule.
"""

from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.utils import timezone

from nim_portal.models import User
from tasking.meetings.choices import MeetingKind
from tasking.meetings.models import Meeting
from tasking.strategy.choices import ControlStrategyStatus, RequirementItemStatus
from tasking.strategy.models import ControlStrategy, IntelligenceRequirementItem, Priority
from tasking.strategy.selectors import (
    control_strategies_visible_to,
    current_strategies_of,
    requirement_items_visible_to,
)


def _candidates(meeting: Meeting):
    today = timezone.localdate()
    if meeting.kind != MeetingKind.STRATEGIC:
        return current_strategies_of(meeting.unit, today)
    current = Q(
        status=ControlStrategyStatus.APPROVED, period_start__lte=today, period_end__gte=today
    )
    return (
        ControlStrategy.objects.filter(unit_id=meeting.unit_id)
        .filter(Q(status=ControlStrategyStatus.DRAFT) | Q(approved_at_sitting=meeting) | current)
        .order_by(
            Case(
                When(status=ControlStrategyStatus.DRAFT, then=Value(0)),
                When(approved_at_sitting=meeting, then=Value(1)),
                default=Value(2),
            ),
            "-period_start",
            "-pk",
        )
    )


def strategy_at_hand(meeting: Meeting, *, reader: User | None = None) -> ControlStrategy | None:
    """The strategy `meeting` has at hand (None: none), with its requirement, its
    `ranked_priorities` and its requirement's `open_items`, all of them (the shared screen's rule
    needs them all); with `reader` (the chair's own view) the strategy and each item are marked
    whether they may read it (`reader_reads`). Three queries (one without a strategy)."""
    strategies = _candidates(meeting)
    items = IntelligenceRequirementItem.objects.filter(status=RequirementItemStatus.OPEN)
    if reader is not None:
        strategies = strategies.annotate(
            reader_reads=Exists(control_strategies_visible_to(reader).filter(pk=OuterRef("pk")))
        )
        items = items.annotate(
            reader_reads=Exists(requirement_items_visible_to(reader).filter(pk=OuterRef("pk")))
        )
    priorities = Priority.objects.order_by(F("rank").asc(nulls_last=True), "pk")
    items = items.select_related("priority").order_by(
        F("priority__rank").asc(nulls_last=True), "review_date", "pk"
    )
    return (
        strategies.select_related(
            "unit", "approved_at_sitting", "intelligence_requirement__approved_at_sitting"
        )
        .prefetch_related(
            Prefetch("priorities", queryset=priorities, to_attr="ranked_priorities"),
            Prefetch("intelligence_requirement__items", queryset=items, to_attr="open_items"),
        )
        .first()
    )
