from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from nim_portal.choices import AuditVerb


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only.")

    def delete(self):
        raise TypeError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One append-only line of the audit log: who did what to which object, when, from where.

    Reads are audited explicitly (views, downloads, prints) because history only records writes.
    On PostgreSQL a trigger also refuses UPDATE and DELETE of this table.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        # People are deactivated, never deleted, once they have acted: the log must keep them.
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField(
        max_length=150, blank=True, help_text="Kept as typed, also for failed sign-ins."
    )
    verb = models.CharField(max_length=20, choices=AuditVerb.choices, db_index=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The audit log pages from the newest event.
            models.Index(fields=["-at", "-id"], name="audit_event_newest_first"),
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.verb} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only.")


class WorkerHeartbeat(models.Model):
    """Written by a Celery worker from the beat schedule; /healthz reads the latest."""

    hostname = models.CharField(max_length=255, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
