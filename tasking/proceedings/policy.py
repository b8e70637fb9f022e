"""Who may do what in a meeting's proceedings beyond chairing it (tasking.meetings.policy), on
the access policy (nim_portal.access)."""

from collections.abc import Iterable

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import User
from tasking.proceedings.models import Escalation


def escalations_decidable_by(user: User, escalations: Iterable[Escalation]) -> set[int]:
    """The ids of `escalations` that `user` may adopt or return: a chair of the receiving unit
    (or a unit above it), or the chair of its receiving meeting (read with each escalation).
    One query."""
    if not access.is_police(user):
        return set()
    chaired = set(access.units_covered(user, Role.CHAIR).values_list("pk", flat=True))
    return {
        escalation.pk
        for escalation in escalations
        if escalation.to_unit_id in chaired
        or (
            escalation.receiving_meeting is not None
            and escalation.receiving_meeting.chair_id == user.pk
        )
    }


def can_decide_escalation(user: User, escalation: Escalation) -> bool:
    return escalation.pk in escalations_decidable_by(user, [escalation])
