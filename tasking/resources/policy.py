"""Who may do what with a unit's register of tactical capability, on the access policy
(nim_portal.access): the services ask it before a change, the pages and the API before they offer
one.

- read the register and the hours committed against it: anybody holding a role over the unit
  (tasking.resources.selectors);
- add a capability, change it or retire it: a chair or an administrator over its unit.
"""

from django.core.exceptions import PermissionDenied

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import Unit, User

# Who keeps a unit's register of capability.
CAPABILITY_MANAGER_ROLES = (Role.CHAIR, Role.ADMIN)


def can_manage_capabilities(user: User, unit: Unit) -> bool:
    """A chair or administrator over `unit` (police readers only) keeps its register."""
    return access.is_police_reader(user) and access.holds_role_over(
        user, CAPABILITY_MANAGER_ROLES, unit
    )


def require_capability_manager(user: User, unit: Unit, what: str) -> None:
    """Refuse `what` (PermissionDenied) to anybody but a chair or administrator over `unit`."""
    if not can_manage_capabilities(user, unit):
        raise PermissionDenied(f"Only a T&CG chair or administrator over {unit} can {what}.")
