"""Who may do what in a meeting's proceedings beyond chairing it (tasking.meetings.policy), on
the access policy (nim_portal.access)."""

from collections.abc import Iterable

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import User
from tasking.proceedings.models import Escalation


def received_decidable_by(user: User, received: Iterable) -> set[int]:
    """The ids of the records one T&CG received from another (escalations from below, sideways
    requests from a neighbour: each with `to_unit_id` and its `receiving_meeting` read with it)
    that `user` may decide: a chair of the receiving unit (or a unit above it), or the chair of
    the receiving meeting. One query."""
    if not access.is_police(user):
        return set()
    chaired = set(access.units_covered(user, Role.CHAIR).values_list("pk", flat=True))
    return {
        record.pk
        for record in received
        if record.to_unit_id in chaired
        or (record.receiving_meeting is not None and record.receiving_meeting.chair_id == user.pk)
    }


def escalations_decidable_by(user: User, escalations: Iterable[Escalation]) -> set[int]:
    """The ids of `escalations` that `user` may adopt or return (received_decidable_by)."""
    return received_decidable_by(user, escalations)


def can_decide_escalation(user: User, escalation: Escalation) -> bool:
    return escalation.pk in escalations_decidable_by(user, [escalation])
