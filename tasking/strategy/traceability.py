"""What links requirement items and products (issue 14, point 4), as far as the reader may read
both: an item's linked products on its page, and on a product's page the items it is linked to (a
panel registered with products.panels, so that products knows nothing of tasking).

Products through products.selectors.visible_products, items through their own visibility
selector: a link is shown only when the reader may read both its ends; the links to products the
reader may not read are counted as withheld, never named. A fixed number of queries.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from nim_portal.models import Unit, User
from products.choices import ProductStatus
from products.models import Product
from products.selectors import visible_products
from tasking.strategy.choices import RequirementLinkRole
from tasking.strategy.models import (
    ControlStrategy,
    IntelligenceRequirementItem,
    RequirementItemProduct,
)
from tasking.strategy.selectors import requirement_items_visible_to

PANEL_LIMIT = 50


@dataclass(frozen=True)
class ItemProducts:
    """The item's links `user` may read, by role, and how many others are withheld from them."""

    gap_sources: list[RequirementItemProduct]
    answers: list[RequirementItemProduct]
    withheld: int

    @property
    def marking(self) -> int:
        """The highest envelope marking of the titles shown (0 when none is)."""
        return max(
            (link.product.envelope_marking for link in self.gap_sources + self.answers),
            default=0,
        )


def item_products_for(user: User, item: IntelligenceRequirementItem) -> ItemProducts:
    """The products linked to `item` (one `user` may read) that `user` may read. Two queries."""
    links = item.product_links.all()
    shown = list(
        links.filter(product__in=visible_products(user).values("pk"))
        .select_related("product", "linked_by")
        .order_by("product__title", "pk")
    )
    return ItemProducts(
        gap_sources=[link for link in shown if link.role == RequirementLinkRole.GAP_SOURCE],
        answers=[link for link in shown if link.role == RequirementLinkRole.ANSWER],
        withheld=links.count() - len(shown),
    )


def requirement_items_linked_to(user: User, product: Product) -> dict | None:
    """The requirement items `user` may read that `product` is linked to (whose gaps it holds,
    or that it answers), None when there is none. One query."""
    links = list(
        RequirementItemProduct.objects.filter(
            product=product, item__in=requirement_items_visible_to(user).values("pk")
        )
        .select_related("item__priority", "item__requirement__control_strategy")
        .order_by("role", "-item__review_date", "pk")[:PANEL_LIMIT]
    )
    if not links:
        return None
    return {
        "gap_sources": [link for link in links if link.role == RequirementLinkRole.GAP_SOURCE],
        "answers": [link for link in links if link.role == RequirementLinkRole.ANSWER],
        "limit": PANEL_LIMIT,
        "marking": max(link.item.requirement.control_strategy.marking for link in links),
    }


def products_linkable_by(user: User, strategy: ControlStrategy) -> QuerySet[Product]:
    """The products an item of `strategy` may be linked to, offered on the item's page: those
    `user` may read of the strategy's unit, the units above it and below it, less those withdrawn
    before they were published (the service refuses any other)."""
    path = strategy.unit.path
    above = [path[:end] for end in range(Unit.steplen, len(path), Unit.steplen)]
    return (
        visible_products(user)
        .filter(Q(unit__path__startswith=path) | Q(unit__path__in=above))
        .exclude(status=ProductStatus.CLOSED, current_version=0)
        .select_related("unit")
        .order_by("title", "pk")
    )
