"""Every state change of the control strategy: the MoRiLE matrix, drafting and approving a strategy,
its priorities (scores, ranks, the chair's overrides) and its intelligence requirement.

Each function takes the acting user (keyword-only), checks permission and state under a row lock,
changes the data atomically, and leaves a history reason (django-simple-history) and an audit
event behind. A refusal raises PermissionDenied or ValidationError with a message fit to show, and
changes nothing.

Scoring (`morile_score`, pure): each dimension's value v on its scale [min, max] is normalised to
n = (v - min) / (max - min) in [0, 1], and each group is the weighted mean of its dimensions
(weights are shares within the group): H harm, L likelihood, V vulnerability, C confidence,
P organisational position (capacity and capability to respond). Then

    score = 100 * H * L * (1 + V) / 2 * (1 + C) / 2 * (2 - P) / 2      (0 to 100, 2 decimals)

Harm and likelihood multiply (no harm or no likelihood: no threat). Vulnerability, confidence and a
weak organisational position each raise the score by up to a factor of two without ever zeroing
it. The score never falls when harm, likelihood, vulnerability or confidence rise, and never rises
when capacity or capability rise.

Ranking: `score_rank` orders scored priorities by score, ties broken by the order they were added
(primary key). The strategy's `rank` then places each override at its chosen rank and fills the
other ranks in score order.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking, Role
from nim_portal.dates import planned_date_problem
from nim_portal.models import Unit, User
from nim_portal.services import audit_record
from nim_portal.validation import required_text
from products.choices import ProductKind
from products.models import ProductVersion
from products.selectors import visible_versions
from tasking.models import (
    ControlStrategy,
    DimensionScale,
    IntelligenceRequirement,
    IntelligenceRequirementItem,
    MoRiLEMatrix,
    MoRiLEScale,
    Priority,
)
from tasking.search import refresh_strategy_vector
from tasking.strategy.choices import (
    CONTROL_STRATEGY_TRANSITIONS,
    DEFAULT_MORILE_MATRIX_NAME,
    DEFAULT_MORILE_SCALES,
    GROUP_OF_DIMENSION,
    ControlStrategyStatus,
    MoRiLEDimension,
    MoRiLEGroup,
    RequirementItemStatus,
    control_strategy_transition_allowed,
)

# simple-history keeps a change reason in 100 characters (PostgreSQL refuses more).
CHANGE_REASON_MAX_LENGTH = 100
SCORE_PLACES = Decimal("0.01")

PRIORITY_FIELDS = (
    "theme",
    "rationale",
    "objective_intelligence",
    "objective_prevention",
    "objective_enforcement",
    "objective_reassurance",
    "organised_crime",
    "plan_pursue",
    "plan_prepare",
    "plan_protect",
    "plan_prevent",
    "owner",
)
FOUR_P_FIELDS = ("plan_pursue", "plan_prepare", "plan_protect", "plan_prevent")
ITEM_FIELDS = ("question", "sources_to_task", "owner", "review_date", "open_to_partners")
# Item fields only a chair over the unit may change (the owner may change the rest).
ITEM_CHAIR_FIELDS = frozenset({"owner", "open_to_partners"})


# Helpers.


def _save(obj, *, acting_user: User | None, reason: str) -> None:
    obj._history_user = acting_user
    if len(reason) > CHANGE_REASON_MAX_LENGTH:
        reason = reason[: CHANGE_REASON_MAX_LENGTH - 1] + "…"
    obj._change_reason = reason
    obj.save()


def _require_chair(acting_user: User, unit: Unit, what: str) -> None:
    access.require_police(acting_user, what)
    if not access.holds_role_over(acting_user, [Role.CHAIR], unit):
        raise PermissionDenied(f"Only a T&CG chair over {unit} can {what}.")


def _works_in_unit_tree(user: User, unit: Unit) -> bool:
    """Whether `user` holds any police role in `unit`, a unit above it or a unit below it."""
    return access.works_in_line_of(user, unit)


def _clean_owner(owner: User | None, unit: Unit, marking: int) -> User:
    if owner is None:
        raise ValidationError({"owner": "Choose an owner."})
    if not _works_in_unit_tree(owner, unit):
        raise ValidationError(
            {"owner": f"{owner} does not work in {unit} or a unit above or below it."}
        )
    if not owner.may_read(marking):
        raise ValidationError(
            {"owner": f"{owner}'s vetting does not allow reading {GSCMarking(marking).label}."}
        )
    return owner


def _lock_strategy(strategy: ControlStrategy) -> ControlStrategy:
    return (
        ControlStrategy.objects.select_for_update(of=("self",))
        .select_related("unit", "matrix")
        .get(pk=strategy.pk)
    )


def _require_draft(strategy: ControlStrategy, what: str) -> None:
    if not strategy.is_draft:
        status = ControlStrategyStatus(strategy.status).label.lower()
        raise ValidationError(
            f"The control strategy is {status}: its priorities can no longer {what}. "
            "Draft a new control strategy to change them."
        )


def _check_transition(strategy: ControlStrategy, target: str) -> None:
    if not control_strategy_transition_allowed(strategy.status, target):
        current = ControlStrategyStatus(strategy.status).label.lower()
        allowed = ", ".join(
            s.label.lower()
            for s in ControlStrategyStatus
            if s in CONTROL_STRATEGY_TRANSITIONS[strategy.status]
        )
        raise ValidationError(
            f"A control strategy that is {current} cannot become "
            f"{ControlStrategyStatus(target).label.lower()}"
            + (f" (it can become: {allowed})." if allowed else "; it is final.")
        )


# The MoRiLE matrix.


def morile_score(scores: Mapping[str, int], scales: Iterable[DimensionScale]) -> Decimal:
    """The MoRiLE score (0 to 100) of `scores` on a matrix's `scales`; pure (see the module doc).

    `scores` must hold a value within its scale for every dimension (`morile_scores_clean`).
    """
    totals: dict[str, Fraction] = {}
    weights: dict[str, int] = {}
    for scale in scales:
        group = GROUP_OF_DIMENSION[scale.dimension]
        normalised = Fraction(
            scores[scale.dimension] - scale.minimum, scale.maximum - scale.minimum
        )
        totals[group] = totals.get(group, Fraction(0)) + scale.weight * normalised
        weights[group] = weights.get(group, 0) + scale.weight
    value = {group: totals[group] / weights[group] for group in totals}
    score = (
        100
        * value[MoRiLEGroup.HARM]
        * value[MoRiLEGroup.LIKELIHOOD]
        * (1 + value[MoRiLEGroup.VULNERABILITY])
        / 2
        * (1 + value[MoRiLEGroup.CONFIDENCE])
        / 2
        * (2 - value[MoRiLEGroup.ORGANISATIONAL_POSITION])
        / 2
    )
    exact = Decimal(score.numerator) / Decimal(score.denominator)
    return exact.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def morile_scores_clean(scores: Mapping[str, Any], scales: Iterable[DimensionScale]) -> dict:
    """`scores` checked against the matrix: every dimension, whole numbers within each scale."""
    scales = list(scales)
    known = {scale.dimension for scale in scales}
    unknown = sorted(set(scores) - known)
    if unknown:
        raise ValidationError({"scores": f"The matrix has no dimension {', '.join(unknown)}."})
    errors, cleaned = [], {}
    for scale in scales:
        label = MoRiLEDimension(scale.dimension).label
        value = scores.get(scale.dimension)
        if value is None or value == "":
            errors.append(f"Score {label.lower()}.")
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if isinstance(value, bool) or number is None or str(number) != str(value).strip():
            errors.append(f"{label} must be a whole number.")
        elif not scale.minimum <= number <= scale.maximum:
            errors.append(
                f"{label} must be from {scale.minimum} to {scale.maximum} (given {number})."
            )
        else:
            cleaned[scale.dimension] = number
    if errors:
        raise ValidationError({"scores": errors})
    return cleaned


@transaction.atomic
def morile_matrix_default() -> MoRiLEMatrix:
    """System: the active matrix, created with the default scales when none is active.

    Safe to run twice or concurrently (at most one matrix is active, by a constraint).
    """
    active = MoRiLEMatrix.objects.filter(is_active=True).first()
    if active is not None:
        return active
    try:
        with transaction.atomic():
            matrix = MoRiLEMatrix(name=DEFAULT_MORILE_MATRIX_NAME, is_active=True)
            _save(matrix, acting_user=None, reason="Default matrix created")
    except IntegrityError:
        return MoRiLEMatrix.objects.get(is_active=True)
    for dimension, (weight, labels) in DEFAULT_MORILE_SCALES.items():
        scale = MoRiLEScale(
            matrix=matrix,
            dimension=dimension,
            weight=weight,
            minimum=0,
            maximum=len(labels) - 1,
            labels=list(labels),
        )
        _save(scale, acting_user=None, reason="Default scale")
    audit_record(actor=None, verb=AuditVerb.CREATE, obj=matrix, detail={"default": True})
    return matrix


def _require_superuser(acting_user: User, what: str) -> None:
    if not (acting_user.is_authenticated and acting_user.is_active and acting_user.is_superuser):
        raise PermissionDenied(f"Only a system administrator can {what}.")


@transaction.atomic
def morile_matrix_copy(
    *, acting_user: User, matrix: MoRiLEMatrix, name: str, request: HttpRequest | None = None
) -> MoRiLEMatrix:
    """A new inactive matrix with `matrix`'s scales, to configure before activating it."""
    _require_superuser(acting_user, "configure the MoRiLE matrix")
    name = required_text(name, field="name", message="Enter the matrix's name.")
    copy = MoRiLEMatrix(name=name, is_active=False)
    _save(copy, acting_user=acting_user, reason=f"Copied from {matrix.name}")
    for scale in matrix.scales.all():
        _save(
            MoRiLEScale(
                matrix=copy,
                dimension=scale.dimension,
                weight=scale.weight,
                minimum=scale.minimum,
                maximum=scale.maximum,
                labels=list(scale.labels),
            ),
            acting_user=acting_user,
            reason=f"Copied from {matrix.name}",
        )
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=copy,
        request=request,
        detail={"copied_from": matrix.pk},
    )
    return copy


@transaction.atomic
def morile_scale_configure(
    *,
    acting_user: User,
    scale: MoRiLEScale,
    weight: int,
    minimum: int,
    maximum: int,
    labels: list[str],
    request: HttpRequest | None = None,
) -> MoRiLEScale:
    """Change one dimension's weight and scale, on a matrix no control strategy uses yet."""
    _require_superuser(acting_user, "configure the MoRiLE matrix")
    matrix = MoRiLEMatrix.objects.select_for_update().get(pk=scale.matrix_id)
    scale = MoRiLEScale.objects.select_for_update().get(pk=scale.pk)
    if matrix.control_strategies.exists():
        raise ValidationError(
            f"{matrix} scores control strategies already: copy it and configure the copy."
        )
    before = {"weight": scale.weight, "minimum": scale.minimum, "maximum": scale.maximum}
    scale.weight, scale.minimum, scale.maximum = weight, minimum, maximum
    scale.labels = [str(label).strip() for label in labels]
    scale.full_clean()
    _save(scale, acting_user=acting_user, reason="Scale configured")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=scale,
        request=request,
        detail={
            "before": before,
            "after": {"weight": weight, "minimum": minimum, "maximum": maximum},
        },
    )
    return scale


@transaction.atomic
def morile_matrix_activate(
    *, acting_user: User, matrix: MoRiLEMatrix, request: HttpRequest | None = None
) -> MoRiLEMatrix:
    """Make `matrix` the one new control strategies are scored on (strategies keep theirs)."""
    _require_superuser(acting_user, "configure the MoRiLE matrix")
    matrix = MoRiLEMatrix.objects.select_for_update().get(pk=matrix.pk)
    if matrix.is_active:
        raise ValidationError(f"{matrix} is already the active matrix.")
    if set(matrix.scales.values_list("dimension", flat=True)) != set(MoRiLEDimension.values):
        raise ValidationError(f"{matrix} does not have a scale for every dimension.")
    for previous in MoRiLEMatrix.objects.select_for_update().filter(is_active=True):
        previous.is_active = False
        _save(previous, acting_user=acting_user, reason=f"Replaced by {matrix.name}")
    matrix.is_active = True
    _save(matrix, acting_user=acting_user, reason="Activated")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=matrix,
        request=request,
        detail={"activated": True},
    )
    return matrix


# Control strategies.


def _clean_informing_version(acting_user: User, unit: Unit, version: ProductVersion) -> None:
    product = version.product
    if product.kind != ProductKind.STRATEGIC_ASSESSMENT:
        raise ValidationError(
            {"informed_by": "A control strategy is informed by a strategic assessment."}
        )
    if not unit.path.startswith(product.unit.path):
        raise ValidationError(
            {
                "informed_by": f"The strategic assessment must be of {unit} or a unit above it "
                f"(it is of {product.unit})."
            }
        )
    if not visible_versions(acting_user, product).filter(pk=version.pk).exists():
        raise ValidationError({"informed_by": "You cannot read that strategic assessment version."})


@transaction.atomic
def control_strategy_draft(
    *,
    acting_user: User,
    unit: Unit,
    title: str,
    period_start: date,
    period_end: date,
    informed_by: ProductVersion,
    marking: int = GSCMarking.OFFICIAL_SENSITIVE,
    request: HttpRequest | None = None,
) -> ControlStrategy:
    """A chair over `unit` drafts its control strategy, scored on the active MoRiLE matrix."""
    _require_chair(acting_user, unit, "draft its control strategy")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        raise ValidationError({"unit": f"{unit} is inactive."})
    title = required_text(title, field="title", message="Enter the control strategy's title.")
    if period_start is None or period_end is None:
        raise ValidationError({"period_end": "Give the period's start and end."})
    if period_end < period_start:
        raise ValidationError({"period_end": "The period must end on or after its start."})
    if marking not in GSCMarking.values:
        raise ValidationError({"marking": "Choose a GSC marking."})
    if not acting_user.may_read(marking):
        raise ValidationError({"marking": "You cannot mark a strategy above your own vetting."})
    informed_by = ProductVersion.objects.select_related("product__unit").get(pk=informed_by.pk)
    _clean_informing_version(acting_user, unit, informed_by)
    strategy = ControlStrategy(
        unit=unit,
        title=title,
        period_start=period_start,
        period_end=period_end,
        informed_by=informed_by,
        matrix=morile_matrix_default(),
        marking=marking,
        drafted_by=acting_user,
    )
    _save(strategy, acting_user=acting_user, reason="Drafted")
    refresh_strategy_vector(strategy.pk)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=strategy,
        request=request,
        detail={"unit": unit.pk, "informed_by": informed_by.pk},
    )
    return strategy


@transaction.atomic
def control_strategy_approve(
    *, acting_user: User, strategy: ControlStrategy, request: HttpRequest | None = None
) -> ControlStrategy:
    """The ST&CG approves the strategy (recorded by a chair over its unit): the unit's approved
    strategy, if any, is superseded in the same transaction; both stay readable."""
    # Lock the unit first: approvals of one unit's strategies run one at a time.
    Unit.objects.select_for_update().get(pk=strategy.unit_id)
    strategy = _lock_strategy(strategy)
    _require_chair(acting_user, strategy.unit, "approve its control strategy")
    _check_transition(strategy, ControlStrategyStatus.APPROVED)
    if strategy.period_end < timezone.localdate():
        raise ValidationError("The strategy's period has ended: it can no longer be approved.")
    priorities = list(strategy.priorities.all())
    if not priorities:
        raise ValidationError("Add at least one priority before approving the control strategy.")
    unscored = [p.theme for p in priorities if p.score is None]
    if unscored:
        raise ValidationError(
            f"Score every priority before approving (not yet scored: {', '.join(unscored)})."
        )
    now = timezone.now()
    previous = (
        ControlStrategy.objects.select_for_update()
        .filter(unit_id=strategy.unit_id, status=ControlStrategyStatus.APPROVED)
        .first()
    )
    if previous is not None:
        _check_transition(previous, ControlStrategyStatus.SUPERSEDED)
        previous.status = ControlStrategyStatus.SUPERSEDED
        previous.superseded_by = strategy
        previous.superseded_at = now
        _save(previous, acting_user=acting_user, reason=f"Superseded by {strategy.title}")
        audit_record(
            actor=acting_user,
            verb=AuditVerb.UPDATE,
            obj=previous,
            request=request,
            detail={"status": {"from": "approved", "to": "superseded"}, "by": strategy.pk},
        )
    strategy.status = ControlStrategyStatus.APPROVED
    strategy.approved_by, strategy.approved_at = acting_user, now
    _save(strategy, acting_user=acting_user, reason="Approved by the ST&CG")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=strategy,
        request=request,
        detail={
            "status": {"from": "draft", "to": "approved"},
            "supersedes": previous.pk if previous else None,
        },
    )
    return strategy


# Priorities.


def _clean_priority_fields(priority: Priority, fields: dict[str, Any], unit: Unit, marking: int):
    unknown = set(fields) - set(PRIORITY_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    changed = []
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "owner":
            if priority.owner_id != getattr(value, "pk", None):
                priority.owner = _clean_owner(value, unit, marking)
                changed.append(name)
        elif getattr(priority, name) != value:
            setattr(priority, name, value)
            changed.append(name)
    priority.theme = required_text(
        priority.theme, field="theme", message="Enter the priority's theme."
    )
    priority.rationale = required_text(
        priority.rationale, field="rationale", message="Enter the priority's rationale."
    )
    if not priority.organised_crime and any(getattr(priority, f) for f in FOUR_P_FIELDS):
        raise ValidationError(
            {"organised_crime": "A 4P plan is for an organised-crime priority: mark it as one."}
        )
    return changed


@transaction.atomic
def priority_add(
    *,
    acting_user: User,
    strategy: ControlStrategy,
    theme: str,
    rationale: str,
    owner: User,
    scores: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Priority:
    """A chair over the unit adds a priority to a draft strategy (scored now or later)."""
    strategy = _lock_strategy(strategy)
    _require_chair(acting_user, strategy.unit, "change its control strategy")
    _require_draft(strategy, "change")
    priority = Priority(control_strategy=strategy)
    _clean_priority_fields(
        priority,
        {"theme": theme, "rationale": rationale, "owner": owner, **fields},
        strategy.unit,
        strategy.marking,
    )
    if scores is not None:
        scales = strategy.matrix.scales_as_data()
        priority.scores = morile_scores_clean(scores, scales)
        priority.score = morile_score(priority.scores, scales)
    _save(priority, acting_user=acting_user, reason="Added")
    refresh_strategy_vector(strategy.pk)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=priority,
        request=request,
        detail={"control_strategy": strategy.pk, "score": str(priority.score)},
    )
    if priority.score is not None:
        _rerank(strategy, acting_user=acting_user)
        priority.refresh_from_db()
    return priority


def _lock_priority(priority: Priority) -> tuple[Priority, ControlStrategy]:
    strategy = _lock_strategy(priority.control_strategy)
    priority = Priority.objects.select_for_update().get(pk=priority.pk)
    return priority, strategy


@transaction.atomic
def priority_update(
    *, acting_user: User, priority: Priority, request: HttpRequest | None = None, **fields: Any
) -> Priority:
    """A chair over the unit changes a draft strategy's priority (not its scores or rank)."""
    priority, strategy = _lock_priority(priority)
    _require_chair(acting_user, strategy.unit, "change its control strategy")
    _require_draft(strategy, "change")
    changed = _clean_priority_fields(priority, fields, strategy.unit, strategy.marking)
    if not changed:
        return priority
    _save(priority, acting_user=acting_user, reason=f"Changed: {', '.join(changed)}")
    refresh_strategy_vector(strategy.pk)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=priority,
        request=request,
        detail={"fields": changed},
    )
    return priority


@transaction.atomic
def priority_score(
    *,
    acting_user: User,
    priority: Priority,
    scores: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Priority:
    """A chair over the unit scores a priority on the strategy's matrix; the ranks follow."""
    priority, strategy = _lock_priority(priority)
    _require_chair(acting_user, strategy.unit, "score its priorities")
    _require_draft(strategy, "be scored")
    scales = strategy.matrix.scales_as_data()
    cleaned = morile_scores_clean(scores, scales)
    before = priority.score
    priority.scores = cleaned
    priority.score = morile_score(cleaned, scales)
    _save(priority, acting_user=acting_user, reason=f"Scored {priority.score}")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=priority,
        request=request,
        detail={"scores": cleaned, "score": {"from": str(before), "to": str(priority.score)}},
    )
    _rerank(strategy, acting_user=acting_user)
    priority.refresh_from_db()
    return priority


def ranks_with_overrides(by_score: list[int], overrides: Mapping[int, int]) -> dict[int, int]:
    """Pure: the rank (1…n) of each id in `by_score` (ids in score order), each id of `overrides`
    at its chosen rank (clamped to n; a clash takes the nearest free rank), the rest in order."""
    count = len(by_score)
    taken: dict[int, int] = {}
    placed: dict[int, int] = {}
    for pk, wanted in sorted(overrides.items(), key=lambda item: (item[1], item[0])):
        if pk not in by_score:
            continue
        wanted = min(max(wanted, 1), count)
        free = [r for r in range(1, count + 1) if r not in taken]
        rank = min(free, key=lambda r: (abs(r - wanted), r))
        taken[rank] = pk
        placed[pk] = rank
    free_ranks = iter(r for r in range(1, count + 1) if r not in taken)
    for pk in by_score:
        if pk not in placed:
            placed[pk] = next(free_ranks)
    return placed


def _rerank(strategy: ControlStrategy, *, acting_user: User | None) -> list[Priority]:
    """Recompute every priority's score rank and rank; saves (with history) only those changed."""
    priorities = list(strategy.priorities.select_for_update().order_by("pk"))
    scored = sorted((p for p in priorities if p.score is not None), key=lambda p: (-p.score, p.pk))
    score_ranks = {p.pk: position for position, p in enumerate(scored, start=1)}
    ranks = ranks_with_overrides(
        [p.pk for p in scored],
        {p.pk: p.override_rank for p in scored if p.override_rank is not None},
    )
    for priority in priorities:
        new = (score_ranks.get(priority.pk), ranks.get(priority.pk))
        if (priority.score_rank, priority.rank) != new:
            priority.score_rank, priority.rank = new
            _save(priority, acting_user=acting_user, reason=f"Ranked {priority.rank}")
    return sorted(priorities, key=lambda p: (p.rank is None, p.rank or 0, p.pk))


@transaction.atomic
def priorities_rank(
    *, acting_user: User, strategy: ControlStrategy, request: HttpRequest | None = None
) -> list[Priority]:
    """A chair over the unit recomputes the ranks of a draft strategy's priorities by score."""
    strategy = _lock_strategy(strategy)
    _require_chair(acting_user, strategy.unit, "rank its priorities")
    _require_draft(strategy, "be ranked")
    ranked = _rerank(strategy, acting_user=acting_user)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=strategy,
        request=request,
        detail={"ranks": {str(p.pk): p.rank for p in ranked}},
    )
    return ranked


@transaction.atomic
def priority_override_rank(
    *,
    acting_user: User,
    priority: Priority,
    rank: int | None,
    reason: str,
    request: HttpRequest | None = None,
) -> Priority:
    """The chair sets a scored priority's rank by hand (rank=None returns it to its score order);
    the reason is required and kept with the override, in history and in the audit log."""
    priority, strategy = _lock_priority(priority)
    _require_chair(acting_user, strategy.unit, "override the ranking")
    _require_draft(strategy, "be ranked")
    reason = required_text(
        reason, field="reason", message="Enter the reason for overriding the rank."
    )
    if priority.score is None:
        raise ValidationError("Score the priority before overriding its rank.")
    scored = strategy.priorities.filter(score__isnull=False).count()
    if rank is not None:
        if not 1 <= rank <= scored:
            raise ValidationError({"rank": f"Choose a rank from 1 to {scored}."})
        holder = strategy.priorities.filter(override_rank=rank).exclude(pk=priority.pk).first()
        if holder is not None:
            raise ValidationError(
                {"rank": f"“{holder.theme}” already holds rank {rank} by override: clear it first."}
            )
    elif priority.override_rank is None:
        raise ValidationError("The priority's rank is not overridden.")
    before = priority.override_rank
    priority.override_rank = rank
    priority.override_reason = reason if rank is not None else ""
    priority.override_by = acting_user if rank is not None else None
    priority.override_at = timezone.now() if rank is not None else None
    what = f"Rank overridden to {rank}" if rank is not None else "Rank override cleared"
    _save(priority, acting_user=acting_user, reason=f"{what}: {reason}")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=priority,
        request=request,
        detail={"override_rank": {"from": before, "to": rank}, "reason": reason},
    )
    _rerank(strategy, acting_user=acting_user)
    priority.refresh_from_db()
    return priority


# The intelligence requirement.


def _require_not_superseded(strategy: ControlStrategy) -> None:
    if strategy.status == ControlStrategyStatus.SUPERSEDED:
        raise ValidationError(
            "The control strategy has been superseded: its intelligence requirement takes no "
            "new items or reviews (open items can still be closed)."
        )


@transaction.atomic
def intelligence_requirement_approve(
    *, acting_user: User, strategy: ControlStrategy, request: HttpRequest | None = None
) -> IntelligenceRequirement:
    """The ST&CG approves the intelligence requirement of its approved control strategy."""
    strategy = _lock_strategy(strategy)
    _require_chair(acting_user, strategy.unit, "approve its intelligence requirement")
    if strategy.status != ControlStrategyStatus.APPROVED:
        raise ValidationError(
            "Approve the control strategy first: the intelligence requirement follows it."
        )
    requirement = (
        IntelligenceRequirement.objects.select_for_update()
        .filter(control_strategy=strategy)
        .first()
    )
    if (
        requirement is None
        or not requirement.items.filter(status=RequirementItemStatus.OPEN).exists()
    ):
        raise ValidationError("Add at least one open item before approving the requirement.")
    if requirement.is_approved:
        raise ValidationError("The intelligence requirement is already approved.")
    requirement.approved_by, requirement.approved_at = acting_user, timezone.now()
    _save(requirement, acting_user=acting_user, reason="Approved by the ST&CG")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=requirement,
        request=request,
        detail={"approved": True, "control_strategy": strategy.pk},
    )
    return requirement


def _clean_item_fields(item: IntelligenceRequirementItem, fields, strategy) -> list[str]:
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    changed = []
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "owner":
            if item.owner_id != getattr(value, "pk", None):
                item.owner = _clean_owner(value, strategy.unit, strategy.marking)
                changed.append(name)
        elif getattr(item, name) != value:
            setattr(item, name, value)
            changed.append(name)
    item.question = required_text(
        item.question, field="question", message="Enter the question or intelligence gap."
    )
    if item.review_date is None:
        raise ValidationError({"review_date": "Give the review date."})
    if item.review_date < timezone.localdate() and "review_date" in changed:
        raise ValidationError({"review_date": "The review date cannot be in the past."})
    if "review_date" in changed and (
        problem := planned_date_problem(item.review_date, "the review date")
    ):
        raise ValidationError({"review_date": problem})
    return changed


@transaction.atomic
def ir_item_add(
    *,
    acting_user: User,
    priority: Priority,
    question: str,
    owner: User,
    review_date: date,
    sources_to_task: str = "",
    open_to_partners: bool = False,
    request: HttpRequest | None = None,
) -> IntelligenceRequirementItem:
    """A chair over the unit adds a question or gap for a priority to the requirement."""
    priority, strategy = _lock_priority(priority)
    _require_chair(acting_user, strategy.unit, "change its intelligence requirement")
    _require_not_superseded(strategy)
    requirement, _ = IntelligenceRequirement.objects.get_or_create(control_strategy=strategy)
    item = IntelligenceRequirementItem(requirement=requirement, priority=priority)
    _clean_item_fields(
        item,
        {
            "question": question,
            "owner": owner,
            "review_date": review_date,
            "sources_to_task": sources_to_task,
            "open_to_partners": open_to_partners,
        },
        strategy,
    )
    _save(item, acting_user=acting_user, reason="Added")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=item,
        request=request,
        detail={"priority": priority.pk, "requirement": requirement.pk},
    )
    return item


def _lock_item(item: IntelligenceRequirementItem):
    strategy = _lock_strategy(item.requirement.control_strategy)
    item = IntelligenceRequirementItem.objects.select_for_update().get(pk=item.pk)
    return item, strategy


@transaction.atomic
def ir_item_update(
    *,
    acting_user: User,
    item: IntelligenceRequirementItem,
    request: HttpRequest | None = None,
    **fields: Any,
) -> IntelligenceRequirementItem:
    """The item's owner or a chair over the unit reviews an open item; only the chair may
    reassign it or open it to partners."""
    item, strategy = _lock_item(item)
    access.require_police(acting_user, "review an intelligence requirement item")
    is_chair = access.holds_role_over(acting_user, [Role.CHAIR], strategy.unit)
    if not is_chair and item.owner_id != acting_user.pk:
        raise PermissionDenied(
            f"Only the item's owner or a T&CG chair over {strategy.unit} can change it."
        )
    if not is_chair and ITEM_CHAIR_FIELDS & set(fields):
        raise PermissionDenied(
            f"Only a T&CG chair over {strategy.unit} can reassign the item or open it to partners."
        )
    _require_not_superseded(strategy)
    if item.status != RequirementItemStatus.OPEN:
        raise ValidationError("The item is closed: it can no longer change.")
    changed = _clean_item_fields(item, fields, strategy)
    if not changed:
        return item
    _save(item, acting_user=acting_user, reason=f"Reviewed: {', '.join(changed)}")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=item,
        request=request,
        detail={"fields": changed},
    )
    return item


@transaction.atomic
def ir_item_close(
    *,
    acting_user: User,
    item: IntelligenceRequirementItem,
    note: str,
    request: HttpRequest | None = None,
) -> IntelligenceRequirementItem:
    """The item's owner or a chair over the unit closes it, saying why in a note."""
    item, strategy = _lock_item(item)
    access.require_police(acting_user, "close an intelligence requirement item")
    if item.owner_id != acting_user.pk and not access.holds_role_over(
        acting_user, [Role.CHAIR], strategy.unit
    ):
        raise PermissionDenied(
            f"Only the item's owner or a T&CG chair over {strategy.unit} can close it."
        )
    if item.status != RequirementItemStatus.OPEN:
        raise ValidationError("The item is already closed.")
    note = required_text(note, field="note", message="Enter the closing note.")
    item.status = RequirementItemStatus.CLOSED
    item.closing_note = note
    item.closed_by, item.closed_at = acting_user, timezone.now()
    _save(item, acting_user=acting_user, reason=f"Closed: {note}")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=item,
        request=request,
        detail={"status": {"from": "open", "to": "closed"}, "note": note},
    )
    return item


# Stale edits: a change sent over what its sender loaded.

# What people edit on a priority or an item: the fingerprint of these is the edit token.
PRIORITY_TOKEN_FIELDS = (*PRIORITY_FIELDS, "scores", "override_rank", "override_reason")
ITEM_TOKEN_FIELDS = (*ITEM_FIELDS, "status", "closing_note")


class StaleEdit(ValidationError):
    """Somebody changed the priority or item after the sender loaded it: nothing was changed."""

    def __init__(self, record: Priority | IntelligenceRequirementItem):
        self.record = record
        last = record.history.select_related("history_user").order_by("-history_id").first()
        by = f" by {last.history_user}" if last is not None and last.history_user else ""
        what = f"“{record}”" if isinstance(record, Priority) else "The item"
        super().__init__(
            f"{what} was changed{by} after you opened it: nothing was saved. "
            "Reload it to see the change, then make yours again.",
            code="stale_edit",
        )


def edit_token(record: Priority | IntelligenceRequirementItem) -> str:
    """A fingerprint of what people edit on a priority or an item (not the ranks the strategy
    recomputes): pages and the API send it back with a change, refused if it no longer matches."""
    names = PRIORITY_TOKEN_FIELDS if isinstance(record, Priority) else ITEM_TOKEN_FIELDS
    values = {name: record._meta.get_field(name).value_from_object(record) for name in names}
    encoded = json.dumps(values, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:24]


def _require_unchanged(record: Priority | IntelligenceRequirementItem, loaded_token: str) -> None:
    if edit_token(record) != (loaded_token or ""):
        raise StaleEdit(record)


@transaction.atomic
def priority_update_over(
    *,
    acting_user: User,
    priority: Priority,
    loaded_token: str,
    request: HttpRequest | None = None,
    **fields: Any,
) -> Priority:
    """`priority_update` over the state its sender loaded (StaleEdit when it changed since)."""
    priority, _ = _lock_priority(priority)
    _require_unchanged(priority, loaded_token)
    return priority_update(acting_user=acting_user, priority=priority, request=request, **fields)


@transaction.atomic
def priority_score_over(
    *,
    acting_user: User,
    priority: Priority,
    loaded_token: str,
    scores: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Priority:
    """`priority_score` over the state its sender loaded (StaleEdit when it changed since)."""
    priority, _ = _lock_priority(priority)
    _require_unchanged(priority, loaded_token)
    return priority_score(
        acting_user=acting_user, priority=priority, scores=scores, request=request
    )


@transaction.atomic
def priority_override_rank_over(
    *,
    acting_user: User,
    priority: Priority,
    loaded_token: str,
    rank: int | None,
    reason: str,
    request: HttpRequest | None = None,
) -> Priority:
    """`priority_override_rank` over the state its sender loaded (StaleEdit when it changed)."""
    priority, _ = _lock_priority(priority)
    _require_unchanged(priority, loaded_token)
    return priority_override_rank(
        acting_user=acting_user, priority=priority, rank=rank, reason=reason, request=request
    )


@transaction.atomic
def ir_item_update_over(
    *,
    acting_user: User,
    item: IntelligenceRequirementItem,
    loaded_token: str,
    request: HttpRequest | None = None,
    **fields: Any,
) -> IntelligenceRequirementItem:
    """`ir_item_update` over the state its sender loaded (StaleEdit when it changed since)."""
    item, _ = _lock_item(item)
    _require_unchanged(item, loaded_token)
    return ir_item_update(acting_user=acting_user, item=item, request=request, **fields)


@transaction.atomic
def ir_item_close_over(
    *,
    acting_user: User,
    item: IntelligenceRequirementItem,
    loaded_token: str,
    note: str,
    request: HttpRequest | None = None,
) -> IntelligenceRequirementItem:
    """`ir_item_close` over the state its sender loaded (StaleEdit when it changed since)."""
    item, _ = _lock_item(item)
    _require_unchanged(item, loaded_token)
    return ir_item_close(acting_user=acting_user, item=item, note=note, request=request)
