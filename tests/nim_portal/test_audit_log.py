"""The audit log: what each event records, and that no event is ever changed or removed."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import RequestFactory

from nim_portal.choices import AuditVerb
from nim_portal.models import AuditEvent
from nim_portal.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(hierarchy):
    return audit_record(
        actor=UserFactory(username="p.sharma"), verb=AuditVerb.VIEW, obj=hierarchy.bcu
    )


def test_event_records_who_what_which_object_and_where(hierarchy):
    analyst = UserFactory(username="p.sharma")
    request = RequestFactory().get("/units/", REMOTE_ADDR="203.0.113.7")

    event = audit_record(
        actor=analyst,
        verb=AuditVerb.DOWNLOAD,
        obj=hierarchy.bcu,
        request=request,
        detail={"format": "pdf"},
    )

    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == analyst
    assert event.actor_username == "p.sharma"
    assert event.verb == AuditVerb.DOWNLOAD
    assert event.content_type.model_class().__name__ == "Unit"
    assert (event.object_id, event.object_repr) == (str(hierarchy.bcu.pk), "Birmingham")
    assert event.ip_address == "203.0.113.7"
    assert event.detail == {"format": "pdf"}
    assert event.at is not None


def test_failed_sign_in_keeps_the_name_as_typed_without_an_actor():
    event = audit_record(actor=None, verb=AuditVerb.FAILED_SIGN_IN, username="admin' --")

    assert event.actor is None
    assert event.actor_username == "admin' --"
    assert (event.content_type, event.object_id, event.ip_address) == (None, "", None)


def test_saving_an_existing_event_is_refused(event):
    event.verb = AuditVerb.EXPORT

    with pytest.raises(TypeError, match="append-only"):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).verb == AuditVerb.VIEW


def test_deleting_an_event_is_refused(event):
    with pytest.raises(TypeError, match="append-only"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(verb=AuditVerb.EXPORT)
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.get(pk=event.pk).verb == AuditVerb.VIEW


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE nim_portal_auditevent SET verb = 'export' WHERE id = %s",
        "DELETE FROM nim_portal_auditevent WHERE id = %s",
    ],
)
def test_database_refuses_raw_update_and_delete(event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).verb == AuditVerb.VIEW
