import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from nim_portal import access
from nim_portal.choices import GSCMarking
from nim_portal.models import RecordClassification
from partners.choices import (
    ENDED_STATUSES,
    NO_ONWARD_DISCLOSURE,
    RELEASE_MARKING_CHOICES,
    RELEASE_MARKINGS,
    RETENTION_MONTHS_MAX,
    RETENTION_MONTHS_MIN,
    DocumentStatus,
    ReleaseStatus,
)
from products.models import Product

VIEW_RELEASE = "partners.view_release"


class ReleaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReleaseQuerySet":
        """Police readers: the releases of products they may read, in any status. Partner users:
        the releases their agency received, once available to it; while live (available, not
        past expiry) also only with the agency group's `view_release` grant; ended ones stay
        listed so their readers learn what became of them. Drafts and renders never appear."""
        if access.is_police_reader(user):
            products = Product.objects.visible_to(user)
            return self.filter(version__product__in=products.values("pk"))
        if not access.is_active_partner(user):
            return self.none()
        today = timezone.localdate()
        live = models.Q(
            status=ReleaseStatus.AVAILABLE, expires_on__gte=today
        ) & access.holds_object_permission(user, VIEW_RELEASE, Release)
        # Past its expiry date but not yet swept (partners.tasks.expire_releases): shown as ended.
        ended = models.Q(status__in=ENDED_STATUSES) | models.Q(
            status=ReleaseStatus.AVAILABLE, expires_on__lt=today
        )
        to_users_agency = ReleaseRecipient.objects.filter(
            release=models.OuterRef("pk"), agency__memberships__user=user
        )
        return self.filter(models.Exists(to_users_agency), live | ended, available_at__isnull=False)


class Release(models.Model):
    """One published product version released, sanitised, to one or more partner agencies.

    What a partner receives is `partner_content` and nothing else: the allow-listed text of
    partners.sanitise.build_partner_text, frozen when the release is approved. Lifecycle and
    grants go through partners.services; reads through `Release.objects.visible_to(user)`.
    """

    reference = models.CharField(max_length=20, unique=True, help_text="e.g. REL-2026-0042")
    version = models.ForeignKey(
        "products.ProductVersion", on_delete=models.PROTECT, related_name="partner_releases"
    )
    section_ids = models.JSONField(default=list, help_text="Sections of the version released.")
    marking = models.PositiveSmallIntegerField(choices=RELEASE_MARKING_CHOICES)
    purpose = models.TextField(help_text="Why the partners receive it (handling condition).")
    retention_months = models.PositiveSmallIntegerField(
        validators=[
            MinValueValidator(RETENTION_MONTHS_MIN),
            MaxValueValidator(RETENTION_MONTHS_MAX),
        ],
        help_text="How long partners may keep it (handling condition).",
    )
    expires_on = models.DateField(help_text="No download after this date.")
    status = models.CharField(
        max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    agencies = models.ManyToManyField(
        "partners.PartnerAgency", through="partners.ReleaseRecipient", related_name="releases"
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(auto_now_add=True)
    acknowledged_warning_ids = models.JSONField(
        default=list, blank=True, help_text="Personal-data warnings the analyst acknowledged."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    partner_content = models.JSONField(
        null=True, blank=True, help_text="The sanitised partner text, frozen at approval."
    )
    available_at = models.DateTimeField(
        null=True, blank=True, help_text="When every agency's PDF was first ready."
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-prepared_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["-prepared_at", "-id"], name="release_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(marking__in=[m.value for m in RELEASE_MARKINGS]),
                name="release_marking_official_sensitive_at_most",
                violation_error_message="A partner release is OFFICIAL or OFFICIAL-SENSITIVE.",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ReleaseStatus.DRAFT)
                | models.Q(approved_at__isnull=True, status=ReleaseStatus.WITHDRAWN)
                | (
                    models.Q(approved_by__isnull=False, approved_at__isnull=False)
                    & models.Q(partner_content__isnull=False)
                ),
                name="release_approved_has_content",
                violation_error_message="An approved release has its approver and frozen text.",
            ),
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("prepared_by")),
                name="release_approver_not_preparer",
                violation_error_message="Nobody approves their own release.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReleaseStatus.WITHDRAWN)
                | (models.Q(withdrawn_at__isnull=False) & ~models.Q(withdrawn_reason="")),
                name="release_withdrawn_has_reason",
                violation_error_message="A withdrawn release has its date and reason.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def audit_classification(self) -> RecordClassification:
        """Classified as the product version it releases (its own marking is the sanitised
        text's), so that the log shows it only to those who may read the original."""
        return self.version.audit_classification()

    @property
    def marking_label(self) -> str:
        return GSCMarking(self.marking).label

    @property
    def handling_conditions(self) -> list[str]:
        """The conditions printed on the PDF and shown before a partner downloads it."""
        months = self.retention_months
        return [
            NO_ONWARD_DISCLOSURE,
            f"Purpose: {self.purpose}",
            f"Retention: delete within {months} month{'s' if months != 1 else ''} of receipt.",
            f"Downloads end on {self.expires_on:%-d %B %Y}.",
        ]


class ReleaseRecipient(models.Model):
    """An agency a release is for: the record of the sharing decision, kept after withdrawal."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="recipients")
    agency = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="release_recipients"
    )

    class Meta:
        ordering = ["release", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["release", "agency"], name="release_recipient_unique")
        ]

    def __str__(self) -> str:
        return f"{self.release} to {self.agency}"


def release_document_file_name(instance: "ReleaseDocument", filename: str) -> str:
    """A name nobody can guess: the PDF is served only through the audited download service."""
    return f"partner-releases/{secrets.token_urlsafe(32)}.pdf"


class RenderedPdf(models.Model):
    """A PDF of a release rendered by a job of the pipeline (nim_portal.jobs), which owns its
    attempts and retries: the record keeps what its readers see, pending, ready (with its file)
    or failed (with why)."""

    status = models.CharField(
        max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    file = models.FileField(upload_to=release_document_file_name, blank=True)
    sha256 = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    last_error = models.TextField(blank=True, help_text="Why its render failed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def ready_has_file(name: str, what: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=~models.Q(status=DocumentStatus.READY)
            | (~models.Q(file="") & ~models.Q(sha256="") & models.Q(rendered_at__isnull=False)),
            name=name,
            violation_error_message=f"A ready {what} has its file, checksum and date.",
        )


class ReleaseDocument(RenderedPdf):
    """The PDF of a release for one agency, watermarked with the agency and the reference: the
    render that makes the release available (each partner user downloads their own ReleaseCopy).
    """

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="documents")
    agency = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="release_documents"
    )

    class Meta:
        ordering = ["release", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "agency"], name="release_document_unique_agency"
            ),
            RenderedPdf.ready_has_file("release_document_ready_has_file", "document"),
        ]

    def __str__(self) -> str:
        return f"{self.release_id} for {self.agency_id}: {self.get_status_display()}"


class ReleaseCopy(RenderedPdf):
    """A partner user's own copy of a release: its PDF watermarked with their name and agency, so
    that a copy found elsewhere names who downloaded it. What their download serves.

    Rendered on their request (once they accept the handling conditions) by a job of the pipeline
    (partners.services.RELEASE_COPY_JOB), once: the download then reads the stored file and stays
    fast.
    """

    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="copies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="release_copies"
    )

    class Meta:
        ordering = ["release", "user"]
        constraints = [
            models.UniqueConstraint(fields=["release", "user"], name="release_copy_one_per_user"),
            RenderedPdf.ready_has_file("release_copy_ready_has_file", "copy"),
        ]

    def __str__(self) -> str:
        return f"{self.release_id} for user {self.user_id}: {self.get_status_display()}"


class HandlingAcknowledgement(models.Model):
    """A partner user accepted a release's handling conditions (once, before downloading)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("partners.PartnerAgency", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "user"], name="handling_acknowledgement_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted the conditions of {self.release_id}"
