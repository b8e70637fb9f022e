from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from nim_portal.choices import NO_CLEARANCE, GSCMarking, Role, UserKind, VettingLevel

# Where a user object keeps the vetting table's ceiling for its level once read.
VETTING_TABLE_CEILING = "vetting_table_ceiling_value"


class User(AbstractUser):
    """Everyone who signs in: police officers and staff, and partner agency users.

    Partner users hold NPPV vetting and no police role; their agency comes from the partners app.
    """

    kind = models.CharField(max_length=16, choices=UserKind.choices, default=UserKind.POLICE)
    vetting_level = models.CharField(
        max_length=8, choices=VettingLevel.choices, default=VettingLevel.NONE
    )
    vetting_expires_on = models.DateField(
        null=True, blank=True, help_text="Vetting lapses on this date; leave empty if not recorded."
    )
    job_title = models.CharField(max_length=120, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_partner(self) -> bool:
        return self.kind == UserKind.PARTNER

    @property
    def vetting_current(self) -> bool:
        return self.vetting_expires_on is None or self.vetting_expires_on >= timezone.localdate()

    @property
    def readable_marking(self) -> int:
        """The highest GSC marking this user may read: nothing marked when inactive or when
        their vetting has lapsed, else the vetting table's ceiling for their level (read once
        per user object, or with the signed-in user: nim_portal.access.backends)."""
        if self._reads_nothing_marked:
            return NO_CLEARANCE
        if not hasattr(self, VETTING_TABLE_CEILING):
            ceiling = next(iter(self.vetting_table_ceiling(self.vetting_level)), None)
            setattr(self, VETTING_TABLE_CEILING, ceiling)
        ceiling = getattr(self, VETTING_TABLE_CEILING)
        return NO_CLEARANCE if ceiling is None else ceiling

    @property
    def readable_marking_known(self) -> bool:
        """Whether `readable_marking` answers without a query."""
        return self._reads_nothing_marked or hasattr(self, VETTING_TABLE_CEILING)

    @property
    def _reads_nothing_marked(self) -> bool:
        return not self.is_active or not self.vetting_current

    @staticmethod
    def vetting_table_ceiling(level: str | None = None) -> models.QuerySet:
        """The vetting table's ceiling for `level` (None: a user row's own, inside a query on
        users), as a one-row queryset: read alone, or inside another query."""
        if level is None:
            level = models.OuterRef("vetting_level")
        return VettingClearance.objects.filter(vetting_level=level).values_list(
            "max_marking", flat=True
        )[:1]

    @property
    def readable_marking_label(self) -> str:
        marking = self.readable_marking
        return GSCMarking(marking).label if marking else "No marked material"

    def may_read(self, marking: int) -> bool:
        return marking <= self.readable_marking

    def refresh_from_db(self, *args, **kwargs) -> None:
        # A refreshed vetting level must not meet the ceiling read for the one before it.
        self.__dict__.pop(VETTING_TABLE_CEILING, None)
        super().refresh_from_db(*args, **kwargs)


class VettingClearance(models.Model):
    """The configurable table from vetting level to the highest marking its holder may read."""

    vetting_level = models.CharField(max_length=8, choices=VettingLevel.choices, unique=True)
    max_marking = models.PositiveSmallIntegerField(
        choices=[(NO_CLEARANCE, "No marked material"), *GSCMarking.choices]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["max_marking", "vetting_level"]

    def __str__(self) -> str:
        return f"{self.get_vetting_level_display()}: {self.get_max_marking_display()}"


class Membership(models.Model):
    """A role held by a user in a unit, and by inheritance in every unit below it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(
        "nim_portal.Unit", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__path", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.unit}"

    def clean(self) -> None:
        if self.user_id and self.user.is_partner:
            raise ValidationError("Partner agency users cannot hold a police role.")
