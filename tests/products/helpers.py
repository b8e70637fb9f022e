"""Shared steps of the products tests."""

from products.choices import ReviewStandard
from products.models import Product
from products.services import product_approve, product_submit, section_update


def write(product: Product, user, body: str, *, position: int = 1, marking=None):
    """Save the section at `position` over its current revision."""
    section = product.sections.get(position=position)
    return section_update(
        acting_user=user,
        section=section,
        loaded_revision=section.revision,
        body=body,
        marking=marking,
    )


def publish(product: Product, *, owner, reviewer):
    """Submit and approve: the next version is published."""
    product_submit(acting_user=owner, product=product)
    return product_approve(acting_user=reviewer, product=product, standards=ReviewStandard.values)
