"""The Django admin for partners: read-only. Every change goes through partners.services
(permission, grants, audit); the admin only lets a superuser look, never edit."""

from django.contrib import admin

from partners.models import AgencyMembership, PartnerAgency, Release, ReleaseDocument


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PartnerAgency)
class PartnerAgencyAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "agreement_reference", "agreement_review_on", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "agreement_reference"]


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "agency", "added_at"]
    list_select_related = ["user", "agency"]


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    # No partner_content or section list here: the release's own pages show those through the
    # staff selector, which checks who may read the product.
    list_display = ["reference", "status", "marking", "expires_on", "prepared_at"]
    list_filter = ["status"]
    fields = ["reference", "status", "marking", "expires_on", "prepared_at", "approved_at"]
    search_fields = ["reference"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(ReleaseDocument)
class ReleaseDocumentAdmin(ReadOnlyAdmin):
    list_display = ["release", "agency", "status", "rendered_at"]
    list_filter = ["status"]
    fields = ["release", "agency", "status", "last_error", "sha256", "rendered_at"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
