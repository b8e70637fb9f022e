"""Who may do what with control strategies, their priorities, the MoRiLE matrix and the
intelligence requirement, on the access policy (nim_portal.access): the services ask it before a
change, the pages and the API before they offer one."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import Unit, User
from tasking.strategy.models import IntelligenceRequirementItem


def units_chaired_by(user: User) -> QuerySet[Unit]:
    """The units `user` chairs over (where they hold the chair role, and every unit below): where
    they may draft a control strategy."""
    return access.units_covered(user, Role.CHAIR)


def can_chair_over(user: User, unit: Unit) -> bool:
    """A T&CG chair over `unit` (in it or a unit above): drafts, approves and changes its control
    strategy and intelligence requirement."""
    return access.holds_role_over(user, [Role.CHAIR], unit)


def require_chair_over(user: User, unit: Unit, what: str) -> None:
    """Refuse `what` (PermissionDenied) to anybody but a T&CG chair over `unit`."""
    access.require_police(user, what)
    if not can_chair_over(user, unit):
        raise PermissionDenied(f"Only a T&CG chair over {unit} can {what}.")


def can_review_item(user: User, item: IntelligenceRequirementItem, unit: Unit) -> bool:
    """An item of `unit`'s intelligence requirement is reviewed and closed by its owner or a
    chair over the unit (only the chair reassigns it or opens it to partners)."""
    if not access.is_police(user):
        return False
    return item.owner_id == user.pk or can_chair_over(user, unit)


def require_item_reviewer(
    user: User, item: IntelligenceRequirementItem, unit: Unit, what: str
) -> None:
    """Refuse `what` (PermissionDenied) to anybody who may not review the item."""
    if not can_review_item(user, item, unit):
        raise PermissionDenied(f"Only the item's owner or a T&CG chair over {unit} can {what}.")


def can_configure_morile(user: User) -> bool:
    """System administrators: the MoRiLE matrix scores every unit's priorities."""
    return access.is_system_administrator(user)


def require_morile_configurer(user: User, what: str) -> None:
    if not can_configure_morile(user):
        raise PermissionDenied(f"Only a system administrator can {what}.")
