import secrets

from django.db import models

from nim_portal.choices import GSCMarking
from nim_portal.models import RecordClassification


class PrintStatus(models.TextChoices):
    """Where the printed PDF of a published version stands."""

    PENDING = "pending", "Being printed"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def print_file_name(instance: "ProductVersionPrint", filename: str) -> str:
    """A name nobody can guess: the PDF is served only through the audited print view."""
    return f"product-prints/{secrets.token_urlsafe(32)}.pdf"


class ProductVersionPrint(models.Model):
    """The printed PDF of one published version for readers vetted to one marking, rendered once
    in the background and kept.

    A published version never changes, so neither does its print for a ceiling: rendered once
    (the job products.services.VERSION_PRINT_JOB), then every download by a reader of that
    ceiling serves the stored file. It holds no section marked above `ceiling` (each shows as
    withheld), so that a reader is never handed a file with text above their vetting.
    `sha256` is the digest of the PDF's bytes; the document's own SHA-256 (of the snapshot) is
    printed inside it.
    """

    version = models.ForeignKey(
        "products.ProductVersion", on_delete=models.PROTECT, related_name="prints"
    )
    ceiling = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices,
        help_text=(
            "The highest marking printed: its readers' vetting, or the version's own marking "
            "when that is lower (products.services.prints.print_ceiling)."
        ),
    )
    status = models.CharField(
        max_length=16, choices=PrintStatus.choices, default=PrintStatus.PENDING
    )
    file = models.FileField(upload_to=print_file_name, blank=True)
    sha256 = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    error = models.TextField(blank=True, help_text="Why printing it failed.")
    requested_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "printed product version"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "ceiling"], name="product_version_print_one_per_ceiling"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PrintStatus.READY)
                | (~models.Q(file="") & models.Q(rendered_at__isnull=False)),
                name="product_version_print_ready_has_file",
                violation_error_message="A ready print has its file and its date.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Print of {self.version_id} to {self.get_ceiling_display()}: "
            f"{self.get_status_display()}"
        )

    def audit_classification(self) -> RecordClassification:
        """The print of a version is read as the version is."""
        return self.version.audit_classification()

    @property
    def is_in_progress(self) -> bool:
        return self.status == PrintStatus.PENDING

    @property
    def is_ready(self) -> bool:
        return self.status == PrintStatus.READY

    @property
    def has_failed(self) -> bool:
        return self.status == PrintStatus.FAILED
