"""Who may do what with partner information, on the access policy (nim_portal.access). Which
submissions a member of staff triages is their visibility (tasking.submissions.selectors)."""

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import User

# The roles that triage and grade partner information in a unit's tree.
TRIAGE_ROLES = (Role.ANALYST, Role.CHAIR, Role.ADMIN)


def can_triage_any(user: User) -> bool:
    """Whether `user` holds a triage role anywhere (to say what the triage list is for)."""
    if not access.is_police(user):
        return False
    return access.memberships_of(user, TRIAGE_ROLES).exists()
