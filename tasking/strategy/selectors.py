"""Reads of the control strategy that depend on who is asking: one query each, no per-row checks.

Visibility of a control strategy (and with it its priorities and intelligence requirement):

1. police users only, with current vetting, never above their vetting (the strategy's marking);
2. an approved or superseded strategy is read by everyone holding any role in its unit, a unit
   above it (rule 1: a role inherits down) or a unit below it: it directs all staff of the unit
   and below ("it directs all staff"), and a BCU works under its force's strategy. Members of
   another force (or of a neighbouring BCU's own strategy) do not read it;
3. a draft is read only by its drafter and the chairs over its unit, until the ST&CG approves it.

Superusers get no shortcut: administering the system is not a need to know.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import GSCMarking
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User
from nim_portal.selectors import memberships_of
from products.choices import ProductKind
from products.models import ProductVersion
from tasking.strategy.choices import ControlStrategyStatus, RequirementItemStatus
from tasking.strategy.models import ControlStrategy, IntelligenceRequirementItem, Priority

# A partner release is OFFICIAL or OFFICIAL-SENSITIVE, never higher (docs/access.md, rule 5).
PARTNER_MARKING_CEILING = GSCMarking.OFFICIAL_SENSITIVE


def control_strategies_visible_to(user: User) -> QuerySet[ControlStrategy]:
    """Every control strategy `user` may read (see the module doc): the one visibility selector."""
    return ControlStrategy.objects.visible_to(user)


def get_control_strategy_for(user: User, pk) -> ControlStrategy:
    """One strategy by id; missing and forbidden give the same 404, so ids cannot be probed."""
    pk = id_or_404(pk, "control strategy")
    strategy = (
        control_strategies_visible_to(user)
        .select_related(
            "unit", "informed_by__product", "approved_by", "superseded_by", "drafted_by", "matrix"
        )
        .filter(pk=pk)
        .first()
    )
    if strategy is None:
        raise Http404("No such control strategy.")
    return strategy


def current_strategies_of(unit: Unit, today: date) -> QuerySet[ControlStrategy]:
    """The approved strategies covering `today` of `unit` and the units above it, nearest first."""
    return ControlStrategy.objects.filter(
        access.at_or_above(unit),
        status=ControlStrategyStatus.APPROVED,
        period_start__lte=today,
        period_end__gte=today,
    ).order_by("-unit__depth")


def current_control_strategy(unit: Unit, *, today: date | None = None) -> ControlStrategy | None:
    """The approved strategy covering today of `unit`, else of the nearest unit above it (a BCU
    works under its force's strategy). Not filtered by reader: pair it with a visibility check."""
    today = today or timezone.localdate()
    return current_strategies_of(unit, today).select_related("unit").first()


def priorities_for_unit(user: User, unit: Unit, *, today: date | None = None) -> QuerySet[Priority]:
    """The ranked priorities of the strategy `unit` works under today, if `user` may read it
    (to tie actions to a priority). One query."""
    today = today or timezone.localdate()
    current = current_strategies_of(unit, today).values("pk")[:1]
    return (
        Priority.objects.filter(
            control_strategy=Subquery(current),
            control_strategy__in=control_strategies_visible_to(user).values("pk"),
        )
        .select_related("owner", "control_strategy__unit")
        .order_by(F("rank").asc(nulls_last=True), "pk")
    )


def intelligence_requirement_for(
    user: User, unit: Unit, *, today: date | None = None
) -> QuerySet[IntelligenceRequirementItem]:
    """The items of the approved intelligence requirement of the strategy `unit` works under
    today, for every member of that strategy's unit and below (it directs all staff). One query;
    open items first, then by priority rank and review date."""
    today = today or timezone.localdate()
    current = current_strategies_of(unit, today).values("pk")[:1]
    return (
        IntelligenceRequirementItem.objects.filter(
            requirement__control_strategy=Subquery(current),
            requirement__approved_at__isnull=False,
            requirement__control_strategy__in=control_strategies_visible_to(user).values("pk"),
        )
        .select_related("priority", "owner", "closed_by")
        .order_by(
            F("status").desc(),  # "open" sorts after "closed": descending puts open first
            F("priority__rank").asc(nulls_last=True),
            "review_date",
            "pk",
        )
    )


def published_requirement_items_for_units(
    units, *, today: date | None = None
) -> QuerySet[IntelligenceRequirementItem]:
    """Open items partners may submit information against, for agencies working with `units`
    (a queryset or list of units): items opened to partners, of the approved intelligence
    requirements of the approved strategies covering today of those units or any unit above them,
    marked no higher than a partner may receive. One query. The partner-facing fields are chosen
    by the partner side; questions only, never the owner or sources."""
    today = today or timezone.localdate()
    unit_ids = [u.pk for u in units] if isinstance(units, list | tuple) else units.values("pk")
    at_or_above_units = access.units_at_or_above_any(Unit.objects.filter(pk__in=unit_ids))
    return (
        IntelligenceRequirementItem.objects.filter(
            requirement__control_strategy__unit__in=at_or_above_units.values("pk"),
            status=RequirementItemStatus.OPEN,
            open_to_partners=True,
            requirement__approved_at__isnull=False,
            requirement__control_strategy__status=ControlStrategyStatus.APPROVED,
            requirement__control_strategy__period_start__lte=today,
            requirement__control_strategy__period_end__gte=today,
            requirement__control_strategy__marking__lte=PARTNER_MARKING_CEILING,
        )
        .select_related("priority", "requirement__control_strategy__unit")
        .order_by("requirement__control_strategy__unit__path", "priority__rank", "pk")
    )


def _get_visible(queryset: QuerySet, pk, what: str):
    """One row of `queryset` by id: missing and forbidden give the same 404."""
    row = queryset.filter(pk=id_or_404(pk, what)).first()
    if row is None:
        raise Http404(f"No such {what}.")
    return row


def priorities_visible_to(user: User) -> QuerySet[Priority]:
    """The priorities of every control strategy `user` may read."""
    return Priority.objects.visible_to(user)


def get_priority_for(user: User, pk) -> Priority:
    """One priority by id, with its strategy and unit; 404 when missing or not readable."""
    return _get_visible(
        priorities_visible_to(user).select_related(
            "control_strategy__unit", "control_strategy__matrix", "owner", "override_by"
        ),
        pk,
        "priority",
    )


def requirement_items_visible_to(user: User) -> QuerySet[IntelligenceRequirementItem]:
    """The intelligence requirement items `user` may read (see the model's `visible_to`)."""
    return IntelligenceRequirementItem.objects.visible_to(user)


def get_requirement_item_for(user: User, pk) -> IntelligenceRequirementItem:
    """One intelligence requirement item by id; 404 when missing or not readable."""
    return _get_visible(
        requirement_items_visible_to(user).select_related(
            "priority",
            "owner",
            "closed_by",
            "requirement__control_strategy__unit",
            "authority__recorded_by",
        ),
        pk,
        "intelligence requirement item",
    )


def strategic_assessment_versions_for(user: User) -> QuerySet[ProductVersion]:
    """The published strategic assessment versions `user` may read, to inform a control strategy
    (the service checks the assessment is of the strategy's unit or a unit above it)."""
    return (
        ProductVersion.objects.visible_to(user)
        .filter(product__kind=ProductKind.STRATEGIC_ASSESSMENT)
        .select_related("product__unit")
        .order_by("product__unit__path", "product__title", "-number")
    )


@dataclass(frozen=True)
class HistoryRow:
    when: object
    who: object
    what: str
    reason: str


HISTORY_LIMIT = 30


def strategy_history(strategy: ControlStrategy) -> list[HistoryRow]:
    """The strategy's and its priorities' recorded changes, newest first (two queries)."""
    own = strategy.history.select_related("history_user").order_by("-history_id")[:HISTORY_LIMIT]
    of_priorities = (
        Priority.history.filter(control_strategy_id=strategy.pk)
        .select_related("history_user")
        .order_by("-history_id")[:HISTORY_LIMIT]
    )
    rows = [
        HistoryRow(
            r.history_date, r.history_user, "Control strategy", r.history_change_reason or ""
        )
        for r in own
    ] + [
        HistoryRow(r.history_date, r.history_user, r.theme, r.history_change_reason or "")
        for r in of_priorities
    ]
    rows.sort(key=lambda row: row.when, reverse=True)
    return rows[:HISTORY_LIMIT]


@dataclass(frozen=True)
class CurrentRequirement:
    """The intelligence requirement a unit of the user works under today (`strategy` None: none
    approved), with its items the user may read."""

    unit: Unit
    strategy: ControlStrategy | None
    items: list[IntelligenceRequirementItem]


def requirements_current_for(user: User) -> list[CurrentRequirement]:
    """The intelligence requirement each of the user's units works under today (its own
    strategy's, or the nearest unit above it), each strategy once: one query a unit the user
    belongs to."""
    units, seen = [], set()
    for membership in memberships_of(user).filter(unit__is_active=True):
        if membership.unit_id in seen:
            continue
        seen.add(membership.unit_id)
        units.append(membership.unit)
    requirements, shown = [], set()
    for unit in units:
        items = list(
            intelligence_requirement_for(user, unit).select_related(
                "requirement__control_strategy__unit"
            )
        )
        strategy = items[0].requirement.control_strategy if items else None
        if strategy is not None and strategy.pk in shown:
            continue
        if strategy is not None:
            shown.add(strategy.pk)
        requirements.append(CurrentRequirement(unit=unit, strategy=strategy, items=items))
    return requirements
