"""Who may do what with meetings, on the access policy (nim_portal.access): the services ask it
before a change, the pages and the API before they offer one."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import User
from tasking.meetings.models import Meeting


def can_chair(user: User, meeting: Meeting) -> bool:
    """The meeting's chair, or whoever holds the chair role over its unit: runs the meeting,
    reschedules it and invites to it (police readers only: a lapsed vetting chairs nothing)."""
    if not access.is_police_reader(user):
        return False
    return meeting.chair_id == user.pk or access.holds_role_over(user, Role.CHAIR, meeting.unit)


def chaired_by(user: User) -> Q:
    """A filter: the meetings `user` may chair (as `can_chair`, for a police reader)."""
    return Q(chair=user) | access.in_units_covered(user, roles=Role.CHAIR)


def require_chair(user: User, meeting: Meeting, what: str) -> None:
    """Refuse `what` (PermissionDenied) to anybody who may not chair the meeting."""
    if not can_chair(user, meeting):
        raise PermissionDenied(f"Only the chair of this meeting of {meeting.unit} can {what}.")


def can_change_cadence(user: User) -> bool:
    """System administrators and national administrators (administrators of the national unit,
    at the top of the tree; not those of a law enforcement agency, a root of its own): a cadence
    policy applies to every unit of a kind, nationally. At most one query (none for a partner or
    a superuser)."""
    if not access.is_police(user):
        return False
    if access.is_system_administrator(user):
        return True
    return (
        access.memberships_of(user, Role.ADMIN)
        .filter(unit__depth=1, unit__is_agency=False)
        .exists()
    )


def require_cadence_changer(user: User) -> None:
    if not can_change_cadence(user):
        raise PermissionDenied(
            "Only a national or system administrator can change the meeting cadence."
        )
