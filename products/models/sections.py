from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal.choices import GSCMarking
from nim_portal.models import RecordClassification
from nim_portal.search import SearchVectorIndex


class Section(models.Model):
    """One ordered section of a product, with its own (portion) marking.

    `revision` counts saves: an editor sends back the revision they loaded, and a save over a
    newer revision is refused (products.services.section_update).
    """

    product = models.ForeignKey(
        "products.Product", on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    marking = models.PositiveSmallIntegerField(choices=GSCMarking.choices)
    releasable_to_partners = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Its title and text, kept by products.services (PostgreSQL only).
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["product", "position", "id"]
        indexes = [
            models.Index(fields=["product", "position"]),
            SearchVectorIndex(fields=["search_vector"], name="section_search_vector"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(marking__in=GSCMarking.values), name="section_marking_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def audit_classification(self) -> RecordClassification:
        """Who may read its name in the audit log (nim_portal.models.RecordClassification)."""
        return RecordClassification.of(self.product, marking=self.marking)
