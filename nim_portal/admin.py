"""The Django admin, for system administrators.

The hierarchy and roles are changed in the staff pages, whose services check the kind rules and
write history and audit: here units and memberships are read-only. Changes made here to people
and the vetting table are audited as well, and the audit log can be read but never changed.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from knox.models import AuthToken
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin

from nim_portal import selectors, services
from nim_portal.choices import AuditVerb
from nim_portal.models import AuditEvent, Membership, Unit, User, VettingClearance

# knox's own admin lets an administrator issue a working API token for anybody (shown on the
# page) and act as them, unaudited. Tokens are issued only to their holder, by
# services.api_token_replace; a holder ends theirs by replacing it, and a deactivated person's
# token is refused at once.
admin.site.unregister(AuthToken)


class AuditedAdminMixin:
    """Writes an audit event next to Django's own admin log entry for every addition or change."""

    def log_addition(self, request, obj, message):
        services.audit_record(
            actor=request.user,
            verb=AuditVerb.CREATE,
            obj=obj,
            request=request,
            detail={"via": "django admin"},
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        services.audit_record(
            actor=request.user,
            verb=AuditVerb.UPDATE,
            obj=obj,
            request=request,
            detail={"via": "django admin", "fields": _changed_fields(message)},
        )
        return super().log_change(request, obj, message)


def _changed_fields(message) -> list[str]:
    """The field names from the admin's change message ([{"changed": {"fields": [...]}}])."""
    if not isinstance(message, list):
        return []
    return [name for part in message for name in part.get("changed", {}).get("fields", [])]


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdminMixin, TreeAdmin, SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "kind", "vetting_level", "is_active"]
    list_filter = ["kind", "vetting_level", "is_active", "is_staff", "is_superuser"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Police or partner", {"fields": ["kind", "job_title"]}),
        ("Vetting", {"fields": ["vetting_level", "vetting_expires_on"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Police or partner", {"fields": ["kind", "vetting_level", "vetting_expires_on"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # People are disabled (is_active), never deleted: the audit log and history refer to them.
        return False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "role", "unit", "granted_by", "granted_at"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__last_name", "unit__name", "unit__code"]
    list_select_related = ["user", "unit", "granted_by"]


@admin.register(VettingClearance)
class VettingClearanceAdmin(SimpleHistoryAdmin):
    list_display = ["vetting_level", "max_marking"]
    ordering = ["max_marking", "vetting_level"]

    def save_model(self, request, obj, form, change):
        # Through the service, which allows only system administrators and writes the audit event.
        clearance = services.vetting_clearance_set(
            acting_user=request.user,
            vetting_level=obj.vetting_level,
            max_marking=obj.max_marking,
            request=request,
        )
        obj.pk = clearance.pk

    def has_delete_permission(self, request, obj=None):
        # Every vetting level keeps a row: a missing one would silently mean "reads nothing".
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log as the audit page shows it to the same person: names and details of records they
    may not read are withheld (nim_portal.access, rule 9), and are not searched."""

    list_display = ["at", "actor_username", "verb", "content_type", "record", "ip_address"]
    list_filter = ["verb", "content_type"]
    search_fields = ["actor_username", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
    readonly_fields = [
        "at",
        "actor",
        "actor_username",
        "verb",
        "content_type",
        "object_id",
        "record",
        "ip_address",
        "record_details",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return selectors.audit_events_visible_to(request.user)

    @admin.display(description="record")
    def record(self, event: AuditEvent) -> str:
        return event.object_repr if event.record_readable else AuditEvent.UNREADABLE_RECORD

    @admin.display(description="detail")
    def record_details(self, event: AuditEvent):
        return event.detail if event.record_readable else ""
