"""Shared mechanics of every service that changes a record with a lifecycle.

Each app keeps its own rules (who may, which checks); `change_status` is the one way a service
moves a record from one status to another, and the other two helpers are its parts: saving with
history, and refusing a move that the record's transition table does not allow. An app binds its
status's table once, as a `Lifecycle`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from nim_portal.choices import AuditVerb
from nim_portal.models import User
from nim_portal.services import audit_record

# simple-history keeps a change reason in 100 characters (PostgreSQL refuses more).
CHANGE_REASON_MAX_LENGTH = 100


class StaleChange(ValidationError):
    """A change sent over a copy of the record that somebody has changed since: refused, nothing
    changed. The API answers it 409 Conflict (nim_portal.api.refusals); an app registers a body of
    its own for a subclass whose answer carries more (the version or text saved now)."""


class StaleVersion(StaleChange):
    """A change sent over an older `version` of a record than the one saved: nothing changed.
    A concept names its record (`what`) and its code; the API's answer carries the version saved
    now, so that the client can reload and merge."""

    code = "stale_version"

    def __init__(self, record: models.Model, expected_version):
        self.record = record
        super().__init__(
            f"{self.what(record)} was changed{self.changed_by(record)} after you opened it "
            f"(version {record.version}, you loaded {expected_version}): nothing was saved. "
            "Reload it to see the change, then make yours again.",
            code=self.code,
        )

    @staticmethod
    def what(record: models.Model) -> str:
        return str(record)

    @staticmethod
    def changed_by(record: models.Model) -> str:
        """ " by <person>" where the record's history names who changed it last, else nothing."""
        history = getattr(record, "history", None)
        if history is None:
            return ""
        last = history.select_related("history_user").order_by("-history_id").first()
        return f" by {last.history_user}" if last is not None and last.history_user else ""


def require_version(record: models.Model, expected_version, stale: type[StaleVersion]) -> None:
    """Refuse (`stale`) a change sent over another version of `record` than the one saved."""
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        expected = None
    if expected != record.version:
        raise stale(record, expected_version)


class StaleStatus(StaleChange):
    """The record's status changed since the service read it: the move is refused, not applied
    over somebody else's change."""


def _status_class(transitions: dict[str, frozenset[str]]) -> type[models.TextChoices]:
    """The status choices a transition table is keyed by."""
    return type(next(iter(transitions)))


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


def change_status(
    record: models.Model,
    to: str,
    *,
    acting_user: User | None,
    reason: str,
    transitions: dict[str, frozenset[str]],
    subject: str,
    request: HttpRequest | None = None,
    audit_detail: dict[str, Any] | None = None,
    notify: Callable[[], object] | None = None,
) -> None:
    """Move `record` to the status `to`, inside the service's transaction; a refusal writes nothing.

    The service has checked who may and set the other fields the move changes on `record` (who
    approved it, when it closed). Then, in this order:

    1. the record's row is locked and its status read again: a move decided on a copy that
       somebody has moved since is refused (StaleStatus);
    2. a move that `transitions` does not allow is refused (check_transition; the table is keyed
       by the status's choices, and `subject` begins the message);
    3. `record` is saved with history naming `acting_user` (None: a system job) and `reason`;
    4. the audit entry records the move, the reason and `audit_detail`;
    5. `notify`, if given, tells the people concerned: their news is written with the change, or
       not at all.
    """
    status_class = _status_class(transitions)
    current = (
        type(record)
        ._default_manager.select_for_update()
        .filter(pk=record.pk)
        .values_list("status", flat=True)
        .get()
    )
    if current != record.status:
        raise StaleStatus(
            f"This {record._meta.verbose_name} has changed meanwhile: it is now "
            f"{status_class(current).label.lower()}. Reload it and try again.",
            code="stale_status",
        )
    check_transition(status_class, transitions, current, to, subject=subject)
    record.status = to
    save_with_history(record, acting_user=acting_user, reason=reason)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=record,
        request=request,
        detail={"status": {"from": current, "to": to}, "reason": reason, **(audit_detail or {})},
    )
    if notify is not None:
        notify()


@dataclass(frozen=True)
class Lifecycle:
    """One status's moves, bound once by its app: the transition table, and how a refused move's
    message names the record (`subject`, e.g. "A product that is")."""

    transitions: dict[str, frozenset[str]]
    subject: Callable[[Any], str]

    def allows(self, current: str, to: str) -> bool:
        """Whether the table lets a record that is `current` become `to` (to offer the move)."""
        return to in self.transitions[current]

    def check(self, record: models.Model, to: str) -> None:
        """Refuse a move the table does not allow, before a service's own checks that should come
        after it (change_status checks again)."""
        check_transition(
            _status_class(self.transitions),
            self.transitions,
            record.status,
            to,
            subject=self.subject(record),
        )

    def move(self, record: models.Model, to: str, **change: Any) -> None:
        """change_status by this table; `change` is the rest of its arguments (acting_user,
        reason, request, audit_detail, notify)."""
        change_status(
            record, to, transitions=self.transitions, subject=self.subject(record), **change
        )
