"""Partner information submitted against the published intelligence requirement, its conversation
with the triage staff, its attachments and its 3x5x2 grading.

The grading is a row of its own, so that nothing a partner reads can carry it by accident. Every
change goes through tasking.submissions.services; reads through tasking.submissions.selectors.
"""

import secrets

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal.models import RecordClassification
from tasking.submissions.choices import (
    EntryKind,
    HandlingCode,
    IntelligenceAssessment,
    SourceEvaluation,
    SourceType,
    SubmissionStatus,
)

__all__ = ["PartnerSubmission", "SubmissionAttachment", "SubmissionEntry", "SubmissionGrading"]


class PartnerSubmission(models.Model):
    """Information a partner agency gives against one item of a published intelligence
    requirement: what, when, where and from what kind of source."""

    item = models.ForeignKey(
        "tasking.IntelligenceRequirementItem",
        on_delete=models.PROTECT,
        related_name="partner_submissions",
    )
    agency = models.ForeignKey(
        "partners.PartnerAgency", on_delete=models.PROTECT, related_name="tasking_submissions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner_submissions"
    )
    what = models.TextField(help_text="What was seen, heard or recorded.")
    occurred_on = models.DateField(help_text="The day it happened, or the first day of a period.")
    occurred_time = models.TimeField(null=True, blank=True)
    occurred_until = models.DateField(
        null=True, blank=True, help_text="The last day, when it happened over a period."
    )
    where = models.CharField(max_length=300)
    source_type = models.CharField(max_length=16, choices=SourceType.choices)
    status = models.CharField(
        max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.AWAITING_TRIAGE
    )
    accepted_priority = models.ForeignKey(
        "tasking.Priority",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_submissions",
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(
        default=1, help_text="Raised by every change: a triage decision on a stale page is refused."
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "submitted_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occurred_until__isnull=True)
                | models.Q(occurred_until__gte=models.F("occurred_on")),
                name="partner_submission_period_ordered",
                violation_error_message="A period must end on or after the day it starts.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SubmissionStatus.ACCEPTED)
                | models.Q(accepted_priority__isnull=False),
                name="partner_submission_accepted_into_priority",
                violation_error_message="Accepted information belongs to a priority.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SubmissionStatus.values),
                name="partner_submission_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def audit_classification(self) -> RecordClassification:
        """Classified as the requirement item it answers."""
        return self.item.audit_classification()

    @property
    def reference(self) -> str:
        """How the partner and the staff name it, e.g. "PI-00042"."""
        return f"PI-{self.pk:05d}"


class SubmissionEntry(models.Model):
    """One step of the conversation on a submission: a request for more, a follow-up, the
    decision. Every entry is for the partner to read."""

    submission = models.ForeignKey(
        PartnerSubmission, on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    text = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["submission", "at", "id"]
        verbose_name_plural = "submission entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.submission}"


def submission_attachment_file_name(instance: "SubmissionAttachment", filename: str) -> str:
    """A name nobody can guess and no extension to act on: files are read only through the
    audited staff download, never served from MEDIA_URL."""
    return f"partner-submissions/{secrets.token_urlsafe(32)}"


class SubmissionAttachment(models.Model):
    """A file a partner attached to a submission or a follow-up, checked by extension and by
    its content's signature (tasking.submissions.attachments.attachment_check)."""

    submission = models.ForeignKey(
        PartnerSubmission, on_delete=models.CASCADE, related_name="attachments"
    )
    entry = models.ForeignKey(
        SubmissionEntry,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        help_text="The follow-up it came with (none: with the submission itself).",
    )
    file = models.FileField(upload_to=submission_attachment_file_name)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SubmissionGrading(models.Model):
    """The 3x5x2 grading of a submission by the triage staff. Never shown to any partner."""

    submission = models.OneToOneField(
        PartnerSubmission, on_delete=models.CASCADE, related_name="grading"
    )
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    intelligence_assessment = models.CharField(max_length=1, choices=IntelligenceAssessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    handling_conditions = models.TextField(
        blank=True, help_text="The conditions on sharing, with handling code C."
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    graded_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(handling_code=HandlingCode.CONDITIONS)
                | ~models.Q(handling_conditions=""),
                name="submission_grading_conditions_stated",
                violation_error_message="Handling code C needs its conditions.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_evaluation}{self.intelligence_assessment}{self.handling_code}"

    @property
    def code(self) -> str:
        """The grading as written on the record, e.g. "2B P"."""
        return f"{self.source_evaluation}{self.intelligence_assessment} {self.handling_code}"
