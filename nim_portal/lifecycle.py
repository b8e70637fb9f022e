"""Shared mechanics of every service that changes a record with a lifecycle.

Each app keeps its own rules (who may, which checks); these helpers only save with history and
refuse a status move that the record's transition table does not allow.
"""

from django.core.exceptions import ValidationError
from django.db import models

# simple-history keeps a change reason in 100 characters (PostgreSQL refuses more).
CHANGE_REASON_MAX_LENGTH = 100


def save_with_history(obj: models.Model, *, acting_user, reason: str) -> None:
    """Save `obj`, its history row naming who did it and why (a system job passes None)."""
    obj._history_user = acting_user
    if len(reason) > CHANGE_REASON_MAX_LENGTH:
        reason = reason[: CHANGE_REASON_MAX_LENGTH - 1] + "…"
    obj._change_reason = reason
    obj.save()


def check_transition(
    status_class: type[models.TextChoices],
    transitions: dict[str, frozenset[str]],
    current: str,
    target: str,
    *,
    subject: str,
) -> None:
    """Refuse a move the transition table does not allow, saying which moves are possible.

    `subject` begins the message, e.g. "A product that is" or "Release REL-2026-0001 is".
    """
    if target in transitions[status_class(current)]:
        return
    allowed = ", ".join(
        status.label.lower() for status in status_class if status in transitions[current]
    )
    raise ValidationError(
        f"{subject} {status_class(current).label.lower()}: it cannot become "
        f"{status_class(target).label.lower()}"
        + (f" (it can become: {allowed})." if allowed else "; that is final.")
    )
