"""Fixed vocabularies of the action log: the kinds of tactical action, the RAG rating, and the
action's lifecycle with its transition table."""

from django.db import models


class ActionType(models.TextChoices):
    """The four kinds of tactical response the control strategy's objectives name."""

    PREVENTION = "prevention", "Prevention"
    INTELLIGENCE = "intelligence", "Intelligence"
    ENFORCEMENT = "enforcement", "Enforcement"
    REASSURANCE = "reassurance", "Reassurance"


class Rag(models.TextChoices):
    """Red, amber, green: the owner's view of whether the action will be done by its due date."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


# An action is closed once, with its outcome; a closed action is the record of what was done.
ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.CLOSED}),
    ActionStatus.CLOSED: frozenset(),
}
