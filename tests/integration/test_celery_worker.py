"""A task travels through real Redis to a real worker, which writes to the real PostgreSQL."""

import time
import uuid

import pytest
from django.db import connection

from nim_portal.celery import app as celery_app
from nim_portal.models import WorkerHeartbeat
from nim_portal.tasks import record_worker_heartbeat

WAIT_SECONDS = 30


def wait_for_heartbeat(hostname: str) -> WorkerHeartbeat | None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        heartbeat = WorkerHeartbeat.objects.filter(hostname=hostname).first()
        if heartbeat is not None:
            return heartbeat
        time.sleep(0.1)
    return None


@pytest.mark.services
@pytest.mark.xdist_group("services")
@pytest.mark.django_db(transaction=True)
def test_worker_records_heartbeat_sent_through_redis(celery_worker_thread, worker_queue):
    hostname = f"services-test-{uuid.uuid4().hex[:8]}"

    result = record_worker_heartbeat.apply_async(kwargs={"hostname": hostname}, queue=worker_queue)

    heartbeat = wait_for_heartbeat(hostname)
    assert heartbeat is not None, f"no worker ran task {result.id} within {WAIT_SECONDS}s"
    assert connection.vendor == "postgresql"
    assert not celery_app.conf.task_always_eager
    assert celery_app.conf.broker_url.startswith("redis://")


def test_beat_schedule_names_only_registered_tasks():
    celery_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in celery_app.conf.beat_schedule.values()}

    assert scheduled, "the beat schedule is empty"
    assert scheduled <= set(celery_app.tasks), scheduled - set(celery_app.tasks)
