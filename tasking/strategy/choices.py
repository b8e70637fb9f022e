"""Fixed vocabularies of the control strategy: lifecycles (with their transition tables), the
MoRiLE dimensions and the default scoring matrix."""

from django.db import models


class ControlStrategyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


# The only moves a control strategy may make; each is one service in tasking.strategy.services.
CONTROL_STRATEGY_TRANSITIONS: dict[str, frozenset[str]] = {
    ControlStrategyStatus.DRAFT: frozenset({ControlStrategyStatus.APPROVED}),
    ControlStrategyStatus.APPROVED: frozenset({ControlStrategyStatus.SUPERSEDED}),
    ControlStrategyStatus.SUPERSEDED: frozenset(),
}


class RequirementItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


REQUIREMENT_ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    RequirementItemStatus.OPEN: frozenset({RequirementItemStatus.CLOSED}),
    RequirementItemStatus.CLOSED: frozenset(),
}


class MoRiLEGroup(models.TextChoices):
    """The parts of the MoRiLE score: each dimension belongs to one."""

    HARM = "harm", "Harm"
    LIKELIHOOD = "likelihood", "Likelihood"
    VULNERABILITY = "vulnerability", "Victim vulnerability"
    CONFIDENCE = "confidence", "Confidence"
    ORGANISATIONAL_POSITION = "position", "Organisational position"


class MoRiLEDimension(models.TextChoices):
    """What a priority is scored on (docs/domain.md "Control strategy and intelligence
    requirement")."""

    PHYSICAL_HARM = "harm_physical", "Physical harm"
    PSYCHOLOGICAL_HARM = "harm_psychological", "Psychological harm"
    FINANCIAL_HARM = "harm_financial", "Financial harm"
    COMMUNITY_HARM = "harm_community", "Community and environmental harm"
    GEOGRAPHIC_SCOPE = "harm_geographic", "Geographic scope"
    LIKELIHOOD = "likelihood", "Likelihood"
    VULNERABILITY = "vulnerability", "Victim vulnerability"
    CONFIDENCE = "confidence", "Confidence in the assessment"
    CAPACITY = "capacity", "Organisational capacity to respond"
    CAPABILITY = "capability", "Organisational capability to respond"


GROUP_OF_DIMENSION: dict[str, str] = {
    MoRiLEDimension.PHYSICAL_HARM: MoRiLEGroup.HARM,
    MoRiLEDimension.PSYCHOLOGICAL_HARM: MoRiLEGroup.HARM,
    MoRiLEDimension.FINANCIAL_HARM: MoRiLEGroup.HARM,
    MoRiLEDimension.COMMUNITY_HARM: MoRiLEGroup.HARM,
    MoRiLEDimension.GEOGRAPHIC_SCOPE: MoRiLEGroup.HARM,
    MoRiLEDimension.LIKELIHOOD: MoRiLEGroup.LIKELIHOOD,
    MoRiLEDimension.VULNERABILITY: MoRiLEGroup.VULNERABILITY,
    MoRiLEDimension.CONFIDENCE: MoRiLEGroup.CONFIDENCE,
    MoRiLEDimension.CAPACITY: MoRiLEGroup.ORGANISATIONAL_POSITION,
    MoRiLEDimension.CAPABILITY: MoRiLEGroup.ORGANISATIONAL_POSITION,
}

DEFAULT_MORILE_MATRIX_NAME = "MoRiLE (default scales)"

_HARM_LABELS = ("None", "Minor", "Moderate", "Substantial", "Critical")
_POSITION_LABELS = ("None", "Limited", "Partial", "Good", "Full")

# The default matrix: every dimension on a 0-4 scale, weight 1 (scales are local choice).
DEFAULT_MORILE_SCALES: dict[str, tuple[int, tuple[str, ...]]] = {
    MoRiLEDimension.PHYSICAL_HARM: (1, _HARM_LABELS),
    MoRiLEDimension.PSYCHOLOGICAL_HARM: (1, _HARM_LABELS),
    MoRiLEDimension.FINANCIAL_HARM: (1, _HARM_LABELS),
    MoRiLEDimension.COMMUNITY_HARM: (1, _HARM_LABELS),
    MoRiLEDimension.GEOGRAPHIC_SCOPE: (
        1,
        ("None", "Neighbourhood", "Basic command unit", "Force", "Regional or national"),
    ),
    MoRiLEDimension.LIKELIHOOD: (
        1,
        ("Remote", "Unlikely", "Possible", "Likely", "Almost certain"),
    ),
    MoRiLEDimension.VULNERABILITY: (1, ("None", "Low", "Medium", "High", "Very high")),
    MoRiLEDimension.CONFIDENCE: (1, ("Very low", "Low", "Medium", "High", "Very high")),
    MoRiLEDimension.CAPACITY: (1, _POSITION_LABELS),
    MoRiLEDimension.CAPABILITY: (1, _POSITION_LABELS),
}


class RequirementLinkRole(models.TextChoices):
    """How a product stands to an intelligence requirement item."""

    GAP_SOURCE = "gap_source", "Its intelligence gaps are answered by the item"
    ANSWER = "answer", "It answers the item"


class EvaluationOutcome(models.TextChoices):
    """The ST&CG's judgement of a priority at the end of its period: what became of the threat."""

    REDUCED = "reduced", "Threat reduced"
    UNCHANGED = "unchanged", "Threat unchanged"
    INCREASED = "increased", "Threat increased"
