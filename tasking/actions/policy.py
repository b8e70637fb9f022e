"""Who may do what with the action log, on the access policy (nim_portal.access): the services ask
it before a change, the pages and the API before they offer one.

- raise an action between meetings, or close one: a chair or an administrator over its unit; at a
  meeting, the meeting's chair (tasking.meetings.policy);
- write a progress update or change the RAG rating: the owner, or a chair or administrator over
  the action's unit.
"""

from django.core.exceptions import PermissionDenied

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import Unit, User
from tasking.actions.models import TacticalAction

# Who closes actions and raises them between meetings.
ACTION_MANAGER_ROLES = (Role.CHAIR, Role.ADMIN)


def can_manage_actions(user: User, unit: Unit) -> bool:
    """A chair or administrator over `unit`: raises actions between meetings and closes them."""
    return access.holds_role_over(user, ACTION_MANAGER_ROLES, unit)


def owns_action(user: User, action: TacticalAction) -> bool:
    """The owning person, or a member of the owning unit (one query for a unit)."""
    if not access.is_police_reader(user):
        return False
    if action.owner_user_id is not None:
        return action.owner_user_id == user.pk
    return access.memberships_of(user).filter(unit_id=action.owner_unit_id).exists()


def can_update_action(user: User, action: TacticalAction) -> bool:
    """Progress updates and RAG changes: the owner, or a chair or administrator over the unit."""
    return owns_action(user, action) or can_manage_actions(user, action.unit)


def require_action_manager(user: User, unit: Unit, what: str) -> None:
    """Refuse `what` (PermissionDenied) to anybody but a chair or administrator over `unit`."""
    if not can_manage_actions(user, unit):
        raise PermissionDenied(f"Only a T&CG chair or administrator over {unit} can {what}.")
