"""The admins' pages for partner agencies and their people: both sides of every rule."""

import datetime

import pytest
from django.urls import reverse

from nim_portal.choices import Role
from nim_portal.models import User
from partners.models import AgencyMembership, PartnerAgency
from tests.factories import member
from tests.partners.conftest import today


def agency_data(cast, **overrides):
    return {
        "name": "Sandwell Council",
        "kind": "local_authority",
        "units": [cast.hierarchy.bcu.pk],
        "agreement_reference": "ISA-SAND-1",
        "agreement_purpose": "Anti-social behaviour.",
        "agreement_starts_on": today().isoformat(),
        "agreement_review_on": (today() + datetime.timedelta(days=365)).isoformat(),
        **overrides,
    }


def person_data(**overrides):
    return {
        "username": "newpartner",
        "first_name": "Nia",
        "last_name": "Patel",
        "email": "nia@council.example",
        "password": "Seven-Long-Words-42",
        "vetting_level": "NPPV2A",
        **overrides,
    }


def test_the_list_flags_lapsed_agreements_with_why(client, cast):
    cast.agency(
        "Lapsed Health Trust",
        [cast.unit],
        agreement_starts_on=today() - datetime.timedelta(days=400),
        agreement_review_on=today() - datetime.timedelta(days=1),
    )
    client.force_login(cast.admin)

    response = client.get(reverse("partners:agency_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Birmingham City Council" in page and "Lapsed" in page
    assert "has not been renewed" in page


@pytest.mark.parametrize(
    "name,args",
    [
        ("partners:agency_list", False),
        ("partners:agency_create", False),
        ("partners:agency_detail", True),
        ("partners:agency_update", True),
        ("partners:agency_user_add", True),
    ],
)
@pytest.mark.parametrize("who,status", [("analyst", 403), ("partner_a", 404)])
def test_only_admins_reach_the_agency_pages(client, cast, name, args, who, status):
    client.force_login(getattr(cast, who))
    url = reverse(name, args=[cast.agency_a.pk] if args else [])
    assert client.get(url).status_code == status


def test_an_admin_adds_an_agency(client, cast):
    client.force_login(cast.admin)

    response = client.post(reverse("partners:agency_create"), agency_data(cast))

    agency = PartnerAgency.objects.get(name="Sandwell Council")
    assert response.status_code == 302
    assert list(agency.units.all()) == [cast.hierarchy.bcu]


def test_a_non_admin_cannot_add_an_agency(client, cast):
    client.force_login(cast.analyst)
    response = client.post(reverse("partners:agency_create"), agency_data(cast))
    assert response.status_code == 403
    assert not PartnerAgency.objects.filter(name="Sandwell Council").exists()


def test_bad_agency_input_is_refused_on_the_form(client, cast):
    client.force_login(cast.admin)

    response = client.post(
        reverse("partners:agency_create"),
        agency_data(cast, name="Birmingham City Council", agreement_review_on="2000-01-01"),
    )

    assert response.status_code == 400
    assert PartnerAgency.objects.count() == 2


def test_an_admin_changes_and_renews_an_agency(client, cast):
    client.force_login(cast.admin)
    new_review = today() + datetime.timedelta(days=700)

    response = client.post(
        reverse("partners:agency_update", args=[cast.agency_a.pk]),
        agency_data(
            cast,
            name="Birmingham City Council",
            agreement_review_on=new_review.isoformat(),
            is_active="on",
        ),
    )

    assert response.status_code == 302
    cast.agency_a.refresh_from_db()
    assert cast.agency_a.agreement_review_on == new_review


def test_an_admin_of_another_force_gets_404(client, cast):
    other_admin = member(cast.hierarchy.other_force, Role.ADMIN)
    client.force_login(other_admin)
    url = reverse("partners:agency_update", args=[cast.agency_a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, agency_data(cast, name="Taken over")).status_code == 404
    cast.agency_a.refresh_from_db()
    assert cast.agency_a.name == "Birmingham City Council"


def test_the_agency_page_shows_its_people_and_releases(client, cast, draft):
    client.force_login(cast.admin)

    response = client.get(reverse("partners:agency_detail", args=[cast.agency_a.pk]))

    page = response.content.decode()
    assert "partner_a" in page and draft.reference in page


def test_an_admin_adds_a_partner_user_with_nppv(client, cast):
    client.force_login(cast.admin)

    response = client.post(
        reverse("partners:agency_user_add", args=[cast.agency_a.pk]), person_data()
    )

    assert response.status_code == 302
    user = User.objects.get(username="newpartner")
    assert user.is_partner and user.vetting_level == "NPPV2A"
    assert AgencyMembership.objects.get(user=user).agency == cast.agency_a


def test_a_weak_password_is_refused(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("partners:agency_user_add", args=[cast.agency_a.pk]),
        person_data(password="short"),
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="newpartner").exists()


def test_police_vetting_is_refused_for_a_partner(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("partners:agency_user_add", args=[cast.agency_a.pk]),
        person_data(vetting_level="MV"),
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="newpartner").exists()


def test_a_non_admin_cannot_add_a_person(client, cast):
    client.force_login(cast.analyst)
    response = client.post(
        reverse("partners:agency_user_add", args=[cast.agency_a.pk]), person_data()
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="newpartner").exists()


def test_an_admin_removes_a_person(client, cast):
    membership = AgencyMembership.objects.get(user=cast.partner_a)
    client.force_login(cast.admin)

    url = reverse("partners:agency_user_remove", args=[cast.agency_a.pk, membership.pk])
    response = client.post(url)

    assert response.status_code == 302
    assert not AgencyMembership.objects.filter(user=cast.partner_a).exists()


@pytest.mark.parametrize("who,status", [("analyst", 403), ("partner_a", 404)])
def test_others_cannot_remove_a_person(client, cast, who, status):
    membership = AgencyMembership.objects.get(user=cast.partner_a)
    client.force_login(getattr(cast, who))

    url = reverse("partners:agency_user_remove", args=[cast.agency_a.pk, membership.pk])

    assert client.post(url).status_code == status
    assert AgencyMembership.objects.filter(user=cast.partner_a).exists()
