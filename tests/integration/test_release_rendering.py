"""A partner release rendered by a real Celery worker through Redis, on PostgreSQL: approval writes
one job per agency's PDF (nim_portal.jobs); the worker runs them; a failed attempt waits for its
backoff and is sent again by the beat's dispatch; after its attempts the PDF shows it failed."""

from unittest import mock

import pytest
from celery import current_app
from django.utils import timezone

from nim_portal.jobs import RUN_JOB_TASK, job_kind, jobs_dispatch_due
from nim_portal.models import Job, JobState, Notification
from partners import services
from partners.choices import DocumentStatus, ReleaseStatus
from partners.services import RELEASE_DOCUMENT_JOB, documents, release_approve
from tests.integration.conftest import SERVICES_TEST, wait_for, wait_until_available
from tests.partners.conftest import prepare, published_assessment

pytestmark = SERVICES_TEST

WAIT_SECONDS = 90


@pytest.fixture
def routed_to_worker(worker_queue, celery_worker_thread, settings, tmp_path):
    """Jobs go to this test's worker; PDFs are stored in a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    run_job = current_app.tasks[RUN_JOB_TASK]
    send = run_job.apply_async
    with mock.patch.object(
        run_job, "delay", side_effect=lambda job_id: send((job_id,), queue=worker_queue)
    ):
        yield tmp_path


def render_jobs(release):
    documents = list(release.documents.values_list("pk", flat=True))
    return Job.objects.filter(kind=RELEASE_DOCUMENT_JOB, object_id__in=documents).order_by("pk")


def attempt_done(job: Job, attempts: int) -> None:
    """Wait until the worker has made `attempts` attempts at `job` and recorded the last."""

    def recorded():
        job.refresh_from_db()
        return job.attempts == attempts and job.state in (JobState.WAITING, JobState.FAILED)

    wait_for(recorded, seconds=WAIT_SECONDS, what=f"attempt {attempts} of job {job.pk} recorded")


def backoff_over(job: Job) -> None:
    """As if the failed attempt's backoff had passed: the beat's dispatch sends the job again."""
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert jobs_dispatch_due() == [job.pk]


def test_an_approved_release_is_rendered_by_the_worker(cast, routed_to_worker):
    release = prepare(cast, published_assessment(cast))

    release_approve(acting_user=cast.reviewer, release=release)

    wait_until_available(release, seconds=WAIT_SECONDS)
    for document in release.documents.all():
        assert document.status == DocumentStatus.READY
        assert len(document.sha256) == 64
    assert [(job.state, job.attempts) for job in render_jobs(release)] == [(JobState.DONE, 1)] * 2
    assert len(list(routed_to_worker.rglob("*.pdf"))) == 2


def test_a_failed_attempt_is_sent_again_after_its_backoff_and_rendered_once(cast, routed_to_worker):
    release = prepare(cast, published_assessment(cast), agencies=[cast.agency_a])
    real_pdf, calls = services.release_pdf, []

    def fails_on_first_attempt(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("No space left on device")
        return real_pdf(*args, **kwargs)

    with mock.patch.object(documents, "release_pdf", side_effect=fails_on_first_attempt):
        release_approve(acting_user=cast.reviewer, release=release)
        [job] = render_jobs(release)
        attempt_done(job, 1)
        assert job.state == JobState.WAITING and "No space left" in job.last_error
        assert release.documents.get().status == DocumentStatus.PENDING
        backoff_over(job)
        wait_until_available(release, seconds=WAIT_SECONDS)

    document = release.documents.get()
    job.refresh_from_db()
    assert (document.status, document.last_error, len(calls)) == (DocumentStatus.READY, "", 2)
    assert (job.state, job.attempts, job.last_error) == (JobState.DONE, 2, "")
    assert [path.name for path in routed_to_worker.rglob("*.pdf")] == [
        document.file.name.rsplit("/", 1)[-1]
    ]


def test_a_render_failing_every_attempt_is_failed_with_its_error_and_its_preparer_told(
    cast, routed_to_worker
):
    release = prepare(cast, published_assessment(cast), agencies=[cast.agency_a])
    attempts = job_kind(RELEASE_DOCUMENT_JOB).max_attempts

    with mock.patch.object(documents, "release_pdf", side_effect=OSError("fonts missing")):
        release_approve(acting_user=cast.reviewer, release=release)
        [job] = render_jobs(release)
        for attempt in range(1, attempts):
            attempt_done(job, attempt)
            assert release.documents.get().status == DocumentStatus.PENDING
            backoff_over(job)
        attempt_done(job, attempts)

    document = release.documents.get()
    assert job.state == JobState.FAILED
    assert (document.status, document.last_error) == (
        DocumentStatus.FAILED,
        f"Attempt {attempts}: OSError: fonts missing",
    )
    release.refresh_from_db()
    assert release.status == ReleaseStatus.APPROVED
    [notice] = Notification.objects.filter(recipient=cast.analyst, message__contains="failed")
    assert release.reference in notice.message
    assert not list(routed_to_worker.rglob("*.pdf"))
