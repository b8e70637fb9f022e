"""Reads of the core app that depend on who is asking. Each answers in one query."""

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import StartsWith
from django.http import Http404

from nim_portal.choices import Role
from nim_portal.models import AuditEvent, Membership, Notification, Unit, User


def _memberships_covering_outer_unit(user: User, roles) -> QuerySet[Membership]:
    """Memberships of `user` in one of `roles` held at the outer unit or any unit above it."""
    # A lookup expression: Django cannot filter on an annotation that is only an OuterRef.
    return Membership.objects.filter(user=user, role__in=roles, unit__is_active=True).filter(
        StartsWith(OuterRef("path"), F("unit__path"))
    )


def units_where_user_holds(
    user: User, role: str | Role, *, include_inactive: bool = False
) -> QuerySet[Unit]:
    """Units in which `user` may act in `role`: where it is held and every unit below (rule 1)."""
    if not user.is_authenticated or user.is_partner or not user.is_active:
        return Unit.objects.none()
    units = Unit.objects.filter(Exists(_memberships_covering_outer_unit(user, [role])))
    if not include_inactive:
        units = units.filter(is_active=True)
    return units


def user_holds_role_in(user: User, role: str | Role, unit: Unit) -> bool:
    return units_where_user_holds(user, role, include_inactive=True).filter(pk=unit.pk).exists()


def user_may_administer(user: User, unit: Unit) -> bool:
    """Admins manage the units below their membership, and the unit itself."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return user_holds_role_in(user, Role.ADMIN, unit)


def user_is_unit_admin(user: User) -> bool:
    """Whether the user administers any part of the hierarchy (to show the admin pages)."""
    if not user.is_authenticated or not user.is_active or user.is_partner:
        return False
    return user.is_superuser or user.memberships.filter(role=Role.ADMIN).exists()


def memberships_of(user: User) -> QuerySet[Membership]:
    return user.memberships.select_related("unit").order_by("unit__path", "role")


def visible_units(user: User) -> QuerySet[Unit]:
    """The hierarchy itself is not classified: every police user may read it; partners may not."""
    if not user.is_authenticated or not user.is_active or user.is_partner:
        return Unit.objects.none()
    return Unit.objects.all()


def get_unit_for(user: User, pk: int) -> Unit:
    unit = visible_units(user).filter(pk=pk).first()
    if unit is None:
        raise Http404("No such unit.")
    return unit


def administered_units(user: User) -> QuerySet[Unit]:
    if user.is_authenticated and user.is_active and user.is_superuser:
        return Unit.objects.all()
    return units_where_user_holds(user, Role.ADMIN, include_inactive=True)


def administered_paths(user: User) -> list[str]:
    """Tree paths under which `user` administers, to test many units in Python with one query.

    A unit is administered when its path starts with one of these (a superuser's "" matches all).
    """
    if not user.is_authenticated or not user.is_active or user.is_partner:
        return []
    if user.is_superuser:
        return [""]
    return list(
        Membership.objects.filter(user=user, role=Role.ADMIN, unit__is_active=True).values_list(
            "unit__path", flat=True
        )
    )


def path_is_administered(path: str, paths: list[str]) -> bool:
    return any(path.startswith(prefix) for prefix in paths)


def people_administered_by(user: User) -> QuerySet[User]:
    """People holding a role somewhere the admin administers (superusers: everybody)."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return User.objects.all()
    admin_units = administered_units(user)
    return User.objects.filter(
        Exists(Membership.objects.filter(user=OuterRef("pk"), unit__in=admin_units))
    )


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """National admins (and superusers) read the whole log; other admins read their people's."""
    if not user_is_unit_admin(user):
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor", "content_type")
    if user.is_superuser or administered_units(user).filter(depth=1).exists():
        return events
    people = people_administered_by(user)
    return events.filter(Q(actor__in=people) | Q(actor_username__in=people.values("username")))


def memberships_with_scope(user: User) -> QuerySet[Membership]:
    """The user's memberships, each with `units_below`: the active units its role also covers.

    One query whatever the number of memberships (the dashboard shows them all).
    """
    units_below = (
        Unit.objects.filter(
            path__startswith=OuterRef("unit__path"),
            depth__gt=OuterRef("unit__depth"),
            is_active=True,
        )
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return memberships_of(user).annotate(
        units_below=Coalesce(Subquery(units_below, output_field=IntegerField()), 0)
    )


def notifications_for(user: User) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def unread_notification_count(user: User) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
