"""What tasking did on the strength of a product: the actions and bids that name it as their
justification, with their outcome, for the product's page (a panel registered with
products.panels, so that products knows nothing of tasking).

Only what the reader may read: each list starts from its concept's visibility selector. Two
queries, whatever the number of rows; the newest first, a page's worth of each.
"""

from nim_portal.models import User
from nim_portal.web.markings import page_marking_of
from products.models import Product
from tasking.actions.selectors import actions_visible_to
from tasking.bids.selectors import bids_visible_to

ACTIVITY_LIMIT = 50


def activity_against(user: User, product: Product) -> dict | None:
    """The actions and bids `user` may read that name `product`, None when there is none."""
    actions = list(
        actions_visible_to(user)
        .filter(product=product)
        .select_related("unit", "authority")
        .defer("search_vector")
        .order_by("-created_at", "-pk")[:ACTIVITY_LIMIT]
    )
    bids = list(
        bids_visible_to(user)
        .filter(product=product)
        .select_related("unit", "meeting", "action")
        .only(
            "title",
            "status",
            "marking",
            "decision_reason",
            "submitted_at",
            "unit__name",
            "meeting__kind",
            "meeting__starts_at",
            "action__id",
        )
        .order_by("-submitted_at", "-pk")[:ACTIVITY_LIMIT]
    )
    if not actions and not bids:
        return None
    return {
        "actions": actions,
        "bids": bids,
        "limit": ACTIVITY_LIMIT,
        "marking": max(page_marking_of(actions), page_marking_of(bids)),
    }
