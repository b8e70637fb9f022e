"""Fixed vocabularies of running a meeting: escalations (with their transition table), the
commissions a meeting may make, and where a minutes PDF stands."""

from django.db import models

from nim_portal.choices import UnitKind
from products.choices import ProductKind


class EscalationStatus(models.TextChoices):
    RAISED = "raised", "Raised"
    ADOPTED = "adopted", "Adopted"
    RETURNED = "returned", "Returned"


# The receiving T&CG triages an escalation once: adopted or returned is final.
ESCALATION_TRANSITIONS: dict[str, frozenset[str]] = {
    EscalationStatus.RAISED: frozenset({EscalationStatus.ADOPTED, EscalationStatus.RETURNED}),
    EscalationStatus.ADOPTED: frozenset(),
    EscalationStatus.RETURNED: frozenset(),
}

# The unit an issue escalates to (docs/domain.md "Tasking & Co-ordinating Groups"): BCU to force,
# force to region, region to national; the national T&CG has nobody above it.
ESCALATES_TO_KIND: dict[str, str | None] = {
    UnitKind.BCU: UnitKind.FORCE,
    UnitKind.FORCE: UnitKind.REGION,
    UnitKind.REGION: UnitKind.NATIONAL,
    UnitKind.NATIONAL: None,
}


class CommissionKind(models.TextChoices):
    """What a T&CG commissions at its table: the profiles (assessments come from the cadence)."""

    PROBLEM_PROFILE = ProductKind.PROBLEM_PROFILE.value, ProductKind.PROBLEM_PROFILE.label
    SUBJECT_PROFILE = ProductKind.SUBJECT_PROFILE.value, ProductKind.SUBJECT_PROFILE.label
    FIREARMS_PROFILE = ProductKind.FIREARMS_PROFILE.value, ProductKind.FIREARMS_PROFILE.label


class MinutesPrintStatus(models.TextChoices):
    PENDING = "pending", "Being printed"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class SittingVerdict(models.TextChoices):
    """What the ST&CG decides at its sitting on its unit's draft control strategy or intelligence
    requirement (tasking.proceedings.strategy)."""

    APPROVE = "approve", "Approve"
    RETURN = "return", "Return for more work"
