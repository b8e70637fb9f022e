"""The admins' people pages: list and filters, a person's page, and the forms that change roles
and vetting."""

import datetime

import pytest
from django.urls import reverse

from nim_portal.choices import AuditVerb, Role, UnitKind, VettingLevel
from nim_portal.models import AuditEvent, Membership, User
from nim_portal.views import people as people_views
from nim_portal.web.history import FieldChange
from tests.factories import PartnerUserFactory, add_unit, member
from tests.paging import two_pages

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Unusual-Lantern-Orbit-47"


@pytest.fixture
def force_admin(hierarchy):
    return member(hierarchy.force, Role.ADMIN, username="wmp-admin")


@pytest.fixture
def analyst(hierarchy):
    return member(
        hierarchy.bcu, Role.ANALYST, username="birm-analyst", vetting_level=VettingLevel.RV
    )


@pytest.fixture
def stoke_member(hierarchy):
    return member(hierarchy.other_bcu, Role.MEMBER, username="stoke-member")


def signed_in(client, user):
    client.force_login(user)
    return client


def listed(response) -> set[str]:
    return {person.username for person in response.context["page_obj"].object_list}


class TestList:
    def test_admin_sees_the_people_of_the_units_they_administer(
        self, client, hierarchy, force_admin, analyst, stoke_member
    ):
        response = signed_in(client, force_admin).get(reverse("people:list"))
        assert response.status_code == 200
        assert listed(response) == {"wmp-admin", "birm-analyst"}
        html = response.content.decode()
        assert "Analyst, Birmingham" in html
        assert '<label class="govuk-label" for="id_role">Role (optional)</label>' in html

    def test_filters_by_unit_role_vetting_and_name(self, client, hierarchy, force_admin, analyst):
        reviewer = member(hierarchy.force, Role.REVIEWER, username="wmp-reviewer")
        signed_in(client, force_admin)
        url = reverse("people:list")
        assert listed(client.get(url, {"unit": hierarchy.bcu.pk})) == {"birm-analyst"}
        assert listed(client.get(url, {"role": Role.REVIEWER})) == {reviewer.username}
        assert listed(client.get(url, {"vetting_level": VettingLevel.RV})) == {"birm-analyst"}
        assert listed(client.get(url, {"name": "birm"})) == {"birm-analyst"}
        # Unit and role are one membership: nobody is a reviewer in Birmingham or below.
        assert listed(client.get(url, {"unit": hierarchy.bcu.pk, "role": Role.REVIEWER})) == set()

    def test_a_unit_the_admin_does_not_administer_cannot_be_chosen(
        self, client, hierarchy, force_admin, stoke_member
    ):
        response = signed_in(client, force_admin).get(
            reverse("people:list"), {"unit": hierarchy.other_bcu.pk}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["unit"]
        assert "stoke-member" not in listed(response)

    def test_list_is_paginated_and_constant_in_queries(
        self, client, hierarchy, force_admin, django_assert_max_num_queries
    ):
        signed_in(client, force_admin).get(reverse("people:list"))
        for number in range(3):
            member(hierarchy.bcu, Role.MEMBER, username=f"few{number}")
        with django_assert_max_num_queries(12) as small:
            client.get(reverse("people:list"))
        # Without passwords: hashing 60 of them would only slow the test down.
        people = User.objects.bulk_create(User(username=f"many{n}") for n in range(60))
        Membership.objects.bulk_create(
            Membership(user=person, unit=unit, role=role)
            for person in people
            for unit, role in ((hierarchy.bcu, Role.MEMBER), (hierarchy.force, Role.ANALYST))
        )
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(reverse("people:list"))
        assert response.context["page_obj"].paginator.count == 64
        assert len(response.context["page_obj"].object_list) == 50
        second = client.get(response.context["page_obj"].next_url)
        assert len(second.context["page_obj"].object_list) == 14

    def test_two_pages_cost_the_same_queries_at_two_sizes(
        self, client, hierarchy, force_admin, monkeypatch
    ):
        monkeypatch.setattr(people_views, "PEOPLE_PER_PAGE", 2)
        signed_in(client, force_admin)

        def add(prefix):
            people = User.objects.bulk_create(
                User(username=f"{prefix}{n}", last_name="Smith") for n in range(5)
            )
            Membership.objects.bulk_create(
                Membership(user=person, unit=hierarchy.bcu, role=Role.MEMBER) for person in people
            )

        add("few")
        small = two_pages(client, reverse("people:list"), {"role": Role.MEMBER})
        add("more")
        assert two_pages(client, reverse("people:list"), {"role": Role.MEMBER}) == small

    def test_non_admin_is_refused_and_partner_gets_not_found(self, client, hierarchy, analyst):
        assert signed_in(client, analyst).get(reverse("people:list")).status_code == 403
        partner = PartnerUserFactory()
        assert signed_in(client, partner).get(reverse("people:list")).status_code == 404


class TestPersonPage:
    def test_shows_memberships_vetting_marking_and_history(
        self, client, hierarchy, force_admin, analyst
    ):
        signed_in(client, force_admin).post(
            reverse("people:vetting", args=[analyst.pk]),
            {"vetting_level": VettingLevel.SC, "vetting_expires_on": "2030-01-31"},
        )
        response = client.get(reverse("people:detail", args=[analyst.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Security Check (SC)" in html
        assert "31 Jan 2030" in html
        assert response.context["readable_marking"] == "SECRET"
        assert "Birmingham" in html
        newest = response.context["history"][0]
        assert newest.reason == "Vetting updated"
        assert newest.who == force_admin
        assert (
            FieldChange("vetting level", VettingLevel.RV.label, VettingLevel.SC.label)
            in newest.changes
        )
        assert "<strong>Vetting level</strong>" in html

    def test_person_outside_the_admins_units_is_not_found(
        self, client, hierarchy, force_admin, stoke_member
    ):
        response = signed_in(client, force_admin).get(
            reverse("people:detail", args=[stoke_member.pk])
        )
        assert response.status_code == 404

    def test_non_admin_is_refused(self, client, hierarchy, analyst, force_admin):
        response = signed_in(client, analyst).get(reverse("people:detail", args=[force_admin.pk]))
        assert response.status_code == 403


class TestCreate:
    def form_data(self, hierarchy, **overrides):
        data = {
            "username": "new-analyst",
            "first_name": "Asha",
            "last_name": "Patel",
            "email": "asha.patel@police.example",
            "job_title": "Intelligence analyst",
            "password": NEW_PASSWORD,
            "unit": hierarchy.bcu.pk,
            "role": Role.ANALYST,
            "vetting_level": VettingLevel.MV,
            "vetting_expires_on": "2031-06-30",
        }
        return {**data, **overrides}

    def test_admin_creates_a_police_user_with_a_first_role(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).post(
            reverse("people:create"), self.form_data(hierarchy)
        )
        person = User.objects.get(username="new-analyst")
        assert response.status_code == 302
        assert response.url == reverse("people:detail", args=[person.pk])
        assert person.check_password(NEW_PASSWORD)
        assert person.vetting_expires_on == datetime.date(2031, 6, 30)
        assert list(person.memberships.values_list("unit", "role")) == [
            (hierarchy.bcu.pk, Role.ANALYST)
        ]
        assert AuditEvent.objects.filter(verb=AuditVerb.CREATE, object_id=str(person.pk)).exists()

    def test_weak_password_and_taken_username_are_refused(
        self, client, hierarchy, force_admin, analyst
    ):
        signed_in(client, force_admin)
        weak = client.post(reverse("people:create"), self.form_data(hierarchy, password="short"))
        assert weak.status_code == 200
        assert "too short" in " ".join(weak.context["form"].non_field_errors())
        taken = client.post(
            reverse("people:create"), self.form_data(hierarchy, username="BIRM-ANALYST")
        )
        assert taken.context["form"].errors["username"] == [
            "The username BIRM-ANALYST is already taken."
        ]
        assert not User.objects.filter(username="new-analyst").exists()

    def test_unit_outside_the_admins_is_not_offered(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).post(
            reverse("people:create"), self.form_data(hierarchy, unit=hierarchy.other_bcu.pk)
        )
        assert response.status_code == 200
        assert response.context["form"].errors["unit"]
        assert not User.objects.filter(username="new-analyst").exists()

    def test_non_admin_gets_403(self, client, hierarchy, analyst):
        signed_in(client, analyst)
        assert client.get(reverse("people:create")).status_code == 403
        assert client.post(reverse("people:create"), self.form_data(hierarchy)).status_code == 403
        assert not User.objects.filter(username="new-analyst").exists()


class TestVetting:
    def test_admin_changes_vetting_and_it_is_audited(self, client, hierarchy, force_admin, analyst):
        response = signed_in(client, force_admin).post(
            reverse("people:vetting", args=[analyst.pk]),
            {"vetting_level": VettingLevel.DV, "vetting_expires_on": ""},
        )
        assert response.status_code == 302
        analyst.refresh_from_db()
        assert analyst.vetting_level == VettingLevel.DV
        event = AuditEvent.objects.get(verb=AuditVerb.UPDATE, object_id=str(analyst.pk))
        assert event.detail["after"]["vetting_level"] == VettingLevel.DV

    def test_unknown_level_is_refused(self, client, hierarchy, force_admin, analyst):
        response = signed_in(client, force_admin).post(
            reverse("people:vetting", args=[analyst.pk]), {"vetting_level": "TOPMOST"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["vetting_level"]
        analyst.refresh_from_db()
        assert analyst.vetting_level == VettingLevel.RV

    def test_non_admin_gets_403_and_other_admins_404(self, client, hierarchy, analyst, force_admin):
        url = reverse("people:vetting", args=[force_admin.pk])
        signed_in(client, analyst)
        assert client.get(url).status_code == 403
        assert client.post(url, {"vetting_level": VettingLevel.DV}).status_code == 403
        staffs_admin = member(hierarchy.other_force, Role.ADMIN)
        signed_in(client, staffs_admin)
        assert client.post(url, {"vetting_level": VettingLevel.DV}).status_code == 404
        force_admin.refresh_from_db()
        assert force_admin.vetting_level == VettingLevel.MV


class TestRoles:
    def test_admin_grants_a_role(self, client, hierarchy, force_admin, analyst):
        response = signed_in(client, force_admin).post(
            reverse("people:grant", args=[analyst.pk]),
            {"unit": hierarchy.force.pk, "role": Role.REVIEWER},
        )
        assert response.status_code == 302
        assert analyst.memberships.filter(unit=hierarchy.force, role=Role.REVIEWER).exists()
        assert AuditEvent.objects.filter(verb=AuditVerb.GRANT, object_id=str(analyst.pk)).exists()

    def test_role_already_held_is_refused_with_the_service_message(
        self, client, hierarchy, force_admin, analyst
    ):
        response = signed_in(client, force_admin).post(
            reverse("people:grant", args=[analyst.pk]),
            {"unit": hierarchy.bcu.pk, "role": Role.ANALYST},
        )
        assert response.status_code == 400
        assert (
            "already holds the analyst role in Birmingham"
            in (response.context["form"].non_field_errors()[0])
        )
        assert analyst.memberships.count() == 1

    def test_new_unit_in_the_admins_area_can_be_granted(
        self, client, hierarchy, force_admin, analyst
    ):
        coventry = add_unit(hierarchy.force, kind=UnitKind.BCU, code="COV", name="Coventry")
        signed_in(client, force_admin).post(
            reverse("people:grant", args=[analyst.pk]), {"unit": coventry.pk, "role": Role.MEMBER}
        )
        assert analyst.memberships.filter(unit=coventry).exists()

    def test_admin_revokes_a_role(self, client, hierarchy, force_admin, analyst):
        membership = analyst.memberships.get()
        response = signed_in(client, force_admin).post(
            reverse("people:revoke", args=[analyst.pk, membership.pk])
        )
        assert response.status_code == 302
        assert not analyst.memberships.exists()
        assert AuditEvent.objects.filter(verb=AuditVerb.REVOKE, object_id=str(analyst.pk)).exists()

    def test_admin_cannot_revoke_their_own_admin_role(self, client, hierarchy, force_admin):
        membership = force_admin.memberships.get()
        response = signed_in(client, force_admin).post(
            reverse("people:revoke", args=[force_admin.pk, membership.pk]), follow=True
        )
        assert "You cannot revoke your own admin role" in response.content.decode()
        assert force_admin.memberships.filter(role=Role.ADMIN).exists()

    def test_non_admin_gets_403_on_grant_and_revoke(self, client, hierarchy, force_admin, analyst):
        membership = force_admin.memberships.get()
        signed_in(client, analyst)
        grant = client.post(
            reverse("people:grant", args=[analyst.pk]),
            {"unit": hierarchy.force.pk, "role": Role.ADMIN},
        )
        assert grant.status_code == 403
        revoke = client.post(reverse("people:revoke", args=[force_admin.pk, membership.pk]))
        assert revoke.status_code == 403
        assert not analyst.memberships.filter(role=Role.ADMIN).exists()
        assert Membership.objects.filter(pk=membership.pk).exists()

    def test_admin_of_a_lower_unit_cannot_revoke_a_role_held_above_it(
        self, client, hierarchy, force_admin
    ):
        bcu_admin = member(hierarchy.bcu, Role.ADMIN, username="birm-admin")
        Membership.objects.create(user=bcu_admin, unit=hierarchy.force, role=Role.ANALYST)
        above = bcu_admin.memberships.get(unit=hierarchy.force)
        colleague = member(hierarchy.bcu, Role.ADMIN, username="birm-admin-2")
        response = signed_in(client, colleague).post(
            reverse("people:revoke", args=[bcu_admin.pk, above.pk])
        )
        assert response.status_code == 403
        assert Membership.objects.filter(pk=above.pk).exists()

    def test_grant_and_revoke_accept_only_post(self, client, hierarchy, force_admin, analyst):
        signed_in(client, force_admin)
        assert client.get(reverse("people:grant", args=[analyst.pk])).status_code == 405
        membership = analyst.memberships.get()
        url = reverse("people:revoke", args=[analyst.pk, membership.pk])
        assert client.get(url).status_code == 405
