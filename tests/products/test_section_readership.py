"""Who reads a product, counted from the people's side (products.readership): the same people as
`Product.objects.openable_by` lets open it, each kind of person put to both sides; how many of
them a higher section marking would withhold the section from, in one query."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from nim_portal.access.grants import grant
from nim_portal.choices import GSCMarking, Role, VettingLevel
from nim_portal.models import Membership, User
from products.models import Product
from products.models.product import VIEW_PRODUCT
from products.readership import product_readers, readers_to_warn_of, withheld_reader_count
from products.services import product_grant_need_to_know, product_share_with_unit
from tests.factories import PartnerUserFactory, add_unit, member, product_drafting
from tests.products.helpers import write

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def readers_by_the_rule(product: Product) -> set[int]:
    """Person by person, who `Product.objects.openable_by` lets open `product`."""
    return {
        user.pk
        for user in User.objects.all()
        if Product.objects.openable_by(user).filter(pk=product.pk).exists()
    }


def reader_ids(product: Product) -> set[int]:
    return set(product_readers(product).values_list("pk", flat=True))


@pytest.fixture
def everyone(people, hierarchy):
    """Besides the products tests' cast: people of every vetting, above, below and beside the
    product's unit, and those who read nothing (partner, lapsed, inactive, in a closed unit)."""
    force = people.unit
    closed_unit = add_unit(hierarchy.region, kind="force", code="OLD", name="Closed force")
    cast = {
        "rv_member": member(force, Role.MEMBER, vetting_level=VettingLevel.RV),
        "ctc_member": member(force, Role.MEMBER, vetting_level=VettingLevel.CTC),
        "sc_member": member(force, Role.MEMBER, vetting_level=VettingLevel.SC),
        "dv_national": member(hierarchy.national, Role.MEMBER, vetting_level=VettingLevel.DV),
        "rv_regional": member(hierarchy.region, Role.MEMBER, vetting_level=VettingLevel.RV),
        "unvetted_member": member(force, Role.MEMBER, vetting_level=VettingLevel.NONE),
        "bcu_member": member(hierarchy.bcu, Role.MEMBER, vetting_level=VettingLevel.MV),
        "other_force_rv": member(hierarchy.other_force, Role.MEMBER, vetting_level=VettingLevel.RV),
        "lapsed_member": member(
            force, Role.MEMBER, vetting_level=VettingLevel.SC, vetting_expires_on=YESTERDAY
        ),
        "inactive_member": member(force, Role.MEMBER, is_active=False),
        "closed_unit_member": member(closed_unit, Role.MEMBER, vetting_level=VettingLevel.SC),
        "grantee": member(force, Role.MEMBER, vetting_level=VettingLevel.MV),
        "group_grantee": member(force, Role.MEMBER, vetting_level=VettingLevel.MV),
    }
    partner = PartnerUserFactory(vetting_level=VettingLevel.NPPV3)
    Membership.objects.create(user=partner, unit=force, role=Role.MEMBER)
    cast["partner"] = partner
    closed_unit.is_active = False
    closed_unit.save()
    return cast


class TestTheSameReadersAsTheRule:
    def test_a_product_of_the_force(self, people, drafting, everyone):
        readers = reader_ids(drafting)
        assert readers == readers_by_the_rule(drafting)
        assert everyone["rv_member"].pk in readers
        assert everyone["dv_national"].pk in readers
        for outside in (
            "bcu_member",
            "other_force_rv",
            "unvetted_member",
            "lapsed_member",
            "inactive_member",
            "closed_unit_member",
            "partner",
        ):
            assert everyone[outside].pk not in readers, outside

    def test_a_product_shared_with_another_force(self, people, hierarchy, drafting, everyone):
        product_share_with_unit(
            acting_user=people.reviewer, product=drafting, unit=hierarchy.other_force
        )
        readers = reader_ids(drafting)
        assert everyone["other_force_rv"].pk in readers
        assert readers == readers_by_the_rule(drafting)

    def test_a_secret_product(self, people):
        secret = product_drafting(
            people.unit,
            owner=people.analyst,
            requester=people.requester,
            marking=GSCMarking.SECRET,
        )
        assert reader_ids(secret) == readers_by_the_rule(secret)

    def test_a_product_holding_a_secret_section_opens_by_its_title_and_summary(
        self, people, drafting, everyone
    ):
        write(drafting, people.analyst, "Covert source detail.", marking=GSCMarking.SECRET)
        drafting.refresh_from_db()
        assert (drafting.marking, drafting.envelope_marking) == (
            GSCMarking.SECRET,
            GSCMarking.OFFICIAL_SENSITIVE,
        )
        readers = reader_ids(drafting)
        assert everyone["rv_member"].pk in readers
        assert readers == readers_by_the_rule(drafting)

    def test_a_need_to_know_product(self, people, everyone, subject_profile):
        product_grant_need_to_know(
            acting_user=people.analyst, product=subject_profile, user=everyone["grantee"]
        )
        group = Group.objects.create(name="Operation Kestrel")
        everyone["group_grantee"].groups.add(group)
        grant(VIEW_PRODUCT, group, subject_profile, acting_user=people.analyst)
        readers = reader_ids(subject_profile)
        assert readers == readers_by_the_rule(subject_profile)
        assert {
            people.analyst.pk,
            people.requester.pk,
            people.reviewer.pk,
            people.regional_reviewer.pk,
            everyone["grantee"].pk,
            everyone["group_grantee"].pk,
        } <= readers
        assert people.second_analyst.pk not in readers
        assert everyone["sc_member"].pk not in readers


class TestWithheldReaders:
    def test_counts_the_readers_vetted_below_the_marking(self, people, drafting, everyone):
        # OFFICIAL-SENSITIVE product: RV and CTC (OFFICIAL-SENSITIVE) read it but not SECRET;
        # MV and SC read SECRET, DV reads TOP SECRET.
        below_secret = {everyone["rv_member"].pk, everyone["ctc_member"].pk}
        below_secret.add(everyone["rv_regional"].pk)
        assert withheld_reader_count(drafting, GSCMarking.SECRET) == len(below_secret)
        below_top_secret = len(reader_ids(drafting)) - 1  # all but the DV national member
        assert withheld_reader_count(drafting, GSCMarking.TOP_SECRET) == below_top_secret
        assert withheld_reader_count(drafting, GSCMarking.OFFICIAL_SENSITIVE) == 0

    def test_a_second_secret_section_is_withheld_from_the_same_readers(
        self, people, drafting, everyone
    ):
        write(drafting, people.analyst, "Covert source detail.", marking=GSCMarking.SECRET)
        drafting.refresh_from_db()
        second = drafting.sections.get(position=2)
        assert readers_to_warn_of(drafting, second, GSCMarking.SECRET) == 3

    def test_is_one_query(self, people, drafting, everyone, django_assert_num_queries):
        with django_assert_num_queries(1):
            withheld_reader_count(drafting, GSCMarking.SECRET)

    def test_the_editor_is_told_only_of_a_higher_marking(
        self, people, drafting, everyone, django_assert_num_queries
    ):
        section = drafting.sections.get(position=1)
        assert readers_to_warn_of(drafting, section, GSCMarking.SECRET) == 3
        with django_assert_num_queries(0):
            assert readers_to_warn_of(drafting, section, GSCMarking.OFFICIAL_SENSITIVE) == 0
            assert readers_to_warn_of(drafting, section, GSCMarking.OFFICIAL) == 0
