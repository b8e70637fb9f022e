"""Partner information's pages: the partner's form, list and page (never the grading, never
another agency's), and the staff's triage list and page (partners and other staff: 404), with
query counts at two data sizes."""

import datetime
import re

import pytest
from django.urls import reverse

from nim_portal.choices import AuditVerb
from nim_portal.models import AuditEvent
from tasking.models import PartnerSubmission, SubmissionAttachment
from tasking.submissions.choices import SubmissionStatus
from tasking.submissions.services import submission_grade, submission_request_more
from tasking.submissions.views import triage as submission_views
from tests.paging import two_pages
from tests.tasking.submission_helpers import (
    CANARY_GRADING,
    PDF,
    SubmissionCast,
    today,
    upload,
)

pytestmark = pytest.mark.django_db

GRADE_3E = re.compile(r"(?<![\w+/=-])3E(?![\w+/=-])")


@pytest.fixture
def cast(hierarchy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return SubmissionCast(hierarchy)


def graded(cast, submission, **values):
    submission.refresh_from_db()
    return submission_grade(
        acting_user=cast.analyst,
        submission=submission,
        loaded_revision=submission.revision,
        **{
            "source_evaluation": "3",
            "intelligence_assessment": "E",
            "handling_code": "C",
            "handling_conditions": CANARY_GRADING,
            **values,
        },
    )


def form_data(cast, **overrides):
    return {
        "item": cast.item.pk,
        "what": "A grey van visits the flats every night.",
        "occurred_on": (today() - datetime.timedelta(days=1)).isoformat(),
        "occurred_time": "",
        "occurred_until": "",
        "where": "Northfield flats",
        "source_type": "own_staff",
        **overrides,
    }


PARTNER_PAGES = [
    ("tasking:partner_submissions", False),
    ("tasking:partner_submission_create", False),
    ("tasking:partner_submission", True),
    ("tasking:partner_meetings", False),
]


# The partner's pages.


@pytest.mark.parametrize(("name", "with_pk"), PARTNER_PAGES)
@pytest.mark.parametrize("who", ["analyst", "chair", "superuser"])
def test_police_users_get_404_from_the_partner_pages(client, cast, name, with_pk, who):
    submission = cast.submit()
    client.force_login(getattr(cast, who))

    response = client.get(reverse(name, args=[submission.pk] if with_pk else []))

    assert response.status_code == 404


def test_the_partner_lists_the_questions_and_its_agencys_submissions(client, cast):
    mine = cast.submit()
    theirs = cast.submit(partner=cast.partner_b, what="Fire service saw it too.")
    client.force_login(cast.partner_a2)

    html = client.get(reverse("tasking:partner_submissions")).content.decode()

    assert cast.item.question in html and cast.other_item.question in html
    assert mine.reference in html
    assert theirs.reference not in html
    assert "OFFICIAL-SENSITIVE" in html


def test_a_partner_submits_through_the_form_with_a_file(client, cast):
    client.force_login(cast.partner_a)

    response = client.post(
        reverse("tasking:partner_submission_create"),
        {**form_data(cast), "attachments": [upload("report.pdf", PDF)]},
    )

    submission = PartnerSubmission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tasking:partner_submission", args=[submission.pk])
    assert submission.attachments.get().original_name == "report.pdf"


def test_an_oversized_attachment_is_refused_on_the_form_with_a_clear_message(
    client, cast, settings
):
    settings.NIM_SUBMISSION_ATTACHMENT_MAX_MB = 1
    client.force_login(cast.partner_a)

    response = client.post(
        reverse("tasking:partner_submission_create"),
        {**form_data(cast), "attachments": [upload("big.pdf", PDF + b"0" * 1024 * 1024)]},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "“big.pdf” is 1.0 MB: each file must be 1 MB or smaller." in html
    assert not PartnerSubmission.objects.exists()
    assert not SubmissionAttachment.objects.exists()


def test_a_disallowed_attachment_is_refused_on_the_form_with_a_clear_message(client, cast):
    client.force_login(cast.partner_a)

    response = client.post(
        reverse("tasking:partner_submission_create"),
        {**form_data(cast), "attachments": [upload("tool.exe", b"MZ\x90", "application/pdf")]},
    )

    assert response.status_code == 400
    assert "“tool.exe” is not a kind of file we accept" in response.content.decode()
    assert not PartnerSubmission.objects.exists()


def test_a_question_of_a_unit_the_agency_does_not_work_with_is_refused(client, cast):
    client.force_login(cast.partner_far)

    response = client.post(reverse("tasking:partner_submission_create"), form_data(cast))

    assert response.status_code == 400
    assert not PartnerSubmission.objects.exists()


def test_a_partner_reading_another_agencys_submission_gets_404(client, cast):
    submission = cast.submit()
    client.force_login(cast.partner_b)

    assert (
        client.get(reverse("tasking:partner_submission", args=[submission.pk])).status_code == 404
    )
    response = client.post(
        reverse("tasking:partner_submission_follow_up", args=[submission.pk]), {"text": "x"}
    )
    assert response.status_code == 404


def test_a_partner_never_sees_the_grading_but_sees_the_status_and_messages(client, cast):
    # A surname nobody else in the cast may draw at random (a partner called Smith too, say).
    cast.analyst.last_name = "Grader-Surname-Canary"
    cast.analyst.save(update_fields=["last_name"])
    submission = cast.submit()
    graded(cast, submission)
    submission.refresh_from_db()
    submission_request_more(
        acting_user=cast.analyst,
        submission=submission,
        loaded_revision=submission.revision,
        message="Which flat number?",
    )
    client.force_login(cast.partner_a)

    pages = [
        client.get(reverse("tasking:partner_submissions")).content.decode(),
        client.get(reverse("tasking:partner_submission", args=[submission.pk])).content.decode(),
    ]

    detail = pages[1]
    assert "More information asked for" in detail
    assert "Which flat number?" in detail
    assert "Answer the police" in detail
    for html in pages:
        assert CANARY_GRADING not in html
        # The grade as a word of its own: random tokens (CSRF, nonces) may hold the letters.
        assert not GRADE_3E.search(html) and "grading" not in html.lower()
        assert "Suspected to be false" not in html
        assert cast.analyst.last_name not in html  # the staff are "the police"


def test_the_partner_answers_a_request_for_more(client, cast):
    submission = cast.submit()
    submission_request_more(
        acting_user=cast.analyst,
        submission=submission,
        loaded_revision=submission.revision,
        message="Which flat?",
    )
    client.force_login(cast.partner_a)

    response = client.post(
        reverse("tasking:partner_submission_follow_up", args=[submission.pk]),
        {"text": "Flat 12."},
    )

    submission.refresh_from_db()
    assert response.status_code == 302
    assert submission.status == SubmissionStatus.AWAITING_TRIAGE


@pytest.mark.parametrize("count", [1, 8])
def test_the_partners_list_costs_the_same_queries_however_many_submissions(
    client, cast, django_assert_max_num_queries, count
):
    for n in range(count):
        cast.submit(what=f"Sighting {n}")
    client.force_login(cast.partner_a)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("tasking:partner_submissions"))

    assert response.content.decode().count("PI-") == count


# The staff's triage pages.


@pytest.mark.parametrize("who", ["partner_a", "partner_b"])
def test_partners_get_404_from_every_triage_page(client, cast, who):
    submission = cast.submit(attachments=[upload("report.pdf", PDF)])
    attachment = submission.attachments.get()
    client.force_login(getattr(cast, who))

    for url in (
        reverse("tasking:submission_list"),
        reverse("tasking:submission_detail", args=[submission.pk]),
        reverse("tasking:submission_attachment", args=[submission.pk, attachment.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("tasking:submission_grade", args=[submission.pk]),
        {"grade-revision": 1, "grade-source_evaluation": "1"},
    )
    assert response.status_code == 404


def test_the_triage_list_shows_the_queue_to_triage_staff_only(client, cast):
    submission = cast.submit()
    client.force_login(cast.analyst)
    assert submission.reference in client.get(reverse("tasking:submission_list")).content.decode()

    client.force_login(cast.member)
    html = client.get(reverse("tasking:submission_list")).content.decode()
    assert submission.reference not in html
    assert "You hold none of those roles" in html


@pytest.mark.parametrize("who", ["member", "outside_analyst", "reviewer"])
def test_other_staff_get_404_from_a_submission(client, cast, who):
    submission = cast.submit()
    client.force_login(getattr(cast, who))

    assert client.get(reverse("tasking:submission_detail", args=[submission.pk])).status_code == 404


def test_staff_read_a_submission_audited_with_its_grading(client, cast):
    submission = cast.submit(attachments=[upload("report.pdf", PDF)])
    graded(cast, submission)
    client.force_login(cast.chair)

    html = client.get(reverse("tasking:submission_detail", args=[submission.pk])).content.decode()

    assert "3E C" in html and CANARY_GRADING in html
    assert "report.pdf" in html
    assert AuditEvent.objects.filter(verb=AuditVerb.VIEW, actor=cast.chair).exists()


def test_staff_download_an_attachment_audited(client, cast):
    submission = cast.submit(attachments=[upload("report.pdf", PDF)])
    attachment = submission.attachments.get()
    client.force_login(cast.analyst)

    response = client.get(
        reverse("tasking:submission_attachment", args=[submission.pk, attachment.pk])
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(verb=AuditVerb.DOWNLOAD, actor=cast.analyst).exists()


def test_the_triage_decisions_through_the_pages(client, cast):
    submission = cast.submit()
    client.force_login(cast.analyst)

    response = client.post(
        reverse("tasking:submission_grade", args=[submission.pk]),
        {
            "grade-revision": 1,
            "grade-source_evaluation": "2",
            "grade-intelligence_assessment": "B",
            "grade-handling_code": "P",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("tasking:submission_accept", args=[submission.pk]),
        {"accept-revision": 2, "accept-priority": cast.item.priority_id, "accept-message": ""},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
    assert submission.grading.code == "2B P"


def test_a_stale_decision_is_shown_and_changes_nothing(client, cast):
    submission = cast.submit()
    client.force_login(cast.analyst)

    response = client.post(
        reverse("tasking:submission_decline", args=[submission.pk]),
        {"decline-revision": 7, "decline-reason": "No."},
    )

    assert response.status_code == 400
    assert "Someone changed" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.AWAITING_TRIAGE


def test_handling_code_c_without_conditions_is_shown_on_its_field(client, cast):
    submission = cast.submit()
    client.force_login(cast.analyst)

    response = client.post(
        reverse("tasking:submission_grade", args=[submission.pk]),
        {
            "grade-revision": 1,
            "grade-source_evaluation": "2",
            "grade-intelligence_assessment": "B",
            "grade-handling_code": "C",
        },
    )

    assert response.status_code == 400
    assert "Give the conditions on sharing" in response.content.decode()


@pytest.mark.parametrize("count", [1, 8])
def test_the_triage_list_costs_the_same_queries_however_many_submissions(
    client, cast, django_assert_max_num_queries, count
):
    for n in range(count):
        submission = cast.submit(what=f"Sighting {n}")
        graded(cast, submission)
    client.force_login(cast.analyst)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("tasking:submission_list") + "?status=")

    assert response.content.decode().count("3E C") == count


def test_the_triage_list_walks_two_pages_in_constant_queries(client, cast, monkeypatch):
    monkeypatch.setattr(submission_views, "SUBMISSIONS_PER_PAGE", 2)
    client.force_login(cast.analyst)
    url = reverse("tasking:submission_list")
    for n in range(3):
        cast.submit(what=f"Sighting {n}")
    small = two_pages(client, url, {"status": ""})
    for n in range(3, 6):
        cast.submit(what=f"Sighting {n}")
    assert two_pages(client, url, {"status": ""}) == small
