from django.conf import settings
from django.db import models

from nim_portal import access
from nim_portal.choices import GSCMarking
from nim_portal.models import RecordClassification


class ProductVersionQuerySet(models.QuerySet):
    def openable_by(self, user) -> "ProductVersionQuerySet":
        """Published versions `user` may open: of a product they may open (its title and summary
        within their vetting). Sections above their vetting are withheld (products.selectors)."""
        products = self.model._meta.get_field("product").related_model.objects
        return self.filter(product__in=products.openable_by(user).values("pk"))

    def visible_to(self, user) -> "ProductVersionQuerySet":
        """Published versions `user` may read whole: of a product they may open, and everything
        in the version (`marking`) within their vetting."""
        return self.openable_by(user).filter(access.within_ceiling(user))

    def update(self, **kwargs):
        raise TypeError("Published versions are immutable.")

    def delete(self):
        raise TypeError("Published versions are immutable.")


class ProductVersion(models.Model):
    """An immutable published version: the snapshot approved by the reviewer, and its SHA-256.

    `content` is the whole snapshot (metadata and every section); `sha256` is the digest of its
    canonical JSON (products.services.snapshot_digest), printed so a copy can be checked.
    """

    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    # Its title and summary are the product's, opened by the product's `envelope_marking`.
    marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices,
        help_text="The highest marking of anything in it: the product's marking when approved.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    standards_confirmed = models.JSONField(
        default=list,
        help_text=(
            "The standards (products.choices.ReviewStandard) its reviewer confirmed at approval; "
            "none for a version approved before the checklist."
        ),
    )

    objects = ProductVersionQuerySet.as_manager()

    class Meta:
        ordering = ["product", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "number"], name="product_version_unique_number"
            ),
            models.CheckConstraint(
                condition=~models.Q(author=models.F("reviewer")),
                name="product_version_reviewer_not_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Published versions are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Published versions are immutable.")

    def audit_classification(self) -> RecordClassification:
        """Who may read its name in the audit log (nim_portal.models.RecordClassification)."""
        return RecordClassification.of(self.product, marking=self.marking)
