"""Who sees which product: the permission matrix, the canary, one query, the same 404."""

import datetime

import pytest
from django.http import Http404

from nim_portal.access.grants import grant
from nim_portal.choices import AuditVerb, GSCMarking, Role, UnitKind, VettingLevel
from nim_portal.models import AuditEvent
from products.models import Product, ProductVersion, Section
from products.models.product import VIEW_PRODUCT
from products.selectors import (
    get_product_for,
    product_version_read,
    visible_products,
    visible_versions,
)
from products.services import product_share_with_unit
from tests.factories import (
    PartnerUserFactory,
    UserFactory,
    add_unit,
    member,
    product_drafting,
    signed_in,
)
from tests.products.helpers import publish, write

pytestmark = pytest.mark.django_db

CANARY = "CANARY-NTK-5f1c9e"
ROLES = [Role.ANALYST, Role.REVIEWER, Role.CHAIR, Role.MEMBER]
RELATIONS = ["same", "above", "below", "sibling", "other_region", "shared"]
VETTING = {"below": VettingLevel.RV, "at": VettingLevel.MV, "above": VettingLevel.DV}


class World:
    """Two SECRET products of a force, one need-to-know with a canary, published as v1, both
    shared with a force of another region."""

    def __init__(self, hierarchy):
        self.hierarchy = hierarchy
        far_region = add_unit(hierarchy.national, kind=UnitKind.REGION, code="NW")
        self.units = {
            "same": hierarchy.force,
            "above": hierarchy.region,
            "below": hierarchy.bcu,
            "sibling": hierarchy.other_force,
            "other_region": add_unit(far_region, kind=UnitKind.FORCE, code="GMP"),
            "shared": add_unit(far_region, kind=UnitKind.FORCE, code="MERSEY"),
        }
        self.owner = member(hierarchy.force, Role.ANALYST, username="owner")
        self.requester = member(hierarchy.force, Role.CHAIR, username="requester")
        self.publisher = member(hierarchy.force, Role.REVIEWER, username="publisher")
        self.open = self._product("Open assessment", need_to_know=False, body="Open text")
        self.ntk = self._product("Need-to-know profile", need_to_know=True, body=CANARY)

    def _product(self, title, *, need_to_know, body):
        product = product_drafting(
            self.hierarchy.force,
            owner=self.owner,
            requester=self.requester,
            title=title,
            kind="problem",
            marking=GSCMarking.SECRET,
            need_to_know=need_to_know,
        )
        write(product, self.owner, body)
        publish(product, owner=self.owner, reviewer=self.publisher)
        product_share_with_unit(
            acting_user=self.publisher, product=product, unit=self.units["shared"]
        )
        return Product.objects.get(pk=product.pk)


@pytest.fixture
def world(hierarchy):
    return World(hierarchy)


def expected_visible(world, role, relation, vetting, granted):
    in_scope = relation in ("same", "above", "shared")
    vetted = vetting != "below"
    reviewer_over_unit = role == Role.REVIEWER and relation in ("same", "above")
    visible = set()
    if in_scope and vetted:
        visible.add(world.open.pk)
        if granted or reviewer_over_unit:
            visible.add(world.ntk.pk)
    return visible


def reachable_text(user):
    """Every text a user could be shown through the selectors."""
    products = visible_products(user)
    texts = [str(v) for v in products.values_list("title", "handling_instructions")]
    texts += Section.objects.filter(product__in=products).values_list("body", flat=True)
    texts += [
        str(c)
        for c in ProductVersion.objects.filter(product__in=products).values_list(
            "content", flat=True
        )
    ]
    for product in Product.objects.all():
        texts += [str(v.content) for v in visible_versions(user, product)]
    return "\n".join(texts)


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role, relation):
    for vetting, level in VETTING.items():
        for granted in (False, True):
            user = member(world.units[relation], role, vetting_level=level)
            if granted:
                # Granted directly: a grant alone never opens a product outside the scope.
                grant(VIEW_PRODUCT, user, world.ntk, acting_user=world.publisher)
            expected = expected_visible(world, role, relation, vetting, granted)
            case = f"{role} {relation} vetting {vetting} granted {granted}"

            assert set(visible_products(user).values_list("pk", flat=True)) == expected, case
            versions = {
                v.product_id for p in (world.open, world.ntk) for v in visible_versions(user, p)
            }
            assert versions == expected, case
            for product in (world.open, world.ntk):
                if product.pk in expected:
                    assert get_product_for(user, product.pk) == product
                else:
                    with pytest.raises(Http404):
                        get_product_for(user, product.pk)
            if world.ntk.pk not in expected:
                assert CANARY not in reachable_text(user), case
            else:
                assert CANARY in reachable_text(user), case


def test_owner_and_requester_see_their_need_to_know_product(world):
    for user in (world.owner, world.requester, world.publisher):
        assert world.ntk in visible_products(user)


def test_nobody_outside_the_police_sees_any_product(world):
    superuser = UserFactory(is_superuser=True, is_staff=True, vetting_level=VettingLevel.DV)
    inactive = member(world.hierarchy.force, Role.ANALYST, is_active=False)
    lapsed = member(
        world.hierarchy.force, Role.ANALYST, vetting_expires_on=datetime.date(2000, 1, 1)
    )
    for user in (PartnerUserFactory(), superuser, inactive, lapsed):
        assert not visible_products(user).exists()
        assert CANARY not in reachable_text(user)
        with pytest.raises(Http404):
            get_product_for(user, world.open.pk)


def test_a_membership_in_an_inactive_unit_opens_nothing(world):
    user = member(world.hierarchy.force, Role.ANALYST)
    world.hierarchy.force.is_active = False
    world.hierarchy.force.save()
    assert not visible_products(user).exists()


def test_missing_forbidden_and_malformed_ids_give_the_same_404(world):
    outsider = member(world.units["sibling"], Role.ANALYST)
    messages = set()
    for pk in (world.open.pk, 999_999, "abc", None):
        with pytest.raises(Http404) as missing:
            get_product_for(outsider, pk)
        messages.add(str(missing.value))
    assert messages == {"No such product."}


def test_reading_a_version_is_audited(world, rf):
    version = world.ntk.versions.get()

    read = product_version_read(world.owner, version, rf.get("/", REMOTE_ADDR="10.0.0.9"))

    assert read == version
    event = AuditEvent.objects.get(verb=AuditVerb.VIEW)
    assert (event.actor, event.object_id) == (world.owner, str(version.pk))
    assert event.detail["sha256"] == version.sha256


def test_an_unauthorised_read_is_a_404_and_leaves_no_view_event(world):
    stranger = member(world.units["sibling"], Role.REVIEWER)
    with pytest.raises(Http404):
        product_version_read(stranger, world.ntk.versions.get())
    assert not AuditEvent.objects.filter(verb=AuditVerb.VIEW).exists()


def make_products(hierarchy, owner, publisher, viewer, count):
    shared = add_unit(hierarchy.region, kind=UnitKind.FORCE, code=f"S{count}")
    for number in range(count):
        product = product_drafting(
            hierarchy.force,
            owner=owner,
            title=f"Product {number}",
            need_to_know=number % 2 == 0,
        )
        write(product, owner, f"Text {number}")
        if number % 3 == 0:
            publish(product, owner=owner, reviewer=publisher)
            product_share_with_unit(acting_user=publisher, product=product, unit=shared)
        if number % 4 == 0:
            grant(VIEW_PRODUCT, viewer, product, acting_user=publisher)


@pytest.mark.parametrize("count", [2, 12])
def test_visible_products_is_one_query_whatever_the_size(
    hierarchy, count, django_assert_num_queries
):
    owner = member(hierarchy.force, Role.ANALYST)
    publisher = member(hierarchy.force, Role.REVIEWER)
    viewer = member(hierarchy.force, Role.ANALYST)
    make_products(hierarchy, owner, publisher, viewer, count)
    viewer = signed_in(viewer)

    with django_assert_num_queries(1):
        products = list(visible_products(viewer).select_related("unit", "owner"))

    # The odd ones (no need to know) and the granted ones.
    assert len(products) == count // 2 + len(range(0, count, 4))
