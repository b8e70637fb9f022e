"""The access policy: the one home of every rule about who may read or do what.

Every rule is a filter to put inside a queryset (a `Q`, an `Exists`, a subquery), never a loop
over rows, so that visibility is decided by the database on indexed columns (unit id and path,
marking, grants) and stays fast over the national dataset. Each model read by audience has a
`visible_to(user)` queryset method composed from these rules; selectors, services, views, the
API, tasks and templates go through those methods. The rules (numbered as in docs/access.md):

1. A membership grants its role in its unit and in every unit below it; a membership in a
   deactivated unit grants nothing.
2. Nobody reads a record marked above the ceiling of their vetting (the vetting table).
3. Need-to-know records are read only by those granted them (django-guardian object grants),
   plus the few the owning app names (owner, requester, reviewer).
4. A record can be shared with another unit by a grant of its own app.
5. Partner users read only what was released to their agency; police readers are active police
   users (not partners).
8. A person whose vetting has lapsed reads nothing marked: they are no police reader at all.
9. The audit log names a record (and gives its details) only to a reader who may read it: by
   the marking, unit and need-to-know flag it had when the event was written.

Superusers get no shortcut here: administering the system is not a need to know.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    CharField,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.db.models.lookups import StartsWith
from django.utils import timezone
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from nim_portal import lookups  # noqa: F401  (registers any_of)
from nim_portal.choices import NO_CLEARANCE, Role, UserKind
from nim_portal.models import Membership, Unit, User

# Who a person is.


def is_police(user: User) -> bool:
    """An active, signed-in police user: who may act in a police role (whatever their vetting)."""
    return bool(user.is_authenticated and user.is_active and not user.is_partner)


def require_police(user: User | None, what: str) -> None:
    """Refuse `what` (PermissionDenied) to anybody but an active, signed-in police user."""
    if user is None or not is_police(user):
        raise PermissionDenied(f"Only an active police user can {what}.")


def is_police_reader(user: User) -> bool:
    """A police user whose vetting is current: who may read police records (rules 5 and 8)."""
    return is_police(user) and user.vetting_current


def is_active_partner(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_partner)


def second_factor_pending(user: User) -> bool:
    """A signed-in user who must still give a one-time password this session: everybody, police
    and partner users alike, when NIM_REQUIRE_SECOND_FACTOR is on (production). Until then they
    reach only the sign-in pages (nim_portal.middleware.SecondFactorRequiredMiddleware)."""
    return bool(
        settings.NIM_REQUIRE_SECOND_FACTOR and user.is_authenticated and not user.is_verified()
    )


def police_readers() -> QuerySet[User]:
    """The police readers as a queryset, for checks made by id inside another query (the
    meeting screens' poll reads no user row of its own)."""
    return User.objects.filter(
        Q(vetting_expires_on__isnull=True) | Q(vetting_expires_on__gte=timezone.localdate()),
        is_active=True,
        kind=UserKind.POLICE,
    )


# Markings (rule 2).


def marking_ceiling(user: User) -> Value | Subquery:
    """The highest marking `user` may read (`User.readable_marking`), to put in a query: a
    constant when the user object holds it already (each request's signed-in user does:
    nim_portal.access.backends), so that PostgreSQL plans with the markings' own statistics;
    else the vetting table's row for their level, read inside the query, so that checking
    somebody else (whom to notify, whom to invite) costs no query of its own."""
    if not user.is_authenticated:
        return Value(NO_CLEARANCE, output_field=IntegerField())
    if user.readable_marking_known:
        return Value(user.readable_marking, output_field=IntegerField())
    return Subquery(User.vetting_table_ceiling(user.vetting_level), output_field=IntegerField())


def within_ceiling(user: User, *fields: str) -> Q:
    """A filter: each marking field (default "marking") is within `user`'s ceiling."""
    ceiling = marking_ceiling(user)
    return Q(*(Q(**{f"{name}__lte": ceiling}) for name in fields or ("marking",)))


def may_read_marking(user: User, marking: int) -> bool:
    """One marking against `user`'s ceiling, in Python (the ceiling is read once per request)."""
    return user.is_authenticated and user.may_read(marking)


# The unit tree (rule 1).


def _roles(roles) -> list[str] | None:
    if roles is None:
        return None
    if isinstance(roles, str):
        return [roles]
    return list(roles)


def memberships_of(user, roles: str | Iterable[str] | None = None) -> QuerySet[Membership]:
    """The memberships in active units of `user` (a user, a user's id or an OuterRef to one), in
    one of `roles`."""
    memberships = Membership.objects.filter(user=user, unit__is_active=True)
    roles = _roles(roles)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships


def ancestor_paths(unit: Unit) -> list[str]:
    """The tree paths of `unit` and every unit above it (no query: a path holds its ancestors)."""
    return [unit.path[:end] for end in range(unit.steplen, len(unit.path) + 1, unit.steplen)]


def _path(field: str | None) -> str:
    return f"{field}__path" if field else "path"


def at_or_above(unit: Unit, field: str | None = "unit") -> Q:
    """A filter: the row's unit (`field`; None: the row is a unit) is `unit` or a unit above it."""
    return Q(**{f"{_path(field)}__in": ancestor_paths(unit)})


def at_or_below(unit: Unit, field: str | None = "unit") -> Q:
    """A filter: the row's unit (`field`; None: the row is a unit) is `unit` or a unit below it."""
    return Q(**{f"{_path(field)}__startswith": unit.path})


def below_outer_unit(field: str = "unit") -> Q:
    """A filter on units: strictly below the unit that the outer row's `field` names."""
    return Q(path__startswith=OuterRef(f"{field}__path"), depth__gt=OuterRef(f"{field}__depth"))


def at_or_below_unit_id(unit_id: int, field: str = "unit") -> Q:
    """`at_or_below` for a unit known only by id (its path read inside the same query)."""
    path = Unit.objects.filter(pk=unit_id).values("path")[:1]
    return Q(**{f"{field}__path__startswith": Subquery(path)})


def in_tree_of(unit: Unit, field: str | None = "unit") -> Q:
    """A filter: the row's unit is `unit`, above it or below it (its line of the tree)."""
    return at_or_above(unit, field) | at_or_below(unit, field)


def works_in_line_of(user: User, unit: Unit) -> bool:
    """Whether `user` holds any police role in `unit`, a unit above it or below it. One query."""
    if not is_police(user):
        return False
    return memberships_of(user).filter(in_tree_of(unit)).exists()


def holds_role_over(user: User, roles: str | Iterable[str] | None, unit: Unit) -> bool:
    """Whether `user` holds one of `roles` (None: any) in `unit` or a unit above it. One query."""
    if not is_police(user):
        return False
    return memberships_of(user, roles).filter(unit__path__in=ancestor_paths(unit)).exists()


def roles_over(user: User, unit: Unit) -> set[str]:
    """The roles `user` holds over `unit` (in it or above it), in one query."""
    if not is_police(user):
        return set()
    memberships = memberships_of(user).filter(unit__path__in=ancestor_paths(unit))
    return set(memberships.values_list("role", flat=True))


def units_covered(
    user: User, roles: str | Iterable[str] | None = None, *, include_inactive: bool = False
) -> QuerySet[Unit]:
    """The units in which `user` acts in one of `roles`: where held and every unit below (rule 1).

    Evaluated once per query as a small set (a few hundred units at most), so filters such as
    `unit__in=units_covered(user)` are a hashed semi-join, not a per-row scan of the tree.
    """
    if not is_police(user):
        return Unit.objects.none()
    units = units_covered_by_id(user.pk, roles)
    return units if include_inactive else units.filter(is_active=True)


def units_covered_by_id(user_id: int, roles=None) -> QuerySet[Unit]:
    """`units_covered` for a user known only by id: pair it with a `police_readers()` check."""
    covering = memberships_of(user_id, roles).filter(StartsWith(OuterRef("path"), F("unit__path")))
    return Unit.objects.filter(Exists(covering))


def units_in_line(user: User, roles: str | Iterable[str] | None = None) -> QuerySet[Unit]:
    """Units at, above or below one of `user`'s memberships in `roles`: a unit's line of the tree
    (a BCU works under its force's strategy, a force reads its BCUs')."""
    if not is_police(user):
        return Unit.objects.none()
    in_line = memberships_of(user, roles).filter(
        Q(StartsWith(OuterRef("path"), F("unit__path")))
        | Q(unit__path__startswith=OuterRef("path"))
    )
    return Unit.objects.filter(Exists(in_line))


def in_units_covered(user: User, field: str = "unit", roles=None) -> Q:
    """A filter: the row's unit (`field`) is one where `user` holds one of `roles` (rule 1)."""
    return Q(**{f"{field}__in": units_covered(user, roles, include_inactive=True).values("pk")})


def in_units_in_line(user: User, field: str = "unit", roles=None) -> Q:
    """A filter: the row's unit is in the line of the tree of one of `user`'s memberships."""
    return Q(**{f"{field}__in": units_in_line(user, roles).values("pk")})


def units_at_or_above_any(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """The units at or above any of `units` (a queryset)."""
    return Unit.objects.filter(Exists(units.filter(path__startswith=OuterRef("path"))))


def units_in_line_of(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """The units at, above or below any of `units` (a queryset): their lines of the tree."""
    related = units.filter(
        Q(StartsWith(OuterRef("path"), F("path"))) | Q(path__startswith=OuterRef("path"))
    )
    return Unit.objects.filter(Exists(related))


def _people_holding(roles, *unit_filters: Q) -> Q:
    """A filter on users: holds one of `roles` (None: any) in an active unit so filtered."""
    return Q(Exists(memberships_of(OuterRef("pk"), roles).filter(*unit_filters)))


def people_in_line(units: QuerySet[Unit], roles=None) -> Q:
    """A filter on users: holds one of `roles` (None: any) in an active unit at, above or below
    any of `units`."""
    return _people_holding(roles, Q(unit__in=units_in_line_of(units).values("pk")))


def people_below(unit: Unit) -> Q:
    """A filter on users: holds a role in an active unit at or below `unit`."""
    return _people_holding(None, at_or_below(unit))


def people_over(unit: Unit, roles=None) -> Q:
    """A filter on users: holds one of `roles` in an active unit at or above `unit`."""
    return _people_holding(roles, at_or_above(unit))


def chairs_of(unit: Unit) -> QuerySet[User]:
    """The active chairs of `unit` itself: who hear of what is sent to its T&CG (the chairs above
    may decide it too, but hear of their own units' business)."""
    return User.objects.filter(_people_holding(Role.CHAIR, Q(unit=unit)), is_active=True)


def people_over_any(units: QuerySet[Unit], roles=None) -> Q:
    """A filter on users: holds one of `roles` in an active unit at or above any of `units`
    (holds_role_over, for a choice among several units)."""
    return _people_holding(roles, Q(unit__in=units_at_or_above_any(units).values("pk")))


# Object grants (rules 3 and 4): django-guardian's per-model tables, read in SQL.


def permission_codename(perm: str, model: type[Model]) -> str:
    """`app_label.codename` or a bare codename; the app must be the model's own."""
    app_label, _, codename = perm.rpartition(".")
    if app_label and app_label != model._meta.app_label:
        raise ValueError(f"{perm} is not a permission of {model._meta.label}.")
    return codename


def grant_rows(perm_model: type[Model], model: type[Model], codename: str, row) -> QuerySet:
    """Rows of `perm_model` granting `codename` on `row`: an OuterRef to the pk, or a pk value."""
    grants = perm_model.objects.filter(
        permission__codename=codename,
        permission__content_type__app_label=model._meta.app_label,
        permission__content_type__model=model._meta.model_name,
    )
    if not perm_model.objects.is_generic():
        return grants.filter(content_object=row)
    # The generic tables keep the primary key as text.
    object_pk = Cast(row, output_field=CharField()) if isinstance(row, OuterRef) else str(row)
    return grants.filter(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        object_pk=object_pk,
    )


def holds_object_permission(
    user: User, perm: str, model: type[Model], *, outer_ref: str = "pk"
) -> Q:
    """A filter: `user` (directly or through one of their groups) holds `perm` on the row.

    Only grants on the row itself count: model-level (global) permissions never open a row.
    `outer_ref` names where the protected row's primary key sits in another queryset (for
    example `outer_ref="product_id"` on a product's versions). Adds no query of its own.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    codename, row = permission_codename(perm, model), OuterRef(outer_ref)
    user_grants = grant_rows(get_user_obj_perms_model(model), model, codename, row)
    group_grants = grant_rows(get_group_obj_perms_model(model), model, codename, row)
    return Q(Exists(user_grants.filter(user=user))) | Q(
        Exists(group_grants.filter(group__user=user))
    )


def people_granted(perm: str, obj: Model) -> Q:
    """A filter on users: holds `perm` on `obj`, directly or through one of their groups (the
    people's side of `holds_object_permission`, for counting who may read a record)."""
    model = type(obj)
    codename = permission_codename(perm, model)
    user_grants = grant_rows(get_user_obj_perms_model(model), model, codename, obj.pk)
    group_grants = grant_rows(get_group_obj_perms_model(model), model, codename, obj.pk)
    return Q(Exists(user_grants.filter(user=OuterRef("pk")))) | Q(
        Exists(group_grants.filter(group__user=OuterRef("pk")))
    )


def user_holds_object_permission(user: User, perm: str, obj: Model) -> bool:
    """One object's answer, in one query (lists use `holds_object_permission` in their filter)."""
    model = type(obj)
    return (
        model._default_manager.filter(pk=obj.pk)
        .filter(holds_object_permission(user, perm, model))
        .exists()
    )


# Administration.


# Where a user object keeps whether they administer a unit once read (one query per request,
# however many links and pages ask it).
ADMINISTERS_UNITS = "_administers_units"


def is_unit_admin(user: User) -> bool:
    """Whether the user administers any part of the hierarchy (to show the admin pages)."""
    if not is_police(user):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, ADMINISTERS_UNITS):
        setattr(user, ADMINISTERS_UNITS, user.memberships.filter(role=Role.ADMIN).exists())
    return getattr(user, ADMINISTERS_UNITS)


def is_system_administrator(user: User) -> bool:
    """A police superuser: who keeps the system itself (the vetting table, the job pipeline)."""
    return is_police(user) and user.is_superuser


def may_administer(user: User, unit: Unit) -> bool:
    """Admins manage their unit and the units below it; superusers every unit."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return True
    return holds_role_over(user, Role.ADMIN, unit)


def administered_units(user: User) -> QuerySet[Unit]:
    if user.is_authenticated and user.is_active and user.is_superuser:
        return Unit.objects.all()
    return units_covered(user, Role.ADMIN, include_inactive=True)


def administered_paths(user: User) -> list[str]:
    """Tree paths under which `user` administers, to test many units in Python with one query.

    A unit is administered when its path starts with one of these (a superuser's "" matches all).
    """
    if not is_police(user):
        return []
    if user.is_superuser:
        return [""]
    return list(memberships_of(user, Role.ADMIN).values_list("unit__path", flat=True))


def path_is_administered(path: str, paths: list[str]) -> bool:
    return any(path.startswith(prefix) for prefix in paths)


# The audit log (rule 9).


def may_read_audited_record(user: User) -> Q:
    """A filter on audit events: the event names no record, or one its reader may read by the
    classification the record had when the event was written (marking within the ceiling, a unit
    the reader covers, not need-to-know). Other events show what happened, not to what."""
    return Q(content_type__isnull=True) | (
        within_ceiling(user, "record_marking")
        & Q(record_need_to_know=False)
        & (Q(record_unit__isnull=True) | in_units_covered(user, "record_unit"))
    )
