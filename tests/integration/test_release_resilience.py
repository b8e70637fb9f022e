"""Issue 5, acceptance 4, on real infrastructure: PostgreSQL, Redis and `celery worker` processes.

A worker killed (SIGKILL) mid-render still holds its job by a lease: the broker delivering its
message again changes nothing; once the lease runs out the beat's dispatch
(nim_portal.jobs.jobs_dispatch_due) sends the job again and the release is rendered once. With
Redis stopped, approving a release does not fail: its jobs wait, and the beat's dispatch sends them
once Redis is back.
"""

import datetime
import hashlib
import logging
import re
import time
from pathlib import Path

import pytest
from django.utils import timezone

from nim_portal.jobs import jobs_dispatch_due
from nim_portal.models import Job, JobState
from partners.choices import DocumentStatus, ReleaseStatus
from partners.services import RELEASE_DOCUMENT_JOB, release_approve
from tests.integration.conftest import (
    SERVICES_TEST,
    TEST_VISIBILITY_TIMEOUT,
    broker_at,
    emptied_redis_db,
    wait_for,
    wait_until_available,
)
from tests.partners.conftest import prepare, published_assessment

pytestmark = SERVICES_TEST

WAIT_SECONDS = 90
# Long enough that WeasyPrint renders for seconds (about 3 on CI), so the kill lands mid-render.
EXTRA_SECTIONS = 12
# A Redis database of these tests' own: their workers' short visibility timeout would otherwise
# deliver again the unacknowledged tasks of other tests' workers.
RESILIENCE_REDIS_DB = 13


@pytest.fixture
def own_redis_db():
    with emptied_redis_db(RESILIENCE_REDIS_DB) as url_and_client:
        yield url_and_client


def render_jobs(release):
    documents = list(release.documents.values_list("pk", flat=True))
    return Job.objects.filter(kind=RELEASE_DOCUMENT_JOB, object_id__in=documents).order_by("pk")


def kill_mid_render(worker, job: Job) -> None:
    """Kill (SIGKILL) `worker` once it has taken `job`, while it renders."""
    wait_for(
        lambda: Job.objects.filter(pk=job.pk, state=JobState.RUNNING).exists(),
        seconds=WAIT_SECONDS,
        interval=0.02,
        what="the first worker rendering",
        log=worker,
    )
    worker.kill()
    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.RUNNING, 1), (
        "the worker finished before it was killed: lengthen the release"
    )


def assert_rendered_once(release, media_root: Path):
    """Every document ready, and the storage holds exactly its one file, whose SHA-256 is the
    one recorded."""
    documents = list(release.documents.order_by("pk"))
    assert {document.status for document in documents} == {DocumentStatus.READY}
    stored = sorted(media_root.rglob("*.pdf"))
    assert stored == sorted(Path(document.file.path) for document in documents)
    for document in documents:
        assert hashlib.sha256(Path(document.file.path).read_bytes()).hexdigest() == document.sha256
    return documents


def test_a_worker_killed_mid_render_is_taken_over_once_its_lease_runs_out_and_renders_once(
    cast, media_root, own_redis_db, celery_worker_process
):
    broker_url, broker = own_redis_db
    version = published_assessment(cast, extra_sections=EXTRA_SECTIONS)
    release = prepare(cast, version, agencies=[cast.agency_a])
    with broker_at(broker_url):
        first = celery_worker_process(broker_url)
        release_approve(acting_user=cast.reviewer, release=release)
        [job] = render_jobs(release)
        kill_mid_render(first, job)
        assert not list(media_root.rglob("*.pdf"))
        assert release.documents.get().status == DocumentStatus.PENDING

        # The broker still holds the killed worker's message, unacknowledged (acks_late), and a
        # starting worker takes it again once its visibility timeout has passed: the dead
        # worker's lease still holds the job, so the message finds nothing to do.
        [(_tag, delivered_at)] = broker.zrange("unacked_index", 0, -1, withscores=True)
        time.sleep(max(0.0, delivered_at + TEST_VISIBILITY_TIMEOUT + 1 - time.time()))
        second = celery_worker_process(broker_url)
        wait_for(
            lambda: re.search(r"run_job\[[^]]+\] succeeded in \S+: False", second.log_text()),
            seconds=WAIT_SECONDS,
            what="the message delivered again to the new worker",
            log=second,
        )
        job.refresh_from_db()
        assert (job.state, job.attempts) == (JobState.RUNNING, 1)
        assert jobs_dispatch_due() == []

        # The lease runs out (moved back here, as if its six minutes had passed) and the beat's
        # dispatch sends the job again.
        Job.objects.filter(pk=job.pk).update(
            lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        assert jobs_dispatch_due() == [job.pk]
        wait_until_available(release, seconds=WAIT_SECONDS, log=second)

    assert_rendered_once(release, media_root)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == (JobState.DONE, 2, "")
    # The second worker acknowledged every task once done with it (and the partners' e-mails).
    wait_for(lambda: broker.hlen("unacked") == 0, seconds=10, what="every task acknowledged")


def test_with_redis_stopped_approval_succeeds_and_the_release_renders_once_redis_is_back(
    cast, media_root, private_redis, celery_worker_process, caplog
):
    release = prepare(cast, published_assessment(cast))
    with broker_at(private_redis.url):
        private_redis.stop()

        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="nim_portal.jobs"):
            release_approve(acting_user=cast.reviewer, release=release)
        assert time.monotonic() - started < 10

        release.refresh_from_db()
        assert release.status == ReleaseStatus.APPROVED
        assert [d.status for d in release.documents.all()] == [DocumentStatus.PENDING] * 2
        waiting = render_jobs(release)
        assert [(j.state, j.dispatched_at) for j in waiting] == [(JobState.WAITING, None)] * 2
        assert [r for r in caplog.records if "left waiting" in r.getMessage()]

        private_redis.start()
        worker = celery_worker_process(private_redis.url)
        # The beat's dispatch (every minute) hands over the jobs that were never handed over.
        assert jobs_dispatch_due() == [job.pk for job in waiting]
        wait_until_available(release, seconds=WAIT_SECONDS, log=worker)

    assert_rendered_once(release, media_root)
    assert [(j.state, j.attempts) for j in waiting.all()] == [(JobState.DONE, 1)] * 2
