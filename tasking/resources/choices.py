"""Fixed vocabularies of tactical capability: the kinds of capability, and a capability's
lifecycle (active, retired) with its transition table."""

from django.db import models

from nim_portal.choices import GSCMarking


class CapabilityKind(models.TextChoices):
    TEAM = "team", "Team"
    SPECIALIST = "specialist", "Specialist asset"


class CapabilityStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


# A retired capability stays on the register as the record of what was committed from it.
CAPABILITY_TRANSITIONS: dict[str, frozenset[str]] = {
    CapabilityStatus.ACTIVE: frozenset({CapabilityStatus.RETIRED}),
    CapabilityStatus.RETIRED: frozenset(),
}

# The register names a unit's teams and specialist assets: police only, never shown to partners.
REGISTER_MARKING = GSCMarking.OFFICIAL_SENSITIVE
