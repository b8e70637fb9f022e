"""Reads of the core app that depend on who is asking. Each answers in one query."""

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from nim_portal import access
from nim_portal.choices import (
    DEFAULT_NOTIFICATION_DELIVERY,
    PARTNER_NOTIFICATION_KINDS,
    NotificationKind,
)
from nim_portal.ids import id_or_404
from nim_portal.models import (
    AuditEvent,
    Job,
    Membership,
    Notification,
    NotificationPreference,
    Unit,
    User,
)
from nim_portal.models.notifications import UNREAD_NOTIFICATIONS


def memberships_of(user: User) -> QuerySet[Membership]:
    return user.memberships.select_related("unit").order_by("unit__path", "role")


def visible_units(user: User) -> QuerySet[Unit]:
    """The hierarchy itself is not classified: every police user may read it; partners may not."""
    if not access.is_police(user):
        return Unit.objects.none()
    return Unit.objects.all()


def get_unit_for(user: User, pk: int) -> Unit:
    unit = visible_units(user).filter(pk=pk).first()
    if unit is None:
        raise Http404("No such unit.")
    return unit


def people_administered_by(user: User) -> QuerySet[User]:
    """People holding a role somewhere the admin administers (superusers: everybody)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return User.objects.all()
    admin_units = access.administered_units(user)
    return User.objects.filter(
        Exists(Membership.objects.filter(user=OuterRef("pk"), unit__in=admin_units))
    )


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """National admins (and superusers) read the whole log; other admins read their people's.
    The log names records, so an admin whose vetting has lapsed reads none of it. Each event
    carries `record_readable`: whether its reader may read the record's name and the details."""
    if not access.is_unit_admin(user) or not access.is_police_reader(user):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor", "content_type").annotate(
        record_readable=ExpressionWrapper(
            access.may_read_audited_record(user), output_field=BooleanField()
        )
    )
    # The national unit's administrators; a law enforcement agency is a root too, but its own.
    national = access.administered_units(user).filter(depth=1, is_agency=False)
    if user.is_superuser or national.exists():
        return events
    people = people_administered_by(user)
    return events.filter(Q(actor__in=people) | Q(actor_username__in=people.values("username")))


def memberships_with_scope(user: User) -> QuerySet[Membership]:
    """The user's memberships, each with `units_below`: the active units its role also covers.

    One query whatever the number of memberships (the dashboard shows them all).
    """
    units_below = (
        Unit.objects.filter(access.below_outer_unit(), is_active=True)
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return memberships_of(user).annotate(
        units_below=Coalesce(Subquery(units_below, output_field=IntegerField()), 0)
    )


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications shown in the portal, newest first."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, in_portal=True)


def unread_notification_count(user: User) -> int:
    """The user's unread notifications: read with the signed-in user by the sign-in backend
    (no query), or counted."""
    known = getattr(user, UNREAD_NOTIFICATIONS, None)
    if known is not None:
        return known
    return notifications_for(user).filter(read_at__isnull=True).count()


def notification_kinds_for(user: User) -> list[NotificationKind]:
    """The kinds of notification `user` may hear of, for their preferences page."""
    if user.is_partner:
        return list(PARTNER_NOTIFICATION_KINDS)
    return [kind for kind in NotificationKind if kind not in PARTNER_NOTIFICATION_KINDS]


def notification_deliveries_of(user: User) -> dict[str, str]:
    """How `user` hears of each kind they may hear of (the default for a kind with no choice)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {
        kind: chosen.get(kind, DEFAULT_NOTIFICATION_DELIVERY)
        for kind in notification_kinds_for(user)
    }


def jobs_visible_to(user: User) -> QuerySet[Job]:
    """The job pipeline's jobs, newest first, for a system administrator; nothing for others."""
    if not access.is_system_administrator(user):
        return Job.objects.none()
    return Job.objects.order_by("-created_at", "-id")


def get_job_for(user: User, pk) -> Job:
    job = jobs_visible_to(user).filter(pk=id_or_404(pk, "job")).first()
    if job is None:
        raise Http404("No such job.")
    return job
