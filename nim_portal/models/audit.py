from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from nim_portal.choices import AuditVerb, GSCMarking


@dataclass(frozen=True)
class RecordClassification:
    """What decides who may read a record's name in the audit log: its marking, the unit whose
    readers may read it (None: no unit's) and whether it is need-to-know, as it was when the
    event was written.

    A model whose marking, unit or need-to-know flag sits on a parent says so with an
    `audit_classification()` method (usually `of(parent)`, with its own marking when it has one);
    others are read from their `marking`, `unit_id` and `need_to_know` attributes, and a record
    with no marking (a unit, a person) is OFFICIAL.
    """

    marking: int
    unit_id: int | None = None
    need_to_know: bool = False

    @classmethod
    def of(cls, obj: models.Model, *, marking: int | None = None) -> "RecordClassification":
        """`obj`'s classification; `marking`, when given, is that of a part of it (a section)."""
        classify = getattr(obj, "audit_classification", None)
        classification = (
            classify()
            if classify is not None
            else cls(
                marking=getattr(obj, "marking", None) or GSCMarking.OFFICIAL,
                unit_id=getattr(obj, "unit_id", None),
                need_to_know=bool(getattr(obj, "need_to_know", False)),
            )
        )
        return classification if marking is None else replace(classification, marking=marking)

    def event_fields(self) -> dict:
        """The audit event's columns that keep this classification."""
        return {
            "record_marking": self.marking,
            "record_unit_id": self.unit_id,
            "record_need_to_know": self.need_to_know,
        }


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
    # The record's classification when the event was written (RecordClassification): the log
    # shows its name and details only to a reader it allows (nim_portal.access). Null marking:
    # written before the log kept it, so shown to nobody.
    record_marking = models.PositiveSmallIntegerField(
        choices=GSCMarking.choices, null=True, blank=True
    )
    record_unit = models.ForeignKey(
        "nim_portal.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    record_need_to_know = models.BooleanField(default=False)

    objects = AuditEventQuerySet.as_manager()

    # Shown in place of the name and details of a record the reader may not read.
    UNREADABLE_RECORD = "a record you may not read"

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The audit log pages from the newest event.
            models.Index(fields=["-at", "-id"], name="audit_event_newest_first"),
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        # No record name: who may read it depends on the reader (nim_portal.access, rule 9).
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.verb} #{self.pk}"

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
