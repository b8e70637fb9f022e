"""partners.tasks: thin jobs by id; safe to run twice; failures recorded; nothing lost."""

import datetime
from unittest import mock

import pytest
from celery.exceptions import Retry

from nim_portal.celery import app as celery_app
from partners import tasks
from partners.choices import DocumentStatus, ReleaseStatus
from partners.models import Release, ReleaseDocument
from partners.services import release_approve
from tests.partners.conftest import today


def test_the_render_task_renders_once(cast, draft):
    release_approve(acting_user=cast.reviewer, release=draft)
    document = draft.documents.first()

    assert tasks.render_release_document.delay(document.pk).get() is True
    assert tasks.render_release_document.delay(document.pk).get() is False

    document.refresh_from_db()
    assert (document.status, document.attempts) == (DocumentStatus.READY, 1)


def test_an_eager_failure_is_final_and_recorded(cast, draft):
    release_approve(acting_user=cast.reviewer, release=draft)
    document = draft.documents.first()

    with (
        mock.patch("partners.services.release_pdf", side_effect=OSError("disk full")),
        pytest.raises((OSError, Retry)),
    ):
        tasks.render_release_document.delay(document.pk)

    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and "disk full" in document.last_error


def test_the_render_task_is_late_acknowledged_and_retried_with_limits():
    task = tasks.render_release_document
    assert task.acks_late and task.reject_on_worker_lost
    assert task.max_retries == tasks.RENDER_MAX_RETRIES and task.retry_backoff
    assert task.time_limit and task.soft_time_limit


def test_the_sweep_task_renders_stale_documents(cast, draft, django_capture_on_commit_callbacks):
    release_approve(acting_user=cast.reviewer, release=draft)
    ReleaseDocument.objects.update(dispatched_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_release_documents.delay().get() == 2

    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.AVAILABLE


def test_the_expiry_task_ends_releases_past_their_date(cast, available):
    Release.objects.filter(pk=available.pk).update(expires_on=today() - datetime.timedelta(days=1))

    assert tasks.expire_releases.delay().get() == 1

    available.refresh_from_db()
    assert available.status == ReleaseStatus.EXPIRED


def test_beat_runs_the_sweeper_every_minute_and_the_expiry():
    schedule = {
        entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()
    }
    assert schedule["partners.tasks.sweep_release_documents"] == 60.0
    assert "partners.tasks.expire_releases" in schedule
