"""Reads of bids that depend on who is asking, one query each.

A bid is read by police readers holding any role over its unit (a role covers the units below)
and by its proposer, never above their vetting (the bid's marking and its priority's strategy's).
The product that justifies a bid is named only to a reader who may read the product
(products.selectors.visible_products). Missing and forbidden give the same 404.

Who may do what: tasking.bids.policy.
"""

from django.db.models import Exists, F, OuterRef, QuerySet
from django.http import Http404

from nim_portal import access
from nim_portal.ids import id_or_404
from nim_portal.models import User
from products.selectors import visible_products
from tasking.bids.models import Bid
from tasking.meetings.models import Meeting
from tasking.proceedings.choices import EscalationStatus
from tasking.proceedings.models import Escalation
from tasking.resources.choices import REGISTER_MARKING

# The meeting's order: ranked first by rank, then as submitted.
BID_ORDER = (F("rank").asc(nulls_last=True), "submitted_at", "pk")


def bids_visible_to(user: User) -> QuerySet[Bid]:
    """Every bid `user` may read: the one visibility selector."""
    return Bid.objects.visible_to(user)


def with_bid_columns(bids: QuerySet[Bid], user: User) -> QuerySet[Bid]:
    """What a bid's row shows, in the same query: its priority, proposer, ask (capability and
    hours), action and escalation, and whether the reader may read its product
    (`product_readable`)."""
    return (
        bids.select_related(
            "unit",
            "meeting",
            "priority__control_strategy",
            "proposed_by",
            "decided_by",
            "commitment__capability",
            "action",
            "escalation",
            "product",
        )
        .defer(
            "meeting__search_vector",
            "meeting__minutes_search_vector",
            "meeting__minutes",
            "priority__control_strategy__search_vector",
            "action__search_vector",
            "product__search_vector",
        )
        .annotate(product_readable=Exists(visible_products(user).filter(pk=OuterRef("product_id"))))
    )


def get_bid_for(user: User, pk) -> Bid:
    """One bid by id; missing and forbidden give the same 404, so ids cannot be probed."""
    bid = with_bid_columns(bids_visible_to(user), user).filter(pk=id_or_404(pk, "bid")).first()
    if bid is None:
        raise Http404("No such bid.")
    return bid


def bids_for_meeting(user: User, meeting: Meeting) -> QuerySet[Bid]:
    """The bids of `meeting` that `user` may read, ranked first, then as submitted."""
    return with_bid_columns(bids_visible_to(user).filter(meeting=meeting), user).order_by(
        *BID_ORDER
    )


def escalations_for_bid(user: User, bid: Bid) -> QuerySet[Escalation]:
    """The escalations that may carry a bid's shortfall (its unit's, not returned), within the
    reader's vetting, newest first."""
    return (
        Escalation.objects.filter(from_unit_id=bid.unit_id)
        .exclude(status=EscalationStatus.RETURNED)
        .filter(access.within_ceiling(user, "marking"))
        .select_related("to_unit")
        .order_by("-raised_at", "-pk")
    )


def page_marking_of_bids(bids) -> int:
    """The highest marking among `bids` and the control strategies of their priorities (the
    priority's theme is shown with each), at least the register's (capability is named)."""
    markings = [REGISTER_MARKING]
    for bid in bids:
        markings += [bid.marking, bid.priority.control_strategy.marking]
    return max(markings)
