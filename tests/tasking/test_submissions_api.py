"""The partner information API: triage staff list, read, triage and grade through the same
services; partners and other staff get 404; a stale decision is 409 and changes nothing."""

import pytest

from tasking.submissions.choices import SubmissionStatus
from tests.tasking.submission_helpers import PDF, SubmissionCast, upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/partner-submissions/"


@pytest.fixture
def cast(hierarchy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return SubmissionCast(hierarchy)


@pytest.fixture
def submission(cast):
    return cast.submit(attachments=[upload("report.pdf", PDF)])


def api(client, user):
    client.force_login(user)
    return client


def test_triage_staff_list_and_read_with_attachments_and_grading(client, cast, submission):
    client = api(client, cast.analyst)

    listing = client.get(URL).json()
    detail = client.get(f"{URL}{submission.pk}/").json()

    assert [row["reference"] for row in listing["results"]] == [submission.reference]
    assert detail["grading"] is None
    assert detail["attachments"][0]["name"] == "report.pdf"
    assert detail["attachments"][0]["download_url"].endswith(
        f"/submissions/{submission.pk}/attachments/{submission.attachments.get().pk}/"
    )


def test_the_list_filters_by_status_and_refuses_an_unknown_one(client, cast, submission):
    client = api(client, cast.analyst)

    assert client.get(URL, {"status": "declined"}).json()["count"] == 0
    assert client.get(URL, {"status": "awaiting_triage"}).json()["count"] == 1
    assert client.get(URL, {"status": "lost"}).status_code == 400


@pytest.mark.parametrize("who", ["partner_a", "partner_b", "partner_far"])
def test_partners_get_404_on_the_whole_submissions_api(client, cast, submission, who):
    client = api(client, getattr(cast, who))

    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}{submission.pk}/").status_code == 404
    response = client.post(
        f"{URL}{submission.pk}/grade/",
        {
            "revision": 1,
            "source_evaluation": "1",
            "intelligence_assessment": "A",
            "handling_code": "P",
        },
        content_type="application/json",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["member", "reviewer", "outside_analyst"])
def test_other_staff_see_nothing_and_get_404(client, cast, submission, who):
    client = api(client, getattr(cast, who))

    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{submission.pk}/").status_code == 404
    response = client.post(
        f"{URL}{submission.pk}/decline/",
        {"revision": 1, "reason": "No."},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_grade_then_accept_through_the_api(client, cast, submission):
    client = api(client, cast.analyst)

    graded = client.post(
        f"{URL}{submission.pk}/grade/",
        {
            "revision": 1,
            "source_evaluation": "2",
            "intelligence_assessment": "C",
            "handling_code": "C",
            "handling_conditions": "Police only.",
        },
        content_type="application/json",
    )
    accepted = client.post(
        f"{URL}{submission.pk}/accept/",
        {"revision": graded.json()["revision"], "priority": cast.other_item.priority_id},
        content_type="application/json",
    )

    assert graded.status_code == 200 and graded.json()["grading"]["code"] == "2C C"
    assert accepted.status_code == 200
    assert accepted.json()["status"] == SubmissionStatus.ACCEPTED
    assert accepted.json()["accepted_priority"] == cast.other_item.priority_id
    assert accepted.json()["entries"][0]["kind"] == "accepted"


def test_asking_for_more_needs_a_message(client, cast, submission):
    client = api(client, cast.chair)

    refused = client.post(
        f"{URL}{submission.pk}/request-more/", {"revision": 1}, content_type="application/json"
    )
    asked = client.post(
        f"{URL}{submission.pk}/request-more/",
        {"revision": 1, "message": "Which flat?"},
        content_type="application/json",
    )

    assert refused.status_code == 400
    assert asked.status_code == 200 and asked.json()["status"] == SubmissionStatus.MORE_REQUESTED


def test_a_stale_decision_is_409_with_the_current_revision(client, cast, submission):
    client = api(client, cast.analyst)
    client.post(
        f"{URL}{submission.pk}/decline/",
        {"revision": 1, "reason": "Outside the question."},
        content_type="application/json",
    )

    response = client.post(
        f"{URL}{submission.pk}/accept/", {"revision": 1}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["current_revision"] == 2
    assert response.json()["current_status"] == SubmissionStatus.DECLINED


def test_a_priority_of_another_strategy_is_400(client, cast, submission):
    client = api(client, cast.analyst)

    response = client.post(
        f"{URL}{submission.pk}/accept/",
        {"revision": 1, "priority": 999999},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "priority" in response.json()


@pytest.mark.parametrize("count", [1, 8])
def test_the_api_list_costs_the_same_queries_however_many(
    client, cast, django_assert_max_num_queries, count
):
    for n in range(count):
        cast.submit(what=f"Sighting {n}")
    client = api(client, cast.analyst)

    with django_assert_max_num_queries(8):
        response = client.get(URL)

    assert response.json()["count"] == count
