"""The meeting cadence pages in the navigation (issue 13, point 9): shown to who may use them,
the unit administrators (national and force administrators among them; the pages' own rule,
access.is_unit_admin), never to anybody else; and that answer is read once per request, however
many links ask it."""

import pytest
from django.urls import reverse

from nim_portal import access
from nim_portal.choices import Role
from tests.factories import PartnerUserFactory, member, signed_in

pytestmark = pytest.mark.django_db

CADENCE = f'href="{reverse("tasking:cadence_policies")}"'


@pytest.mark.parametrize("unit", ["national", "force"])
def test_national_and_force_administrators_find_the_cadence_in_the_navigation(
    client, hierarchy, unit
):
    admin = member(getattr(hierarchy, unit), Role.ADMIN)
    client.force_login(admin)

    html = client.get(reverse("dashboard")).content.decode()

    assert CADENCE in html
    assert client.get(reverse("tasking:cadence_policies")).status_code == 200


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CHAIR, Role.ANALYST])
def test_who_may_not_use_the_cadence_pages_is_not_offered_them(client, hierarchy, role):
    client.force_login(member(hierarchy.force, role))

    assert CADENCE not in client.get(reverse("dashboard")).content.decode()
    assert client.get(reverse("tasking:cadence_policies")).status_code == 403


def test_a_partner_is_not_offered_the_cadence(client):
    client.force_login(PartnerUserFactory())
    assert CADENCE not in client.get(reverse("dashboard")).content.decode()


def test_whether_one_administers_units_is_read_once_per_user_object(
    hierarchy, django_assert_num_queries
):
    admin = signed_in(member(hierarchy.force, Role.ADMIN))
    with django_assert_num_queries(1):
        assert access.is_unit_admin(admin)
        assert access.is_unit_admin(admin)
