"""The authority a covert action or a covert collection item is done under: its type, reference,
authorising officer and the necessity and proportionality of the activity.

An authority is read only through its record (`TacticalAction.authority`,
`IntelligenceRequirementItem.authority`), so whoever may not read the action or the item never
reads its authority; the note is never given to partners. Recorded by
tasking.safeguards.services with the record it belongs to, never on its own.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal.models import RecordClassification
from tasking.safeguards.choices import AuthorityType

__all__ = ["Authority"]

REFERENCE_MAX_LENGTH = 64
OFFICER_MAX_LENGTH = 200


class Authority(models.Model):
    """The authority of one covert action or one covert collection item (never both)."""

    action = models.OneToOneField(
        "TacticalAction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authority",
    )
    requirement_item = models.OneToOneField(
        "IntelligenceRequirementItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="authority",
    )
    authority_type = models.CharField(max_length=16, choices=AuthorityType.choices)
    reference = models.CharField(max_length=REFERENCE_MAX_LENGTH)
    authorising_officer = models.CharField(max_length=OFFICER_MAX_LENGTH)
    necessity_and_proportionality = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "authorities"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(action__isnull=False) & models.Q(requirement_item__isnull=True))
                | (models.Q(action__isnull=True) & models.Q(requirement_item__isnull=False)),
                name="authority_of_one_record",
                violation_error_message="An authority belongs to one action or one item.",
            ),
            models.CheckConstraint(
                condition=models.Q(authority_type__in=AuthorityType.values),
                name="authority_type_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(reference="")
                & ~models.Q(authorising_officer="")
                & ~models.Q(necessity_and_proportionality=""),
                name="authority_complete",
                violation_error_message=(
                    "An authority records its reference, authorising officer and the necessity "
                    "and proportionality of the activity."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_authority_type_display()} {self.reference}"

    def audit_classification(self) -> RecordClassification:
        """Classified as the record it authorises."""
        return RecordClassification.of(self.action or self.requirement_item)
