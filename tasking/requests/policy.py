"""Who may do what with sideways requests, on the access policy (nim_portal.access), the
meeting's chair (tasking.meetings.policy) and the rule for what one T&CG receives from another
(tasking.proceedings.policy):

- send a request: whoever may chair the sitting meeting that asks;
- accept or decline it: a chair of the asked unit (or a unit above it), or the chair of its
  receiving meeting, as for an escalation;
- which units are neighbours: another active unit of the same kind (`neighbours_of`). The portal
  allows any unit of that kind, not only the adjacent ones: which forces border each other is not
  in the unit tree, and a force may need a force of another region (docs/domain.md).
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from nim_portal.models import Unit, User
from tasking.meetings.models import Meeting
from tasking.meetings.policy import can_chair, require_chair
from tasking.proceedings.policy import received_decidable_by
from tasking.requests.models import SidewaysRequest


def neighbours_of(unit: Unit) -> QuerySet[Unit]:
    """The units `unit`'s T&CG may ask sideways: every other active unit of its kind."""
    return Unit.objects.filter(kind=unit.kind, is_active=True).exclude(pk=unit.pk).order_by("name")


def require_neighbour(from_unit: Unit, to_unit: Unit | None) -> None:
    if to_unit is None or not neighbours_of(from_unit).filter(pk=to_unit.pk).exists():
        raise ValidationError(
            {"to_unit": f"Choose an active unit of the same level as {from_unit} to ask."}
        )


def can_send_request(user: User, meeting: Meeting) -> bool:
    return can_chair(user, meeting)


def require_sender(user: User, meeting: Meeting) -> None:
    require_chair(user, meeting, "send a request to a neighbour")


def requests_decidable_by(user: User, requests: Iterable[SidewaysRequest]) -> set[int]:
    """The ids of `requests` that `user` may accept or decline. One query."""
    return received_decidable_by(user, requests)


def require_request_decider(user: User, sideways_request: SidewaysRequest, verb: str) -> None:
    if sideways_request.pk not in requests_decidable_by(user, [sideways_request]):
        raise PermissionDenied(
            f"Only a chair of {sideways_request.to_unit} can {verb} a request to its T&CG."
        )
