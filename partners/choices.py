"""Fixed vocabularies of the partners app: agency kinds, release lifecycle (with its transition
table), rendered documents, and the handling conditions every release carries."""

from django.db import models

from nim_portal.choices import GSCMarking


class AgencyKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    HEALTH = "health", "Health"
    FIRE = "fire", "Fire and rescue"
    PROBATION = "probation", "Probation"
    EDUCATION = "education", "Education"
    COMMUNITY_SAFETY_PARTNERSHIP = "csp", "Community Safety Partnership"
    OTHER = "other", "Other"


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    RENDERING = "rendering", "Being rendered"
    AVAILABLE = "available", "Available to download"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"


# The only moves a release may make; each is one service in partners.services.
RELEASE_TRANSITIONS: dict[str, frozenset[str]] = {
    ReleaseStatus.DRAFT: frozenset({ReleaseStatus.APPROVED, ReleaseStatus.WITHDRAWN}),
    ReleaseStatus.APPROVED: frozenset(
        {ReleaseStatus.RENDERING, ReleaseStatus.WITHDRAWN, ReleaseStatus.EXPIRED}
    ),
    ReleaseStatus.RENDERING: frozenset(
        {ReleaseStatus.AVAILABLE, ReleaseStatus.WITHDRAWN, ReleaseStatus.EXPIRED}
    ),
    ReleaseStatus.AVAILABLE: frozenset({ReleaseStatus.WITHDRAWN, ReleaseStatus.EXPIRED}),
    ReleaseStatus.WITHDRAWN: frozenset(),
    ReleaseStatus.EXPIRED: frozenset(),
}


# Approved releases whose grants are live: the partner copy exists or is being made.
GRANTED_STATUSES = frozenset(
    {ReleaseStatus.APPROVED, ReleaseStatus.RENDERING, ReleaseStatus.AVAILABLE}
)
# Statuses a partner is told about (once the release had been available to them).
ENDED_STATUSES = frozenset({ReleaseStatus.WITHDRAWN, ReleaseStatus.EXPIRED})


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be rendered"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


# A partner release is OFFICIAL or OFFICIAL-SENSITIVE, never higher (docs/access.md, rule 5).
RELEASE_MARKINGS = (GSCMarking.OFFICIAL, GSCMarking.OFFICIAL_SENSITIVE)
RELEASE_MARKING_CHOICES = [(m.value, m.label) for m in RELEASE_MARKINGS]

# Attached to every release (docs/domain.md "Partners and sanitised releases").
NO_ONWARD_DISCLOSURE = (
    "No onward disclosure without the written consent of the originating police force."
)

# Bounds of the retention period a release may set, in months (MoPI reviews at 6 years).
RETENTION_MONTHS_MIN = 1
RETENTION_MONTHS_MAX = 72
