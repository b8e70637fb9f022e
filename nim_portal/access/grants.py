"""Object grants (django-guardian): the one place that writes per-object grants.

Grants are read in SQL by the access policy (`nim_portal.access.holds_object_permission`), never
row by row. Each protected model may have its own permission tables with a real foreign key
(subclasses of guardian's UserObjectPermissionBase / GroupObjectPermissionBase); guardian's
get_user_obj_perms_model / get_group_obj_perms_model pick them, else its generic tables.

Who may grant what is a rule of each app (a reviewer shares a product, an analyst a release): their
services check it and then call `grant` / `revoke`, which write the grant and the audit event.
"""

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from nim_portal.access import grant_rows, permission_codename
from nim_portal.choices import AuditVerb
from nim_portal.models import User
from nim_portal.services import audit_record


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
    codename = permission_codename(perm, model)
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
    if grant_rows(perm_model, type(obj), codename, obj.pk).filter(**identity).exists():
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
