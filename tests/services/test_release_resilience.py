"""Issue 5, acceptance 4, on real infrastructure: PostgreSQL, Redis and `celery worker` processes.

A worker killed (SIGKILL) mid-render leaves the release retried and rendered once; with Redis
stopped, approving a release does not fail, and the release renders once Redis is back.
"""

import hashlib
import logging
import re
import time
from pathlib import Path

import pytest
from django.db.models import F

from partners import tasks
from partners.choices import DocumentStatus, ReleaseStatus
from partners.models import ReleaseDocument
from partners.services import RENDER_LEASE, RENDER_STALLED_AFTER, release_approve
from tests.partners.conftest import Cast, prepare, published_assessment
from tests.services.conftest import TEST_VISIBILITY_TIMEOUT, broker_at, emptied_redis_db, wait_for

pytestmark = [
    pytest.mark.services,
    pytest.mark.xdist_group("services"),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 90
# Long enough that WeasyPrint renders for seconds (about 3 on CI), so the kill lands mid-render.
EXTRA_SECTIONS = 12
# A Redis database of these tests' own: their workers' short visibility timeout would otherwise
# deliver again the unacknowledged tasks of other tests' workers.
RESILIENCE_REDIS_DB = 13


@pytest.fixture
def cast(hierarchy, vetting_table):
    return Cast(hierarchy)


@pytest.fixture
def own_redis_db():
    with emptied_redis_db(RESILIENCE_REDIS_DB) as url_and_client:
        yield url_and_client


def wait_until_available(release, worker):
    def available():
        release.refresh_from_db()
        return release.status == ReleaseStatus.AVAILABLE

    wait_for(
        available,
        seconds=WAIT_SECONDS,
        interval=0.2,
        what=f"{release.reference} available",
        log=worker,
    )


def kill_mid_render(worker, document) -> str:
    """Kill (SIGKILL) `worker` once it renders `document`; the lost render's task id."""
    wait_for(
        lambda: ReleaseDocument.objects.filter(
            pk=document.pk, status=DocumentStatus.RENDERING
        ).exists(),
        seconds=WAIT_SECONDS,
        interval=0.02,
        what="the first worker rendering",
        log=worker,
    )
    worker.kill()
    document.refresh_from_db()
    assert (document.status, document.attempts) == (DocumentStatus.RENDERING, 1), (
        "the worker finished before it was killed: lengthen the release"
    )
    return document.render_task_id


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


def test_a_worker_killed_mid_render_leaves_the_release_retried_and_rendered_once(
    cast, media_root, own_redis_db, celery_worker_process
):
    broker_url, broker = own_redis_db
    version = published_assessment(cast, extra_sections=EXTRA_SECTIONS)
    release = prepare(cast, version, agencies=[cast.agency_a])
    with broker_at(broker_url):
        first = celery_worker_process(broker_url)
        release_approve(acting_user=cast.reviewer, release=release)
        lost_task_id = kill_mid_render(first, release.documents.get())
        assert not list(media_root.rglob("*.pdf"))
        # The broker still holds the task, unacknowledged (acks_late): nothing is lost.
        [(_tag, delivered_at)] = broker.zrange("unacked_index", 0, -1, withscores=True)
        # A starting worker delivers again what has been unacknowledged for longer than the
        # visibility timeout.
        time.sleep(max(0.0, delivered_at + TEST_VISIBILITY_TIMEOUT + 1 - time.time()))
        second = celery_worker_process(broker_url)
        wait_until_available(release, second)

    documents = assert_rendered_once(release, media_root)
    assert [(d.attempts, d.render_task_id, d.last_error) for d in documents] == [
        (2, lost_task_id, "")
    ]
    # The second worker acknowledged the task once done with it (and the partners' e-mails).
    wait_for(lambda: broker.hlen("unacked") == 0, seconds=10, what="every task acknowledged")


def test_a_killed_render_is_taken_over_by_lease_when_the_broker_gives_nothing_back(
    cast, media_root, private_redis, celery_worker_process
):
    """The broker gives nothing back here: its visibility timeout is the production hour, and
    Redis, restarted without persistence, has lost the unacknowledged task. The lost render's
    lease runs out (moved back by RENDER_LEASE here, as if five minutes had passed) and the beat's
    sweep, run by the new worker, sends a task that takes the document over."""
    version = published_assessment(cast, extra_sections=EXTRA_SECTIONS)
    release = prepare(cast, version, agencies=[cast.agency_a])
    production_visibility = {"CELERY_BROKER_VISIBILITY_TIMEOUT": "3600"}
    with broker_at(private_redis.url):
        first = celery_worker_process(private_redis.url, environment=production_visibility)
        release_approve(acting_user=cast.reviewer, release=release)
        document = release.documents.get()
        lost_task_id = kill_mid_render(first, document)
        private_redis.stop()
        private_redis.start()

        second = celery_worker_process(private_redis.url, environment=production_visibility)
        # Within the lease nobody takes the document over, however often the sweep runs.
        tasks.sweep_release_documents.apply_async()
        wait_for(
            lambda: re.search(r"sweep_release_documents\[[^]]+\] succeeded", second.log_text()),
            seconds=WAIT_SECONDS,
            what="the new worker ran a sweep",
            log=second,
        )
        document.refresh_from_db()
        assert (document.status, document.attempts) == (DocumentStatus.RENDERING, 1)

        ReleaseDocument.objects.filter(pk=document.pk).update(
            lease_expires_at=F("lease_expires_at") - RENDER_LEASE,
            dispatched_at=F("dispatched_at") - RENDER_STALLED_AFTER,
        )
        tasks.sweep_release_documents.apply_async()
        wait_until_available(release, second)

    [document] = assert_rendered_once(release, media_root)
    assert document.attempts == 2 and document.render_task_id != lost_task_id


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
        pending = [(d.status, d.attempts) for d in release.documents.all()]
        assert pending == [(DocumentStatus.PENDING, 0)] * 2
        left_for_the_sweeper = [r for r in caplog.records if "left waiting" in r.getMessage()]
        assert len(left_for_the_sweeper) == 2

        private_redis.start()
        worker = celery_worker_process(private_redis.url)
        # The sweeper's threshold passes; then beat sends its periodic task.
        ReleaseDocument.objects.filter(release=release).update(
            dispatched_at=F("dispatched_at") - RENDER_STALLED_AFTER
        )
        tasks.sweep_release_documents.apply_async()
        wait_until_available(release, worker)

    documents = assert_rendered_once(release, media_root)
    assert [d.attempts for d in documents] == [1, 1]
