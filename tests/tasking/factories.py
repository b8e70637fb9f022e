"""Factories of the tasking tests, built through the services so that every record obeys the rules.

`StrategyCast` is the cast around a force and one of its BCUs; the helpers below draft, score and
approve control strategies (for the strategy's tests and for tying actions to priorities).
"""

import datetime

from django.utils import timezone

from nim_portal.choices import Role
from products.choices import ProductKind
from tasking.strategy.choices import MoRiLEDimension
from tasking.strategy.requirement import ir_item_add
from tasking.strategy.services import control_strategy_draft, priority_add
from tests.factories import member, product_drafting
from tests.products.helpers import publish


def scores(level: int = 2, **overrides: int) -> dict[str, int]:
    """A score for every dimension of the default matrix (0-4), all at `level` unless overridden
    by dimension value (e.g. scores(2, likelihood=4))."""
    values = dict.fromkeys(MoRiLEDimension.values, level)
    values.update(overrides)
    return values


def published_version(unit, *, analyst=None, reviewer=None, kind=ProductKind.STRATEGIC_ASSESSMENT):
    """A published version of a product of `unit` (a strategic assessment unless said otherwise)."""
    analyst = analyst or member(unit, Role.ANALYST)
    reviewer = reviewer or member(unit, Role.REVIEWER)
    product = product_drafting(
        unit, owner=analyst, kind=kind, title=f"{ProductKind(kind).label} of {unit}"
    )
    return publish(product, owner=analyst, reviewer=reviewer)


def strategy_drafted(unit, *, chair, version=None, title=None, start=None, end=None, **fields):
    """A draft control strategy of `unit` for the current half-year."""
    start = start or timezone.localdate() - datetime.timedelta(days=30)
    end = end or start + datetime.timedelta(days=182)
    return control_strategy_draft(
        acting_user=chair,
        unit=unit,
        title=title or f"Control strategy of {unit}",
        period_start=start,
        period_end=end,
        informed_by=version or published_version(unit),
        **fields,
    )


def priority_added(strategy, *, chair, theme="County lines drug supply", owner=None, **fields):
    """A priority of a draft strategy, scored at level 2 unless `scores` says otherwise."""
    fields.setdefault("scores", scores(2))
    return priority_add(
        acting_user=chair,
        strategy=strategy,
        theme=theme,
        rationale=f"The strategic assessment ranks {theme.lower()} highly.",
        owner=owner or chair,
        objective_intelligence="Identify the lines and their holders.",
        **fields,
    )


def strategy_approved(
    unit, *, chair, themes=("County lines drug supply", "Burglary"), version=None, **fields
):
    """An approved control strategy of `unit` with one priority a theme (the first scored
    highest), and an approved intelligence requirement with one open item a priority."""
    strategy = strategy_drafted(unit, chair=chair, version=version, **fields)
    priorities = [
        priority_added(strategy, chair=chair, theme=theme, scores=scores(4 - min(i, 3)))
        for i, theme in enumerate(themes)
    ]
    sitting = stcg_sitting(unit, chair=chair)
    approved_at_sitting(strategy, sitting=sitting, chair=chair)
    strategy.refresh_from_db()
    for priority in priorities:
        ir_item_add(
            acting_user=chair,
            priority=priority,
            question=f"Who drives {priority.theme.lower()}?",
            owner=chair,
            review_date=timezone.localdate() + datetime.timedelta(days=60),
        )
    approved_at_sitting(strategy, sitting=sitting, chair=chair, requirement=True)
    return strategy


def stcg_sitting(unit, *, chair):
    """An ST&CG of `unit` with its standard agenda, chaired by `chair`, opened: it sits now."""
    from tasking.meetings.choices import STANDARD_AGENDAS, AgendaItemKind, MeetingKind
    from tasking.models import AgendaItem, Meeting
    from tasking.proceedings.services import meeting_open

    meeting = Meeting.objects.create(
        unit=unit, kind=MeetingKind.STRATEGIC, starts_at=timezone.now(), chair=chair
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, position=position, kind=kind, title=AgendaItemKind(kind).label)
        for position, kind in enumerate(STANDARD_AGENDAS[MeetingKind.STRATEGIC], start=1)
    )
    return meeting_open(acting_user=chair, meeting=meeting)


def approved_at_sitting(strategy, *, sitting, chair, requirement=False):
    """The sitting ST&CG approves the strategy (or its intelligence requirement)."""
    from tasking.proceedings.strategy import sitting_requirement_decide, sitting_strategy_decide

    decide = sitting_requirement_decide if requirement else sitting_strategy_decide
    return decide(acting_user=chair, meeting=sitting, strategy=strategy, approve=True)


class StrategyCast:
    """The people of the strategy tests, around the force (West Midlands Police) and its BCU."""

    def __init__(self, hierarchy):
        self.hierarchy = hierarchy
        self.unit = hierarchy.force
        self.chair = member(self.unit, Role.CHAIR, username="chair")
        self.analyst = member(self.unit, Role.ANALYST, username="analyst")
        self.reviewer = member(self.unit, Role.REVIEWER, username="reviewer")
        self.member = member(self.unit, Role.MEMBER, username="member")
        self.bcu_member = member(hierarchy.bcu, Role.MEMBER, username="bcumember")
        self.bcu_chair = member(hierarchy.bcu, Role.CHAIR, username="bcuchair")
        self.regional_chair = member(hierarchy.region, Role.CHAIR, username="rchair")
        self.outsider = member(hierarchy.other_force, Role.MEMBER, username="outsider")
        self.outside_chair = member(hierarchy.other_force, Role.CHAIR, username="outsidechair")

    def assessment(self, unit=None, **kwargs):
        """A published strategic assessment version of the force (or `unit`)."""
        kwargs.setdefault("analyst", self.analyst if unit is None else None)
        kwargs.setdefault("reviewer", self.reviewer if unit is None else None)
        return published_version(unit or self.unit, **kwargs)


# The action log.


def action_raised(
    unit,
    *,
    chair,
    priority,
    owner_user=None,
    owner_unit=None,
    description="Test purchases on the high street to evidence the dealing.",
    due_in_days=14,
    **fields,
):
    """An open action on `unit`'s log raised by `chair` between meetings, owned by `owner_user`
    (the chair when no owner is given) or `owner_unit`."""
    from tasking.actions.choices import ActionType
    from tasking.actions.services import action_raise

    if owner_user is None and owner_unit is None:
        owner_user = chair
    fields.setdefault("action_type", ActionType.ENFORCEMENT)
    return action_raise(
        acting_user=chair,
        unit=unit,
        priority=priority,
        description=description,
        owner_user=owner_user,
        owner_unit=owner_unit,
        due_date=timezone.localdate() + datetime.timedelta(days=due_in_days),
        **fields,
    )


def meeting_sitting(unit, *, chair):
    """A TT&CG of `unit` chaired by `chair`, opened: it sits now."""
    from tasking.meetings.choices import MeetingKind
    from tasking.models import Meeting
    from tasking.proceedings.services import meeting_open

    meeting = Meeting.objects.create(
        unit=unit, kind=MeetingKind.TACTICAL, starts_at=timezone.now(), chair=chair
    )
    return meeting_open(acting_user=chair, meeting=meeting)
