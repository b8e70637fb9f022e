"""Who may do what with patrol briefings, on the access policy (nim_portal.access) and the action
log's own rule: the services ask it before a change, the pages and the API before they offer one.

- read a unit's briefings: police readers holding any role over the unit (Briefing.objects
  .visible_to), each item of it as they may read it (tasking.briefings.selectors); partners never;
- generate one: who tasks the unit's officers, a chair or administrator over it
  (tasking.actions.policy.can_manage_actions).
"""

from django.core.exceptions import PermissionDenied

from nim_portal import access
from nim_portal.models import Unit, User
from tasking.actions.policy import can_manage_actions


def can_generate_briefing(user: User, unit: Unit) -> bool:
    """A police reader who manages the unit's action log generates its briefings."""
    return access.is_police_reader(user) and can_manage_actions(user, unit)


def require_briefing_generator(user: User, unit: Unit) -> None:
    """Refuse (PermissionDenied) anybody but a chair or administrator over `unit`."""
    if not can_generate_briefing(user, unit):
        raise PermissionDenied(
            f"Only a T&CG chair or administrator over {unit} can generate its briefings."
        )
