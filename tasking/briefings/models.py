"""Patrol briefings: for a unit and a shift, the live taskings (open actions on its log), the
people of interest (its subject profiles) and the current tactical assessment (its hotspots).

A briefing holds references, never text: who reads what of it is decided at each read by the
access policy (tasking.briefings.selectors), so a reader is never shown an action, a profile or a
section they may not read, and a grant withdrawn since the briefing was generated counts at once.
Every change goes through tasking.briefings.services.
"""

import secrets

from django.conf import settings
from django.db import models

from nim_portal import access
from tasking.briefings.choices import BriefingPrintStatus, Shift

__all__ = ["Briefing", "BriefingPrint"]


def briefing_file_name(instance: "BriefingPrint", filename: str) -> str:
    """A name nobody can guess: the PDF is served only through the audited download."""
    return f"patrol-briefings/{secrets.token_urlsafe(32)}.pdf"


class BriefingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BriefingQuerySet":
        """The briefings `user` may open: police readers holding any role over the briefing's
        unit (a role covers the units below). Partners never. What each reader is shown of it
        is filtered again, item by item (tasking.briefings.selectors)."""
        if not access.is_police_reader(user):
            return self.none()
        return self.filter(access.in_units_covered(user))


class Briefing(models.Model):
    """The briefing of one unit for one shift on one date, generated from what was live then."""

    unit = models.ForeignKey("nim_portal.Unit", on_delete=models.PROTECT, related_name="+")
    shift = models.CharField(max_length=8, choices=Shift.choices)
    shift_date = models.DateField("date of the shift")
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The last briefing of the same unit and shift before this one: what changed.",
    )
    actions = models.ManyToManyField(
        "TacticalAction", related_name="+", help_text="The unit's open actions (live taskings)."
    )
    people_of_interest = models.ManyToManyField(
        "products.Product", related_name="+", help_text="The unit's open subject profiles."
    )
    tactical_assessment = models.ForeignKey(
        "products.ProductVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The unit's current tactical assessment (its published version) for hotspots.",
    )
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField(auto_now_add=True)

    objects = BriefingQuerySet.as_manager()

    class Meta:
        ordering = ["-shift_date", "unit", "shift", "-pk"]
        indexes = [
            # A unit's briefings newest first, and the previous one of a shift.
            models.Index(fields=["unit", "-shift_date", "shift"], name="briefing_unit_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "shift", "shift_date"],
                name="briefing_one_per_unit_shift",
                violation_error_message="This shift of the unit already has its briefing.",
            ),
            models.CheckConstraint(
                condition=models.Q(shift__in=Shift.values), name="briefing_shift_valid"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.unit} {self.get_shift_display().lower()} briefing, {self.shift_date:%d %b %Y}"
        )

    @property
    def title(self) -> str:
        return f"{self.get_shift_display()} briefing, {self.unit.name}"


class BriefingPrint(models.Model):
    """One reader's PDF of a briefing, rendered by a job with only what that reader may read.

    `content_digest` is the digest of what the reader was shown when it was rendered: a reader
    whose readership has changed since (a grant given or withdrawn, a new vetting) gets a new
    render, never the old file.
    """

    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="prints")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=8, choices=BriefingPrintStatus.choices, default=BriefingPrintStatus.PENDING
    )
    file = models.FileField(upload_to=briefing_file_name, blank=True)
    sha256 = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    content_digest = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "reader"], name="briefing_print_per_reader"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=BriefingPrintStatus.values),
                name="briefing_print_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.briefing} printed for {self.reader}"
