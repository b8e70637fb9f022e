"""Panels the apps above products add to a product's page (the activity tasking records against
it, ...), so that products knows nothing of them: each app registers its panels from its
AppConfig.ready(), and the page renders those that have something to show.
"""

from collections.abc import Callable
from dataclasses import dataclass

from nim_portal.models import User
from products.models import Product


@dataclass(frozen=True)
class ProductPanel:
    """A panel of a product's page: `template_name` rendered with `context(user, product)` as
    `panel`. The context is None when the panel has nothing to show the reader, and carries the
    highest marking it shows as `marking`, so that the page's banner carries it."""

    key: str
    template_name: str
    context: Callable[[User, Product], dict | None]


_panels: dict[str, ProductPanel] = {}


def register_product_panel(
    *, key: str, template_name: str, context: Callable[[User, Product], dict | None]
) -> None:
    """Add (or replace, when `key` is registered already) a panel of the product's page."""
    _panels[key] = ProductPanel(key=key, template_name=template_name, context=context)


def product_panels_for(user: User, product: Product) -> list[dict]:
    """The registered panels with something to show `user` on `product`'s page, each as its
    template name and its context, in the order they were registered."""
    shown = []
    for panel in _panels.values():
        context = panel.context(user, product)
        if context is not None:
            shown.append({"template_name": panel.template_name, "panel": context})
    return shown
