"""Who reads a product: the people who may open it today, found from their side.

`Product.objects.openable_by(user)` answers, for one reader, which products they may open (by
the marking of their title and summary; each section is then shown or withheld by its own
marking). The section editor needs the converse for one product over every person ("how many of
its readers would see this section withheld?"), at national size, in one COUNT and no loop over
people. So `product_readers` puts the same rules of the access policy (nim_portal.access) to
each person, composed from the policy's own filters on people:

- police readers: active police users whose vetting is current (rules 5 and 8);
- holding a role over the product's unit or over a unit it is shared with (rules 1 and 4);
- when the product is need-to-know: its owner, its requester, a reviewer over its unit and the
  people granted it (rule 3);
- vetted to read its title and summary (rule 2 on `envelope_marking`).

tests/products/test_section_readership.py puts every kind of person to both sides and checks
that they agree.
"""

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery

from nim_portal import access
from nim_portal.choices import Role
from nim_portal.models import Unit, User
from products.models import Product, ProductUnitShare, Section
from products.models.product import VIEW_PRODUCT

# The highest marking each person may read, as the vetting table gives it for their level.
CEILING = "vetting_ceiling"


def product_readers(product: Product) -> QuerySet[User]:
    """The people who may open `product` today, each annotated with their vetting ceiling."""
    shared_with = ProductUnitShare.objects.filter(product_id=product.pk).values("unit_id")
    product_units = Unit.objects.filter(Q(pk=product.unit_id) | Q(pk__in=shared_with))
    in_scope = Exists(
        access.memberships_of(OuterRef("pk")).filter(
            unit__in=access.units_at_or_above_any(product_units).values("pk")
        )
    )
    need_to_know_met = Q()
    if product.need_to_know:
        need_to_know_met = (
            Q(pk__in=[product.owner_id, product.requester_id])
            | access.people_over(product.unit, Role.REVIEWER)
            | access.people_granted(VIEW_PRODUCT, product)
        )
    ceiling = Subquery(User.vetting_table_ceiling(), output_field=IntegerField())
    return (
        access.police_readers()
        .filter(in_scope, need_to_know_met)
        .annotate(**{CEILING: ceiling})
        .filter(**{f"{CEILING}__gte": product.envelope_marking})
    )


def withheld_reader_count(product: Product, marking: int) -> int:
    """How many people who may open `product` today are vetted below `marking`: a section so
    marked shows them only "Withheld" and its marking. One query."""
    return product_readers(product).filter(**{f"{CEILING}__lt": marking}).count()


def readers_to_warn_of(product: Product, section: Section, marking: int) -> int:
    """Whom the editor names before `section` of `product` is saved at `marking`: when the
    marking goes up, how many of the product's readers will see the section withheld; else 0
    (no query)."""
    if marking <= section.marking:
        return 0
    return withheld_reader_count(product, marking)
