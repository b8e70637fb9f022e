"""A sideways request: what a unit's T&CG asks of the T&CG of a neighbouring unit (a unit of the
same kind: BCU to BCU, force to force, region to region, national unit or law enforcement agency
to another at Level 3), and how the neighbour decided.

Every change goes through tasking.requests.services; reads that depend on who is asking go through
`SidewaysRequest.objects.visible_to(user)`.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal import access
from nim_portal.choices import GSCMarking
from tasking.requests.choices import RequestStatus

__all__ = ["SidewaysRequest"]


class SidewaysRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SidewaysRequestQuerySet":
        """The requests `user` may read: police readers holding any role over the asking or the
        asked unit (a role covers the units below), never above their vetting."""
        if not access.is_police_reader(user):
            return self.none()
        return self.filter(
            access.in_units_covered(user, "from_unit") | access.in_units_covered(user, "to_unit")
        ).filter(access.within_ceiling(user, "marking"))


class SidewaysRequest(models.Model):
    """A request for help from one T&CG to a neighbouring unit's T&CG.

    Sent at a sitting of the asking meeting (a decision in its minutes); accepted or declined by
    a chair of the asked unit, recorded in the minutes of its receiving meeting when that sits.
    """

    from_unit = models.ForeignKey(
        "nim_portal.Unit", on_delete=models.PROTECT, related_name="requests_sent"
    )
    from_meeting = models.ForeignKey(
        "Meeting", on_delete=models.PROTECT, related_name="requests_sent"
    )
    to_unit = models.ForeignKey(
        "nim_portal.Unit", on_delete=models.PROTECT, related_name="requests_received"
    )
    receiving_meeting = models.ForeignKey(
        "Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests_received",
        help_text="The neighbour's T&CG that decides it.",
    )
    title = models.CharField(max_length=200)
    details = models.TextField(help_text="What is asked of the neighbour, and why.")
    marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.SENT
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    decision_text = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    objects = SidewaysRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["to_unit", "status"], name="request_received"),
            models.Index(fields=["from_unit", "status"], name="request_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RequestStatus.values), name="request_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(marking__in=GSCMarking.values), name="request_marking_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status=RequestStatus.SENT)
                | (
                    ~models.Q(decision_text="")
                    & models.Q(decided_by__isnull=False, decided_at__isnull=False)
                ),
                name="request_decision_recorded",
                violation_error_message="A decided request has its decision, who and when.",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_unit=models.F("to_unit")),
                name="request_goes_sideways",
                violation_error_message="A request goes to another unit.",
            ),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk}: {self.title}"

    @property
    def reference(self) -> str:
        return f"R{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.SENT

    @property
    def marking_label(self) -> str:
        return GSCMarking(self.marking).label
