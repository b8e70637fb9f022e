"""Guardian's per-object permission tables for products, with a real foreign key (docs/access.md,
rule 3).

`products.view_product` granted here opens a need-to-know product to a person (rule 3); read
through nim_portal.access.holds_object_permission, written through nim_portal.access.grants.grant.
"""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class ProductUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("products.Product", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "product permission of a user"


class ProductGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("products.Product", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "product permission of a group"
