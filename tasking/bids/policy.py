"""Who may do what with bids, on the access policy (nim_portal.access) and the meeting's chair
(tasking.meetings.policy): the services ask it before a change, the pages and the API before they
offer one.

- submit a bid to a TT&CG: any police reader holding a role over the meeting's unit (its officers,
  and those of the units above it);
- rank, accept, decline or defer the bids of a meeting: whoever may chair it.
"""

from django.core.exceptions import PermissionDenied

from nim_portal import access
from nim_portal.models import User
from tasking.meetings.models import Meeting
from tasking.meetings.policy import can_chair, require_chair


def can_submit_bid(user: User, meeting: Meeting) -> bool:
    return access.is_police_reader(user) and access.holds_role_over(user, None, meeting.unit)


def require_bidder(user: User, meeting: Meeting) -> None:
    if not can_submit_bid(user, meeting):
        raise PermissionDenied(
            f"Only an officer holding a role in {meeting.unit} or a unit above it can bid to its "
            "meetings."
        )


def can_decide_bids(user: User, meeting: Meeting) -> bool:
    """The meeting's chair ranks its bids and decides them."""
    return can_chair(user, meeting)


def require_bid_decider(user: User, meeting: Meeting, what: str) -> None:
    require_chair(user, meeting, what)
