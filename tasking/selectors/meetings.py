"""Reads of meetings that depend on who is asking."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from nim_portal import access
from nim_portal.models import Unit, User
from tasking.meetings.choices import MeetingStatus
from tasking.models import CadencePolicy, Meeting


@dataclass(frozen=True)
class LapsedCadence:
    """A unit whose last held (closed) meeting of a kind is older than its interval plus grace."""

    unit: Unit
    policy: CadencePolicy
    last_held: datetime | None

    @property
    def meeting_kind(self) -> str:
        return self.policy.meeting_kind


def lapsed_cadences(user: User, *, now: datetime | None = None) -> list[LapsedCadence]:
    """The lapsed cadences in the units `user` administers (system administrators: all), for the
    admin page. A unit that never held a meeting of the kind counts from its creation. One query
    per enabled policy, whatever the number of units."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    units_in_scope = access.administered_units(user).filter(is_active=True)
    lapsed = []
    for policy in CadencePolicy.objects.filter(is_enabled=True):
        threshold = timezone.make_aware(
            datetime.combine(
                policy.slot_after(today, -1) - timedelta(days=policy.grace_days), time.min
            )
        )
        last_held = (
            Meeting.objects.filter(
                unit=OuterRef("pk"), kind=policy.meeting_kind, status=MeetingStatus.CLOSED
            )
            .order_by("-starts_at")
            .values("starts_at")[:1]
        )
        units = (
            units_in_scope.filter(kind=policy.unit_kind)
            .annotate(last_held=Subquery(last_held))
            .filter(
                Q(last_held__lt=threshold) | Q(last_held__isnull=True, created_at__lt=threshold)
            )
            .order_by(F("path"))
        )
        lapsed.extend(
            LapsedCadence(unit=unit, policy=policy, last_held=unit.last_held) for unit in units
        )
    lapsed.sort(key=lambda item: (item.unit.path, item.policy.meeting_kind))
    return lapsed
