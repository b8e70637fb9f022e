"""Connects Django's sign-in signals and django-axes' lockout signal to the audit log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from nim_portal.choices import AuditVerb
from nim_portal.services import audit_record


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def audit_sign_in(sender, request, user, **kwargs):
    audit_record(actor=user, verb=AuditVerb.SIGN_IN, request=request)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, verb=AuditVerb.SIGN_OUT, request=request)


@receiver(user_login_failed, dispatch_uid="audit_failed_sign_in")
def audit_failed_sign_in(sender, credentials, request=None, **kwargs):
    audit_record(
        actor=None,
        verb=AuditVerb.FAILED_SIGN_IN,
        request=request,
        username=str(credentials.get("username", "")),
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def audit_locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(actor=None, verb=AuditVerb.LOCKED_OUT, request=request, username=username or "")
