"""Every state change of the core app: the hierarchy, people and the audit log.

Each function takes the acting user, checks permission, changes the data atomically, and leaves
history (django-simple-history) and an audit event behind.
"""

from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from nim_portal import access, jobs
from nim_portal.choices import (
    DEFAULT_NOTIFICATION_DELIVERY,
    PARENT_KIND_OF_KIND,
    AuditVerb,
    NotificationDelivery,
    NotificationKind,
    Role,
    UnitKind,
    UserKind,
)
from nim_portal.models import (
    AuditEvent,
    Job,
    Membership,
    Notification,
    NotificationPreference,
    RecordClassification,
    Unit,
    User,
    VettingClearance,
    WorkerHeartbeat,
)
from nim_portal.selectors import people_administered_by
from nim_portal.validation import required_text


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as django-axes resolves it (honouring the trusted-proxy settings)."""
    if request is None:
        return None
    return get_client_ip_address(request) or None


def audit_event(
    *,
    actor: User | None,
    verb: str,
    obj: Model | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    """One event of the audit log, not yet saved (bulk writers insert many at once), with the
    record's classification at this moment (who may later read its name: nim_portal.access)."""
    actor = actor if actor is not None and actor.is_authenticated else None
    # An event about no record (a sign-in) keeps the columns' defaults: nobody's record.
    classification = RecordClassification.of(obj).event_fields() if obj is not None else {}
    return AuditEvent(
        actor=actor,
        actor_username=(actor.get_username() if actor else username)[:150],
        verb=verb,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        ip_address=client_address(request),
        detail=detail or {},
        **classification,
    )


def audit_record(**event) -> AuditEvent:
    """Append one event to the audit log (see audit_event). Never updates or deletes one."""
    audited = audit_event(**event)
    audited.save()
    return audited


def _require_admin(acting_user: User, unit: Unit, action: str) -> None:
    if not access.may_administer(acting_user, unit):
        raise PermissionDenied(f"You do not administer {unit} and cannot {action}.")


def _check_siblings_free(
    parent: Unit | None, code: str, name: str, *, exclude: Unit | None = None
) -> None:
    """A unit's code and its name are each unique among the units beside it (case-insensitive)."""
    siblings = (
        Unit.objects.get_children(parent) if parent is not None else Unit.objects.get_root_nodes()
    )
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    where = f"under {parent}" if parent else "at the top of the hierarchy"
    errors = {}
    if siblings.filter(code__iexact=code).exists():
        errors["code"] = f"Another unit {where} already uses the code {code}."
    if siblings.filter(name__iexact=name).exists():
        errors["name"] = f"Another unit {where} is already called {name}."
    if errors:
        raise ValidationError(errors)


def _check_parent_kind(kind: str, parent: Unit | None) -> None:
    expected = PARENT_KIND_OF_KIND[UnitKind(kind)]
    label = UnitKind(kind).label.lower()
    if expected is None and parent is not None:
        raise ValidationError({"parent": f"A {label} unit sits at the top of the hierarchy."})
    if expected is not None and (parent is None or parent.kind != expected):
        raise ValidationError(
            {"parent": f"A {label} must sit directly under a {UnitKind(expected).label.lower()}."}
        )
    if parent is not None and not parent.is_active:
        raise ValidationError({"parent": f"{parent} is inactive; reactivate it first."})


@transaction.atomic
def unit_create(
    *, acting_user: User, parent: Unit | None, kind: str, code: str, name: str, request=None
) -> Unit:
    if parent is None:
        if not acting_user.is_superuser:
            raise PermissionDenied("Only a system administrator can add a new top-level unit.")
    else:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
        _require_admin(acting_user, parent, "add units under it")
    code = required_text(code, field="code", message="Enter the unit's code.").upper()
    name = required_text(name, field="name", message="Enter the unit's name.")
    _check_parent_kind(kind, parent)
    _check_siblings_free(parent, code, name)
    fields = {"kind": kind, "code": code, "name": name}
    if parent is None:
        unit = Unit.objects.add_root(fields)
    else:
        unit = Unit.objects.add_child(parent, fields)
    audit_record(actor=acting_user, verb=AuditVerb.CREATE, obj=unit, request=request)
    return unit


@transaction.atomic
def unit_rename(*, acting_user: User, unit: Unit, code: str, name: str, request=None) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_admin(acting_user, unit, "rename it")
    code = required_text(code, field="code", message="Enter the unit's code.").upper()
    name = required_text(name, field="name", message="Enter the unit's name.")
    before = {"code": unit.code, "name": unit.name}
    if before == {"code": code, "name": name}:
        return unit
    _check_siblings_free(Unit.objects.get_parent(unit), code, name, exclude=unit)
    unit.code, unit.name = code, name
    unit._change_reason = f"Renamed from {before['name']} ({before['code']})"
    unit.save()
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=unit,
        request=request,
        detail={"before": before, "after": {"code": code, "name": name}},
    )
    return unit


def unit_move_check(*, acting_user: User, unit: Unit, new_parent: Unit) -> None:
    """Refuse a move that unit_move would refuse: asked before the administrator confirms it,
    and by unit_move itself."""
    _require_admin(acting_user, unit, "move it")
    _require_admin(acting_user, new_parent, "move units under it")
    if unit.parent_path == new_parent.path:
        raise ValidationError({"parent": f"{unit} already sits under {new_parent}."})
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": "A unit cannot move under itself or a unit below it."})
    _check_parent_kind(unit.kind, new_parent)
    _check_siblings_free(new_parent, unit.code, unit.name, exclude=unit)


@transaction.atomic
def unit_move(*, acting_user: User, unit: Unit, new_parent: Unit, request=None) -> Unit:
    """Move a unit (and everything below it) under a new parent of the right kind."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    new_parent = Unit.objects.select_for_update().get(pk=new_parent.pk)
    old_parent = Unit.objects.get_parent(unit)
    unit_move_check(acting_user=acting_user, unit=unit, new_parent=new_parent)
    Unit.objects.move(unit, new_parent, "last-child")
    # treebeard rewrites paths with UPDATE, which history does not see: save once to record it.
    unit = Unit.objects.get(pk=unit.pk)
    unit._change_reason = f"Moved from {old_parent} to {new_parent}"
    unit.save()
    audit_record(
        actor=acting_user,
        verb=AuditVerb.MOVE,
        obj=unit,
        request=request,
        detail={
            "from": {"id": old_parent.pk, "name": old_parent.name} if old_parent else None,
            "to": {"id": new_parent.pk, "name": new_parent.name},
        },
    )
    return unit


def unit_deactivate_check(*, acting_user: User, unit: Unit) -> None:
    """Refuse a deactivation that unit_deactivate would refuse: asked before the administrator
    confirms it, and by unit_deactivate itself."""
    _require_admin(acting_user, unit, "deactivate it")
    if not unit.is_active:
        raise ValidationError(f"{unit} is already inactive.")
    active_children = Unit.objects.get_children(unit).filter(is_active=True)
    names = list(active_children.values_list("name", flat=True)[:5])
    if names:
        raise ValidationError(
            f"{unit} still has active units under it ({', '.join(names)}): "
            "move or deactivate them first."
        )


@transaction.atomic
def unit_deactivate(*, acting_user: User, unit: Unit, reason: str, request=None) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    unit_deactivate_check(acting_user=acting_user, unit=unit)
    reason = required_text(reason, field="reason", message="Enter the reason for deactivating it.")
    unit.is_active = False
    unit._change_reason = f"Deactivated: {reason}"
    unit.save()
    audit_record(
        actor=acting_user,
        verb=AuditVerb.DEACTIVATE,
        obj=unit,
        request=request,
        detail={"reason": reason},
    )
    return unit


@transaction.atomic
def unit_reactivate(*, acting_user: User, unit: Unit, request=None) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_admin(acting_user, unit, "reactivate it")
    if unit.is_active:
        raise ValidationError(f"{unit} is already active.")
    parent = Unit.objects.get_parent(unit)
    if parent is not None and not parent.is_active:
        raise ValidationError(f"{parent} is inactive: reactivate it first.")
    unit.is_active = True
    unit._change_reason = "Reactivated"
    unit.save()
    audit_record(actor=acting_user, verb=AuditVerb.REACTIVATE, obj=unit, request=request)
    return unit


@transaction.atomic
def user_create(
    *,
    acting_user: User,
    unit: Unit,
    role: str,
    username: str,
    password: str,
    request=None,
    **profile: Any,
) -> User:
    """Create a police user with a first role in `unit` (partner users come with their agency)."""
    _require_admin(acting_user, unit, "add people to it")
    username = required_text(username, field="username", message="Enter the username.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username} is already taken."})
    user = User(username=username, kind=UserKind.POLICE, **profile)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=acting_user, verb=AuditVerb.CREATE, obj=user, request=request)
    membership_grant(acting_user=acting_user, user=user, unit=unit, role=role, request=request)
    return user


@transaction.atomic
def user_update_vetting(
    *, acting_user: User, user: User, vetting_level: str, vetting_expires_on=None, request=None
) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if not people_administered_by(acting_user).filter(pk=user.pk).exists():
        raise PermissionDenied("You do not administer this person.")
    before = {"vetting_level": user.vetting_level, "expires": str(user.vetting_expires_on or "")}
    user.vetting_level = vetting_level
    user.vetting_expires_on = vetting_expires_on
    user.full_clean(exclude=["password"])
    user._change_reason = "Vetting updated"
    user.save()
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=user,
        request=request,
        detail={
            "before": before,
            "after": {"vetting_level": vetting_level, "expires": str(vetting_expires_on or "")},
        },
    )
    return user


@transaction.atomic
def membership_grant(
    *, acting_user: User, user: User, unit: Unit, role: str, request=None
) -> Membership:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _require_admin(acting_user, unit, "grant roles in it")
    if user.is_partner:
        raise ValidationError("Partner agency users cannot hold a police role.")
    if not unit.is_active:
        raise ValidationError(f"{unit} is inactive: roles cannot be granted in it.")
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, unit=unit, role=role, granted_by=acting_user
            )
    except IntegrityError as exc:
        raise ValidationError(
            f"{user} already holds the {Role(role).label.lower()} role in {unit}."
        ) from exc
    audit_record(
        actor=acting_user,
        verb=AuditVerb.GRANT,
        obj=user,
        request=request,
        detail={"unit": unit.pk, "unit_name": unit.name, "role": role},
    )
    return membership


@transaction.atomic
def membership_revoke(*, acting_user: User, membership: Membership, request=None) -> None:
    _require_admin(acting_user, membership.unit, "revoke roles in it")
    if membership.user_id == acting_user.pk and membership.role == Role.ADMIN:
        raise ValidationError("You cannot revoke your own admin role; ask another admin.")
    detail = {
        "unit": membership.unit_id,
        "unit_name": membership.unit.name,
        "role": membership.role,
    }
    user = membership.user
    membership.delete()
    audit_record(actor=acting_user, verb=AuditVerb.REVOKE, obj=user, request=request, detail=detail)


@transaction.atomic
def vetting_clearance_set(*, acting_user: User, vetting_level: str, max_marking: int, request=None):
    """Change the configurable vetting table; only system administrators may."""
    if not access.is_system_administrator(acting_user):
        raise PermissionDenied("Only a system administrator can change the vetting table.")
    clearance, _ = VettingClearance.objects.update_or_create(
        vetting_level=vetting_level, defaults={"max_marking": max_marking}
    )
    audit_record(actor=acting_user, verb=AuditVerb.UPDATE, obj=clearance, request=request)
    return clearance


@transaction.atomic
def job_retry(*, acting_user: User, job: Job, request=None) -> Job:
    """A system administrator sends a failed job to run again, its attempts counted afresh."""
    if not access.is_system_administrator(acting_user):
        raise PermissionDenied("Only a system administrator can retry a job.")
    job = Job.objects.select_for_update().get(pk=job.pk)
    if not job.may_be_retried:
        raise ValidationError("Only a job that failed can be tried again.")
    failed_with = job.last_error
    jobs.job_reopen(job)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.UPDATE,
        obj=job,
        request=request,
        detail={"retried_after": failed_with[:500]},
    )
    return job


def worker_heartbeat_record(hostname: str) -> WorkerHeartbeat:
    """System job: a Celery worker reports that it is alive (read by /healthz)."""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname[:255], defaults={"beat_at": timezone.now()}
    )
    return heartbeat


@transaction.atomic
def api_token_replace(*, acting_user: User, request=None) -> tuple[AuthToken, str]:
    """Issue the user's own API token, replacing any earlier one (which stops working at once).

    Returns the stored token (its digest and expiry: NIM_API_TOKEN_TTL_HOURS) and the token text,
    which is kept nowhere: the caller shows it once.
    """
    if not acting_user.is_authenticated or not acting_user.is_active or acting_user.is_partner:
        raise PermissionDenied("Only police users may hold an API token.")
    replaced = AuthToken.objects.filter(user=acting_user).delete()[0] > 0
    token, text = AuthToken.objects.create(user=acting_user)
    audit_record(
        actor=acting_user,
        verb=AuditVerb.CREATE,
        # Record the holder, never the token (nor its digest, by which it is looked up).
        obj=acting_user,
        request=request,
        detail={"api_token": "replaced" if replaced else "created"},
    )
    return token, text


@transaction.atomic
def second_factor_enrolment_confirm(*, acting_user: User, device: TOTPDevice, request=None) -> None:
    """The user proved a first code from their new authenticator: it becomes their second factor."""
    if device.user_id != acting_user.pk:
        raise PermissionDenied("That authenticator belongs to somebody else.")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=acting_user, confirmed=False).delete()
    audit_record(actor=acting_user, verb=AuditVerb.ENROL_SECOND_FACTOR, obj=device, request=request)


NOTIFICATION_EMAIL_SUBJECT = "NIM Portal: {kind}"
NOTIFICATION_EMAIL_BODY = (
    "You have a new notification in NIM Portal: {kind}.\n\n"
    "Sign in to read it: {url}\n\n"
    "This e-mail carries no details on purpose: read them in the portal."
)


NOTIFICATION_EMAIL_JOB = "nim_portal.notification_email"


def notify(recipients, *, kind: str, message: str, link: str = "") -> list[Notification]:
    """Tell each recipient something of `kind` (a NotificationKind) in the portal, by e-mail that
    there is news, or both, as each has chosen for that kind (NotificationPreference).

    The e-mail carries no title, name or text of the record, only the kind's label and a link:
    e-mail leaves the portal's protection and its marking. It is a job of the pipeline
    (nim_portal.jobs), written with the notification. Somebody who asked for e-mail alone but
    has no address reads it in the portal.
    """
    kind = NotificationKind(kind)
    people = {person.pk: person for person in recipients if person is not None and person.is_active}
    deliveries = dict(
        NotificationPreference.objects.filter(user_id__in=people, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    notifications, to_email = [], set()
    for person in people.values():
        delivery = deliveries.get(person.pk, DEFAULT_NOTIFICATION_DELIVERY)
        emailed = bool(person.email) and delivery != NotificationDelivery.PORTAL
        in_portal = delivery != NotificationDelivery.EMAIL or not emailed
        notification = Notification(
            recipient=person, kind=kind, message=message[:300], link=link, in_portal=in_portal
        )
        notifications.append(notification)
        if emailed:
            to_email.add(person.pk)
    notifications = Notification.objects.bulk_create(notifications)
    jobs.jobs_enqueue(
        NOTIFICATION_EMAIL_JOB,
        [
            notification.pk
            for notification in notifications
            if notification.recipient_id in to_email
        ],
    )
    return notifications


def notification_email_send(notification_id: int) -> bool:
    """Job (NOTIFICATION_EMAIL_JOB): e-mail one notification's recipient once: its kind and a
    link, nothing of the record. The link opens the notification list, or the record itself
    for a notification not shown in the portal."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        path = "/notifications/" if notification.in_portal else (notification.link or "/")
        kind = notification.get_kind_display() or "news"
        send_mail(
            NOTIFICATION_EMAIL_SUBJECT.format(kind=kind),
            NOTIFICATION_EMAIL_BODY.format(kind=kind, url=f"{settings.NIM_PORTAL_URL}{path}"),
            None,
            [notification.recipient.email],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True


@transaction.atomic
def notification_preferences_set(*, acting_user: User, deliveries: dict[str, str]) -> None:
    """Set how the user hears of each kind of notification (`deliveries`: kind -> delivery);
    a kind left out keeps its preference. Each person sets their own only."""
    if not acting_user.is_authenticated or not acting_user.is_active:
        raise PermissionDenied("Sign in to choose how you hear of notifications.")
    for kind, delivery in deliveries.items():
        if kind not in NotificationKind.values or delivery not in NotificationDelivery.values:
            raise ValidationError({kind: "Choose how you hear of this."})
    for kind, delivery in deliveries.items():
        NotificationPreference.objects.update_or_create(
            user=acting_user, kind=kind, defaults={"delivery": delivery}
        )


def notifications_mark_read(*, acting_user: User, notification_ids=None) -> int:
    """Mark the user's own notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(
        recipient=acting_user, read_at__isnull=True, in_portal=True
    )
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    # A bulk update is fine here: notifications carry no history and are the reader's own.
    return unread.update(read_at=timezone.now())
