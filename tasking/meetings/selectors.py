"""Reads of meetings that depend on who is asking.

Who reads a meeting: police users holding any role in its unit or a unit above it (rule 1), and
its police invitees; missing and forbidden give the same 404.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from nim_portal import access
from nim_portal.choices import UserKind
from nim_portal.ids import id_or_404
from nim_portal.models import Unit, User
from tasking.meetings.choices import MeetingStatus
from tasking.meetings.models import CadencePolicy, Meeting, MeetingInvitee


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    """Meetings of the units the user holds a role in or above, and meetings they are invited
    to (police users only)."""
    return Meeting.objects.visible_to(user)


def meeting_for_user(user: User, pk) -> Meeting:
    """One meeting the user may read, or 404 (missing and forbidden alike)."""
    meeting = (
        meetings_visible_to(user)
        .select_related(
            "unit", "chair", "current_agenda_item", "tactical_assessment", "strategic_assessment"
        )
        .filter(pk=id_or_404(pk, "meeting"))
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def get_police_invitation(user: User, meeting_pk) -> MeetingInvitee:
    """The police user's own invitation to a meeting they may read, with the meeting, its unit
    and chair; or 404 (not invited, a partner attendee, or a meeting they may not read)."""
    invitation = (
        MeetingInvitee.objects.filter(
            user=user,
            is_partner_attendee=False,
            meeting__in=meetings_visible_to(user).values("pk"),
            meeting_id=id_or_404(meeting_pk, "meeting"),
        )
        .select_related("meeting__unit", "meeting__chair")
        .first()
    )
    if invitation is None:
        raise Http404("No such meeting.")
    return invitation


def meetings_for_user(user: User) -> QuerySet[Meeting]:
    """The user's meetings for the list: sitting first, then upcoming, then the latest held."""
    now = timezone.now()
    return (
        meetings_visible_to(user)
        .select_related("unit", "chair")
        .annotate(
            list_group=Case(
                When(status=MeetingStatus.IN_SESSION, then=Value(0)),
                When(status=MeetingStatus.SCHEDULED, starts_at__gte=now, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("list_group", "starts_at", "pk")
    )


def next_meetings_for_user(user: User, *, limit: int = 3) -> list[Meeting]:
    """The user's sitting meetings, then the next scheduled ones, at most `limit` (one query)."""
    # The same rows as list_group < 2, said on indexed columns (status, starts_at) so that only
    # sitting and upcoming meetings are read, not every meeting the user may read.
    sitting_or_next = Q(status=MeetingStatus.IN_SESSION) | Q(
        status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
    )
    return list(meetings_for_user(user).filter(sitting_or_next, list_group__lt=2)[:limit])


def people_invitable_to(meeting: Meeting) -> QuerySet[User]:
    """Active police users a chair may invite: those holding a role in an active unit under the
    meeting unit's parent (its own unit, its neighbours and everything below them) or above it,
    and not invited already."""
    unit = meeting.unit
    parent = Unit.objects.get_parent(unit) if unit.depth > 1 else unit
    return (
        User.objects.filter(
            access.people_below(parent) | access.people_over(unit),
            is_active=True,
            kind=UserKind.POLICE,
        )
        .exclude(meeting_invitations__meeting=meeting)
        .order_by("last_name", "first_name", "username")
    )


# Lapsed cadences.


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
