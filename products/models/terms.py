from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal.choices import GSCMarking
from nim_portal.models import RecordClassification


class TermsOfReference(models.Model):
    """The terms agreed between the requester and the developer before drafting starts.

    Any change after agreement clears both agreements (products.services.tor_update); the earlier
    agreed terms stay in history.
    """

    product = models.OneToOneField(
        "products.Product", on_delete=models.CASCADE, related_name="terms"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    developer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.TextField(blank=True)
    questions = models.TextField("questions to answer", blank=True)
    scope = models.TextField("scope and parameters", blank=True)
    sources_and_methods = models.TextField(blank=True)
    deadline = models.DateField(null=True, blank=True)
    marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    distribution = models.TextField(blank=True)
    # A profile's review date drives its reminders and the TT&CG's "due for review" list until it
    # closes (products.services.profile_reviews).
    review_date = models.DateField(null=True, blank=True, db_index=True)
    review_reminded_for = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The review date its analyst and requester were last reminded of.",
    )

    agreed_by_requester_at = models.DateTimeField(null=True, blank=True)
    agreed_by_requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_by_developer_at = models.DateTimeField(null=True, blank=True)
    agreed_by_developer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    # The fields whose change after agreement calls for fresh agreement.
    EDITABLE_FIELDS = (
        "purpose",
        "questions",
        "scope",
        "sources_and_methods",
        "deadline",
        "marking",
        "distribution",
        "review_date",
    )

    class Meta:
        verbose_name = "terms of reference"
        verbose_name_plural = "terms of reference"

    def __str__(self) -> str:
        return f"Terms of reference: {self.product}"

    def audit_classification(self) -> RecordClassification:
        """Who may read its name in the audit log (nim_portal.models.RecordClassification)."""
        return RecordClassification.of(self.product, marking=self.marking)

    @property
    def is_agreed(self) -> bool:
        return self.agreed_by_requester_at is not None and self.agreed_by_developer_at is not None
