"""What a meeting does at its table: decisions, the frozen minutes, the profiles it commissions and
the issues it escalates to the T&CG above.

Every change goes through tasking.proceedings.services (chair only, history reason, audit).
"""

import secrets

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal.choices import GSCMarking
from nim_portal.models import RecordClassification
from tasking.proceedings.choices import CommissionKind, EscalationStatus, MinutesPrintStatus

__all__ = ["Commission", "Decision", "Escalation", "MinutesPrint", "MinutesVersion"]


class Decision(models.Model):
    """A decision the chair records at a meeting, under one of its agenda items."""

    meeting = models.ForeignKey("Meeting", on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        "AgendaItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    text = models.TextField()
    marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL
    )
    escalation = models.ForeignKey(
        "Escalation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        help_text="The escalation this decision adopted or returned.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(marking__in=GSCMarking.values), name="decision_marking_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Decision at {self.meeting}"

    def audit_classification(self) -> RecordClassification:
        """Who may read its name in the audit log (nim_portal.models.RecordClassification)."""
        return RecordClassification(self.marking, self.meeting.unit_id)

    @property
    def marking_label(self) -> str:
        return GSCMarking(self.marking).label


def minutes_file_name(instance: "MinutesVersion", filename: str) -> str:
    """A name nobody can guess: the PDF is served only through the audited download."""
    return f"meeting-minutes/{secrets.token_urlsafe(32)}.pdf"


class MinutesPdf(models.Model):
    """A PDF of frozen minutes rendered by a job of the pipeline (nim_portal.jobs), which owns its
    attempts and retries: the record keeps what its readers see, pending, ready (with its file
    and date) or failed (with why)."""

    pdf_status = models.CharField(
        max_length=16, choices=MinutesPrintStatus.choices, default=MinutesPrintStatus.PENDING
    )
    pdf = models.FileField(upload_to=minutes_file_name, blank=True)
    pdf_sha256 = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    pdf_error = models.TextField(blank=True, help_text="Why printing it failed.")
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def ready_has_pdf(name: str, message: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=~models.Q(pdf_status=MinutesPrintStatus.READY)
            | (~models.Q(pdf="") & models.Q(pdf_rendered_at__isnull=False)),
            name=name,
            violation_error_message=message,
        )

    @property
    def pdf_ready(self) -> bool:
        return self.pdf_status == MinutesPrintStatus.READY


class MinutesVersion(MinutesPdf):
    """The minutes as frozen when the meeting closed: a snapshot (text, attendance, decisions,
    commissions, escalations, actions) that never changes, and its printed PDF."""

    meeting = models.ForeignKey(
        "Meeting", on_delete=models.PROTECT, related_name="minutes_versions"
    )
    number = models.PositiveIntegerField(help_text="The meeting's minutes version when frozen.")
    marking = models.PositiveSmallIntegerField(choices=GSCMarking.choices)
    content = models.JSONField(help_text="The snapshot printed in the PDF.")
    sha256 = models.CharField("SHA-256 of the snapshot", max_length=64)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    frozen_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="minutes_version_unique"),
            MinutesPdf.ready_has_pdf(
                "minutes_version_ready_has_pdf", "Ready minutes have their PDF and its date."
            ),
        ]

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}, version {self.number}"

    def audit_classification(self) -> RecordClassification:
        """Who may read its name in the audit log (nim_portal.models.RecordClassification)."""
        return RecordClassification(self.marking, self.meeting.unit_id)

    @property
    def marking_label(self) -> str:
        return GSCMarking(self.marking).label


class MinutesPrint(MinutesPdf):
    """The PDF of frozen minutes for readers vetted below their marking: every part marked above
    `ceiling` printed as "Withheld" and its marking only, so that a reader is never handed a file
    holding text above their vetting. Rendered once by a job (MINUTES_READER_PDF_JOB) when a
    reader of that ceiling first asks; readers cleared for the whole minutes get the version's
    own PDF."""

    version = models.ForeignKey("MinutesVersion", on_delete=models.PROTECT, related_name="prints")
    ceiling = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices, help_text="The highest marking printed: its readers' vetting."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "ceiling"], name="minutes_print_one_per_ceiling"
            ),
            MinutesPdf.ready_has_pdf(
                "minutes_print_ready_has_pdf", "A ready print has its PDF and its date."
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} printed to {self.get_ceiling_display()}"

    def audit_classification(self) -> RecordClassification:
        return RecordClassification(self.ceiling, self.version.meeting.unit_id)

    @property
    def number(self) -> int:
        """The frozen minutes' version number (the download is named by it)."""
        return self.version.number


class Commission(models.Model):
    """A profile a meeting commissioned: later meetings of the unit follow its progress."""

    meeting = models.ForeignKey("Meeting", on_delete=models.PROTECT, related_name="commissions")
    agenda_item = models.ForeignKey(
        "AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=CommissionKind.choices)
    product = models.OneToOneField(
        "products.Product", on_delete=models.PROTECT, related_name="tasking_commission"
    )
    commissioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    commissioned_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-commissioned_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} commissioned at {self.meeting}"


class Escalation(models.Model):
    """An issue a unit's T&CG passes to the T&CG of the unit above, and how that T&CG decided.

    The decision is kept here for both sides to read, and recorded as a decision of the
    receiving meeting; `owner_unit` is who owns the threat after the decision.
    """

    from_unit = models.ForeignKey(
        "nim_portal.Unit", on_delete=models.PROTECT, related_name="escalations_raised"
    )
    from_meeting = models.ForeignKey(
        "Meeting", on_delete=models.PROTECT, related_name="escalations_raised"
    )
    agenda_item = models.ForeignKey(
        "AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_unit = models.ForeignKey(
        "nim_portal.Unit", on_delete=models.PROTECT, related_name="escalations_received"
    )
    receiving_meeting = models.ForeignKey(
        "Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations_received",
        help_text="The T&CG of the unit above that triages it.",
    )
    title = models.CharField(max_length=200)
    reason = models.TextField(help_text="Why it is beyond the unit's own resources.")
    marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    status = models.CharField(
        max_length=16, choices=EscalationStatus.choices, default=EscalationStatus.RAISED
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    decision_text = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    owner_unit = models.ForeignKey(
        "nim_portal.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who owns the threat after the decision.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["to_unit", "status"]),
            models.Index(fields=["from_unit", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EscalationStatus.values),
                name="escalation_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=EscalationStatus.RAISED)
                | (
                    ~models.Q(decision_text="")
                    & models.Q(decided_by__isnull=False, decided_at__isnull=False)
                    & models.Q(owner_unit__isnull=False)
                ),
                name="escalation_decision_recorded",
                violation_error_message="A decided escalation has its decision, who and when.",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_unit=models.F("to_unit")),
                name="escalation_goes_up",
                violation_error_message="An escalation goes to the unit above.",
            ),
            models.CheckConstraint(
                condition=models.Q(marking__in=GSCMarking.values),
                name="escalation_marking_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.from_unit} to {self.to_unit})"

    def audit_classification(self) -> RecordClassification:
        """Who may read its name in the audit log (nim_portal.models.RecordClassification)."""
        return RecordClassification(self.marking, self.from_unit_id)

    @property
    def marking_label(self) -> str:
        return GSCMarking(self.marking).label

    @property
    def is_open(self) -> bool:
        return self.status == EscalationStatus.RAISED
