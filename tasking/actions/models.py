"""The action log of a unit: the tactical actions its T&CG raises, each tied to a priority of the
control strategy, and the dated progress updates their owners write between meetings.

Every change goes through tasking.actions.services (permission, version token, history reason,
audit); reads that depend on who is asking go through `TacticalAction.objects.visible_to(user)`.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from nim_portal import access
from nim_portal.choices import GSCMarking
from nim_portal.search import SearchVectorIndex
from tasking.actions.choices import ActionStatus, ActionType, Rag

__all__ = ["ActionUpdate", "TacticalAction"]


class TacticalActionQuerySet(models.QuerySet):
    def readable_by(self, user) -> "TacticalActionQuerySet":
        """Within `user`'s vetting: the action's marking and that of the control strategy its
        priority belongs to (the priority's theme is shown with it)."""
        return self.filter(
            access.within_ceiling(user, "marking", "priority__control_strategy__marking")
        )

    def owned_by(self, user) -> "TacticalActionQuerySet":
        """Owned by `user` in person or as a member of the owning unit."""
        return self.filter(pk__in=self._ids_owned_by(user))

    def _ids_owned_by(self, user):
        # A union of two index scans (by owning person, by owning unit): as one OR, PostgreSQL
        # checks every open action in the country against the unit subquery.
        actions = TacticalAction.objects.order_by()
        in_person = actions.filter(owner_user=user).values("pk")
        units = access.memberships_of(user).values("unit_id")
        return in_person.union(actions.filter(owner_unit__in=units).values("pk"), all=True)

    def visible_to(self, user) -> "TacticalActionQuerySet":
        """The actions `user` may read: police readers holding any role over the action's unit
        (a role covers the units below), and the action's owners; never above their vetting."""
        if not access.is_police_reader(user):
            return self.none()
        owned = models.Q(pk__in=self._ids_owned_by(user))
        return self.filter(access.in_units_covered(user) | owned).readable_by(user)


class TacticalAction(models.Model):
    """An action on a unit's log: what is to be done, by whom (a person or a unit) and by when.

    Open actions are carried forward to each meeting of the unit until one closes them with their
    outcome. `version` is raised on every change, so that a change sent over an older version is
    refused rather than overwriting somebody else's.
    """

    unit = models.ForeignKey(
        "nim_portal.Unit", on_delete=models.PROTECT, related_name="tactical_actions"
    )
    priority = models.ForeignKey(
        "Priority",
        on_delete=models.PROTECT,
        related_name="actions",
        help_text="The control-strategy priority the action serves.",
    )
    action_type = models.CharField("type", max_length=16, choices=ActionType.choices)
    description = models.TextField()
    marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices, default=GSCMarking.OFFICIAL_SENSITIVE
    )
    product = models.ForeignKey(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasking_actions",
        help_text="The product or commissioned profile that justifies the action.",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions_owned",
    )
    owner_unit = models.ForeignKey(
        "nim_portal.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions_owned",
    )
    due_date = models.DateField()
    rag = models.CharField("RAG rating", max_length=8, choices=Rag.choices, default=Rag.GREEN)
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    outcome = models.TextField(blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at_meeting = models.ForeignKey(
        "Meeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions_raised",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_at_meeting = models.ForeignKey(
        "Meeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions_closed",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every change: detects concurrent edits."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Its description and outcome, kept by tasking.actions.services (PostgreSQL only).
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector"])

    objects = TacticalActionQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "-status", "due_date", "pk"]
        indexes = [
            # A unit's log in its order: open first ("open" sorts after "closed"), soonest due.
            models.Index(fields=["unit", "-status", "due_date", "id"], name="action_log_order"),
            # Open actions are a few percent of the log: whose they are is checked on those alone.
            models.Index(fields=["status", "due_date", "id"], name="action_by_status_due"),
            # "My actions": an owner's open actions, soonest due first.
            models.Index(
                fields=["owner_user", "status", "due_date", "id"], name="action_owner_user_due"
            ),
            models.Index(
                fields=["owner_unit", "status", "due_date", "id"], name="action_owner_unit_due"
            ),
            SearchVectorIndex(fields=["search_vector"], name="tactical_action_search_vector"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(owner_user__isnull=False) & models.Q(owner_unit__isnull=True))
                | (models.Q(owner_user__isnull=True) & models.Q(owner_unit__isnull=False)),
                name="tactical_action_one_owner",
                violation_error_message="An action is owned by a person or by a unit, not both.",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ActionStatus.OPEN)
                | (
                    ~models.Q(outcome="")
                    & models.Q(closed_by__isnull=False, closed_at__isnull=False)
                ),
                name="tactical_action_closed_with_outcome",
                violation_error_message="A closed action needs its outcome.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ActionStatus.values),
                name="tactical_action_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(rag__in=Rag.values), name="tactical_action_rag_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(marking__in=GSCMarking.values),
                name="tactical_action_marking_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.pk}: {self.description[:60]}"

    @property
    def reference(self) -> str:
        return f"A{self.pk}"

    @property
    def owner(self):
        """The person or the unit that owns the action."""
        return self.owner_user or self.owner_unit

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def marking_label(self) -> str:
        return GSCMarking(self.marking).label

    @property
    def is_covert(self) -> bool:
        """Covert activity carries its authority (tasking.safeguards)."""
        return hasattr(self, "authority")


class ActionUpdate(models.Model):
    """A dated progress update on an action, with the RAG rating its author gave it then."""

    action = models.ForeignKey(TacticalAction, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)
    text = models.TextField()
    rag = models.CharField("RAG rating after", max_length=8, choices=Rag.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "-written_at", "-pk"]
        indexes = [models.Index(fields=["action", "written_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rag__in=Rag.values), name="action_update_rag_valid"
            )
        ]

    def __str__(self) -> str:
        return f"Update of action {self.action_id}, {self.written_at:%d %b %Y}"
