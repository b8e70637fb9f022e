"""Fixed vocabularies of patrol briefings: the shifts a briefing is for, and the states of a
reader's printed copy."""

from django.db import models


class Shift(models.TextChoices):
    EARLY = "early", "Early turn"
    LATE = "late", "Late turn"
    NIGHT = "night", "Night turn"


class BriefingPrintStatus(models.TextChoices):
    PENDING = "pending", "Being printed"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
