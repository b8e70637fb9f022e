"""Reads of sideways requests that depend on who is asking, one query each.

A request is read by police readers holding any role over the asking or the asked unit (a role
covers the units below), never above their vetting. Missing and forbidden give the same 404.
Who may do what: tasking.requests.policy.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from nim_portal import access
from nim_portal.choices import GSCMarking
from nim_portal.ids import id_or_404
from nim_portal.models import User
from tasking.requests.models import SidewaysRequest


def requests_visible_to(user: User) -> QuerySet[SidewaysRequest]:
    """Every sideways request `user` may read: the one visibility selector."""
    return (
        SidewaysRequest.objects.visible_to(user)
        .select_related(
            "from_unit", "to_unit", "from_meeting", "receiving_meeting", "sent_by", "decided_by"
        )
        .defer(
            "from_meeting__search_vector",
            "from_meeting__minutes_search_vector",
            "from_meeting__minutes",
            "receiving_meeting__search_vector",
            "receiving_meeting__minutes_search_vector",
            "receiving_meeting__minutes",
        )
    )


def get_request_for(user: User, pk) -> SidewaysRequest:
    """One request by id; missing and forbidden give the same 404, so ids cannot be probed."""
    found = requests_visible_to(user).filter(pk=id_or_404(pk, "request")).first()
    if found is None:
        raise Http404("No such request.")
    return found


@dataclass
class RequestBoxes:
    inbox: list[SidewaysRequest]
    outbox: list[SidewaysRequest]

    @property
    def page_marking(self) -> int:
        return max([GSCMarking.OFFICIAL, *(r.marking for r in self.inbox + self.outbox)])


def request_boxes(user: User) -> RequestBoxes:
    """Requests to the units `user` holds a role in or below (inbox) and from them (outbox),
    newest first. One query (and the units covered, once)."""
    covered = set(access.units_covered(user, include_inactive=True).values_list("pk", flat=True))
    rows = list(requests_visible_to(user)) if covered else []
    return RequestBoxes(
        inbox=[r for r in rows if r.to_unit_id in covered],
        outbox=[r for r in rows if r.from_unit_id in covered],
    )
