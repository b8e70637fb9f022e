"""The control strategy: its MoRiLE scoring matrix, ranked priorities and intelligence requirement.

Every change goes through tasking.strategy.services (permission, lifecycle, history reason,
audit); reads that depend on who is asking go through tasking.strategy.selectors.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal import access
from nim_portal.choices import GSCMarking, Role
from nim_portal.models import RecordClassification
from nim_portal.search import SearchVectorIndex
from tasking.strategy.choices import (
    ControlStrategyStatus,
    EvaluationOutcome,
    MoRiLEDimension,
    RequirementItemStatus,
    RequirementLinkRole,
)

__all__ = [
    "ControlStrategy",
    "DimensionScale",
    "IntelligenceRequirement",
    "IntelligenceRequirementItem",
    "MoRiLEMatrix",
    "MoRiLEScale",
    "Priority",
    "PriorityEvaluation",
    "RequirementItemProduct",
]


@dataclass(frozen=True)
class DimensionScale:
    """One dimension of a matrix as plain data, for the pure scoring function."""

    dimension: str
    weight: int
    minimum: int
    maximum: int


class MoRiLEMatrix(models.Model):
    """A configurable MoRiLE-style scoring matrix: one scale and weight per dimension.

    One matrix is active per deployment (scores are comparable across units and levels); a control
    strategy keeps the matrix it was drafted with, so that changing the active matrix never
    changes the meaning of scores already given. A matrix in use by a strategy no longer changes.
    """

    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "MoRiLE matrix"
        verbose_name_plural = "MoRiLE matrices"
        ordering = ["-is_active", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="morile_matrix_one_active",
                violation_error_message="Only one MoRiLE matrix is active at a time.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def scales_as_data(self) -> list[DimensionScale]:
        """Every dimension of the matrix as plain data (uses prefetched scales when present)."""
        return [
            DimensionScale(s.dimension, s.weight, s.minimum, s.maximum) for s in self.scales.all()
        ]


class MoRiLEScale(models.Model):
    """One dimension of a matrix: its weight within its group and its scale with a label a point."""

    matrix = models.ForeignKey(MoRiLEMatrix, on_delete=models.CASCADE, related_name="scales")
    dimension = models.CharField(max_length=24, choices=MoRiLEDimension.choices)
    weight = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="The dimension's share within its group (harm, organisational position).",
    )
    minimum = models.SmallIntegerField(default=0)
    maximum = models.SmallIntegerField(default=4)
    labels = models.JSONField(help_text="One label for each point, from the minimum up.")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "MoRiLE scale"
        ordering = ["matrix", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["matrix", "dimension"], name="morile_scale_unique_dimension"
            ),
            models.CheckConstraint(
                condition=models.Q(maximum__gt=models.F("minimum")),
                name="morile_scale_ordered",
                violation_error_message="A scale's maximum must be above its minimum.",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=10),
                name="morile_scale_weight_range",
                violation_error_message="A weight is from 1 to 10.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matrix}: {self.get_dimension_display()}"

    def clean(self) -> None:
        labels = self.labels
        if not isinstance(labels, list) or not all(
            isinstance(label, str) and label.strip() for label in labels
        ):
            raise ValidationError({"labels": "Give a label for each point of the scale."})
        if self.maximum > self.minimum and len(labels) != self.maximum - self.minimum + 1:
            raise ValidationError(
                {
                    "labels": f"A scale from {self.minimum} to {self.maximum} needs "
                    f"{self.maximum - self.minimum + 1} labels, not {len(labels)}."
                }
            )

    def label_for(self, value: int) -> str:
        return self.labels[value - self.minimum]


class ControlStrategyQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ControlStrategyQuerySet":
        """Control strategies `user` may read, never above their vetting: an approved or
        superseded one by everyone holding a role in its unit's line of the tree (its unit, above
        it or below it: it directs all staff of the unit and below, and a BCU works under its
        force's strategy); a draft only by its drafter and the chairs over its unit."""
        if not access.is_police_reader(user):
            return self.none()
        draft = models.Q(status=ControlStrategyStatus.DRAFT)
        return self.filter(
            (~draft & access.in_units_in_line(user))
            | (
                draft
                & (models.Q(drafted_by=user) | access.in_units_covered(user, roles=Role.CHAIR))
            ),
            access.within_ceiling(user),
        )


class ControlStrategy(models.Model):
    """The set of priorities an ST&CG sets for its unit and period, informed by a published
    strategic assessment version of the unit or a unit above it.

    Draft → approved → superseded: approving a new strategy supersedes the unit's approved one
    (at most one approved strategy per unit); superseded strategies stay readable.
    """

    unit = models.ForeignKey(
        "nim_portal.Unit", on_delete=models.PROTECT, related_name="control_strategies"
    )
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    informed_by = models.ForeignKey(
        "products.ProductVersion",
        on_delete=models.PROTECT,
        related_name="control_strategies",
        help_text="The published strategic assessment version it rests on.",
    )
    matrix = models.ForeignKey(
        MoRiLEMatrix, on_delete=models.PROTECT, related_name="control_strategies"
    )
    marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    status = models.CharField(
        max_length=16, choices=ControlStrategyStatus.choices, default=ControlStrategyStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_at_sitting = models.ForeignKey(
        "Meeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="control_strategies_approved",
        help_text="The ST&CG sitting that approved it.",
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Its title and its priorities' text, kept by tasking.strategy.services (PostgreSQL only).
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector"])

    objects = ControlStrategyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "control strategies"
        ordering = ["unit__path", "-period_start", "-pk"]
        indexes = [
            models.Index(fields=["unit", "status", "period_start", "period_end"]),
            SearchVectorIndex(fields=["search_vector"], name="control_strategy_search_vector"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="control_strategy_period_ordered",
                violation_error_message="The period must end on or after its start.",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status=ControlStrategyStatus.APPROVED),
                name="control_strategy_one_approved_per_unit",
                violation_error_message="A unit has one approved control strategy at a time.",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ControlStrategyStatus.DRAFT)
                | models.Q(approved_by__isnull=False, approved_at__isnull=False),
                name="control_strategy_approval_recorded",
            ),
            models.CheckConstraint(
                condition=models.Q(marking__in=GSCMarking.values),
                name="control_strategy_marking_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_start:%b %Y} to {self.period_end:%b %Y})"

    @property
    def is_draft(self) -> bool:
        return self.status == ControlStrategyStatus.DRAFT


class PriorityQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PriorityQuerySet":
        """The priorities of every control strategy `user` may read."""
        strategies = ControlStrategy.objects.visible_to(user)
        return self.filter(control_strategy__in=strategies.values("pk"))


class Priority(models.Model):
    """A ranked priority of a control strategy, scored on its matrix.

    `score_rank` orders the scored priorities by score (ties: the earlier-added first); `rank` is
    the strategy's order after the chair's overrides (`override_rank`, always with its reason).
    """

    control_strategy = models.ForeignKey(
        ControlStrategy, on_delete=models.CASCADE, related_name="priorities"
    )
    theme = models.CharField(max_length=200, help_text="e.g. County lines drug supply.")
    rationale = models.TextField(help_text="Why, from the strategic assessment.")
    objective_intelligence = models.TextField("intelligence objective", blank=True)
    objective_prevention = models.TextField("prevention objective", blank=True)
    objective_enforcement = models.TextField("enforcement objective", blank=True)
    objective_reassurance = models.TextField("reassurance objective", blank=True)
    organised_crime = models.BooleanField(
        default=False, help_text="Planned with the 4P approach (pursue, prepare, protect, prevent)."
    )
    plan_pursue = models.TextField("pursue", blank=True)
    plan_prepare = models.TextField("prepare", blank=True)
    plan_protect = models.TextField("protect", blank=True)
    plan_prevent = models.TextField("prevent", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="priorities_owned"
    )
    scores = models.JSONField(
        default=dict, blank=True, help_text="The MoRiLE score of each dimension of the matrix."
    )
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    override_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = PriorityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "priorities"
        ordering = ["control_strategy", models.F("rank").asc(nulls_last=True), "pk"]
        indexes = [
            # Action lists join each action's priority to its strategy (whose marking the
            # reader must be cleared for): from this index alone, not every priority's text.
            models.Index(fields=["id", "control_strategy"], name="priority_strategy_of_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["control_strategy", "override_rank"],
                condition=models.Q(override_rank__isnull=False),
                name="priority_unique_override_rank",
                violation_error_message="Another priority already holds that rank by override.",
            ),
            models.CheckConstraint(
                condition=models.Q(override_rank__isnull=True) | ~models.Q(override_reason=""),
                name="priority_override_has_reason",
                violation_error_message="An overridden rank needs its reason.",
            ),
        ]

    def __str__(self) -> str:
        return self.theme

    def audit_classification(self) -> RecordClassification:
        """Who may read its name in the audit log (nim_portal.models.RecordClassification)."""
        return RecordClassification.of(self.control_strategy)


class IntelligenceRequirement(models.Model):
    """The intelligence requirement of a control strategy, approved by the ST&CG.

    Its items are a living list between ST&CGs: added, reviewed and closed with a note.
    """

    control_strategy = models.OneToOneField(
        ControlStrategy, on_delete=models.CASCADE, related_name="intelligence_requirement"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_at_sitting = models.ForeignKey(
        "Meeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requirements_approved",
        help_text="The ST&CG sitting that approved it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_at__isnull=True) | models.Q(approved_by__isnull=False),
                name="intelligence_requirement_approval_recorded",
            )
        ]

    def __str__(self) -> str:
        return f"Intelligence requirement: {self.control_strategy}"

    def audit_classification(self) -> RecordClassification:
        """Who may read its name in the audit log (nim_portal.models.RecordClassification)."""
        return RecordClassification.of(self.control_strategy)

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class IntelligenceRequirementItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> "IntelligenceRequirementItemQuerySet":
        """Items of a strategy `user` may read whose requirement the ST&CG approved (it directs
        all staff), and, before approval, those the user owns or may change as a chair over the
        strategy's unit."""
        strategies = ControlStrategy.objects.visible_to(user)
        chair_over_unit = access.in_units_covered(
            user, "requirement__control_strategy__unit", roles=Role.CHAIR
        )
        return self.filter(
            models.Q(requirement__approved_at__isnull=False)
            | models.Q(owner=user)
            | chair_over_unit,
            requirement__control_strategy__in=strategies.values("pk"),
        )


class IntelligenceRequirementItem(models.Model):
    """A question or intelligence gap of a priority: sources to task, owner and review date."""

    requirement = models.ForeignKey(
        IntelligenceRequirement, on_delete=models.CASCADE, related_name="items"
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="requirement_items"
    )
    question = models.TextField(help_text="The question or intelligence gap to fill.")
    sources_to_task = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requirement_items_owned"
    )
    review_date = models.DateField()
    open_to_partners = models.BooleanField(
        default=False,
        help_text="Partners of agencies working with the unit may submit information against it.",
    )
    status = models.CharField(
        max_length=8, choices=RequirementItemStatus.choices, default=RequirementItemStatus.OPEN
    )
    closing_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = IntelligenceRequirementItemQuerySet.as_manager()

    class Meta:
        ordering = ["requirement", "priority__rank", "review_date", "pk"]
        indexes = [models.Index(fields=["requirement", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=RequirementItemStatus.OPEN)
                | (
                    ~models.Q(closing_note="")
                    & models.Q(closed_by__isnull=False, closed_at__isnull=False)
                ),
                name="requirement_item_closed_with_note",
                violation_error_message="A closed item needs its closing note.",
            )
        ]

    def __str__(self) -> str:
        return self.question[:80]

    @property
    def is_covert(self) -> bool:
        """A covert collection item carries its authority (tasking.safeguards)."""
        return hasattr(self, "authority")

    def audit_classification(self) -> RecordClassification:
        """Classified as the control strategy of its requirement."""
        return self.requirement.audit_classification()


class RequirementItemProduct(models.Model):
    """A product linked to a requirement item (issue 14, point 4): an assessment or profile whose
    intelligence gaps the item answers, or a product that answers it. Linked and unlinked through
    tasking.strategy.requirement, only by who may read the product; shown only to its readers."""

    item = models.ForeignKey(
        IntelligenceRequirementItem, on_delete=models.CASCADE, related_name="product_links"
    )
    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="requirement_item_links"
    )
    role = models.CharField(max_length=16, choices=RequirementLinkRole.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "product", "role"],
                name="requirement_item_product_unique",
                violation_error_message="The product is already linked to the item that way.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=RequirementLinkRole.values),
                name="requirement_item_product_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.product_id} / {self.item_id}"

    def audit_classification(self) -> RecordClassification:
        """Classified as the control strategy of its item's requirement."""
        return self.item.audit_classification()


class PriorityEvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PriorityEvaluationQuerySet":
        """The evaluations of every priority `user` may read (its strategy's readers)."""
        return self.filter(priority__in=Priority.objects.visible_to(user).values("pk"))


class PriorityEvaluation(models.Model):
    """The ST&CG's evaluation of a priority at the end of its period (issue 14, point 9): the
    activity against it, its results and the measure of them, recorded at a sitting of the
    strategy's unit's ST&CG (tasking.proceedings.evaluation). Marked as its strategy."""

    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="evaluations")
    sitting = models.ForeignKey(
        "Meeting", on_delete=models.PROTECT, related_name="priority_evaluations"
    )
    activity = models.TextField(help_text="What was done against the priority in the period.")
    results = models.TextField(help_text="What it achieved.")
    outcome = models.CharField(max_length=12, choices=EvaluationOutcome.choices)
    measures = models.TextField(blank=True, help_text="The measures the judgement rests on.")
    actions_raised = models.PositiveIntegerField(
        default=0, help_text="Actions raised against the priority, counted when recorded."
    )
    actions_closed = models.PositiveIntegerField(
        default=0, help_text="Of them, closed with their outcome."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = PriorityEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "sitting"],
                name="priority_evaluation_once_a_sitting",
                violation_error_message="The priority is already evaluated at this sitting.",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=EvaluationOutcome.values),
                name="priority_evaluation_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.priority}"

    def audit_classification(self) -> RecordClassification:
        """Classified as its priority's control strategy."""
        return self.priority.audit_classification()
