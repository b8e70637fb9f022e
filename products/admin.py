"""The Django admin for products: read-only, and through the same visibility selector.

Every change to a product goes through products.services (lifecycle, ToR agreement, portion
marking, audit). Administering the system is not a need to know: the admin lists only the
products its user may read (products.selectors.visible_products, no superuser shortcut), and
offers no simple-history views, whose history tables would bypass that selector.
"""

from django.contrib import admin

from products.models import (
    Product,
    ProductUnitShare,
    ProductVersion,
    ReviewComment,
    Section,
    TermsOfReference,
)
from products.selectors import visible_products


class ReadOnlyProductAdmin(admin.ModelAdmin):
    """Rows of products the signed-in user may read; `product_path` leads from a row to its
    product ("" for the product itself)."""

    product_path = "product"

    def get_queryset(self, request):
        visible = visible_products(request.user).values("pk")
        lookup = f"{self.product_path}__in" if self.product_path else "pk__in"
        return super().get_queryset(request).filter(**{lookup: visible})

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyProductAdmin):
    product_path = ""
    list_display = ["title", "kind", "unit", "status", "marking", "need_to_know", "owner"]
    list_filter = ["kind", "status", "marking", "need_to_know"]
    search_fields = ["title"]
    list_select_related = ["unit", "owner"]


@admin.register(TermsOfReference)
class TermsOfReferenceAdmin(ReadOnlyProductAdmin):
    list_display = ["product", "requester", "developer", "deadline"]
    list_select_related = ["product", "requester", "developer"]


@admin.register(Section)
class SectionAdmin(ReadOnlyProductAdmin):
    list_display = ["title", "product", "position", "marking", "revision"]
    list_select_related = ["product"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyProductAdmin):
    list_display = ["product", "version_number", "author", "created_at", "resolved"]
    list_select_related = ["product", "author"]


@admin.register(ProductUnitShare)
class ProductUnitShareAdmin(ReadOnlyProductAdmin):
    list_display = ["product", "unit", "granted_by", "granted_at"]
    list_select_related = ["product", "unit", "granted_by"]


@admin.register(ProductVersion)
class ProductVersionAdmin(ReadOnlyProductAdmin):
    list_display = ["product", "number", "published_at", "marking", "author", "reviewer"]
    list_select_related = ["product", "author", "reviewer"]
