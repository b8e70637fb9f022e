import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.choices import AgencyKind


class PartnerAgencyQuerySet(models.QuerySet):
    def current(self, today: datetime.date | None = None) -> "PartnerAgencyQuerySet":
        """Agencies whose information sharing agreement is in force today (see `lapsed_reason`)."""
        today = today or timezone.localdate()
        return self.filter(
            is_active=True, agreement_starts_on__lte=today, agreement_review_on__gte=today
        )


class PartnerAgency(models.Model):
    """A partner agency (council, health, fire …) and its information sharing agreement.

    Its people are partner users linked through AgencyMembership, and each belongs to `group`,
    the auth group a release is granted to (django-guardian, partners.services.release_approve).
    Changes go through partners.services (agency_create / agency_update).
    """

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=AgencyKind.choices)
    units = models.ManyToManyField(
        "nim_portal.Unit",
        related_name="partner_agencies",
        help_text="The police units it works with: it may receive their releases.",
    )
    agreement_reference = models.CharField(
        "information sharing agreement reference", max_length=100
    )
    agreement_purpose = models.TextField("purpose of the agreement")
    agreement_starts_on = models.DateField("agreement start date")
    agreement_review_on = models.DateField(
        "agreement review date", help_text="After this date the agreement has lapsed."
    )
    is_active = models.BooleanField(default=True)
    group = models.OneToOneField(
        "auth.Group", on_delete=models.PROTECT, related_name="partner_agency", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerAgencyQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[units])

    class Meta:
        verbose_name_plural = "partner agencies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agreement_review_on__gte=models.F("agreement_starts_on")),
                name="partner_agency_review_after_start",
                violation_error_message="The review date must be on or after the start date.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def lapsed_reason(self, today: datetime.date | None = None) -> str:
        """Why the agency may receive no new release today, for its users and staff ("" if none)."""
        today = today or timezone.localdate()
        if not self.is_active:
            return f"{self.name} is no longer an active partner agency."
        if self.agreement_starts_on > today:
            return (
                f"The information sharing agreement of {self.name} starts on "
                f"{self.agreement_starts_on:%-d %B %Y}."
            )
        if self.agreement_review_on < today:
            return (
                f"The information sharing agreement of {self.name} lapsed on "
                f"{self.agreement_review_on:%-d %B %Y} and has not been renewed."
            )
        return ""

    @property
    def agency_lapsed(self) -> bool:
        return bool(self.lapsed_reason())


class AgencyMembership(models.Model):
    """A partner user's one agency. The user is in the agency's group while this row exists."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership"
    )
    agency = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="memberships")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "user__last_name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} — {self.agency}"
