"""The audit log names a record only to a reader who may read it (access rule 9).

A distinctive string is planted in the names of a SECRET action, a need-to-know product, a
SECRET section, a SECRET escalation and a subject profile, each audited as the services and
views audit them. The log page, its CSV export and the Django admin are read by administrators
of every reach and vetting: the string appears only where the reader may read the record, and
every reader still sees that something happened.
"""

import csv
import io

import pytest
from django.urls import reverse

from nim_portal import services
from nim_portal.choices import AuditVerb, GSCMarking, Role, VettingLevel
from nim_portal.models import AuditEvent
from products.choices import ProductKind
from tasking.proceedings.escalations import escalation_raise
from tests.factories import member, product_commissioned
from tests.tasking.factories import action_raised, meeting_sitting, strategy_approved

pytestmark = pytest.mark.django_db

CANARY = "CANARY-7f3a-audit"


@pytest.fixture
def planted(hierarchy):
    """Canary-named records of the force, each with an event by a force analyst and one by a
    BCU analyst (who reads them as a view would audit it)."""
    force = hierarchy.force
    chair = member(force, Role.CHAIR, username="force-chair", vetting_level=VettingLevel.SC)
    analyst = member(force, Role.ANALYST, username="force-analyst", vetting_level=VettingLevel.SC)
    bcu_analyst = member(hierarchy.bcu, Role.ANALYST, username="bcu-analyst")
    strategy = strategy_approved(force, chair=chair)
    priority = strategy.priorities.first()
    action = action_raised(
        force,
        chair=chair,
        priority=priority,
        description=f"Covert deployment {CANARY} action",
        marking=GSCMarking.SECRET,
    )
    need_to_know = product_commissioned(
        force, owner=analyst, title=f"Problem {CANARY} need to know", need_to_know=True
    )
    subject_profile = product_commissioned(
        force, owner=analyst, kind=ProductKind.SUBJECT_PROFILE, title=f"Subject {CANARY} profile"
    )
    secret_product = product_commissioned(
        force, owner=analyst, title="Quarterly assessment", marking=GSCMarking.SECRET
    )
    section = secret_product.sections.first()
    section.title = f"Sources {CANARY} section"
    section.marking = GSCMarking.SECRET
    section.save()
    meeting = meeting_sitting(force, chair=chair)
    escalation = escalation_raise(
        acting_user=chair,
        meeting=meeting,
        title=f"Firearms {CANARY} escalation",
        reason="Beyond the force.",
        marking=GSCMarking.SECRET,
    )
    records = [action, need_to_know, subject_profile, section, escalation]
    for record in records:
        services.audit_record(actor=bcu_analyst, verb=AuditVerb.VIEW, obj=record)
    return records


def admin_of(unit, vetting_level, username):
    return member(unit, Role.ADMIN, username=username, vetting_level=vetting_level)


def log_and_export(client, reader) -> tuple[str, str]:
    client.force_login(reader)
    page = client.get(reverse("audit:log"), {"person": "bcu-analyst"})
    assert page.status_code == 200
    export = client.get(reverse("audit:export"), {"person": "bcu-analyst"})
    assert export.status_code == 200
    return page.content.decode(), b"".join(export.streaming_content).decode()


def test_the_log_never_names_a_need_to_know_record_and_hides_secret_ones_below_the_ceiling(
    client, hierarchy, planted
):
    # Need-to-know records (the product and the subject profile): nobody reads them in the log.
    readers = [
        admin_of(hierarchy.national, VettingLevel.DV, "national-dv"),
        admin_of(hierarchy.national, VettingLevel.RV, "national-rv"),
        admin_of(hierarchy.force, VettingLevel.MV, "force-mv"),
        admin_of(hierarchy.bcu, VettingLevel.MV, "bcu-mv"),
        admin_of(hierarchy.bcu, VettingLevel.RV, "bcu-rv"),
    ]
    expected_names = {
        # SECRET action, section and escalation of the force: read within the ceiling, over the
        # force; never the need-to-know product or subject profile.
        "national-dv": {"action", "section", "escalation"},
        "national-rv": set(),
        "force-mv": {"action", "section", "escalation"},
        "bcu-mv": set(),
        "bcu-rv": set(),
    }
    kinds = {
        "action": f"Covert deployment {CANARY} action",
        "need to know": f"Problem {CANARY} need to know",
        "subject profile": f"Subject {CANARY} profile",
        "section": f"Sources {CANARY} section",
        "escalation": f"Firearms {CANARY} escalation",
    }
    for reader in readers:
        page, export = log_and_export(client, reader)
        for kind, name in kinds.items():
            shown = kind in expected_names[reader.username]
            assert (name in page) is shown, (reader.username, kind, "page")
            assert (name in export) is shown, (reader.username, kind, "export")
        hidden = len(kinds) - len(expected_names[reader.username])
        rows = list(csv.DictReader(io.StringIO(export)))
        assert [r["object"] for r in rows].count(AuditEvent.UNREADABLE_RECORD) == hidden
        assert page.count(AuditEvent.UNREADABLE_RECORD.capitalize()) == hidden
        assert {r["verb"] for r in rows} == {AuditVerb.VIEW}
        # The event stays: its type, time and actor are there for every administrator.
        assert len(rows) == len(kinds)
    client.logout()


def test_a_hidden_name_cannot_be_found_by_searching_for_it(client, hierarchy, planted):
    reader = admin_of(hierarchy.national, VettingLevel.RV, "national-rv")
    client.force_login(reader)
    found = client.get(reverse("audit:log"), {"text": CANARY})
    assert list(found.context["page_obj"].object_list) == []
    cleared = admin_of(hierarchy.national, VettingLevel.DV, "national-dv")
    client.force_login(cleared)
    found = client.get(reverse("audit:log"), {"text": CANARY})
    assert {e.object_repr for e in found.context["page_obj"].object_list} == {
        f"Action {planted[0].pk}: Covert deployment {CANARY} action",
        f"Sources {CANARY} section",
        str(planted[4]),
    }


def test_the_django_admin_withholds_the_same_names(client, hierarchy, planted):
    superuser = admin_of(hierarchy.national, VettingLevel.RV, "super-rv")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)
    changelist = client.get(reverse("admin:nim_portal_auditevent_changelist"))
    assert changelist.status_code == 200
    assert CANARY not in changelist.content.decode()
    assert AuditEvent.UNREADABLE_RECORD in changelist.content.decode()
    searched = client.get(reverse("admin:nim_portal_auditevent_changelist"), {"q": CANARY})
    assert searched.context["cl"].result_count == 0
    event = AuditEvent.objects.filter(object_repr__contains=CANARY).first()
    change = client.get(reverse("admin:nim_portal_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert CANARY not in change.content.decode()


def test_an_event_written_before_the_log_kept_classifications_names_nothing(
    client, hierarchy, planted
):
    legacy = AuditEvent.objects.filter(verb=AuditVerb.VIEW).first()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=legacy.actor,
                actor_username=legacy.actor_username,
                verb=AuditVerb.DOWNLOAD,
                content_type=legacy.content_type,
                object_id=legacy.object_id,
                object_repr=f"Old {CANARY} record",
            )
        ]
    )
    page, export = log_and_export(client, admin_of(hierarchy.national, VettingLevel.DV, "dv"))
    assert f"Old {CANARY} record" not in page
    assert f"Old {CANARY} record" not in export
