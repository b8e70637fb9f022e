"""A bid: tactical activity proposed to a TT&CG before it sits, against a priority of the control
strategy, asking for hours of the unit's capability (its CapabilityCommitment, in
tasking.resources), justified in words and, where one exists, by the product or commission that
justifies it.

Every change goes through tasking.bids.services (permission, lifecycle, version token, history
reason, audit); reads that depend on who is asking go through `Bid.objects.visible_to(user)`.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from nim_portal import access
from nim_portal.choices import GSCMarking
from tasking.actions.choices import ActionType
from tasking.bids.choices import OPEN_BID_STATUSES, BidStatus

__all__ = ["Bid"]


class BidQuerySet(models.QuerySet):
    def visible_to(self, user) -> "BidQuerySet":
        """The bids `user` may read: police readers holding any role over the bid's unit (a role
        covers the units below) and the bid's proposer; never above their vetting, for the bid's
        marking and that of the control strategy its priority belongs to."""
        if not access.is_police_reader(user):
            return self.none()
        return self.filter(access.in_units_covered(user) | models.Q(proposed_by=user)).filter(
            access.within_ceiling(user, "marking", "priority__control_strategy__marking")
        )


class Bid(models.Model):
    """Proposed tactical activity, submitted to a TT&CG of its unit before it sits.

    `version` is raised on every change, so that a decision taken over an older copy is refused
    rather than overwriting somebody else's.
    """

    meeting = models.ForeignKey("Meeting", on_delete=models.PROTECT, related_name="bids")
    unit = models.ForeignKey("nim_portal.Unit", on_delete=models.PROTECT, related_name="bids")
    priority = models.ForeignKey(
        "Priority",
        on_delete=models.PROTECT,
        related_name="bids",
        help_text="The control-strategy priority the activity serves.",
    )
    title = models.CharField(max_length=200)
    activity = models.TextField(help_text="What is proposed: it becomes the action's description.")
    action_type = models.CharField("type", max_length=16, choices=ActionType.choices)
    justification = models.TextField()
    product = models.ForeignKey(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasking_bids",
        help_text="The product or commissioned profile that justifies the activity.",
    )
    marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    status = models.CharField(max_length=16, choices=BidStatus.choices, default=BidStatus.SUBMITTED)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bids_proposed"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    action = models.OneToOneField(
        "TacticalAction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bid",
        help_text="The action the accepted bid became.",
    )
    escalation = models.ForeignKey(
        "Escalation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bids",
        help_text="The escalation that carries the hours beyond the unit's capability.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change: detects concurrent edits."
    )

    history = HistoricalRecords()

    objects = BidQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", models.F("rank").asc(nulls_last=True), "submitted_at", "pk"]
        indexes = [
            models.Index(fields=["meeting", "status", "rank"], name="bid_by_meeting"),
            models.Index(fields=["unit", "status"], name="bid_by_unit"),
            models.Index(fields=["proposed_by", "status"], name="bid_by_proposer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BidStatus.values), name="bid_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(marking__in=GSCMarking.values), name="bid_marking_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=BidStatus.ACCEPTED) | models.Q(action__isnull=False),
                name="bid_accepted_has_action",
                violation_error_message="An accepted bid names the action it became.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[BidStatus.DECLINED, BidStatus.DEFERRED])
                | ~models.Q(decision_reason=""),
                name="bid_declined_with_reason",
                violation_error_message="A declined or deferred bid gives the reason.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OPEN_BID_STATUSES)
                | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="bid_decision_recorded",
                violation_error_message="A decided bid records who decided it and when.",
            ),
        ]

    def __str__(self) -> str:
        return f"Bid {self.pk}: {self.title}"

    @property
    def reference(self) -> str:
        return f"B{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_BID_STATUSES

    @property
    def marking_label(self) -> str:
        return GSCMarking(self.marking).label
