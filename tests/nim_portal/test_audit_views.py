"""The audit log search page, its CSV export, and the read-only audit log in the Django admin."""

import csv
import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from nim_portal import services
from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent, Unit, VettingClearance
from nim_portal.views import audit as audit_views
from tests.factories import PartnerUserFactory, UserFactory, member
from tests.paging import two_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def national_admin(hierarchy):
    return member(hierarchy.national, Role.ADMIN, username="national-admin")


@pytest.fixture
def force_admin(hierarchy):
    return member(hierarchy.force, Role.ADMIN, username="wmp-admin")


@pytest.fixture
def analyst(hierarchy):
    return member(hierarchy.bcu, Role.ANALYST, username="birm-analyst")


def signed_in(client, user):
    client.force_login(user)
    return client


def shown(response) -> list[AuditEvent]:
    return list(response.context["page_obj"].object_list)


def export_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


class TestSearch:
    def test_filters_by_person_verb_type_dates_and_text(
        self, client, hierarchy, national_admin, analyst
    ):
        services.audit_record(actor=analyst, verb=AuditVerb.VIEW, obj=hierarchy.bcu)
        services.audit_record(actor=analyst, verb=AuditVerb.DOWNLOAD, obj=hierarchy.force)
        services.audit_record(actor=None, verb=AuditVerb.FAILED_SIGN_IN, username="intruder")
        signed_in(client, national_admin)
        url = reverse("audit:log")

        by_person = shown(client.get(url, {"person": "BIRM-ANALYST"}))
        assert {e.verb for e in by_person} >= {AuditVerb.VIEW, AuditVerb.DOWNLOAD}
        assert all(e.actor_username == "birm-analyst" for e in by_person)

        (failed,) = shown(client.get(url, {"verb": AuditVerb.FAILED_SIGN_IN}))
        assert failed.actor_username == "intruder"

        unit_type = ContentType.objects.get_for_model(Unit)
        by_type = shown(client.get(url, {"object_type": unit_type.pk}))
        assert {e.object_repr for e in by_type} == {"Birmingham", "West Midlands Police"}

        (by_text,) = shown(client.get(url, {"text": "midlands police"}))
        assert by_text.verb == AuditVerb.DOWNLOAD

        today = timezone.localdate()
        assert len(shown(client.get(url, {"date_from": today.isoformat()}))) >= 3
        yesterday = today - datetime.timedelta(days=1)
        assert shown(client.get(url, {"date_to": yesterday.isoformat()})) == []

    def test_newest_first_and_fifty_to_a_page_in_constant_queries(
        self, client, hierarchy, national_admin, django_assert_max_num_queries
    ):
        signed_in(client, national_admin).get(reverse("audit:log"))
        for number in range(5):
            services.audit_record(actor=national_admin, verb=AuditVerb.VIEW, detail={"n": number})
        with django_assert_max_num_queries(12) as small:
            client.get(reverse("audit:log"))
        for number in range(5, 120):
            services.audit_record(actor=national_admin, verb=AuditVerb.VIEW, detail={"n": number})
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(reverse("audit:log"), {"verb": AuditVerb.VIEW})
        events = shown(response)
        assert len(events) == 50
        assert [e.detail["n"] for e in events[:3]] == [119, 118, 117]
        assert response.context["page_obj"].paginator.num_pages == 3

    def test_two_pages_cost_the_same_queries_at_two_sizes(
        self, client, hierarchy, national_admin, monkeypatch
    ):
        monkeypatch.setattr(audit_views, "EVENTS_PER_PAGE", 2)
        signed_in(client, national_admin)

        def record(count):
            for number in range(count):
                services.audit_record(
                    actor=national_admin, verb=AuditVerb.VIEW, detail={"n": number}
                )

        record(5)
        small = two_pages(client, reverse("audit:log"), {"verb": AuditVerb.VIEW})
        record(5)
        assert two_pages(client, reverse("audit:log"), {"verb": AuditVerb.VIEW}) == small

    def test_invalid_date_is_reported_on_the_form(self, client, hierarchy, national_admin):
        response = signed_in(client, national_admin).get(
            reverse("audit:log"), {"date_from": "yesterday"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["date_from"]
        assert "govuk-error-summary" in response.content.decode()

    def test_force_admin_sees_only_their_peoples_events(
        self, client, hierarchy, force_admin, analyst
    ):
        outsider = member(hierarchy.other_bcu, Role.ANALYST, username="stoke-analyst")
        services.audit_record(actor=analyst, verb=AuditVerb.VIEW, obj=hierarchy.bcu)
        services.audit_record(actor=outsider, verb=AuditVerb.VIEW, obj=hierarchy.other_bcu)
        response = signed_in(client, force_admin).get(
            reverse("audit:log"), {"verb": AuditVerb.VIEW}
        )
        assert {e.actor_username for e in shown(response)} == {"birm-analyst"}

    def test_non_admin_is_refused_and_partner_gets_not_found(self, client, hierarchy, analyst):
        signed_in(client, analyst)
        assert client.get(reverse("audit:log")).status_code == 403
        assert client.get(reverse("audit:export")).status_code == 403
        signed_in(client, PartnerUserFactory())
        assert client.get(reverse("audit:log")).status_code == 404
        assert client.get(reverse("audit:export")).status_code == 404
        assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT).exists()


class TestExport:
    def test_exports_the_current_filter_and_audits_the_export(
        self, client, hierarchy, national_admin, analyst
    ):
        services.audit_record(actor=analyst, verb=AuditVerb.DOWNLOAD, obj=hierarchy.bcu)
        services.audit_record(actor=analyst, verb=AuditVerb.VIEW, obj=hierarchy.bcu)
        response = signed_in(client, national_admin).get(
            reverse("audit:export"), {"verb": AuditVerb.DOWNLOAD}
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv"
        assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
        (row,) = export_rows(response)
        assert row["username"] == "birm-analyst"
        assert row["object"] == "Birmingham"
        assert row["object_type"] == "unit"
        export = AuditEvent.objects.get(verb=AuditVerb.EXPORT)
        assert export.actor == national_admin
        assert export.detail == {"export": "audit log", "filter": {"verb": "download"}}

    def test_cells_that_spreadsheets_would_run_are_neutralised(
        self, client, hierarchy, national_admin
    ):
        services.audit_record(actor=None, verb=AuditVerb.FAILED_SIGN_IN, username="=cmd|'/c calc'")
        response = signed_in(client, national_admin).get(
            reverse("audit:export"), {"verb": AuditVerb.FAILED_SIGN_IN}
        )
        (row,) = export_rows(response)
        assert row["username"] == "'=cmd|'/c calc'"

    def test_page_links_to_the_export_of_its_filter(self, client, hierarchy, national_admin):
        response = signed_in(client, national_admin).get(
            reverse("audit:log"), {"verb": AuditVerb.MOVE, "page": 1}
        )
        assert f'{reverse("audit:export")}?verb=move"' in response.content.decode()


class TestDjangoAdmin:
    @pytest.fixture
    def superuser(self, db):
        return UserFactory(username="root", is_staff=True, is_superuser=True)

    def test_audit_log_is_read_only(self, client, hierarchy, superuser):
        event = services.audit_record(actor=superuser, verb=AuditVerb.VIEW, obj=hierarchy.bcu)
        signed_in(client, superuser)
        assert client.get(reverse("admin:nim_portal_auditevent_changelist")).status_code == 200
        change_url = reverse("admin:nim_portal_auditevent_change", args=[event.pk])
        page = client.get(change_url)
        assert page.status_code == 200
        assert b'type="submit"' not in page.content.split(b'id="content-main"')[1]
        assert client.get(reverse("admin:nim_portal_auditevent_add")).status_code == 403
        delete_url = reverse("admin:nim_portal_auditevent_delete", args=[event.pk])
        assert client.post(delete_url, {"post": "yes"}).status_code == 403
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_units_are_shown_but_changed_only_in_the_staff_pages(
        self, client, hierarchy, superuser
    ):
        signed_in(client, superuser)
        assert client.get(reverse("admin:nim_portal_unit_changelist")).status_code == 200
        history = reverse("admin:nim_portal_unit_history", args=[hierarchy.bcu.pk])
        assert client.get(history).status_code == 200
        assert client.get(reverse("admin:nim_portal_unit_add")).status_code == 403

    def test_user_changes_in_the_admin_are_audited(self, client, hierarchy, superuser, analyst):
        signed_in(client, superuser)
        url = reverse("admin:nim_portal_user_change", args=[analyst.pk])
        assert client.get(url).status_code == 200
        joined = timezone.localtime(analyst.date_joined)
        response = client.post(
            url,
            {
                "username": analyst.username,
                "first_name": analyst.first_name,
                "last_name": analyst.last_name,
                "email": analyst.email,
                "is_active": "on",
                "date_joined_0": joined.date().isoformat(),
                "date_joined_1": joined.strftime("%H:%M:%S"),
                "kind": analyst.kind,
                "job_title": "Senior analyst",
                "vetting_level": VettingLevel.SC,
                "vetting_expires_on": "",
            },
        )
        assert response.status_code == 302
        analyst.refresh_from_db()
        assert analyst.vetting_level == VettingLevel.SC
        event = AuditEvent.objects.get(verb=AuditVerb.UPDATE, object_id=str(analyst.pk))
        assert event.actor == superuser
        assert set(event.detail["fields"]) >= {"Job title", "Vetting level"}
        assert (
            client.get(reverse("admin:nim_portal_user_delete", args=[analyst.pk])).status_code
            == 403
        )

    def test_vetting_table_changes_go_through_the_service(self, client, hierarchy, superuser):
        clearance = VettingClearance.objects.get(vetting_level=VettingLevel.CTC)
        signed_in(client, superuser)
        response = client.post(
            reverse("admin:nim_portal_vettingclearance_change", args=[clearance.pk]),
            {"vetting_level": VettingLevel.CTC, "max_marking": GSCMarking.SECRET},
        )
        assert response.status_code == 302
        clearance.refresh_from_db()
        assert clearance.max_marking == GSCMarking.SECRET
        assert AuditEvent.objects.filter(
            verb=AuditVerb.UPDATE, object_id=str(clearance.pk), actor=superuser
        ).exists()
