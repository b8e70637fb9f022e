"""A partner release rendered by a real Celery worker through Redis, on PostgreSQL."""

import time
from unittest import mock

import pytest
from billiard.exceptions import WorkerLostError

from partners import services, tasks
from partners.choices import DocumentStatus, ReleaseStatus
from partners.services import release_approve
from tests.partners.conftest import Cast, prepare, published_assessment

pytestmark = [
    pytest.mark.services,
    pytest.mark.xdist_group("services"),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 90


@pytest.fixture
def cast(hierarchy, vetting_table):
    return Cast(hierarchy)


@pytest.fixture
def routed_to_worker(worker_queue, celery_worker_thread, settings, tmp_path):
    """Render tasks go to this test's worker; PDFs are stored in a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    send = tasks.render_release_document.apply_async
    with mock.patch.object(
        tasks.render_release_document,
        "delay",
        side_effect=lambda document_id: send((document_id,), queue=worker_queue),
    ):
        yield tmp_path


def wait_until_available(release):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        release.refresh_from_db()
        if release.status == ReleaseStatus.AVAILABLE:
            return release
        time.sleep(0.2)
    raise AssertionError(f"{release.reference} is still {release.status} after {WAIT_SECONDS}s")


def test_an_approved_release_is_rendered_by_the_worker(cast, routed_to_worker):
    release = prepare(cast, published_assessment(cast))

    release_approve(acting_user=cast.reviewer, release=release)

    wait_until_available(release)
    for document in release.documents.all():
        assert (document.status, document.attempts) == (DocumentStatus.READY, 1)
        assert len(document.sha256) == 64
    assert len(list(routed_to_worker.rglob("*.pdf"))) == 2


def test_a_worker_lost_mid_render_leaves_it_retried_and_rendered_once(cast, routed_to_worker):
    release = prepare(cast, published_assessment(cast), agencies=[cast.agency_a])
    real_pdf, calls = services.release_pdf, []

    def lost_on_first_attempt(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise WorkerLostError("Worker exited prematurely: signal 9 (SIGKILL).")
        return real_pdf(*args, **kwargs)

    with mock.patch.object(services, "release_pdf", side_effect=lost_on_first_attempt):
        release_approve(acting_user=cast.reviewer, release=release)
        wait_until_available(release)

    document = release.documents.get()
    assert (document.status, document.attempts, len(calls)) == (DocumentStatus.READY, 2, 2)
    assert [path.name for path in routed_to_worker.rglob("*.pdf")] == [
        document.file.name.rsplit("/", 1)[-1]
    ]
