"""Every change of a unit's register of tactical capability: adding a capability, changing it,
retiring it; and the hours bids ask of it and the meeting commits to actions
(tasking.bids.services asks for them and commits them).

Each function takes the acting user (keyword-only), checks permission
(tasking.resources.policy), locks the row, refuses a change sent over an older `version` than the
one saved (StaleCapability: nothing changed), and leaves a history reason and an audit event
behind. A refusal raises PermissionDenied or ValidationError with a message fit to show.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import AuditVerb
from nim_portal.lifecycle import Lifecycle, StaleVersion, require_version, save_with_history
from nim_portal.models import Unit, User
from nim_portal.services import audit_record
from nim_portal.validation import required_text
from tasking.meetings.models import Meeting
from tasking.resources.choices import CAPABILITY_TRANSITIONS, CapabilityKind, CapabilityStatus
from tasking.resources.models import MAX_HOURS, Capability, CapabilityCommitment
from tasking.resources.policy import require_capability_manager
from tasking.resources.selectors import committed_hours

NAME_MAX_LENGTH = 200

CAPABILITY_LIFECYCLE = Lifecycle(
    CAPABILITY_TRANSITIONS, subject=lambda capability: f"{capability.name} is"
)


class StaleCapability(StaleVersion):
    """Somebody changed the capability after the sender loaded it: nothing was changed."""

    code = "stale_capability"

    @staticmethod
    def what(capability: Capability) -> str:
        return capability.name


def clean_hours(hours, *, field: str, what: str) -> int:
    """A whole number of hours from 1 to MAX_HOURS, or a refusal naming `what`."""
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        raise ValidationError({field: f"Enter {what} as a whole number from 1 to {MAX_HOURS:,}."})
    return hours


def collect_errors(checks: dict[str, Callable[[], object]]) -> dict:
    """Run each field's check and refuse with every problem at once, by field, so that a form
    shows them together; the checked values by field otherwise."""
    cleaned: dict = {}
    errors: dict[str, str] = {}
    for field, check in checks.items():
        try:
            cleaned[field] = check()
        except ValidationError as exc:
            errors.update({key: messages[0] for key, messages in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_kind(kind) -> str:
    if kind not in CapabilityKind.values:
        raise ValidationError({"kind": "Choose the kind: a team or a specialist asset."})
    return kind


def _clean_fields(*, kind, name, hours_per_cycle) -> dict:
    return collect_errors(
        {
            "kind": lambda: _clean_kind(kind),
            "name": lambda: required_text(
                name,
                field="name",
                message="Enter the capability's name.",
                max_length=NAME_MAX_LENGTH,
            ),
            "hours_per_cycle": lambda: clean_hours(
                hours_per_cycle,
                field="hours_per_cycle",
                what="the hours available per TT&CG cycle",
            ),
        }
    )


def _save_named(capability: Capability, *, acting_user: User, reason: str) -> None:
    """Save, a duplicate name refused as the form's error (the constraint decides, race or not)."""
    try:
        with transaction.atomic():
            save_with_history(capability, acting_user=acting_user, reason=reason)
    except IntegrityError as exc:
        if (
            not Capability.objects.filter(unit=capability.unit, name=capability.name)
            .exclude(pk=capability.pk)
            .exists()
        ):
            raise
        raise ValidationError(
            {"name": f"{capability.unit} has a capability called {capability.name} already."}
        ) from exc


def _audit(acting_user, verb, capability, request, **detail) -> None:
    audit_record(actor=acting_user, verb=verb, obj=capability, request=request, detail=detail)


def _lock(capability: Capability, acting_user: User, expected_version, what: str) -> Capability:
    access.require_police(acting_user, what)
    capability = (
        Capability.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=capability.pk)
    )
    require_capability_manager(acting_user, capability.unit, what)
    require_version(capability, expected_version, StaleCapability)
    return capability


@transaction.atomic
def capability_add(
    *,
    acting_user: User,
    unit: Unit,
    kind: str,
    name: str,
    hours_per_cycle: int,
    request: HttpRequest | None = None,
) -> Capability:
    """Put a team or specialist asset on `unit`'s register, with its hours per TT&CG cycle."""
    access.require_police(acting_user, "add a capability")
    require_capability_manager(acting_user, unit, "add to its register of capability")
    capability = Capability(
        unit=unit,
        created_by=acting_user,
        **_clean_fields(kind=kind, name=name, hours_per_cycle=hours_per_cycle),
    )
    _save_named(capability, acting_user=acting_user, reason="Added to the register")
    _audit(acting_user, AuditVerb.CREATE, capability, request, unit=unit.pk)
    return capability


@transaction.atomic
def capability_edit(
    *,
    acting_user: User,
    capability: Capability,
    kind: str,
    name: str,
    hours_per_cycle: int,
    expected_version,
    request: HttpRequest | None = None,
) -> Capability:
    """Change a capability's kind, name or hours, over the version its editor loaded. A retired
    capability is the record of what was committed from it: it does not change."""
    capability = _lock(capability, acting_user, expected_version, "change its capability")
    if not capability.is_active:
        raise ValidationError(f"{capability.name} is retired: its record is final.")
    cleaned = _clean_fields(kind=kind, name=name, hours_per_cycle=hours_per_cycle)
    before = {field: getattr(capability, field) for field in cleaned}
    for field, value in cleaned.items():
        setattr(capability, field, value)
    capability.version += 1
    _save_named(capability, acting_user=acting_user, reason="Changed")
    _audit(
        acting_user,
        AuditVerb.UPDATE,
        capability,
        request,
        changed={f: [before[f], v] for f, v in cleaned.items() if before[f] != v},
    )
    return capability


@transaction.atomic
def capability_retire(
    *,
    acting_user: User,
    capability: Capability,
    expected_version,
    request: HttpRequest | None = None,
) -> Capability:
    """Retire a capability: no bid asks for it from then on; its commitments stay on record."""
    capability = _lock(capability, acting_user, expected_version, "retire its capability")
    CAPABILITY_LIFECYCLE.check(capability, CapabilityStatus.RETIRED)
    capability.version += 1
    CAPABILITY_LIFECYCLE.move(
        capability,
        CapabilityStatus.RETIRED,
        acting_user=acting_user,
        reason="Retired",
        request=request,
    )
    return capability


# The hours bids ask and the meeting commits (called by tasking.bids.services, which has checked
# who may and locked the bid).


def hours_ask(
    *, acting_user: User, capability: Capability, meeting: Meeting, hours: int, bid
) -> CapabilityCommitment:
    """Record the hours of `capability` that `bid` asks for in the cycle of `meeting`."""
    if capability.unit_id != meeting.unit_id or not capability.is_active:
        raise ValidationError(
            {"capability": f"Choose an active capability on {meeting.unit}'s register."}
        )
    commitment = CapabilityCommitment(
        capability=capability,
        meeting=meeting,
        hours=clean_hours(hours, field="hours", what="the hours asked for"),
        bid=bid,
    )
    save_with_history(commitment, acting_user=acting_user, reason="Asked by a bid")
    return commitment


def shortfall_of(commitment: CapabilityCommitment) -> int:
    """The hours by which committing `commitment` would exceed its capability in its cycle (0
    when they fit). Locks the capability first, so that two commitments of its hours are decided
    one after the other, each over the other's."""
    capability = Capability.objects.select_for_update().get(pk=commitment.capability_id)
    committed = committed_hours(capability, commitment.meeting)
    return max(0, committed + commitment.hours - capability.hours_per_cycle)


def hours_commit(
    *, acting_user: User, commitment: CapabilityCommitment, action, request=None
) -> CapabilityCommitment:
    """Commit the hours a bid asked for to the action it became (the caller has checked the
    shortfall: `shortfall_of`)."""
    if not commitment.capability.is_active:
        raise ValidationError(
            f"{commitment.capability.name} has been retired: it can take no more commitments."
        )
    commitment.action = action
    commitment.committed_by = acting_user
    commitment.committed_at = timezone.now()
    save_with_history(commitment, acting_user=acting_user, reason="Committed to an action")
    _audit(
        acting_user,
        AuditVerb.UPDATE,
        commitment.capability,
        request,
        committed={
            "hours": commitment.hours,
            "action": action.pk,
            "meeting": commitment.meeting_id,
        },
    )
    return commitment
