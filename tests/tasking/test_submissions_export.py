"""The triage list's export (nim_portal.exports): the submissions the reader triages, filtered
by status as on screen, marked OFFICIAL-SENSITIVE, audited; a bad status is a message."""

import pytest
from django.urls import reverse

from nim_portal.choices import AuditVerb
from nim_portal.models import AuditEvent
from tasking.submissions.choices import SubmissionStatus
from tasking.submissions.services import submission_decline
from tests.exports import csv_rows, exported_text, xlsx_rows
from tests.tasking.submission_helpers import SubmissionCast

pytestmark = pytest.mark.django_db

CANARY = "Canary-5e0d tip about the lock-up"


@pytest.fixture
def cast(hierarchy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return SubmissionCast(hierarchy)


def export(client, user, **params):
    client.force_login(user)
    return client.get(reverse("tasking:submission_list"), params)


@pytest.fixture
def submissions(cast):
    waiting = cast.submit(what=CANARY)
    declined = cast.submit(partner=cast.partner_b, what="Another sighting")
    submission_decline(
        acting_user=cast.analyst,
        submission=declined,
        loaded_revision=declined.revision,
        reason="Outside the requirement.",
    )
    return waiting, declined


def test_the_export_lists_the_queue_as_the_page_does(client, cast, submissions):
    waiting, _ = submissions

    response = export(client, cast.analyst, export="csv")

    marking, headings, *rows = csv_rows(response)
    assert marking == ["OFFICIAL-SENSITIVE"]
    assert headings == [
        "Reference",
        "Received",
        "Agency",
        "Question",
        "Priority",
        "Unit",
        "Status",
        "Grading",
    ]
    assert [row[0] for row in rows] == [waiting.reference]
    assert rows[0][6:] == ["Awaiting triage", "Not graded"]
    assert "partner-information-OFFICIAL-SENSITIVE-" in response["Content-Disposition"]


def test_any_status_exports_every_submission_in_xlsx(client, cast, submissions):
    response = export(client, cast.analyst, export="xlsx", status="")

    rows = xlsx_rows(response)
    assert rows[0][0] == "OFFICIAL-SENSITIVE"
    assert {row[0] for row in rows[2:]} == {submission.reference for submission in submissions}


def test_staff_outside_the_units_export_nothing_of_them(client, cast, submissions):
    response = export(client, cast.outside_analyst, export="csv", status="")

    text = exported_text(response)
    assert all(submission.reference not in text for submission in submissions)
    assert CANARY not in text


def test_partners_get_404(client, cast, submissions):
    assert export(client, cast.partner_a, export="csv").status_code == 404
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_the_export_is_audited(client, cast, submissions):
    export(client, cast.analyst, export="csv", status=SubmissionStatus.DECLINED)

    event = AuditEvent.objects.get(verb=AuditVerb.EXPORT)
    assert event.actor == cast.analyst
    assert event.detail == {
        "export": "partner information",
        "format": "csv",
        "filter": {"status": SubmissionStatus.DECLINED},
        "rows": 1,
        "marking": "OFFICIAL-SENSITIVE",
    }


def test_a_bad_status_is_a_message_and_nothing_is_exported(client, cast, submissions):
    response = export(client, cast.analyst, export="csv", status="lost")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a status from the list." in html
    assert "The partner information was not downloaded" in html
    assert not AuditEvent.objects.filter(verb=AuditVerb.EXPORT).exists()


def test_the_page_links_to_its_exports_with_its_filter(client, cast, submissions):
    html = export(client, cast.analyst, status=SubmissionStatus.DECLINED).content.decode()

    assert 'href="/tasking/submissions/?status=declined&amp;export=csv"' in html
