"""Who may do what with partner agencies and releases: the one home of each "may do" rule of the
partners app, on top of the access policy (nim_portal.access).

Services refuse with the `require_*` functions and methods (PermissionDenied, with a message fit
to show); pages ask the same questions (`can_*`) to show only what their reader may do. A
release's page reads the reader's roles over the product's unit once (ReleasePolicy.roles).
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import User
from partners.models import PartnerAgency, Release
from partners.selectors import releases_visible_to_staff
from products.models import Product, ProductVersion

# Who prepares a partner release of a unit's product, and acknowledges its warnings.
PREPARING_ROLES = (Role.ANALYST,)


def require_agency_admin(user: User, agency: PartnerAgency, action: str) -> None:
    """A superuser, or an admin over one of the units the agency works with."""
    access.require_police(user, action)
    if user.is_superuser:
        return
    if not any(access.may_administer(user, unit) for unit in agency.units.all()):
        raise PermissionDenied(f"Only an admin of a unit {agency.name} works with can {action}.")


def can_prepare(user: User, product: Product) -> bool:
    """An analyst over the product's unit. One query."""
    return access.holds_role_over(user, PREPARING_ROLES, product.unit)


def require_prepare(user: User, product: Product, action: str) -> None:
    access.require_police(user, action)
    if not can_prepare(user, product):
        raise PermissionDenied(f"Only an analyst of {product.unit} can {action}.")


def require_readable_version(user: User, version: ProductVersion) -> None:
    if not ProductVersion.objects.visible_to(user).filter(pk=version.pk).exists():
        raise PermissionDenied("You cannot read this version of the product.")


class ReleasePolicy:
    """What a police user may do with a release, by their roles over its product's unit and
    whether they prepared it (rule 6: nobody approves their own release)."""

    def __init__(self, user: User, release: Release):
        self.user = user
        self.release = release

    @cached_property
    def roles(self) -> set[str]:
        """The roles the user holds over the product's unit (none unless police). One query."""
        return access.roles_over(self.user, self.release.version.product.unit)

    @property
    def is_preparer(self) -> bool:
        return access.is_police(self.user) and self.release.prepared_by_id == self.user.pk

    def can_acknowledge(self) -> bool:
        """Confirm that a personal-data warning may stand (the service also asks that the
        version is readable)."""
        return bool(self.roles.intersection(PREPARING_ROLES))

    def can_approve(self) -> bool:
        return Role.REVIEWER in self.roles and not self.is_preparer

    def can_manage(self) -> bool:
        """Its preparer, or a reviewer over the product's unit: withdraw it, retry a PDF."""
        return self.is_preparer or Role.REVIEWER in self.roles

    def require_review(self, action: str) -> None:
        """A reviewer over the product's unit who may read the product."""
        access.require_police(self.user, action)
        if Role.REVIEWER not in self.roles:
            unit = self.release.version.product.unit
            raise PermissionDenied(f"Only a reviewer over {unit} can {action}.")
        if not releases_visible_to_staff(self.user).filter(pk=self.release.pk).exists():
            raise PermissionDenied("You cannot see the product this release comes from.")

    def require_approve(self) -> None:
        self.require_review("approve a partner release")
        if self.is_preparer:
            raise PermissionDenied("You prepared this release: another reviewer must approve it.")

    def require_manage(self, action: str) -> None:
        access.require_police(self.user, action)
        if not self.is_preparer:
            self.require_review(action)
