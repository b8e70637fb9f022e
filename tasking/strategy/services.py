"""Every state change of a control strategy: drafting and approving it, its priorities (scores,
ranks, the chair's overrides), and changes sent over the state their sender loaded (edit tokens).
The MoRiLE matrix is in tasking.strategy.morile, the intelligence requirement in
tasking.strategy.requirement.

Each function takes the acting user (keyword-only), checks permission (tasking.strategy.policy)
and state under a row lock, changes the data atomically, and leaves a history reason
(django-simple-history) and an audit event behind. A refusal raises PermissionDenied or
ValidationError with a message fit to show, and changes nothing.

Ranking: `score_rank` orders scored priorities by score, ties broken by the order they were added
(primary key). The strategy's `rank` then places each override at its chosen rank and fills the
other ranks in score order.
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb, GSCMarking
from nim_portal.lifecycle import Lifecycle, StaleChange, save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record
from nim_portal.validation import required_text
from products.choices import ProductKind
from products.models import ProductVersion
from products.selectors import visible_versions
from tasking.strategy.choices import CONTROL_STRATEGY_TRANSITIONS, ControlStrategyStatus
from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirementItem,
    Priority,
)
from tasking.strategy.morile import (
    morile_matrix_default,
    morile_score,
    morile_score_text,
    morile_scores_clean,
)
from tasking.strategy.policy import require_chair_over
from tasking.strategy.search import refresh_strategy_vector

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


# Helpers.


def clean_owner(owner: User | None, unit: Unit, marking: int) -> User:
    if owner is None:
        raise ValidationError({"owner": "Choose an owner."})
    if not access.works_in_line_of(owner, unit):
        raise ValidationError(
            {"owner": f"{owner} does not work in {unit} or a unit above or below it."}
        )
    if not owner.may_read(marking):
        raise ValidationError(
            {"owner": f"{owner}'s vetting does not allow reading {GSCMarking(marking).label}."}
        )
    return owner


def strategy_locked(strategy: ControlStrategy) -> ControlStrategy:
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


CONTROL_STRATEGY_LIFECYCLE = Lifecycle(
    CONTROL_STRATEGY_TRANSITIONS, subject=lambda strategy: "A control strategy that is"
)


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
    require_chair_over(acting_user, unit, "draft its control strategy")
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
    save_with_history(strategy, acting_user=acting_user, reason="Drafted")
    refresh_strategy_vector(strategy.pk)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        obj=strategy,
        request=request,
        detail={"unit": unit.pk, "informed_by": informed_by.pk},
    )
    return strategy


NOT_AT_SITTING = (
    "The ST&CG approves it at its sitting: open the ST&CG of {unit} and approve it there, under "
    "its agenda item, so that the decision and its date are recorded with the meeting."
)


def require_sitting_of(sitting, unit: Unit) -> None:
    """Refuse an approval given outside a sitting of the ST&CG of `unit` (the meeting sitting now,
    as tasking.proceedings.strategy passes it, having checked its kind and chair)."""
    if sitting is None or sitting.unit_id != unit.pk or sitting.opened_at is None:
        raise ValidationError(NOT_AT_SITTING.format(unit=unit))
    if sitting.closed_at is not None:
        raise ValidationError(NOT_AT_SITTING.format(unit=unit))


@transaction.atomic
def control_strategy_approve(
    *,
    acting_user: User,
    strategy: ControlStrategy,
    sitting=None,
    request: HttpRequest | None = None,
) -> ControlStrategy:
    """The ST&CG approves the strategy at its `sitting` (recorded by a chair over its unit; the
    approval carries the sitting and its date): the unit's approved strategy, if any, is
    superseded in the same transaction; both stay readable. Outside a sitting: refused."""
    # Lock the unit first: approvals of one unit's strategies run one at a time.
    Unit.objects.select_for_update().get(pk=strategy.unit_id)
    strategy = strategy_locked(strategy)
    require_chair_over(acting_user, strategy.unit, "approve its control strategy")
    require_sitting_of(sitting, strategy.unit)
    CONTROL_STRATEGY_LIFECYCLE.check(strategy, ControlStrategyStatus.APPROVED)
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
        previous.superseded_by = strategy
        previous.superseded_at = now
        CONTROL_STRATEGY_LIFECYCLE.move(
            previous,
            ControlStrategyStatus.SUPERSEDED,
            acting_user=acting_user,
            reason=f"Superseded by {strategy.title}",
            request=request,
            audit_detail={"by": strategy.pk},
        )
    strategy.approved_by, strategy.approved_at = acting_user, now
    strategy.approved_at_sitting = sitting
    CONTROL_STRATEGY_LIFECYCLE.move(
        strategy,
        ControlStrategyStatus.APPROVED,
        acting_user=acting_user,
        reason="Approved by the ST&CG",
        request=request,
        audit_detail={"supersedes": previous.pk if previous else None, "sitting": sitting.pk},
    )
    return strategy


# Priorities.


def set_fields(
    record: Priority | IntelligenceRequirementItem,
    fields: dict[str, Any],
    editable: tuple[str, ...],
    *,
    unit: Unit,
    marking: int,
) -> list[str]:
    """Set the `editable` fields given on a priority or an item (text trimmed, an owner who may
    own it in `unit` at `marking`): the names of those that changed. Any other is refused."""
    unknown = set(fields) - set(editable)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    changed = []
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "owner":
            if record.owner_id != getattr(value, "pk", None):
                record.owner = clean_owner(value, unit, marking)
                changed.append(name)
        elif getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed


def _clean_priority_fields(priority: Priority, fields: dict[str, Any], unit: Unit, marking: int):
    changed = set_fields(priority, fields, PRIORITY_FIELDS, unit=unit, marking=marking)
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
    strategy = strategy_locked(strategy)
    require_chair_over(acting_user, strategy.unit, "change its control strategy")
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
    save_with_history(priority, acting_user=acting_user, reason="Added")
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


def save_fields_changed(
    record: Priority | IntelligenceRequirementItem,
    changed: list[str],
    why: str,
    *,
    acting_user: User,
    request: HttpRequest | None,
) -> None:
    """Save a priority or an item whose `changed` fields a service has set: its history says
    `why` and names them, and so does the audit entry."""
    save_with_history(record, acting_user=acting_user, reason=f"{why}: {', '.join(changed)}")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=record,
        request=request,
        detail={"fields": changed},
    )


def priority_locked(priority: Priority) -> tuple[Priority, ControlStrategy]:
    strategy = strategy_locked(priority.control_strategy)
    priority = Priority.objects.select_for_update().get(pk=priority.pk)
    return priority, strategy


@transaction.atomic
def priority_update(
    *, acting_user: User, priority: Priority, request: HttpRequest | None = None, **fields: Any
) -> Priority:
    """A chair over the unit changes a draft strategy's priority (not its scores or rank)."""
    priority, strategy = priority_locked(priority)
    require_chair_over(acting_user, strategy.unit, "change its control strategy")
    _require_draft(strategy, "change")
    changed = _clean_priority_fields(priority, fields, strategy.unit, strategy.marking)
    if not changed:
        return priority
    save_fields_changed(priority, changed, "Changed", acting_user=acting_user, request=request)
    refresh_strategy_vector(strategy.pk)
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
    priority, strategy = priority_locked(priority)
    require_chair_over(acting_user, strategy.unit, "score its priorities")
    _require_draft(strategy, "be scored")
    scales = strategy.matrix.scales_as_data()
    cleaned = morile_scores_clean(scores, scales)
    before = priority.score
    priority.scores = cleaned
    priority.score = morile_score(cleaned, scales)
    save_with_history(
        priority, acting_user=acting_user, reason=f"Scored {morile_score_text(priority.score)}"
    )
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
            save_with_history(priority, acting_user=acting_user, reason=f"Ranked {priority.rank}")
    return sorted(priorities, key=lambda p: (p.rank is None, p.rank or 0, p.pk))


@transaction.atomic
def priorities_rank(
    *, acting_user: User, strategy: ControlStrategy, request: HttpRequest | None = None
) -> list[Priority]:
    """A chair over the unit recomputes the ranks of a draft strategy's priorities by score."""
    strategy = strategy_locked(strategy)
    require_chair_over(acting_user, strategy.unit, "rank its priorities")
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
    priority, strategy = priority_locked(priority)
    require_chair_over(acting_user, strategy.unit, "override the ranking")
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
    save_with_history(priority, acting_user=acting_user, reason=f"{what}: {reason}")
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


# Stale edits: a change sent over what its sender loaded.

# What people edit on a priority or an item: the fingerprint of these is the edit token.
PRIORITY_TOKEN_FIELDS = (*PRIORITY_FIELDS, "scores", "override_rank", "override_reason")
ITEM_TOKEN_FIELDS = (*ITEM_FIELDS, "status", "closing_note")


class StaleEdit(StaleChange):
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


def require_unchanged(record: Priority | IntelligenceRequirementItem, loaded_token: str) -> None:
    if edit_token(record) != (loaded_token or ""):
        raise StaleEdit(record)


def edited_over(service: Callable[..., Any], record: str, lock: Callable) -> Callable[..., Any]:
    """`service` over the state its sender loaded: the record it changes (its keyword `record`)
    is locked with `lock` and its edit token compared with `loaded_token`, StaleEdit when it
    changed since; then the service runs on the locked record, in the same transaction."""

    @transaction.atomic
    def over(*, loaded_token: str, **keywords: Any):
        locked, _ = lock(keywords[record])
        require_unchanged(locked, loaded_token)
        return service(**{**keywords, record: locked})

    over.__name__ = f"{service.__name__}_over"
    over.__doc__ = (
        f"`{service.__name__}` over the state its sender loaded (StaleEdit when it changed since)."
    )
    return over


priority_update_over = edited_over(priority_update, "priority", priority_locked)
priority_score_over = edited_over(priority_score, "priority", priority_locked)
priority_override_rank_over = edited_over(priority_override_rank, "priority", priority_locked)
