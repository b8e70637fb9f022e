"""Guardian's per-object permission tables for releases, with a real foreign key (docs/access.md,
rule 3).

`partners.view_release` is granted to each recipient agency's group on approval and revoked on
withdrawal or expiry; read through nim_portal.access.holds_object_permission.
"""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class ReleaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("partners.Release", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "release permission of a user"


class ReleaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("partners.Release", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "release permission of a group"
