"""The MoRiLE matrix: scoring a priority on its dimensions, and the services that set the matrix
up (system administrators only).

Scoring (`morile_score`, pure): each dimension's value v on its scale [min, max] is normalised to
n = (v - min) / (max - min) in [0, 1], and each group is the weighted mean of its dimensions
(weights are shares within the group): H harm, L likelihood, V vulnerability, C confidence,
P organisational position (capacity and capability to respond). Then

    score = 100 * H * L * (1 + V) / 2 * (1 + C) / 2 * (2 - P) / 2      (0 to 100, 2 decimals)

Harm and likelihood multiply (no harm or no likelihood: no threat). Vulnerability, confidence and a
weak organisational position each raise the score by up to a factor of two without ever zeroing
it. The score never falls when harm, likelihood, vulnerability or confidence rise, and never rises
when capacity or capability rise.

Every page, chart, table and message shows a score through `morile_score_text` ("55.78 out of
100"), so that a score never reads as a number on another scale.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from nim_portal.choices import AuditVerb
from nim_portal.lifecycle import save_with_history
from nim_portal.models import User
from nim_portal.services import audit_record
from nim_portal.validation import required_text
from tasking.strategy.choices import (
    DEFAULT_MORILE_MATRIX_NAME,
    DEFAULT_MORILE_SCALES,
    GROUP_OF_DIMENSION,
    MoRiLEDimension,
    MoRiLEGroup,
)
from tasking.strategy.models import DimensionScale, MoRiLEMatrix, MoRiLEScale
from tasking.strategy.policy import require_morile_configurer

SCORE_PLACES = Decimal("0.01")
# The top of the scale every score is on (see the formula above).
MORILE_SCALE_TOP = 100
NOT_SCORED = "Not scored yet"


def morile_score_text(score: Decimal | None, *, with_scale: bool = True) -> str:
    """A MoRiLE score as the portal shows it everywhere: two decimals, on its scale of 100
    ("55.78 out of 100"; "55.78" where the scale is named beside it, as on a chart's axis)."""
    if score is None:
        return NOT_SCORED
    number = f"{Decimal(score).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)}"
    return f"{number} out of {MORILE_SCALE_TOP}" if with_scale else number


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
            save_with_history(matrix, acting_user=None, reason="Default matrix created")
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
        save_with_history(scale, acting_user=None, reason="Default scale")
    audit_record(actor=None, verb=AuditVerb.CREATE, obj=matrix, detail={"default": True})
    return matrix


@transaction.atomic
def morile_matrix_copy(
    *, acting_user: User, matrix: MoRiLEMatrix, name: str, request: HttpRequest | None = None
) -> MoRiLEMatrix:
    """A new inactive matrix with `matrix`'s scales, to configure before activating it."""
    require_morile_configurer(acting_user, "configure the MoRiLE matrix")
    name = required_text(name, field="name", message="Enter the matrix's name.")
    copy = MoRiLEMatrix(name=name, is_active=False)
    save_with_history(copy, acting_user=acting_user, reason=f"Copied from {matrix.name}")
    for scale in matrix.scales.all():
        save_with_history(
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
    require_morile_configurer(acting_user, "configure the MoRiLE matrix")
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
    save_with_history(scale, acting_user=acting_user, reason="Scale configured")
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
    require_morile_configurer(acting_user, "configure the MoRiLE matrix")
    matrix = MoRiLEMatrix.objects.select_for_update().get(pk=matrix.pk)
    if matrix.is_active:
        raise ValidationError(f"{matrix} is already the active matrix.")
    if set(matrix.scales.values_list("dimension", flat=True)) != set(MoRiLEDimension.values):
        raise ValidationError(f"{matrix} does not have a scale for every dimension.")
    for previous in MoRiLEMatrix.objects.select_for_update().filter(is_active=True):
        previous.is_active = False
        save_with_history(previous, acting_user=acting_user, reason=f"Replaced by {matrix.name}")
    matrix.is_active = True
    save_with_history(matrix, acting_user=acting_user, reason="Activated")
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=matrix,
        request=request,
        detail={"activated": True},
    )
    return matrix
