"""The national dataset's control strategies, their priorities and intelligence requirements
(StrategiesBuilder, a part of tasking.national.TaskingBuilder)."""

import bisect
import datetime
import itertools
from dataclasses import dataclass

from django.utils import timezone

from nim_portal.choices import GSCMarking
from nim_portal.models import Unit
from nim_portal.national import (
    bulk_insert,
    dates_as_given,
    weighted,
)
from products.national import THEMES
from tasking.strategy.choices import ControlStrategyStatus, MoRiLEDimension, RequirementItemStatus
from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirement,
    IntelligenceRequirementItem,
    Priority,
)
from tasking.strategy.morile import morile_score
from tasking.strategy.services import ranks_with_overrides

OBJECTIVES = {
    "objective_intelligence": "Map who directs the activity and how it moves.",
    "objective_prevention": "Work with partners to protect the people most at risk.",
    "objective_enforcement": "Disrupt the people causing the most harm.",
    "objective_reassurance": "Tell the affected neighbourhoods what has been done.",
}


FOUR_P = {
    "plan_pursue": "Target the group's controllers.",
    "plan_prevent": "Divert young people at risk of recruitment.",
    "plan_protect": "Identify and protect the vulnerable addresses used.",
    "plan_prepare": "Plans for the violence expected when control changes.",
}


QUESTIONS = (
    "Who directs {theme} in {unit}, and from where?",
    "Which places and times drive {theme} in {unit}?",
    "How do the proceeds of {theme} leave {unit}?",
    "Which partners hold information on {theme} that we lack?",
)


SOURCES = (
    "Neighbourhood teams; partner data; covert sources.",
    "ANPR; CCTV; the regional organised crime unit.",
    "Schools' safeguarding leads; youth services; housing providers.",
)


def _period_starts(since: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The first days (1 April) of every strategy year from the one holding `since` to the
    current one."""
    first = since.year if since >= datetime.date(since.year, 4, 1) else since.year - 1
    current = today.year if today >= datetime.date(today.year, 4, 1) else today.year - 1
    return [datetime.date(year, 4, 1) for year in range(first, current + 1)]


@dataclass
class StrategyPlan:
    strategy: ControlStrategy
    priorities: list[Priority]


class StrategiesBuilder:
    """Every unit's control strategy for each year of the dataset, informed by a published
    strategic assessment of the unit or above it, its priorities scored on the active MoRiLE matrix
    and ranked, and its intelligence requirement. A part of tasking.national.TaskingBuilder, whose
    state it reads and fills."""

    def _informing_version(self, unit: Unit):
        for place in self.hierarchy.lineage(unit):
            versions = self.products.strategic.get(place.pk)
            if versions:
                return versions[-1]
        raise ValueError(f"No published strategic assessment of {unit} or above it.")

    def _scores(self) -> dict[str, int]:
        rng = self.rng
        return {
            dimension: rng.choice((1, 2, 2, 3, 3, 4) if "harm" in dimension else (0, 1, 2, 3, 4))
            for dimension in MoRiLEDimension.values
        }

    def _priorities(self, strategy: ControlStrategy, *, scored: bool) -> list[Priority]:
        """Four to six priorities, scored on the matrix and ranked as the service ranks them (by
        score, ties to the earlier added, a chair's override kept), or not yet scored."""
        rng = self.rng
        unit = strategy.unit
        chair = self.hierarchy.people[strategy.drafted_by_id]
        owners = self.owners_around(unit, strategy.marking) or [chair]
        rows = []
        for theme in rng.sample(THEMES, rng.randint(4, 6)):
            organised = rng.random() < 0.3
            objectives = dict(rng.sample(sorted(OBJECTIVES.items()), rng.randint(1, 4)))
            scores = self._scores() if scored else {}
            rows.append(
                Priority(
                    control_strategy=strategy,
                    theme=theme.capitalize(),
                    rationale=f"Ranked high in the strategic assessment of {unit.name}: "
                    f"{theme} rose and causes serious harm.",
                    organised_crime=organised,
                    owner_id=rng.choice(owners).pk,
                    scores=scores,
                    score=morile_score(scores, self.scales) if scored else None,
                    created_at=strategy.created_at,
                    **objectives,
                    **(FOUR_P if organised else {}),
                )
            )
        if not scored:
            return rows
        by_score = sorted(range(len(rows)), key=lambda i: (-rows[i].score, i))
        overrides = {}
        if rng.random() < 0.25:
            chosen = rng.randrange(len(rows))
            overrides[chosen] = rng.randint(1, len(rows))
            rows[chosen].override_rank = overrides[chosen]
            rows[chosen].override_reason = "Community confidence: residents' first concern."
            rows[chosen].override_by_id = strategy.drafted_by_id
            rows[chosen].override_at = strategy.approved_at or strategy.created_at
        ranks = ranks_with_overrides(by_score, overrides)
        for position, index in enumerate(by_score, start=1):
            rows[index].score_rank = position
            rows[index].rank = ranks[index]
        return rows

    def _strategy_marking(self, unit: Unit) -> int:
        marking = weighted(
            self.rng,
            (
                (GSCMarking.OFFICIAL_SENSITIVE, 75),
                (GSCMarking.OFFICIAL, 20),
                (GSCMarking.SECRET, 5),
            ),
        )
        chair = self.chair_of(unit, marking)
        return marking if chair.may_read(marking) else GSCMarking.OFFICIAL_SENSITIVE

    def plan_strategies(self) -> list[StrategyPlan]:
        """Per unit, a strategy for each year of the dataset (1 April to 31 March): approved
        ten days before its year, superseded by the next; a draft for next year now and then."""
        rng = self.rng
        starts = _period_starts(self.since, self.today)
        plans = []
        for unit in self.hierarchy.units:
            informed_by = self._informing_version(unit)
            marking = self._strategy_marking(unit)
            chair = self.chair_of(unit, marking)
            unit_plans = []
            for index, start in enumerate(starts):
                approved_at = timezone.make_aware(
                    datetime.datetime.combine(
                        start - datetime.timedelta(days=10), datetime.time(11)
                    )
                )
                current = index == len(starts) - 1
                strategy = ControlStrategy(
                    unit=unit,
                    title=f"{unit.name} control strategy {start.year} to {start.year + 1}",
                    period_start=start,
                    period_end=datetime.date(start.year + 1, 3, 31),
                    informed_by_id=informed_by.pk,
                    matrix=self.matrix,
                    marking=marking,
                    status=(
                        ControlStrategyStatus.APPROVED
                        if current
                        else ControlStrategyStatus.SUPERSEDED
                    ),
                    drafted_by_id=chair.pk,
                    approved_by_id=chair.pk,
                    approved_at=approved_at,
                    created_at=approved_at - datetime.timedelta(days=30),
                )
                unit_plans.append(StrategyPlan(strategy, []))
            self.strategies[unit.pk] = list(unit_plans)
            self.strategy_starts[unit.pk] = [p.strategy.period_start for p in unit_plans]
            if rng.random() < 0.2:
                start = datetime.date(starts[-1].year + 1, 4, 1)
                unit_plans.append(
                    StrategyPlan(
                        ControlStrategy(
                            unit=unit,
                            title=f"{unit.name} control strategy {start.year} to "
                            f"{start.year + 1} (draft)",
                            period_start=start,
                            period_end=datetime.date(start.year + 1, 3, 31),
                            informed_by_id=informed_by.pk,
                            matrix=self.matrix,
                            marking=marking,
                            drafted_by_id=chair.pk,
                            created_at=self.now - datetime.timedelta(days=rng.randint(1, 30)),
                        ),
                        [],
                    )
                )
            plans += unit_plans
        return plans

    def write_strategies(self) -> None:
        plans = self.plan_strategies()
        self.run.progress.stage("Control strategies", len(plans))
        with dates_as_given(
            ControlStrategy, Priority, IntelligenceRequirement, IntelligenceRequirementItem
        ):
            bulk_insert(ControlStrategy, [p.strategy for p in plans], self.run.progress)
            superseded = []
            for plans_of_unit in self.strategies.values():
                for older, newer in itertools.pairwise(plans_of_unit):
                    older.strategy.superseded_by = newer.strategy
                    older.strategy.superseded_at = newer.strategy.approved_at
                    superseded.append(older.strategy)
            ControlStrategy.objects.bulk_update(
                superseded, ["superseded_by", "superseded_at"], batch_size=1000
            )
            for plan in plans:
                draft = plan.strategy.status == ControlStrategyStatus.DRAFT
                plan.priorities = self._priorities(
                    plan.strategy, scored=not draft or self.rng.random() < 0.5
                )
            bulk_insert(Priority, [p for plan in plans for p in plan.priorities])
            requirements, items = self._requirements(plans)
        self.themes = {p.pk: p.theme for plan in plans for p in plan.priorities}
        counts = self.built.counts
        counts["control strategies"] = len(plans)
        counts["priorities"] = len(self.themes)
        counts["intelligence requirements"] = requirements
        counts["requirement items"] = items

    def _requirements(self, plans: list[StrategyPlan]) -> tuple[int, int]:
        """The approved intelligence requirement of each strategy no longer a draft: items on
        its priorities, most of a superseded strategy's closed."""
        rng = self.rng
        requirements, items = [], []
        for plan in plans:
            strategy = plan.strategy
            if strategy.status == ControlStrategyStatus.DRAFT:
                continue
            requirement = IntelligenceRequirement(
                control_strategy=strategy,
                approved_by_id=strategy.approved_by_id,
                approved_at=strategy.approved_at,
                created_at=strategy.approved_at,
            )
            requirements.append(requirement)
            owners = self.owners_around(strategy.unit, strategy.marking) or [
                self.hierarchy.people[strategy.drafted_by_id]
            ]
            superseded = strategy.status == ControlStrategyStatus.SUPERSEDED
            for priority in rng.sample(plan.priorities, rng.randint(2, len(plan.priorities))):
                owner = rng.choice(owners)
                closed = rng.random() < (0.85 if superseded else 0.25)
                closed_at = strategy.approved_at + datetime.timedelta(days=rng.randint(20, 300))
                items.append(
                    IntelligenceRequirementItem(
                        requirement=requirement,
                        priority=priority,
                        question=rng.choice(QUESTIONS).format(
                            theme=priority.theme.lower(), unit=strategy.unit.name
                        ),
                        sources_to_task=rng.choice(SOURCES),
                        owner_id=owner.pk,
                        review_date=strategy.period_start
                        + datetime.timedelta(days=rng.randint(30, 330)),
                        open_to_partners=rng.random() < 0.3,
                        status=RequirementItemStatus.CLOSED
                        if closed
                        else RequirementItemStatus.OPEN,
                        closing_note="Answered: the findings went into the assessment."
                        if closed
                        else "",
                        closed_by_id=owner.pk if closed else None,
                        closed_at=min(closed_at, self.now) if closed else None,
                        created_at=strategy.approved_at,
                    )
                )
        bulk_insert(IntelligenceRequirement, requirements)
        bulk_insert(IntelligenceRequirementItem, items)
        return len(requirements), len(items)

    def priority_on(self, unit: Unit, day: datetime.date) -> Priority:
        """A priority of the strategy `unit` worked under on `day`."""
        plans = self.strategies[unit.pk]
        index = max(bisect.bisect_right(self.strategy_starts[unit.pk], day) - 1, 0)
        return self.rng.choice(plans[index].priorities)
