"""The job-progress component (nim_portal.job_progress and its endpoint): each state, the reader
who may see the job's record and everybody else (404), and an answer only when the state moved."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from nim_portal import job_progress
from nim_portal.job_progress import JobOutcome, job_progress_for, latest_jobs
from nim_portal.models import Job, JobState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KIND = "tests.booklet"
UNSHOWN_KIND = "tests.unshown"


@pytest.fixture
def reader():
    return UserFactory(username="reader")


@pytest.fixture
def booklets(reader):
    """A kind of work whose record 7 `reader` may see (and retry), and nobody else."""

    def outcome_for(user, object_id):
        if user != reader or object_id != 7:
            return None
        return JobOutcome(
            subject="your booklet",
            working="Rendering…",
            result_url="/booklets/7.pdf",
            result_label="Download your booklet",
            retry_url="/booklets/7/again/",
        )

    job_progress.register_job_progress(KIND, outcome_for)
    yield
    job_progress._readers.pop(KIND)


def booklet_job(state=JobState.WAITING, attempts=0, object_id=7) -> Job:
    return Job.objects.create(kind=KIND, object_id=object_id, state=state, attempts=attempts)


def poll(client, job, shown=None):
    url = reverse("job_progress", args=[job.pk])
    return client.get(url, {"shown": shown} if shown else {}, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize(
    "state, attempts, words",
    [
        (JobState.WAITING, 0, ["Queued", "Your booklet waits its turn."]),
        (JobState.WAITING, 1, ["Queued", "waits its turn to be tried again"]),
        (JobState.RUNNING, 1, ["Rendering…", "Your booklet: this updates by itself."]),
    ],
)
def test_an_open_job_shows_its_state_and_asks_again(
    client, reader, booklets, state, attempts, words
):
    job = booklet_job(state, attempts)
    client.force_login(reader)

    response = poll(client, job)

    page = response.content.decode()
    assert response.status_code == 200
    for word in words:
        assert word in page
    assert f'hx-get="{reverse("job_progress", args=[job.pk])}?shown={state}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "HX-Trigger" not in response.headers
    assert "no-cache" in response["Cache-Control"]


def test_a_finished_job_shows_its_result_and_stops_asking(client, reader, booklets):
    job = booklet_job(JobState.DONE, 1)
    client.force_login(reader)

    response = poll(client, job, shown=JobState.RUNNING)

    page = response.content.decode()
    assert 'href="/booklets/7.pdf">Download your booklet</a>' in page
    assert "hx-get" not in page
    assert response["HX-Trigger"] == "nimJobFinished"


def test_a_failed_job_offers_its_retry(client, reader, booklets):
    job = booklet_job(JobState.FAILED, 4)
    client.force_login(reader)

    page = poll(client, job, shown=JobState.WAITING).content.decode()

    assert "Failed" in page and "Your booklet could not be made." in page
    assert 'action="/booklets/7/again/"' in page and "csrfmiddlewaretoken" in page
    assert "data-busy" in page
    assert "hx-get" not in page


def test_no_answer_while_the_state_is_the_one_shown(client, reader, booklets):
    job = booklet_job(JobState.RUNNING, 1)
    client.force_login(reader)

    response = poll(client, job, shown=JobState.RUNNING)

    assert response.status_code == 204
    assert response.content == b""


def test_the_page_includes_the_component_in_a_live_region_that_stays(reader, booklets):
    progress = job_progress_for(reader, booklet_job())
    html = render_to_string("nim_portal/components/job_progress.html", {"progress": progress})

    assert html.lstrip().startswith(
        '<div class="nim-job-progress" role="status" aria-live="polite">'
    )
    assert 'hx-swap="outerHTML"' in html


def test_a_reader_who_may_not_see_the_record_gets_404(client, booklets):
    job = booklet_job()
    client.force_login(UserFactory(username="somebody_else"))

    assert poll(client, job).status_code == 404


def test_another_record_of_the_kind_is_404(client, reader, booklets):
    client.force_login(reader)

    assert poll(client, booklet_job(object_id=8)).status_code == 404


def test_a_kind_no_app_shows_is_404_to_everybody(client, reader, booklets):
    client.force_login(reader)
    job = Job.objects.create(kind=UNSHOWN_KIND, object_id=7)

    assert poll(client, job).status_code == 404
    assert job_progress_for(reader, job) is None


def test_a_missing_job_is_404(client, reader, booklets):
    client.force_login(reader)

    response = client.get(reverse("job_progress", args=[987654]))

    assert response.status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, booklets):
    response = client.get(reverse("job_progress", args=[booklet_job().pk]))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_only_reading_is_allowed(client, reader, booklets):
    client.force_login(reader)

    assert client.post(reverse("job_progress", args=[booklet_job().pk])).status_code == 405


def test_latest_jobs_names_each_records_newest_job_in_one_query(
    booklets, django_assert_num_queries
):
    booklet_job(JobState.FAILED, 4, object_id=1)
    retried = booklet_job(object_id=1)
    only = booklet_job(JobState.DONE, 1, object_id=2)
    Job.objects.create(kind=UNSHOWN_KIND, object_id=1)

    with django_assert_num_queries(1):
        found = latest_jobs(KIND, [1, 2, 3])

    assert found == {1: retried, 2: only}
