"""A unit's register of tactical capability and the hours committed from it.

A capability is available for a number of hours in each cycle of its unit's TT&CG (from one
sitting to the next): the period a TT&CG weighs the proposed activity against. A commitment is
hours of one capability in the cycle of one TT&CG: asked by a bid until the meeting accepts it,
committed to the action it becomes from then.

Every change goes through tasking.resources.services (and tasking.bids.services for the asks);
reads that depend on who is asking go through `Capability.objects.visible_to(user)`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal import access
from tasking.resources.choices import CapabilityKind, CapabilityStatus

__all__ = ["Capability", "CapabilityCommitment"]

# A cycle is at most a quarter (a region's TT&CG): about 2,200 working hours of a large team.
MAX_HOURS = 100_000


class CapabilityQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CapabilityQuerySet":
        """The capabilities of the units `user` holds a role in or above (police readers)."""
        if not access.is_police_reader(user):
            return self.none()
        return self.filter(access.in_units_covered(user))


class Capability(models.Model):
    """A team or specialist asset a unit can task, with the hours it has in each TT&CG cycle.

    `version` is raised on every change, so that a change sent over an older version is refused
    rather than overwriting somebody else's.
    """

    unit = models.ForeignKey(
        "nim_portal.Unit", on_delete=models.PROTECT, related_name="capabilities"
    )
    kind = models.CharField(max_length=16, choices=CapabilityKind.choices)
    name = models.CharField(max_length=200)
    hours_per_cycle = models.PositiveIntegerField(
        "hours available per TT&CG cycle",
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)],
        help_text="The hours it can give to tasked activity between one TT&CG and the next.",
    )
    status = models.CharField(
        max_length=8, choices=CapabilityStatus.choices, default=CapabilityStatus.ACTIVE
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change: detects concurrent edits."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    objects = CapabilityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "capabilities"
        ordering = ["unit", "status", "name", "pk"]
        indexes = [models.Index(fields=["unit", "status", "name"], name="capability_register")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="capability_unique_name",
                violation_error_message="The unit has a capability of that name already.",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_cycle__gte=1, hours_per_cycle__lte=MAX_HOURS),
                name="capability_hours_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CapabilityStatus.values),
                name="capability_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=CapabilityKind.values), name="capability_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    @property
    def is_active(self) -> bool:
        return self.status == CapabilityStatus.ACTIVE


class CapabilityCommitment(models.Model):
    """Hours of a capability in the cycle of a TT&CG: asked by a bid (`action` empty), or
    committed to an action."""

    capability = models.ForeignKey(Capability, on_delete=models.PROTECT, related_name="commitments")
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.PROTECT,
        related_name="capability_commitments",
        help_text="The TT&CG whose cycle the hours fall in.",
    )
    hours = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS)]
    )
    bid = models.OneToOneField(
        "Bid",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitment",
        help_text="The bid that asked for the hours.",
    )
    action = models.ForeignKey(
        "TacticalAction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capability_commitments",
        help_text="The action the hours are committed to (empty while a bid asks for them).",
    )
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "capability", "pk"]
        indexes = [
            # Committed against available: a cycle's hours of each capability.
            models.Index(fields=["meeting", "capability"], name="commitment_by_cycle"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bid__isnull=False) | models.Q(action__isnull=False),
                name="commitment_asked_or_committed",
                violation_error_message="Hours are asked by a bid or committed to an action.",
            ),
            models.CheckConstraint(
                condition=models.Q(action__isnull=True)
                | models.Q(committed_by__isnull=False, committed_at__isnull=False),
                name="commitment_committed_by_whom",
                violation_error_message="Committed hours record who committed them and when.",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gte=1, hours__lte=MAX_HOURS),
                name="commitment_hours_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours} h of {self.capability.name}"

    @property
    def is_committed(self) -> bool:
        return self.action_id is not None
