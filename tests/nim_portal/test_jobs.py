"""The one job pipeline (nim_portal.jobs): written with the change, run once, retried, stopped."""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from nim_portal import jobs, services
from nim_portal.choices import AuditVerb, Role
from nim_portal.models import AuditEvent, Job, JobState, WorkerHeartbeat
from tests.factories import PartnerUserFactory, UserFactory, member

pytestmark = pytest.mark.django_db

KIND = "tests.stamp"


class Stamp:
    """A kind of work for the tests: writes a row named after its record, or fails as told."""

    def __init__(self):
        self.failures_to_come = 0
        self.failed = []
        self.retried = []

    def run(self, object_id: int) -> None:
        if self.failures_to_come:
            self.failures_to_come -= 1
            raise RuntimeError(f"the renderer broke on record {object_id}")
        WorkerHeartbeat.objects.create(hostname=f"stamp-{object_id}", beat_at=timezone.now())

    def stamps(self, object_id: int) -> int:
        return WorkerHeartbeat.objects.filter(hostname=f"stamp-{object_id}").count()


@pytest.fixture
def stamp(settings):
    work = Stamp()
    jobs.register_job_kind(
        KIND,
        label="Stamp",
        run=work.run,
        max_attempts=3,
        on_failure=lambda object_id, error: work.failed.append((object_id, error)),
        on_retry=work.retried.append,
    )
    yield work
    jobs._kinds.pop(KIND)


def test_a_job_is_written_with_its_change_and_runs_once_it_commits(
    stamp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_enqueue(KIND, 7)
        assert stamp.stamps(7) == 0

    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 1 and job.finished_at is not None
    assert stamp.stamps(7) == 1
    assert jobs.job_run(job.pk) is False  # a redelivered message finds nothing to do
    assert stamp.stamps(7) == 1


def test_a_change_rolled_back_leaves_no_job(stamp, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        jobs.job_enqueue(KIND, 7)
        raise RuntimeError("the change failed")

    assert not Job.objects.exists()


def test_work_already_waiting_is_not_asked_for_twice(stamp, jobs_to_a_worker):
    first = jobs.job_enqueue(KIND, 7)
    again = jobs.jobs_enqueue(KIND, [7, 8, 8])

    assert again[0].pk == first.pk
    assert len({job.pk for job in again}) == 2 == Job.objects.filter(kind=KIND).count()


def test_an_unknown_kind_is_refused_at_once():
    with pytest.raises(ValueError, match="No job kind"):
        jobs.job_enqueue("tests.nothing", 1)


def test_with_the_broker_away_the_job_waits_and_the_sweeper_sends_it_later(
    stamp, broker_away, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_enqueue(KIND, 7)
    assert "left waiting: broker unreachable" in caplog.text
    job.refresh_from_db()
    assert job.state == JobState.WAITING and job.dispatched_at is None
    assert jobs.oldest_waiting_job_seconds(timezone.now() + datetime.timedelta(minutes=3)) >= 180

    broker_away.reset_mock(side_effect=True)
    assert jobs.jobs_dispatch_due() == [job.pk]
    broker_away.assert_called_once_with(job.pk)
    # Handed over: not sent again while its message may still be on its way.
    assert jobs.jobs_dispatch_due() == []

    assert jobs.job_run(job.pk) is True
    assert stamp.stamps(7) == 1
    assert jobs.oldest_waiting_job_seconds() == 0


def test_a_message_lost_with_the_broker_is_sent_again_after_a_lease(stamp, jobs_to_a_worker):
    job = jobs.job_enqueue(KIND, 7)
    Job.objects.filter(pk=job.pk).update(
        dispatched_at=timezone.now() - jobs.job_lease() - datetime.timedelta(seconds=1)
    )

    assert jobs.jobs_dispatch_due() == [job.pk]


def test_a_running_job_under_a_live_lease_is_left_to_its_runner(stamp, jobs_to_a_worker):
    job = jobs.job_enqueue(KIND, 7)
    assert jobs._claim(job.pk) is not None

    assert jobs.job_run(job.pk) is False
    assert jobs.jobs_dispatch_due() == []
    assert stamp.stamps(7) == 0


def test_a_job_whose_worker_died_is_taken_again_after_its_lease_and_done_once(
    stamp, jobs_to_a_worker
):
    job = jobs.job_enqueue(KIND, 7)
    jobs._claim(job.pk)  # the worker that took it was killed: nothing more happens
    Job.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert jobs.jobs_dispatch_due() == [job.pk]
    assert jobs.job_run(job.pk) is True
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2
    assert stamp.stamps(7) == 1


def test_a_runner_whose_lease_was_taken_over_completes_nothing(stamp, jobs_to_a_worker):
    job = jobs.job_enqueue(KIND, 7)
    claimed = jobs._claim(job.pk)
    # While it worked, its lease ran out and another runner took the job (attempt 2).
    Job.objects.filter(pk=job.pk).update(attempts=2)

    with mock.patch.object(jobs, "_claim", return_value=claimed):
        assert jobs.job_run(job.pk) is False

    assert stamp.stamps(7) == 0  # its work was rolled back
    assert Job.objects.get(pk=job.pk).state == JobState.RUNNING


def test_a_failure_waits_for_its_backoff_then_runs_again(stamp, jobs_to_a_worker):
    stamp.failures_to_come = 1
    job = jobs.job_enqueue(KIND, 7)

    assert jobs.job_run(job.pk) is False
    job.refresh_from_db()
    assert job.state == JobState.WAITING
    assert job.last_error == "Attempt 1: RuntimeError: the renderer broke on record 7"
    assert job.run_after > timezone.now() and job.dispatched_at is None
    assert jobs.job_run(job.pk) is False  # not before its backoff
    assert jobs.jobs_dispatch_due() == []

    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
    assert jobs.jobs_dispatch_due() == [job.pk]
    assert jobs.job_run(job.pk) is True
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.last_error == "" and job.attempts == 2
    assert stamp.failed == []


def test_a_job_that_fails_every_attempt_stops_with_its_error(stamp, jobs_to_a_worker):
    stamp.failures_to_come = 3
    job = jobs.job_enqueue(KIND, 7)
    for _attempt in range(3):
        Job.objects.filter(pk=job.pk).update(run_after=timezone.now())
        jobs.job_run(job.pk)

    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.attempts == 3
    assert "Attempt 3: RuntimeError" in job.last_error
    assert stamp.failed == [(7, job.last_error)]
    assert jobs.jobs_dispatch_due() == []
    assert jobs.job_run(job.pk) is False


def test_in_process_a_failure_stops_at_once_as_nothing_would_try_again(
    stamp, django_capture_on_commit_callbacks
):
    stamp.failures_to_come = 1
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_enqueue(KIND, 7)

    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.attempts == 1
    assert len(stamp.failed) == 1


@pytest.fixture
def failed_job(stamp, jobs_to_a_worker):
    stamp.failures_to_come = 3
    job = jobs.job_enqueue(KIND, 7)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.FAILED, attempts=3, last_error="Attempt 3: RuntimeError: broke"
    )
    return job


@pytest.fixture
def system_administrator():
    return UserFactory(username="sysadmin", is_superuser=True, is_staff=True)


def test_a_system_administrator_retries_a_failed_job_audited(
    failed_job, stamp, system_administrator, django_capture_on_commit_callbacks
):
    stamp.failures_to_come = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.job_retry(acting_user=system_administrator, job=failed_job)

    failed_job.refresh_from_db()
    assert failed_job.state == JobState.WAITING and failed_job.attempts == 0
    assert stamp.retried == [7]
    event = AuditEvent.objects.get(verb=AuditVerb.UPDATE, object_id=str(failed_job.pk))
    assert event.detail == {"retried_after": "Attempt 3: RuntimeError: broke"}
    assert jobs.job_run(failed_job.pk) is True


def test_nobody_else_retries_a_job_and_a_job_not_failed_is_not_retried(
    failed_job, system_administrator
):
    unit_admin_or_analyst = UserFactory(is_staff=True)
    with pytest.raises(services.PermissionDenied):
        services.job_retry(acting_user=unit_admin_or_analyst, job=failed_job)
    assert Job.objects.get(pk=failed_job.pk).state == JobState.FAILED

    Job.objects.filter(pk=failed_job.pk).update(state=JobState.DONE)
    with pytest.raises(services.ValidationError, match="Only a job that failed"):
        services.job_retry(acting_user=system_administrator, job=failed_job)


def test_the_jobs_page_shows_a_failed_job_and_its_error_to_a_system_administrator(
    client, failed_job, system_administrator
):
    client.force_login(system_administrator)

    page = client.get(reverse("jobs:list"), {"state": JobState.FAILED})

    assert page.status_code == 200
    text = page.content.decode()
    assert "Stamp" in text and "Attempt 3: RuntimeError: broke" in text
    assert reverse("jobs:retry", args=[failed_job.pk]) in text

    answer = client.post(reverse("jobs:retry", args=[failed_job.pk]))
    assert answer.status_code == 302
    assert Job.objects.get(pk=failed_job.pk).state == JobState.WAITING


def test_the_jobs_page_is_refused_to_police_users_and_hidden_from_partners(
    client, failed_job, hierarchy
):
    unit_admin = member(hierarchy.force, Role.ADMIN)
    for person, status in ((unit_admin, 403), (UserFactory(), 403), (PartnerUserFactory(), 404)):
        client.force_login(person)
        assert client.get(reverse("jobs:list")).status_code == status
        assert client.post(reverse("jobs:retry", args=[failed_job.pk])).status_code == status
    assert Job.objects.get(pk=failed_job.pk).state == JobState.FAILED
