import pytest
from django.urls import reverse
from django.utils import timezone

from nim_portal.models import WorkerHeartbeat


@pytest.mark.services
@pytest.mark.django_db
def test_healthy_with_real_redis_and_fresh_heartbeat(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    WorkerHeartbeat.objects.create(hostname="worker-1", beat_at=timezone.now())

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "jobs": "ok",
        "oldest_waiting_job_seconds": 0,
        "status": "ok",
    }
