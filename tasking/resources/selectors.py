"""Reads of tactical capability that depend on who is asking, one query each.

A unit's register is read by police users holding any role in the unit or a unit above it (a role
covers the units below); anybody else gets the same 404 as for a unit that does not exist. What a
TT&CG weighs its bids against, committed against available in its cycle, is one aggregate query
over the unit's capabilities, whatever the number of commitments.

Who may change what: tasking.resources.policy.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from nim_portal import access
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User
from tasking.meetings.models import Meeting
from tasking.resources.choices import CapabilityStatus
from tasking.resources.models import Capability, CapabilityCommitment


def capabilities_visible_to(user: User) -> QuerySet[Capability]:
    """Every capability `user` may read: the one visibility selector."""
    return Capability.objects.visible_to(user)


def register_unit_for(user: User, unit_id) -> Unit:
    """The unit whose register `user` may read, or 404 (missing and forbidden alike)."""
    pk = id_or_404(unit_id, "capability register")
    unit = None
    if access.is_police_reader(user):
        unit = access.units_covered(user).filter(pk=pk).first()
    if unit is None:
        raise Http404("No such capability register.")
    return unit


def capability_register(unit: Unit) -> QuerySet[Capability]:
    """A unit's register (read after `register_unit_for`): active first, then by name."""
    return Capability.objects.filter(unit=unit).order_by("status", "name", "pk")


def get_capability_for(user: User, pk) -> Capability:
    """One capability by id; missing and forbidden give the same 404."""
    capability = (
        capabilities_visible_to(user)
        .select_related("unit")
        .filter(pk=id_or_404(pk, "capability"))
        .first()
    )
    if capability is None:
        raise Http404("No such capability.")
    return capability


def active_capabilities_of(unit: Unit) -> QuerySet[Capability]:
    """What a bid may ask hours of: the unit's active capabilities, by name."""
    return Capability.objects.filter(unit=unit, status=CapabilityStatus.ACTIVE).order_by(
        "name", "pk"
    )


# Committed against available.

COMMITTED = Q(commitments__action__isnull=False)
# Asked by a bid the meeting has not decided yet (a decided bid's ask is committed or dropped).
ASKED = Q(commitments__action__isnull=True, commitments__bid__decided_at__isnull=True)


@dataclass(frozen=True)
class CapabilityLoad:
    """One capability in a TT&CG's cycle: its hours, those committed and those asked by bids."""

    capability: Capability
    committed: int
    asked: int

    @property
    def available(self) -> int:
        return self.capability.hours_per_cycle

    @property
    def remaining(self) -> int:
        """Hours not committed yet (negative when over-committed)."""
        return self.available - self.committed

    @property
    def shortfall(self) -> int:
        """Hours asked and committed beyond what is available (0 when all would fit)."""
        return max(0, self.committed + self.asked - self.available)


@dataclass(frozen=True)
class CycleLoad:
    meeting: Meeting
    rows: list[CapabilityLoad]

    @property
    def available(self) -> int:
        return sum(row.available for row in self.rows if row.capability.is_active)

    @property
    def committed(self) -> int:
        return sum(row.committed for row in self.rows)

    @property
    def asked(self) -> int:
        return sum(row.asked for row in self.rows)


def _hours(condition: Q, meeting: Meeting) -> Coalesce:
    return Coalesce(
        Sum("commitments__hours", filter=condition & Q(commitments__meeting=meeting)), Value(0)
    )


def cycle_load(meeting: Meeting) -> CycleLoad:
    """Committed against available in the cycle of `meeting` (a TT&CG), for each capability of
    its unit that is active or has hours in the cycle: one aggregate query (the commitments are
    read through their index by meeting and capability). Not filtered by reader: read after the
    meeting itself."""
    in_cycle = CapabilityCommitment.objects.filter(capability=OuterRef("pk"), meeting=meeting)
    capabilities = (
        Capability.objects.filter(unit_id=meeting.unit_id)
        .filter(Q(status=CapabilityStatus.ACTIVE) | Exists(in_cycle))
        .annotate(committed=_hours(COMMITTED, meeting), asked=_hours(ASKED, meeting))
        .order_by("status", "name", "pk")
    )
    return CycleLoad(
        meeting=meeting,
        rows=[
            CapabilityLoad(capability=c, committed=c.committed, asked=c.asked) for c in capabilities
        ],
    )


def committed_hours(capability: Capability, meeting: Meeting) -> int:
    """The hours of `capability` already committed to actions in the cycle of `meeting`."""
    return CapabilityCommitment.objects.filter(
        capability=capability, meeting=meeting, action__isnull=False
    ).aggregate(hours=Coalesce(Sum("hours"), Value(0)))["hours"]
