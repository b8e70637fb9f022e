"""The REST API: units (read for police users, write for admins through the services), /me, the
API token, and the OpenAPI schema with its docs."""

import re

import pytest
import yaml
from django.urls import reverse
from knox.models import AuthToken
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from nim_portal.api.schema import ANSWERS_OF_EVERY_OPERATION
from nim_portal.choices import AuditVerb, Role, UnitKind, VettingLevel
from nim_portal.models import AuditEvent, Unit
from tests.factories import PartnerUserFactory, UserFactory, add_unit, member

pytestmark = pytest.mark.django_db

UNITS = "/api/v1/units/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def region_admin(hierarchy):
    return member(hierarchy.region, Role.ADMIN, username="region-admin")


@pytest.fixture
def analyst(hierarchy):
    return member(
        hierarchy.bcu, Role.ANALYST, username="birm-analyst", vetting_level=VettingLevel.RV
    )


def as_user(api, user):
    api.force_authenticate(user)
    return api


def unit_url(unit, action=""):
    return f"{UNITS}{unit.pk}/{action + '/' if action else ''}"


def tree_state() -> list[tuple]:
    return list(
        Unit.objects.order_by("pk").values_list("path", "kind", "code", "name", "is_active")
    )


def write_requests(hierarchy):
    """Every write of the units API, each with a body an admin of the region could send."""
    return [
        (
            "post",
            UNITS,
            {"parent": hierarchy.force.pk, "kind": UnitKind.BCU, "code": "COV", "name": "Coventry"},
        ),
        ("patch", unit_url(hierarchy.bcu), {"name": "Birmingham City"}),
        ("post", unit_url(hierarchy.bcu, "move"), {"parent": hierarchy.other_force.pk}),
        ("post", unit_url(hierarchy.other_bcu, "deactivate"), {"reason": "Merged"}),
        ("post", unit_url(hierarchy.bcu, "reactivate"), {}),
    ]


class TestReads:
    def test_police_user_lists_units_with_parent_and_level(self, api, hierarchy, analyst):
        response = as_user(api, analyst).get(UNITS)
        assert response.status_code == 200
        assert response.data["count"] == 6
        by_code = {row["code"]: row for row in response.data["results"]}
        assert by_code["BIRM"] == {
            "id": hierarchy.bcu.pk,
            "kind": "bcu",
            "code": "BIRM",
            "name": "Birmingham",
            "is_active": True,
            "nim_level": 1,
            "depth": 4,
            "parent": hierarchy.force.pk,
            "may_administer": False,
        }
        assert by_code["UK"]["parent"] is None

    def test_filters_by_kind_activity_and_parent(self, api, hierarchy, analyst):
        hierarchy.other_bcu.is_active = False
        hierarchy.other_bcu.save()
        as_user(api, analyst)

        def codes(**params):
            return {row["code"] for row in api.get(UNITS, params).data["results"]}

        assert codes(kind="force") == {"WMP", "STAFFS"}
        assert codes(is_active="false") == {"STOKE"}
        assert codes(parent=hierarchy.region.pk) == {"WMP", "STAFFS"}
        assert codes(parent=999999) == set()

    def test_admin_sees_which_units_they_may_change(self, api, hierarchy):
        force_admin = member(hierarchy.force, Role.ADMIN)
        rows = as_user(api, force_admin).get(UNITS).data["results"]
        assert {row["code"] for row in rows if row["may_administer"]} == {"WMP", "BIRM"}

    def test_list_costs_the_same_queries_whatever_its_size(
        self, api, hierarchy, region_admin, django_assert_max_num_queries
    ):
        as_user(api, region_admin)
        with django_assert_max_num_queries(4) as small:
            api.get(UNITS)
        for number in range(30):
            force = add_unit(hierarchy.region, kind=UnitKind.FORCE, code=f"F{number}")
            add_unit(force, kind=UnitKind.BCU, code=f"B{number}")
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = api.get(UNITS)
        assert response.data["count"] == 66
        assert all(row["may_administer"] for row in response.data["results"][1:])
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert len(api.get(f"{UNITS}tree/").data) == 66

    def test_retrieve_and_unknown_unit(self, api, hierarchy, analyst):
        as_user(api, analyst)
        assert api.get(unit_url(hierarchy.force)).data["parent"] == hierarchy.region.pk
        assert api.get(f"{UNITS}999999/").status_code == 404

    def test_tree_is_flat_in_tree_order_and_can_be_cut(self, api, hierarchy, analyst):
        as_user(api, analyst)
        rows = api.get(f"{UNITS}tree/").data
        assert [row["code"] for row in rows] == ["UK", "WM", "WMP", "BIRM", "STAFFS", "STOKE"]
        top_two = api.get(f"{UNITS}tree/", {"depth": 2}).data
        assert [row["code"] for row in top_two] == ["UK", "WM"]
        branch = api.get(f"{UNITS}tree/", {"parent": hierarchy.region.pk, "depth": 1}).data
        assert [(row["code"], row["parent"]) for row in branch] == [
            ("WMP", hierarchy.region.pk),
            ("STAFFS", hierarchy.region.pk),
        ]

    def test_tree_refuses_bad_parameters(self, api, hierarchy, analyst):
        as_user(api, analyst)
        assert api.get(f"{UNITS}tree/", {"depth": "0"}).status_code == 400
        assert api.get(f"{UNITS}tree/", {"depth": "deep"}).status_code == 400
        assert api.get(f"{UNITS}tree/", {"parent": "999999"}).status_code == 404


class TestAccess:
    def test_partner_user_gets_404_everywhere(self, api, hierarchy):
        as_user(api, PartnerUserFactory())
        for url in (UNITS, f"{UNITS}tree/", unit_url(hierarchy.bcu), "/api/v1/me/"):
            assert api.get(url).status_code == 404, url
        assert api.post("/api/v1/me/token/").status_code == 404
        assert api.get("/api/schema/").status_code == 404
        assert api.get("/api/docs/").status_code == 404
        for method, url, body in write_requests(hierarchy):
            assert getattr(api, method)(url, body, format="json").status_code == 404, url

    def test_anonymous_user_is_refused(self, api, hierarchy):
        assert api.get(UNITS).status_code == 403
        assert api.get("/api/v1/me/").status_code == 403
        assert api.get("/api/schema/").status_code == 403

    def test_non_admin_gets_403_on_every_write_and_nothing_changes(self, api, hierarchy, analyst):
        hierarchy.bcu.is_active = False
        hierarchy.bcu.save()
        before = tree_state()
        as_user(api, analyst)
        for method, url, body in write_requests(hierarchy):
            response = getattr(api, method)(url, body, format="json")
            assert response.status_code == 403, url
            assert (
                "do not administer" in response.data["detail"]
                or "system administrator" in (response.data["detail"])
            )
        assert tree_state() == before

    def test_admin_of_another_force_gets_403_on_every_write(self, api, hierarchy):
        hierarchy.bcu.is_active = False
        hierarchy.bcu.save()
        before = tree_state()
        as_user(api, member(hierarchy.other_force, Role.ADMIN))
        for method, url, body in write_requests(hierarchy):
            if "deactivate" in url:
                continue  # Stoke is theirs: refused elsewhere
            assert getattr(api, method)(url, body, format="json").status_code == 403, url
        assert tree_state() == before

    def test_put_is_not_offered(self, api, hierarchy, region_admin):
        response = as_user(api, region_admin).put(
            unit_url(hierarchy.bcu), {"code": "X", "name": "Y"}, format="json"
        )
        assert response.status_code == 405


class TestAdminWrites:
    def test_create(self, api, hierarchy, region_admin):
        response = as_user(api, region_admin).post(
            UNITS,
            {"parent": hierarchy.force.pk, "kind": "bcu", "code": "cov", "name": "Coventry"},
            format="json",
        )
        assert response.status_code == 201
        assert response.data["code"] == "COV"
        assert response.data["parent"] == hierarchy.force.pk
        assert response.data["may_administer"] is True
        assert Unit.objects.get_parent(Unit.objects.get(code="COV")) == hierarchy.force

    @pytest.mark.parametrize(
        ("body", "field", "message"),
        [
            ({"kind": "force", "code": "X", "name": "X"}, "parent", "must sit directly under"),
            ({"kind": "bcu", "code": "BIRM", "name": "X"}, "code", "already uses the code BIRM"),
            ({"kind": "bcu", "code": " ", "name": "X"}, "code", "may not be blank"),
            ({"kind": "ward", "code": "X", "name": "X"}, "kind", "not a valid choice"),
        ],
    )
    def test_create_refuses_bad_input_with_400(
        self, api, hierarchy, region_admin, body, field, message
    ):
        before = tree_state()
        response = as_user(api, region_admin).post(
            UNITS, {"parent": hierarchy.force.pk, **body}, format="json"
        )
        assert response.status_code == 400
        assert message in str(response.data[field])
        assert tree_state() == before

    def test_create_under_unknown_parent_is_400(self, api, hierarchy, region_admin):
        response = as_user(api, region_admin).post(
            UNITS, {"parent": 999999, "kind": "bcu", "code": "X", "name": "X"}, format="json"
        )
        assert response.status_code == 400
        assert "parent" in response.data

    def test_rename(self, api, hierarchy, region_admin):
        response = as_user(api, region_admin).patch(
            unit_url(hierarchy.bcu), {"name": "Birmingham City"}, format="json"
        )
        assert response.status_code == 200
        assert (response.data["code"], response.data["name"]) == ("BIRM", "Birmingham City")

    def test_rename_refuses_bad_input(self, api, hierarchy, region_admin):
        before = tree_state()
        as_user(api, region_admin)
        blank = api.patch(unit_url(hierarchy.bcu), {"name": ""}, format="json")
        assert blank.status_code == 400
        taken = api.patch(unit_url(hierarchy.other_force), {"code": "wmp"}, format="json")
        assert taken.status_code == 400
        assert "already uses the code WMP" in str(taken.data["code"])
        assert tree_state() == before

    def test_move_is_audited_and_in_history(self, api, hierarchy, region_admin):
        response = as_user(api, region_admin).post(
            unit_url(hierarchy.bcu, "move"), {"parent": hierarchy.other_force.pk}, format="json"
        )
        assert response.status_code == 200
        assert response.data["parent"] == hierarchy.other_force.pk
        assert hierarchy.bcu.history.first().history_change_reason == (
            "Moved from West Midlands Police to Staffordshire Police"
        )
        event = AuditEvent.objects.get(verb=AuditVerb.MOVE)
        assert event.actor == region_admin

    @pytest.mark.parametrize(
        ("target", "message"),
        [
            ("region", "must sit directly under a force"),
            ("force", "already sits under West Midlands Police"),
        ],
    )
    def test_move_refuses_bad_targets(self, api, hierarchy, region_admin, target, message):
        before = tree_state()
        response = as_user(api, region_admin).post(
            unit_url(hierarchy.bcu, "move"),
            {"parent": getattr(hierarchy, target).pk},
            format="json",
        )
        assert response.status_code == 400
        assert message in str(response.data["parent"])
        assert tree_state() == before

    def test_move_without_parent_is_400(self, api, hierarchy, region_admin):
        response = as_user(api, region_admin).post(
            unit_url(hierarchy.bcu, "move"), {}, format="json"
        )
        assert response.status_code == 400

    def test_deactivate_and_reactivate(self, api, hierarchy, region_admin):
        as_user(api, region_admin)
        response = api.post(
            unit_url(hierarchy.bcu, "deactivate"), {"reason": "Merged"}, format="json"
        )
        assert response.status_code == 200
        assert response.data["is_active"] is False
        again = api.post(unit_url(hierarchy.bcu, "deactivate"), {"reason": "x"}, format="json")
        assert again.status_code == 400
        assert "already inactive" in str(again.data["detail"])
        response = api.post(unit_url(hierarchy.bcu, "reactivate"))
        assert response.status_code == 200
        assert response.data["is_active"] is True
        again = api.post(unit_url(hierarchy.bcu, "reactivate"))
        assert again.status_code == 400

    def test_deactivate_refuses_missing_reason_and_active_children(
        self, api, hierarchy, region_admin
    ):
        before = tree_state()
        as_user(api, region_admin)
        assert api.post(unit_url(hierarchy.bcu, "deactivate"), {}, format="json").status_code == 400
        busy = api.post(unit_url(hierarchy.force, "deactivate"), {"reason": "x"}, format="json")
        assert busy.status_code == 400
        assert "still has active units under it" in str(busy.data["detail"])
        assert tree_state() == before


class TestMe:
    def test_me_describes_the_user(self, api, hierarchy, analyst):
        response = as_user(api, analyst).get("/api/v1/me/")
        assert response.status_code == 200
        assert response.data["username"] == "birm-analyst"
        assert response.data["name"] == analyst.get_full_name()
        assert response.data["kind"] == "police"
        assert response.data["vetting_level"] == "RV"
        assert response.data["readable_marking_label"] == "OFFICIAL-SENSITIVE"
        (membership,) = response.data["memberships"]
        assert membership["unit"] == hierarchy.bcu.pk
        assert membership["unit_code"] == "BIRM"
        assert membership["role"] == "analyst"

    def test_token_is_created_replaced_audited_and_works(self, api, hierarchy, analyst):
        api.force_login(analyst)
        first = api.post("/api/v1/me/token/")
        assert first.status_code == 201
        second = api.post("/api/v1/me/token/")
        assert second.data["token"] != first.data["token"]
        assert AuthToken.objects.filter(user=analyst).count() == 1
        events = AuditEvent.objects.filter(verb=AuditVerb.CREATE, object_id=str(analyst.pk))
        assert [e.detail["api_token"] for e in events.order_by("id")] == ["created", "replaced"]
        assert all(first.data["token"] not in str(e.detail) + e.object_repr for e in events)

        token_client = APIClient()
        token_client.credentials(HTTP_AUTHORIZATION=f"Token {second.data['token']}")
        assert token_client.get("/api/v1/me/").data["username"] == "birm-analyst"
        token_client.credentials(HTTP_AUTHORIZATION=f"Token {first.data['token']}")
        refused = token_client.get("/api/v1/me/")
        assert refused.status_code == 403
        assert refused.data["detail"] == "Invalid token."

    def test_session_writes_need_the_csrf_token(self, hierarchy, analyst):
        strict = APIClient(enforce_csrf_checks=True)
        strict.force_login(analyst)
        assert strict.post("/api/v1/me/token/").status_code == 403
        assert not AuthToken.objects.filter(user=analyst).exists()


class TestSchemaAndDocs:
    def test_schema_is_valid_openapi_3(self, api, hierarchy, analyst):
        response = as_user(api, analyst).get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        schema = response.json()
        validate(schema)
        assert schema["openapi"].startswith("3.")
        for path in (
            "/api/v1/units/",
            "/api/v1/units/{id}/move/",
            "/api/v1/me/",
            "/api/v1/me/token/",
        ):
            assert path in schema["paths"]
        assert "knoxApiToken" in schema["components"]["securitySchemes"]

    def test_docs_use_local_assets_and_no_inline_script(self, client, hierarchy, analyst):
        client.force_login(analyst)
        page = client.get("/api/docs/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
        assert "cdn" not in html.lower()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        script = client.get("/api/docs/", {"script": ""})
        assert script.status_code == 200
        assert script["Content-Type"].startswith("application/javascript")
        assert reverse("api:schema") in script.content.decode()

    def test_superuser_is_admin_everywhere(self, api, hierarchy):
        root = UserFactory(is_superuser=True)
        response = as_user(api, root).post(
            UNITS,
            {"parent": None, "kind": "national", "code": "UK2", "name": "Other"},
            format="json",
        )
        assert response.status_code == 201
        assert response.data["parent"] is None


def test_an_address_under_the_api_that_nothing_answers_is_a_json_404(client):
    addresses = (
        "/api/v1/products//",
        "/api/v1/products/not-a-number/",
        "/api/v2/",
        "/api/v1/meetings/w8%0A/close/",  # a line break in the address (Schemathesis found it)
    )
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "No such address in the API."}


def test_the_schema_documents_the_answers_every_operation_can_give(client):
    client.force_login(UserFactory())
    schema = yaml.safe_load(client.get(reverse("api:schema")).content)
    escalations = schema["paths"]["/api/v1/escalations/"]["get"]["responses"]["200"]
    assert escalations["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EscalationBoxes"
    }
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            if method in {"get", "put", "patch", "post", "delete"}:
                assert set(ANSWERS_OF_EVERY_OPERATION) <= set(operation["responses"]), method
