"""The ST&CG's evaluations of a control strategy's priorities (issue 14, point 9), as the
strategy's page shows them: its own priorities' evaluations, and those of the unit's previous
strategy (the ending period's, carried into the strategy that follows it). Recorded at a sitting
by tasking.proceedings.evaluation; read by whoever may read the strategy evaluated.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from nim_portal.models import User
from tasking.strategy.models import ControlStrategy, PriorityEvaluation


def evaluations_visible_to(user: User) -> QuerySet[PriorityEvaluation]:
    """The evaluations of every priority `user` may read."""
    return PriorityEvaluation.objects.visible_to(user)


def previous_strategy_of(user: User, strategy: ControlStrategy) -> ControlStrategy | None:
    """The unit's strategy before `strategy` that `user` may read (the latest to start before
    it), None when there is none. One query."""
    return (
        ControlStrategy.objects.visible_to(user)
        .filter(unit_id=strategy.unit_id, period_start__lt=strategy.period_start)
        .exclude(pk=strategy.pk)
        .order_by("-period_start", "-pk")
        .first()
    )


@dataclass(frozen=True)
class StrategyEvaluations:
    """What the strategy's page shows of evaluations: its own, and the previous period's."""

    own: list[PriorityEvaluation]
    previous_strategy: ControlStrategy | None
    previous: list[PriorityEvaluation] = field(default_factory=list)

    @property
    def marking(self) -> int:
        """The highest marking shown (0 when nothing is): each is marked as its strategy."""
        shown = [self.previous_strategy.marking] if self.previous else []
        return max(shown, default=0)


def strategy_evaluations_for(user: User, strategy: ControlStrategy) -> StrategyEvaluations:
    """The evaluations of `strategy`'s priorities (one `user` may read) and of its unit's previous
    strategy's, as far as `user` may read them. Two queries."""
    previous_strategy = previous_strategy_of(user, strategy)
    strategies = [strategy.pk] + ([previous_strategy.pk] if previous_strategy else [])
    evaluations = list(
        evaluations_visible_to(user)
        .filter(priority__control_strategy__in=strategies)
        .select_related("priority", "sitting", "recorded_by")
        .order_by("priority__rank", "priority_id", "-recorded_at", "-pk")
    )
    return StrategyEvaluations(
        own=[e for e in evaluations if e.priority.control_strategy_id == strategy.pk],
        previous_strategy=previous_strategy,
        previous=[e for e in evaluations if e.priority.control_strategy_id != strategy.pk],
    )
