from django.conf import settings
from django.db import models

from nim_portal.models import RecordClassification
from products.choices import FeedbackUsefulness


class ProductFeedback(models.Model):
    """A reader's feedback on a published version: how useful it was and what they did with it.

    Given by those who may read the product (products.policy.require_give_feedback), once per
    version; read by its author and approvers (products.selectors.feedback_for).
    """

    product = models.ForeignKey(
        "products.Product", on_delete=models.CASCADE, related_name="feedback"
    )
    version_number = models.PositiveIntegerField(help_text="The published version it is about.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    usefulness = models.CharField(max_length=16, choices=FeedbackUsefulness.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["product", "-created_at", "-id"]
        verbose_name_plural = "product feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version_number", "author"],
                name="product_feedback_once_per_reader_and_version",
            )
        ]

    def __str__(self) -> str:
        return f"Feedback by {self.author} on {self.product} v{self.version_number}"

    def audit_classification(self) -> RecordClassification:
        """Who may read its name in the audit log (nim_portal.models.RecordClassification)."""
        return RecordClassification.of(self.product)
