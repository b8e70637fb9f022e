"""The admins' unit pages: the tree, a unit's page with its history, and the change forms."""

import pytest
from django.urls import reverse

from nim_portal.choices import AuditVerb, Role, UnitKind
from nim_portal.models import AuditEvent, Unit
from nim_portal.web.history import FieldChange
from tests.factories import PartnerUserFactory, add_unit, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_admin(hierarchy):
    return member(hierarchy.region, Role.ADMIN, username="region-admin")


@pytest.fixture
def force_admin(hierarchy):
    return member(hierarchy.force, Role.ADMIN, username="wmp-admin")


@pytest.fixture
def analyst(hierarchy):
    return member(hierarchy.force, Role.ANALYST, username="wmp-analyst")


def signed_in(client, user):
    client.force_login(user)
    return client


def unit_state(unit: Unit) -> tuple:
    unit = Unit.objects.get(pk=unit.pk)
    return (unit.path, unit.code, unit.name, unit.is_active)


def write_requests(hierarchy):
    """Every write page of the units' staff pages, with a POST body that an admin could send."""
    bcu, force = hierarchy.bcu, hierarchy.force
    return [
        (reverse("units:create", args=[force.pk]), {"code": "NEW", "name": "New BCU"}),
        (reverse("units:rename", args=[bcu.pk]), {"code": "B2", "name": "Birmingham 2"}),
        (reverse("units:move", args=[bcu.pk]), {"parent": hierarchy.other_force.pk}),
        (reverse("units:deactivate", args=[bcu.pk]), {"reason": "Merged"}),
    ]


class TestTree:
    def test_admin_sees_the_whole_tree_with_actions_only_where_they_administer(
        self, client, hierarchy, force_admin
    ):
        response = signed_in(client, force_admin).get(reverse("units:tree"))
        assert response.status_code == 200
        html = response.content.decode()
        for unit in (hierarchy.national, hierarchy.force, hierarchy.other_bcu):
            assert unit.name in html
        assert reverse("units:move", args=[hierarchy.bcu.pk]) in html
        assert reverse("units:rename", args=[hierarchy.force.pk]) in html
        assert reverse("units:move", args=[hierarchy.other_bcu.pk]) not in html
        assert reverse("units:rename", args=[hierarchy.region.pk]) not in html
        assert "NIM level 1" in html
        assert "NIM level 3" in html

    def test_tree_nests_each_unit_under_its_parent(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).get(reverse("units:tree"))
        (national,) = response.context["roots"]
        (region,) = national["children"]
        forces = {node["unit"].code: node for node in region["children"]}
        assert [n["unit"].code for n in forces["WMP"]["children"]] == ["BIRM"]
        assert [n["unit"].code for n in forces["STAFFS"]["children"]] == ["STOKE"]
        assert forces["WMP"]["may_administer"] is True
        assert forces["STAFFS"]["may_administer"] is False

    def test_inactive_units_are_marked(self, client, hierarchy, region_admin):
        hierarchy.other_bcu.is_active = False
        hierarchy.other_bcu.save()
        html = signed_in(client, region_admin).get(reverse("units:tree")).content.decode()
        assert "Inactive" in html

    def test_tree_costs_the_same_queries_whatever_its_size(
        self, client, hierarchy, force_admin, django_assert_max_num_queries
    ):
        signed_in(client, force_admin).get(reverse("units:tree"))  # the session's first visit
        with django_assert_max_num_queries(8) as small:
            assert client.get(reverse("units:tree")).status_code == 200
        for number in range(40):
            force = add_unit(hierarchy.region, kind=UnitKind.FORCE, code=f"F{number}")
            add_unit(force, kind=UnitKind.BCU, code=f"B{number}")
        with django_assert_max_num_queries(len(small.captured_queries)) as large:
            response = client.get(reverse("units:tree"))
        assert response.context["unit_count"] == 86
        assert len(large.captured_queries) == len(small.captured_queries)

    def test_police_user_who_administers_nothing_is_refused(self, client, analyst):
        assert signed_in(client, analyst).get(reverse("units:tree")).status_code == 403

    def test_partner_user_gets_not_found(self, client, hierarchy):
        partner = PartnerUserFactory()
        assert signed_in(client, partner).get(reverse("units:tree")).status_code == 404

    def test_anonymous_user_is_sent_to_sign_in(self, client, hierarchy):
        response = client.get(reverse("units:tree"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


class TestUnitPage:
    def test_shows_details_parent_chain_children_and_people(
        self, client, hierarchy, force_admin, analyst
    ):
        response = signed_in(client, force_admin).get(
            reverse("units:detail", args=[hierarchy.force.pk])
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert [u.code for u in response.context["ancestors"]] == ["UK", "WM"]
        assert [u.code for u in response.context["children"]] == ["BIRM"]
        assert reverse("people:detail", args=[analyst.pk]) in html
        assert "Level 2" in html

    def test_people_are_hidden_where_the_viewer_does_not_administer(
        self, client, hierarchy, force_admin
    ):
        stoke_analyst = member(hierarchy.other_force, Role.ANALYST)
        response = signed_in(client, force_admin).get(
            reverse("units:detail", args=[hierarchy.other_force.pk])
        )
        assert response.status_code == 200
        assert reverse("people:detail", args=[stoke_analyst.pk]) not in response.content.decode()
        assert reverse("units:rename", args=[hierarchy.other_force.pk]) not in (
            response.content.decode()
        )

    def test_history_shows_who_changed_what_and_why(self, client, hierarchy, force_admin):
        signed_in(client, force_admin).post(
            reverse("units:rename", args=[hierarchy.bcu.pk]),
            {"code": "BHAM", "name": "Birmingham City"},
        )
        response = client.get(reverse("units:detail", args=[hierarchy.bcu.pk]))
        newest = response.context["history"][0]
        assert newest.who == force_admin
        assert newest.reason == "Renamed from Birmingham (BIRM)"
        assert FieldChange("code", "BIRM", "BHAM") in newest.changes
        assert FieldChange("name", "Birmingham", "Birmingham City") in newest.changes
        html = response.content.decode()
        assert "Renamed from Birmingham (BIRM)" in html
        assert "wmp-admin" in html

    def test_unknown_unit_is_not_found(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).get(reverse("units:detail", args=[999999]))
        assert response.status_code == 404

    def test_non_admin_is_refused(self, client, hierarchy, analyst):
        response = signed_in(client, analyst).get(reverse("units:detail", args=[hierarchy.bcu.pk]))
        assert response.status_code == 403


class TestMoveAcceptance:
    def test_admin_moves_a_bcu_to_another_force_and_every_page_shows_it(
        self, client, hierarchy, region_admin
    ):
        signed_in(client, region_admin)
        move_url = reverse("units:move", args=[hierarchy.bcu.pk])
        form_page = client.get(move_url)
        assert form_page.status_code == 200
        assert list(form_page.context["form"].fields["parent"].queryset) == [hierarchy.other_force]

        response = client.post(move_url, {"parent": hierarchy.other_force.pk, "confirmed": "yes"})
        assert response.status_code == 302
        assert response.url == reverse("units:detail", args=[hierarchy.bcu.pk])

        tree = client.get(reverse("units:tree"))
        (region,) = tree.context["roots"][0]["children"]
        forces = {node["unit"].code: node for node in region["children"]}
        assert [n["unit"].code for n in forces["STAFFS"]["children"]] == ["STOKE", "BIRM"]
        assert forces["WMP"]["children"] == []

        unit_page = client.get(response.url).content.decode()
        assert "Moved from West Midlands Police to Staffordshire Police" in unit_page
        assert "Staffordshire Police" in unit_page

        log = client.get(reverse("audit:log"), {"verb": AuditVerb.MOVE})
        assert log.status_code == 200
        (event,) = log.context["page_obj"].object_list
        assert event.object_repr == "Birmingham"
        assert event.actor == region_admin
        log_html = log.content.decode()
        assert "From West Midlands Police to Staffordshire Police" in log_html

    def test_non_admin_is_refused_the_move_form_and_nothing_changes(
        self, client, hierarchy, analyst
    ):
        before = unit_state(hierarchy.bcu)
        signed_in(client, analyst)
        move_url = reverse("units:move", args=[hierarchy.bcu.pk])
        assert client.get(move_url).status_code == 403
        assert client.post(move_url, {"parent": hierarchy.other_force.pk}).status_code == 403
        assert unit_state(hierarchy.bcu) == before
        assert not AuditEvent.objects.filter(verb=AuditVerb.MOVE).exists()


class TestWritesRefused:
    def test_police_user_without_admin_role_gets_403_on_every_write(
        self, client, hierarchy, analyst
    ):
        signed_in(client, analyst)
        before = list(Unit.objects.values_list("path", "code", "name", "is_active"))
        for url, data in write_requests(hierarchy):
            assert client.get(url).status_code == 403, url
            assert client.post(url, data).status_code == 403, url
        reactivate = reverse("units:reactivate", args=[hierarchy.bcu.pk])
        assert client.post(reactivate).status_code == 403
        assert list(Unit.objects.values_list("path", "code", "name", "is_active")) == before

    def test_admin_of_another_force_gets_403_on_every_write(self, client, hierarchy):
        staffs_admin = member(hierarchy.other_force, Role.ADMIN)
        signed_in(client, staffs_admin)
        before = list(Unit.objects.values_list("path", "code", "name", "is_active"))
        for url, data in write_requests(hierarchy):
            assert client.get(url).status_code == 403, url
            assert client.post(url, data).status_code == 403, url
        reactivate = reverse("units:reactivate", args=[hierarchy.bcu.pk])
        assert client.post(reactivate).status_code == 403
        assert list(Unit.objects.values_list("path", "code", "name", "is_active")) == before

    def test_partner_user_gets_404_on_every_write(self, client, hierarchy):
        signed_in(client, PartnerUserFactory())
        for url, data in write_requests(hierarchy):
            assert client.post(url, data).status_code == 404, url

    def test_reactivate_accepts_only_post(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).get(
            reverse("units:reactivate", args=[hierarchy.bcu.pk])
        )
        assert response.status_code == 405


class TestCreate:
    def test_admin_adds_a_bcu_under_their_force(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).post(
            reverse("units:create", args=[hierarchy.force.pk]),
            {"code": "cov", "name": "Coventry"},
        )
        unit = Unit.objects.get(code="COV")
        assert response.status_code == 302
        assert response.url == reverse("units:detail", args=[unit.pk])
        assert unit.kind == UnitKind.BCU
        assert Unit.objects.get_parent(unit) == hierarchy.force
        assert AuditEvent.objects.filter(verb=AuditVerb.CREATE, object_id=str(unit.pk)).exists()

    def test_duplicate_code_is_shown_on_the_form_and_nothing_is_added(
        self, client, hierarchy, force_admin
    ):
        count = Unit.objects.count()
        response = signed_in(client, force_admin).post(
            reverse("units:create", args=[hierarchy.force.pk]),
            {"code": "birm", "name": "Another Birmingham"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["code"] == [
            "Another unit under West Midlands Police already uses the code BIRM."
        ]
        html = response.content.decode()
        assert "govuk-error-summary" in html
        assert 'href="#id_code"' in html
        assert Unit.objects.count() == count

    def test_nothing_can_be_added_under_a_bcu(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).get(
            reverse("units:create", args=[hierarchy.bcu.pk])
        )
        assert response.status_code == 404

    def test_empty_fields_are_refused(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).post(
            reverse("units:create", args=[hierarchy.force.pk]), {"code": "", "name": ""}
        )
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"code", "name"}


class TestRename:
    def test_admin_renames(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).post(
            reverse("units:rename", args=[hierarchy.bcu.pk]),
            {"code": "BHAM", "name": "Birmingham City"},
        )
        assert response.status_code == 302
        assert unit_state(hierarchy.bcu)[1:] == ("BHAM", "Birmingham City", True)

    def test_form_starts_with_the_current_values(self, client, hierarchy, force_admin):
        form = (
            signed_in(client, force_admin)
            .get(reverse("units:rename", args=[hierarchy.bcu.pk]))
            .context["form"]
        )
        assert form.initial == {"code": "BIRM", "name": "Birmingham"}

    def test_code_of_a_sibling_is_refused(self, client, hierarchy, region_admin):
        before = unit_state(hierarchy.other_force)
        response = signed_in(client, region_admin).post(
            reverse("units:rename", args=[hierarchy.other_force.pk]),
            {"code": "WMP", "name": "Staffordshire Police"},
        )
        assert response.status_code == 200
        assert "already uses the code WMP" in response.context["form"].errors["code"][0]
        assert unit_state(hierarchy.other_force) == before


class TestMove:
    def test_only_administered_units_of_the_right_kind_are_offered(
        self, client, hierarchy, force_admin
    ):
        signed_in(client, force_admin)
        add_unit(hierarchy.region, kind=UnitKind.FORCE, code="WARKS", name="Warwickshire")
        wmp_admin_form = client.get(reverse("units:move", args=[hierarchy.bcu.pk])).context["form"]
        # The force admin administers no other force: there is nowhere to move Birmingham to.
        assert list(wmp_admin_form.fields["parent"].queryset) == []

    def test_a_parent_not_offered_is_refused_and_nothing_changes(
        self, client, hierarchy, force_admin
    ):
        before = unit_state(hierarchy.bcu)
        response = signed_in(client, force_admin).post(
            reverse("units:move", args=[hierarchy.bcu.pk]), {"parent": hierarchy.other_force.pk}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["parent"]
        assert unit_state(hierarchy.bcu) == before

    def test_service_refusal_is_shown_on_the_form(self, client, hierarchy, region_admin):
        add_unit(hierarchy.other_force, kind=UnitKind.BCU, code="BIRM", name="Burton")
        before = unit_state(hierarchy.bcu)
        response = signed_in(client, region_admin).post(
            reverse("units:move", args=[hierarchy.bcu.pk]), {"parent": hierarchy.other_force.pk}
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "Another unit under Staffordshire Police already uses the code BIRM."
        ]
        assert unit_state(hierarchy.bcu) == before


class TestDeactivateAndReactivate:
    def test_admin_deactivates_with_a_reason_then_reactivates(self, client, hierarchy, force_admin):
        signed_in(client, force_admin)
        response = client.post(
            reverse("units:deactivate", args=[hierarchy.bcu.pk]),
            {"reason": "Merged into WMP", "confirmed": "yes"},
        )
        assert response.status_code == 302
        assert unit_state(hierarchy.bcu)[3] is False
        page = client.get(reverse("units:detail", args=[hierarchy.bcu.pk])).content.decode()
        assert "Deactivated: Merged into WMP" in page

        response = client.post(reverse("units:reactivate", args=[hierarchy.bcu.pk]))
        assert response.status_code == 302
        assert unit_state(hierarchy.bcu)[3] is True

    def test_reason_is_required(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).post(
            reverse("units:deactivate", args=[hierarchy.bcu.pk]), {"reason": "  "}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["reason"]
        assert unit_state(hierarchy.bcu)[3] is True

    def test_unit_with_active_units_below_is_refused_with_the_service_message(
        self, client, hierarchy, region_admin
    ):
        response = signed_in(client, region_admin).post(
            reverse("units:deactivate", args=[hierarchy.force.pk]), {"reason": "Merger"}
        )
        assert response.status_code == 200
        assert (
            "still has active units under it (Birmingham)"
            in (response.context["form"].non_field_errors()[0])
        )
        assert "govuk-error-summary" in response.content.decode()
        assert unit_state(hierarchy.force)[3] is True

    def test_reactivating_an_active_unit_says_so(self, client, hierarchy, force_admin):
        response = signed_in(client, force_admin).post(
            reverse("units:reactivate", args=[hierarchy.bcu.pk]), follow=True
        )
        assert "Birmingham is already active." in response.content.decode()
