"""Object permissions (django-guardian): the one place that reads and writes per-object grants.

Grants are read in SQL, never row by row: `holds_object_permission` is an expression to put inside
a visibility selector's filter. Only grants on the row itself count, to the user directly or to one
of their groups: model-level (global) permissions never open a row, and superusers get no
shortcut here (each selector decides what a superuser sees).

Each protected model may have its own permission tables with a real foreign key (subclasses of
guardian's UserObjectPermissionBase / GroupObjectPermissionBase, see STACK-NOTES.md); guardian's
get_user_obj_perms_model / get_group_obj_perms_model pick them, else its generic tables.

Who may grant what is a rule of each app (a reviewer shares a product, an analyst a release): their
services check it and then call `grant` / `revoke`, which write the grant and the audit event.
"""

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, Exists, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from nim_portal.choices import AuditVerb
from nim_portal.models import User
from nim_portal.services import audit_record


def _codename(perm: str, model: type[Model]) -> str:
    """`app_label.codename` or a bare codename; the app must be the model's own."""
    app_label, _, codename = perm.rpartition(".")
    if app_label and app_label != model._meta.app_label:
        raise ValueError(f"{perm} is not a permission of {model._meta.label}.")
    return codename


def _grant_rows(perm_model: type[Model], model: type[Model], codename: str, row) -> QuerySet:
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

    For querysets of `model` itself; `outer_ref` names where the protected row's primary key sits
    in another queryset, so that rows can be filtered by their parent's grant (for example
    `outer_ref="product_id"` on a product's versions). Adds no query of its own.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    codename, row = _codename(perm, model), OuterRef(outer_ref)
    user_grants = _grant_rows(get_user_obj_perms_model(model), model, codename, row)
    group_grants = _grant_rows(get_group_obj_perms_model(model), model, codename, row)
    return Q(Exists(user_grants.filter(user=user))) | Q(
        Exists(group_grants.filter(group__user=user))
    )


def user_holds_object_permission(user: User, perm: str, obj: Model) -> bool:
    """One object's answer, in one query (lists use `holds_object_permission` in their filter)."""
    model = type(obj)
    return (
        model._default_manager.filter(pk=obj.pk)
        .filter(holds_object_permission(user, perm, model))
        .exists()
    )


def _describe(user_or_group: User | Group) -> dict[str, str]:
    if isinstance(user_or_group, Group):
        return {"group": user_or_group.name}
    return {"user": user_or_group.get_username()}


def _check_grant(perm: str, user_or_group: User | Group, obj: Model) -> str:
    if not isinstance(obj, Model) or obj.pk is None:
        raise ValueError("Object permissions are granted on a saved row, never model-wide.")
    if not isinstance(user_or_group, User | Group):
        raise TypeError("Grant object permissions to a user or a group.")
    model = type(obj)
    codename = _codename(perm, model)
    content_type = ContentType.objects.get_for_model(model)
    if not content_type.permission_set.filter(codename=codename).exists():
        raise ValueError(f"{model._meta.label} has no permission {codename}.")
    return f"{model._meta.app_label}.{codename}"


@transaction.atomic
def grant(
    perm: str,
    user_or_group: User | Group,
    obj: Model,
    *,
    acting_user: User,
    request: HttpRequest | None = None,
) -> bool:
    """Grant `perm` on `obj`; audited. Returns False (and records nothing) if already held."""
    full_perm = _check_grant(perm, user_or_group, obj)
    if isinstance(user_or_group, Group):
        perm_model, identity = get_group_obj_perms_model(obj), {"group": user_or_group}
    else:
        perm_model, identity = get_user_obj_perms_model(obj), {"user": user_or_group}
    codename = full_perm.partition(".")[2]
    if _grant_rows(perm_model, type(obj), codename, obj.pk).filter(**identity).exists():
        return False
    assign_perm(full_perm, user_or_group, obj)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.GRANT,
        obj=obj,
        request=request,
        detail={"permission": full_perm, **_describe(user_or_group)},
    )
    return True


@transaction.atomic
def revoke(
    perm: str,
    user_or_group: User | Group,
    obj: Model,
    *,
    acting_user: User,
    request: HttpRequest | None = None,
) -> bool:
    """Withdraw `perm` on `obj`; audited. Returns False (and records nothing) if it was not held."""
    full_perm = _check_grant(perm, user_or_group, obj)
    removed = remove_perm(full_perm, user_or_group, obj)
    if not removed or not removed[0]:
        return False
    audit_record(
        actor=acting_user,
        verb=AuditVerb.REVOKE,
        obj=obj,
        request=request,
        detail={"permission": full_perm, **_describe(user_or_group)},
    )
    return True
