from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from nim_portal.choices import NotificationDelivery, NotificationKind

# The attribute of a user read by the sign-in backend that holds their unread notifications.
UNREAD_NOTIFICATIONS = "unread_notifications"


class Notification(models.Model):
    """A message to one person inside the portal (e.g. "a product awaits your review").

    The in-portal text may name the record; the e-mail sent alongside never does, because e-mail
    leaves the portal's protection (see services.notify). A notification its recipient chose to
    hear of by e-mail only is not shown in the portal (`in_portal`).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True, help_text="A path inside the portal.")
    in_portal = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.message

    @staticmethod
    def unread_count() -> Coalesce:
        """How many notifications a user row has unread in the portal, inside a query on users
        (the inbox index on recipient and read_at answers it)."""
        unread = (
            Notification.objects.filter(
                recipient=models.OuterRef("pk"), read_at__isnull=True, in_portal=True
            )
            .order_by()
            .values("recipient")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return Coalesce(models.Subquery(unread), 0)


class NotificationPreference(models.Model):
    """How one person hears of one kind of notification; a kind with no row is heard of
    as DEFAULT_NOTIFICATION_DELIVERY says."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=10, choices=NotificationDelivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="notification_preference_once",
                violation_error_message="A person has one preference for each kind.",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery__in=NotificationDelivery.values),
                name="notification_preference_delivery_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}, {self.get_delivery_display()}"
