from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ReviewComment(models.Model):
    """A reviewer's comment on the version under review, on the product or one of its sections."""

    product = models.ForeignKey(
        "products.Product", on_delete=models.CASCADE, related_name="review_comments"
    )
    section = models.ForeignKey(
        "products.Section",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_comments",
    )
    version_number = models.PositiveIntegerField(help_text="The version under review.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["product", "created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.product} v{self.version_number}"
