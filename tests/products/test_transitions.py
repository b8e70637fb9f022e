"""The lifecycle's transition table, and every service refusing every move the table forbids."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from nim_portal.models import AuditEvent
from products.choices import PRODUCT_TRANSITIONS, ClosureReason, ProductStatus, ReviewStandard
from products.models import Product, ProductVersion, Section
from products.services import (
    product_approve,
    product_close,
    product_return,
    product_submit,
    section_update,
)
from products.services.lifecycle import PRODUCT_LIFECYCLE

pytestmark = pytest.mark.django_db

EXPECTED = {
    ("commissioned", "tor_agreed"),
    ("commissioned", "closed"),
    ("tor_agreed", "drafting"),
    ("tor_agreed", "closed"),
    ("drafting", "submitted"),
    ("drafting", "closed"),
    ("submitted", "approved"),
    ("submitted", "returned"),
    ("returned", "drafting"),
    ("returned", "closed"),
    ("approved", "drafting"),
    ("approved", "closed"),
}


def test_the_table_allows_exactly_the_documented_moves():
    allowed = {
        (current, target)
        for current, target in itertools.product(ProductStatus.values, repeat=2)
        if PRODUCT_LIFECYCLE.allows(current, target)
    }
    assert allowed == EXPECTED
    assert set(PRODUCT_TRANSITIONS) == set(ProductStatus.values)
    assert PRODUCT_TRANSITIONS[ProductStatus.CLOSED] == frozenset()


def _attempt(target, product, people):
    """Ask the service that makes `target` happen, as someone entitled to ask."""
    if target == ProductStatus.SUBMITTED:
        product_submit(acting_user=people.analyst, product=product)
    elif target == ProductStatus.RETURNED:
        product_return(acting_user=people.reviewer, product=product, comment="Rework section 2.")
    elif target == ProductStatus.APPROVED:
        product_approve(
            acting_user=people.reviewer, product=product, standards=ReviewStandard.values
        )
    elif target == ProductStatus.CLOSED:
        product_close(
            acting_user=people.analyst,
            product=product,
            reason=ClosureReason.OTHER,
            reason_text="No longer needed.",
        )
    elif target == ProductStatus.DRAFTING:
        section = product.sections.get(position=1)
        section_update(
            acting_user=people.analyst,
            section=section,
            loaded_revision=section.revision,
            body="New text",
        )


def _state(product):
    product = Product.objects.get(pk=product.pk)
    return (
        product.status,
        product.current_version,
        product.history.count(),
        list(Section.objects.filter(product=product).values_list("revision", "body")),
        ProductVersion.objects.filter(product=product).count(),
        AuditEvent.objects.count(),
    )


ILLEGAL = [
    (current, target)
    for current in ProductStatus.values
    for target in (
        ProductStatus.DRAFTING,
        ProductStatus.SUBMITTED,
        ProductStatus.RETURNED,
        ProductStatus.APPROVED,
        ProductStatus.CLOSED,
    )
    # Saving a section while drafting is editing, not a move.
    if (current, target) not in EXPECTED and (current, target) != ("drafting", "drafting")
]


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_an_illegal_move_is_refused_and_changes_nothing(drafting, people, current, target):
    # Setting up a state directly: the services only reach it through the table.
    Product.objects.filter(pk=drafting.pk).update(status=current)
    before = _state(drafting)

    with pytest.raises(ValidationError):
        _attempt(target, Product.objects.get(pk=drafting.pk), people)

    assert _state(drafting) == before


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("drafting", "submitted"),
        ("drafting", "closed"),
        ("submitted", "returned"),
        ("submitted", "approved"),
        ("returned", "drafting"),
        ("returned", "closed"),
        ("approved", "drafting"),
        ("approved", "closed"),
    ],
)
def test_a_legal_move_is_made(drafting, people, current, target):
    Product.objects.filter(pk=drafting.pk).update(status=current)

    _attempt(target, Product.objects.get(pk=drafting.pk), people)

    assert Product.objects.get(pk=drafting.pk).status == target


def test_the_refusal_names_the_moves_that_remain(drafting, people):
    with pytest.raises(ValidationError, match=r"cannot become approved .* submitted for review"):
        product_approve(
            acting_user=people.reviewer, product=drafting, standards=ReviewStandard.values
        )
